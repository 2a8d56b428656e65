"""Coordinates written into JSON, rounded to what their reader can use: the canvas and its
labels need about 100 m, exports keep about 1 m. One helper for every writer.

Pure: no streamlit.
"""

from __future__ import annotations

from typing import Any

SCREEN_DIGITS = 3  # about 100 m: far below a pixel at any zoom the map allows


def rounded(value: Any, digits: int) -> Any:
    """Every float in a nested coordinate list rounded; lists of tuples come back as lists."""
    if isinstance(value, float):
        return round(value, digits)
    if isinstance(value, (list, tuple)):
        return [rounded(v, digits) for v in value]
    return value
