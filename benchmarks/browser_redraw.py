"""What a year change costs in the browser (make bench-browser). No pass/fail: read them.

The budgets of issue 3 are server-side; this prints the client side, in Debian's
Chromium with the test suite's launch flags (software WebGL on a machine without a GPU,
so expect a real GPU to do far better):

1. page load until the map is painted and the script idle;
2. main-thread busy time (sum of long tasks) after each year change;
3. playback: seconds per year at the "Normal (1 s per year)" speed.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from browser_support import CHROMIUM, LAUNCH_ARGS, YEAR_SLIDER, Server, open_app, settle  # noqa: E402

LONG_TASKS = """window.__longTasks = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) window.__longTasks.push(entry.duration);
}).observe({type: "longtask", buffered: true});"""
YEAR_CHANGES = 5
PLAYED_YEARS = 4


def main() -> None:
    if not CHROMIUM.exists():
        sys.exit(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    server = Server()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.add_init_script(LONG_TASKS)
            started = time.perf_counter()
            open_app(page, f"{server.url}/?year=2010&layers=states,bases,pipelines")
            # open_app waits 1.5 s after the canvas appears; that pause is not load time.
            print(f"page load until the map is painted: {time.perf_counter() - started - 1.5:.1f} s")

            busy = []
            slider = page.locator(YEAR_SLIDER).first
            for _ in range(YEAR_CHANGES):
                page.evaluate("window.__longTasks = []")
                slider.focus()
                slider.press("ArrowRight")
                settle(page)
                page.wait_for_timeout(4000)
                busy.append(sum(page.evaluate("window.__longTasks")) / 1000)
            print(
                f"main thread busy after a year change: median {statistics.median(busy):.2f} s, "
                f"min {min(busy):.2f} s, max {max(busy):.2f} s over {len(busy)} changes"
            )

            first_year = int(slider.input_value())
            page.get_by_role("button", name="▶ Play").click()
            started = time.perf_counter()
            page.wait_for_function(
                f"() => Number(document.querySelector('{YEAR_SLIDER}').value) >= {first_year + PLAYED_YEARS}",
                timeout=180_000,
            )
            seconds = time.perf_counter() - started
            page.get_by_role("button", name="⏸ Pause").click()
            print(f"playback at 1 s per year: {seconds / PLAYED_YEARS:.1f} s per year over {PLAYED_YEARS} years")
            browser.close()
    finally:
        server.stop()


if __name__ == "__main__":
    main()
