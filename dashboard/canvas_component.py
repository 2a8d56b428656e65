"""The map canvas as a Streamlit component (v1: an iframe, so the deck.gl we vendor never
meets the one Streamlit bundles; two versions in one page throw).

The component's folder is a runtime directory: the frontend files, an index page, and
the payloads under data/, each named by its content's hash. The iframe fetches a payload
once and keeps it for the session; a year change only re-sends the small frame arguments.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import streamlit.components.v1 as components

from .canvas import FRONTEND_DIR, Blob, page_html

SERVED_FILES = ("canvas.js", "canvas.css", "vendor/deckgl.min.js", "vendor/deckgl-json.min.js")


def _write_if_changed(path: Path, data: bytes) -> None:
    if path.exists() and path.read_bytes() == data:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)  # atomic: replicas sharing the folder never see half a file


def runtime_dir() -> Path:
    """DASHBOARD_CANVAS_DIR, or a per-user folder in the system's temporary directory."""
    configured = os.environ.get("DASHBOARD_CANVAS_DIR")
    root = Path(configured) if configured else Path(tempfile.gettempdir()) / f"csto-dashboard-canvas-{os.getuid()}"
    for name in SERVED_FILES:
        _write_if_changed(root / name, (FRONTEND_DIR / name).read_bytes())
    _write_if_changed(root / "index.html", page_html("Map").encode("utf-8"))
    (root / "data").mkdir(exist_ok=True)
    return root


RUNTIME_DIR = runtime_dir()
_published: set[str] = set()
_canvas = components.declare_component("canvas", path=str(RUNTIME_DIR))


def publish(blob: Blob) -> str:
    """Write a payload once per process; its name changes only when its content does."""
    if blob.name not in _published:
        target = RUNTIME_DIR / "data" / blob.name
        if not target.exists():
            _write_if_changed(target, blob.text.encode("utf-8"))
        _published.add(blob.name)
    return blob.name


def map_canvas(
    scene: Blob, view: Blob, frame: dict[str, Any], years: tuple[int, int], key: str, user: Blob | None = None
) -> Any:
    """Draws the map; returns what the browser last reported (year, click)."""
    first_year, last_year = years
    return _canvas(
        scene=publish(scene),
        view=publish(view),
        user=publish(user) if user is not None else None,
        frame=frame,
        first_year=first_year,
        last_year=last_year,
        key=key,
        default=None,
    )
