"""Prints what a user layer of points costs to load and to filter by year (make bench).

Layers of 1,000, 10,000 and 100,000 points, each with a name, a start year, an end year
for a third of them, a source and two more properties, are loaded from bytes (parse,
light schema, geometry) and then filtered for every year from 1991 to 2025. The last
lines fit time ~ points^k between the smallest and largest layer and say whether growth is
no faster than linear (k at most 1.1, for cache effects and noise). No pass/fail: read them.
"""

from __future__ import annotations

import json
import math
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dashboard.userlayers import UserLayers  # noqa: E402

SIZES = (1_000, 10_000, 100_000)
YEARS = range(1991, 2026)
REPEATS = 3  # best of, against noise from other work on the machine
# Larger data falls out of the CPU caches, which costs a little per point without any
# growth in the work done: an exponent up to 1 + this still counts as linear.
LINEAR_TOLERANCE = 0.1


def layer_bytes(points: int) -> bytes:
    features = [
        {
            "type": "Feature",
            "id": index,
            "geometry": {"type": "Point", "coordinates": [50 + (index % 400) * 0.1, 35 + (index // 400) * 0.01]},
            "properties": {
                "name": f"Point {index}",
                "start": str(1991 + index % 30),
                "end": None if index % 3 else str(2010 + index % 15),
                "sources": ["Field survey, sheet 4", "https://example.org/survey"],
                "kind": "depot" if index % 2 else "site",
                "count": index % 97,
            },
        }
        for index in range(points)
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}).encode("utf-8")


def measure(points: int) -> tuple[float, float, int]:
    """Best load time, median time of one year's filter (seconds), features loaded."""
    data = layer_bytes(points)
    loads, filters = [], []
    for _ in range(REPEATS):
        layers = UserLayers()
        started = time.perf_counter()
        layers.add_bytes("bench.geojson", data)
        loads.append(time.perf_counter() - started)
        assert not layers.problems, layers.problems[:3]
        for year in YEARS:
            started = time.perf_counter()
            layers.active(year)
            filters.append(time.perf_counter() - started)
    return min(loads), statistics.median(filters), len(layers.features)


def main() -> None:
    results = {}
    print(f"user layer of points: load (best of {REPEATS}) and one year's filter (median over {len(YEARS)} years)")
    for points in SIZES:
        load, year_filter, loaded = measure(points)
        results[points] = (load, year_filter)
        print(
            f"{points:>7,} points: load {load:7.3f} s ({load / points * 1e6:5.1f} µs/point), "
            f"filter {year_filter * 1e3:7.2f} ms ({year_filter / points * 1e9:5.0f} ns/point); {loaded:,} loaded"
        )
    small, large = SIZES[0], SIZES[-1]
    for label, column in (("load", 0), ("filter", 1)):
        # time ~ points ** exponent, fitted on the smallest and largest layers: 1 is linear.
        exponent = math.log(results[large][column] / results[small][column]) / math.log(large / small)
        verdict = "yes" if exponent <= 1 + LINEAR_TOLERANCE else "NO"
        print(
            f"{label}: time grows as points^{exponent:.2f} from {small:,} to {large:,}; "
            f"no faster than linear (exponent ≤ {1 + LINEAR_TOLERANCE:.2f}): {verdict}"
        )


if __name__ == "__main__":
    main()
