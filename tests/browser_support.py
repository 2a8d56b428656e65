"""Starting the app and driving Debian's Chromium: shared by the browser tests and
benchmarks/browser_redraw.py."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CANVAS_IFRAME = "iframe[src*='canvas_component.canvas']"
# With --disable-gpu each redraw of the map costs 2-3 s of software rendering here (and
# about 7 s for the first); "--use-gl=angle --use-angle=swiftshader" cut that to 0.3 s
# but deck.gl then missed clicks (the pick on pointerdown found nothing). Tests wait on
# conditions, never on the renderer's speed.
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--enable-unsafe-swiftshader",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self, env: dict[str, str] | None = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        command = [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(ROOT / "dashboard" / "app.py"),
            "--server.port",
            str(self.port),
            "--browser.serverPort",
            str(self.port),
        ]
        self.process = subprocess.Popen(
            command, cwd=ROOT, env={**os.environ, **(env or {})}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError("streamlit did not start within 60 s")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def settle(page) -> None:
    """Wait like Streamlit's own tests: until the script has stopped running."""
    page.wait_for_timeout(300)
    page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]", timeout=60_000)


def canvas_frame(page):
    """The map canvas's iframe, once its page has loaded."""
    page.wait_for_selector(CANVAS_IFRAME, timeout=60_000)
    return page.frame_locator(CANVAS_IFRAME)


def canvas_js(page):
    """The iframe's Frame, for evaluating against the canvas's own window."""
    element = page.wait_for_selector(CANVAS_IFRAME, timeout=60_000)
    return element.content_frame()


def wait_drawn(frame, year: int | None = None, timeout: float = 120_000) -> None:
    """Until the canvas has drawn a frame (of the given year)."""
    condition = "d => true" if year is None else f"d => d.year === {year}"
    frame.wait_for_function(
        f"() => window.__canvasStats && window.__canvasStats.drawn.some({condition})", timeout=timeout
    )


def open_app(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("[data-testid=stApp][data-test-connection-state=CONNECTED]", timeout=60_000)
    settle(page)
    wait_drawn(canvas_js(page))
