"""What the browser pays for the map (make bench-browser). No pass/fail: read the figures.

In Debian's Chromium with the test suite's launch flags (software WebGL on a machine
without a GPU; a real GPU does far better):

1. page load until the canvas has drawn its first frame;
2. slider move to painted frame: from the slider's input event to the frame of that year;
3. bytes the server sends when Python learns the year (slider released);
4. 10 s of playback at 10 years per second: websocket messages the page sends (each
   would be a script rerun), whether every year was drawn in turn, years per second
   reached, and the frame time.

The figures of the map before the canvas (st.pydeck_chart, a rerun per year) are printed
beside them from OLD_PATH, measured with the same flags on the same machine (README).
"""

from __future__ import annotations

import itertools
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from browser_support import CHROMIUM, LAUNCH_ARGS, Server, canvas_frame, canvas_js, open_app, settle  # noqa: E402

# Measured at commit 83897e7 (the last map drawn with st.pydeck_chart), same flags and machine,
# on 2026-12-02 (page load, main thread busy after a year change) and in issue 7 (the rest).
OLD_PATH = {"page_load_s": 14.0, "year_change_busy_s": 3.56, "playback_s_per_year": 4.0, "year_change_kb": 640}

SLIDE_TO_PAINT = """async (year) => {
  const slider = document.getElementById("year");
  const started = performance.now();
  slider.value = String(year);
  slider.dispatchEvent(new Event("input"));
  while (!window.__canvasStats.drawn.some((d) => d.year === year && d.t >= started)) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return performance.now() - started;
}"""


def main() -> None:
    if not CHROMIUM.exists():
        sys.exit(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    server = Server()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            sent: list[int] = []
            received: list[int] = []

            def watch(ws) -> None:
                ws.on("framesent", lambda payload: sent.append(len(payload)))
                ws.on("framereceived", lambda payload: received.append(len(payload)))

            page.on("websocket", watch)
            started = time.perf_counter()
            open_app(page, f"{server.url}/?year=2010&layers=states,bases,garrisons,pipelines,borders,events,disputed")
            print(
                f"page load until the canvas drew its first frame: {time.perf_counter() - started:.1f} s "
                f"(before the canvas: {OLD_PATH['page_load_s']:.1f} s)"
            )
            window = canvas_js(page)

            paints = [window.evaluate(SLIDE_TO_PAINT, year) for year in (2000, 2001, 2002, 2003, 2004, 2005)]
            median = statistics.median(paints) / 1000
            print(
                f"slider move to painted frame: median {median * 1000:.0f} ms, max {max(paints):.0f} ms over "
                f"{len(paints)} moves (before: a rerun and a redraw, main thread busy "
                f"{OLD_PATH['year_change_busy_s']:.1f} s; ratio {median / OLD_PATH['year_change_busy_s']:.2f})"
            )

            settle(page)
            received.clear()
            slider = canvas_frame(page).get_by_label("Year", exact=True)
            slider.focus()
            slider.press("ArrowRight")  # input and change: Python learns 2006
            page.wait_for_url("**year=2006**", timeout=60_000)
            settle(page)
            print(
                f"bytes sent to the browser when Python learns a new year: {sum(received) / 1e3:.1f} KB "
                f"(before: about {OLD_PATH['year_change_kb']} KB per year change)"
            )

            window.evaluate("() => { window.__canvasStats.drawn = []; window.__canvasStats.frameMs = []; }")
            window.evaluate("() => { const s = document.getElementById('speed'); s.value = '10'; }")
            window.evaluate(
                "() => { document.getElementById('year').value = '1991'; "
                "document.getElementById('year').dispatchEvent(new Event('input')); }"
            )
            page.wait_for_timeout(3000)
            window.evaluate("() => { window.__canvasStats.drawn = []; window.__canvasStats.frameMs = []; }")
            messages_before = len(sent)
            canvas_frame(page).get_by_role("button", name="Play").click()
            page.wait_for_timeout(10_000)
            drawn = [d for d in window.evaluate("window.__canvasStats.drawn") if d["playing"]]
            frames = window.evaluate("window.__canvasStats.frameMs")  # script time to submit a frame
            gaps = [(b["t"] - a["t"]) for a, b in itertools.pairwise(drawn)]  # drawn year to drawn year
            years = [d["year"] for d in drawn]
            in_turn = years == list(range(years[0], years[0] + len(years))) if years else False
            span = (drawn[-1]["t"] - drawn[0]["t"]) / 1000 if len(drawn) > 1 else 0
            rate = (len(drawn) - 1) / span if span else 0
            print(
                f"10 s of playback at 10 years/s: {len(sent) - messages_before} messages to the server "
                f"(script reruns), {len(years)} years drawn ({years[0] if years else '-'}–{years[-1] if years else '-'}), "
                f"every year in turn: {in_turn}"
            )
            print(
                f"  years per second reached: {rate:.1f} (before: {1 / OLD_PATH['playback_s_per_year']:.2f}); "
                f"frame time (drawn year to drawn year) median {statistics.median(gaps):.0f} ms, max {max(gaps):.0f} ms; "
                f"script per frame median {statistics.median(frames):.0f} ms (the rest is the software renderer)"
            )
            browser.close()
    finally:
        server.stop()


if __name__ == "__main__":
    main()
