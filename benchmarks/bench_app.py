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
    frame = serialize(frame_args(2010, 2, None, "base-kant", frozenset({"state-uzb", "state-geo"})))
    print(f"frame (every year change): {len(frame.encode())} bytes")


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
    bare_script, bare_trip = year_changes(ROOT / "benchmarks" / "bare_app.py", YEARS, from_python=False)
    app_script, app_trip = year_changes(ROOT / "dashboard" / "app.py", YEARS + YEARS, from_python=True)
    half = len(YEARS)
    print("script time (the budgeted figure):")
    bare = describe("  bare script re-sending a precomputed JSON string", bare_script)
    first = describe("  dashboard, year change, first visit of each year", app_script[:half])
    again = describe("  dashboard, year change, year seen before", app_script[half:])
    print(f"  ratio to bare: first visit {first / bare:.2f}x, seen before {again / bare:.2f}x (budget 1.2x)")
    print("AppTest round trip (script plus harness), for reference:")
    trip = describe("  bare", bare_trip)
    trip_first = describe("  dashboard, first visit", app_trip[:half])
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
