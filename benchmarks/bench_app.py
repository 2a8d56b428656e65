"""Prints the figures for the dashboard's budgets (make bench). No pass/fail: read them.

1. What the canvas sends: the scene (once per session), the view (once per organization
   and layer choice) and the frame (every year change).
2. Script time for a year change set from Python, against a bare script that only
   re-sends a precomputed JSON string (budget: within 1.2x). Both run under AppTest through
   benchmarks/timed_script.py, which times the script itself (protobuf and deck
   serialisation included, the test harness excluded). The AppTest round trip is
   printed as well.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from streamlit.testing.v1 import AppTest  # noqa: E402

from dashboard.canvas import blob, build_scene, build_view, frame_args, serialize  # noqa: E402
from dashboard.layers import basemap_collection  # noqa: E402
from dashboard.loader import load_catalog  # noqa: E402
from dashboard.schema import ORGS  # noqa: E402
from dashboard.selection import ViewFilter  # noqa: E402

YEARS = list(range(1995, 2025))


def payload_sizes() -> None:
    catalog = load_catalog()
    scene = blob(build_scene(catalog, basemap_collection()))
    print(f"scene (sent once per session): {len(scene.text.encode()) / 1e3:.0f} KB")
    for label, orgs in (("CSTO", ["CSTO"]), ("all organizations", list(ORGS))):
        view = blob(build_view(catalog, ViewFilter.make(orgs=orgs)))
        print(f"view, {label} (sent once per choice): {len(view.text.encode()) / 1e3:.1f} KB")
    print(f"vertices drawn at the default view: {vertex_counts(json.loads(scene.text))}")
    frame = serialize(frame_args(2010, 2, None, "base-kant", frozenset({"state-uzb", "state-geo"})))
    print(f"frame (every year change): {len(frame.encode())} bytes")


def _coordinates(geometry: dict) -> int:
    def count(value) -> int:
        return 1 if value and isinstance(value[0], (int, float)) else sum(count(v) for v in value)

    return count(geometry["coordinates"])


# Software WebGL pays about 1 s per 28k outline vertices (GUIDE); these are the budgets.
VERTEX_BUDGET = {"outlines": 8_000, "fills": 60_000}


def vertex_counts(scene: dict) -> str:
    """Outlines cost the most per frame: only country borders (shared edges, once), the
    Kazakhstan–Russia border and the pipelines are stroked; land and states are fills."""
    data = scene["datasets"]
    outlines = sum(len(row["path"]) for name in ("country-borders", "borders", "pipelines") for row in data[name])
    fills = sum(_coordinates(f["geometry"]) for f in data["land"]["features"])
    fills += sum(_coordinates(g) for g in scene["geometries"].values() if g["type"].endswith("Polygon"))
    return (
        f"outlines {outlines:,} (budget {VERTEX_BUDGET['outlines']:,}), "
        f"fills {fills:,} (budget {VERTEX_BUDGET['fills']:,})"
    )


def year_changes(script: Path, years: list[int], from_python: bool) -> tuple[list[float], list[float]]:
    """Script times and AppTest round-trip times (seconds) for each year change."""
    os.environ["BENCH_TARGET"] = str(script)
    at = AppTest.from_file(str(ROOT / "benchmarks" / "timed_script.py"), default_timeout=120)
    at.run()
    round_trips = []
    for year in years:
        started = time.perf_counter()
        if from_python:
            at.session_state["year"] = year
            at.run()
        else:
            at.slider(key="year").set_value(year).run()
        round_trips.append(time.perf_counter() - started)
        assert not at.exception, at.exception
    script_times = [ms / 1000 for ms in at.session_state["_bench_script_ms"][1:]]
    return script_times, round_trips


def describe(label: str, times: list[float]) -> float:
    median = statistics.median(times)
    print(
        f"{label}: median {median * 1000:.0f} ms, min {min(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms over {len(times)} reruns"
    )
    return median


def main() -> None:
    payload_sizes()
    # Three passes over the years: the figures are a few milliseconds, so noise needs numbers.
    bare_script, bare_trip = year_changes(ROOT / "benchmarks" / "bare_app.py", YEARS * 3, from_python=False)
    app_script, app_trip = year_changes(ROOT / "dashboard" / "app.py", YEARS * 3, from_python=True)
    half = len(YEARS)
    print("script time (the budgeted figure):")
    bare = describe("  bare script re-sending a precomputed JSON string", bare_script)
    first = describe("  dashboard, year change, first visit of each year", app_script[:half])
    again = describe("  dashboard, year change, year seen before", app_script[half:])
    whole = describe("  dashboard, every year change", app_script)
    print(
        f"  ratio to bare: all {whole / bare:.2f}x, first visit {first / bare:.2f}x, "
        f"seen before {again / bare:.2f}x (budget 1.2x)"
    )
    print("AppTest round trip (script plus harness), for reference:")
    trip = describe("  bare", bare_trip)
    trip_first = describe("  dashboard", app_trip)
    print(f"  ratio {trip_first / trip:.2f}x")
    print(
        json.dumps(
            {
                "bare_script_ms": round(bare * 1000, 1),
                "first_visit_script_ms": round(first * 1000, 1),
                "seen_before_script_ms": round(again * 1000, 1),
                "ratio_first": round(first / bare, 2),
            }
        )
    )


if __name__ == "__main__":
    main()
