"""The printed legend: symbology.legend()'s entries that the map used, in its order and
groups, each with the swatch the canvas shows (area, circle with its letter, hollow ring,
halo, line, dashed line, magenta ring, a user layer's dashed line and ringed disc).
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .symbology import (
    COUNTRY_BORDER_COLOR,
    DISPUTED_COLOR,
    DISPUTED_EDGE,
    EVENT_COLOR,
    EVENT_TEXT_COLOR,
    FORMER_FILL,
    HOLLOW_EDGE,
    PIPELINE_WIDTHS,
    SYMBOL_TEXT_COLOR,
    legend,
    opaque,
    points,
    rgba,
)

if TYPE_CHECKING:
    from .loader import Feature

UNNUMBERED_EVENTS = "Further events, not numbered: the feature table lists every event"
LEGEND_WRAP = 48  # characters per legend line (the legend column is 3.5 in wide)
FONT_SIZES = (8.0, 7.5, 7.0, 6.5, 6.0)  # the legend takes the largest that fits
SWATCH_PT = 13.0  # a circle swatch's diameter at the largest legend font
SWATCH_PER_FONT = 1.4  # at smaller fonts the circles shrink with the text, so rows never overlap


def swatch_diameter(fontsize: float) -> float:
    return min(SWATCH_PT, SWATCH_PER_FONT * fontsize)


@dataclass(frozen=True)
class SymbolSwatch:
    """A legend handle: a filled circle with its letter (or ★), as the map draws sites."""

    color: tuple[float, ...]
    symbol: str
    text_color: tuple[float, ...] = rgba(SYMBOL_TEXT_COLOR)


def _symbol_handler() -> Any:
    """Draws a SymbolSwatch: the circle, and the letter as text (a mathtext marker would
    distort it)."""
    from matplotlib.legend_handler import HandlerBase
    from matplotlib.lines import Line2D
    from matplotlib.text import Text

    class SymbolHandler(HandlerBase):
        def create_artists(self, legend, handle, xdescent, ydescent, width, height, fontsize, trans):
            x, y = width / 2 - xdescent, height / 2 - ydescent
            diameter = swatch_diameter(fontsize)
            size = diameter if handle.symbol else diameter * 0.7
            circle = Line2D([x], [y], marker="o", markersize=size, color=handle.color, ls="", transform=trans)
            if not handle.symbol:
                return [circle]
            letter = Text(
                x,
                y,
                handle.symbol,
                ha="center",
                va="center_baseline",
                fontsize=diameter * 0.62,
                fontweight="bold",
                color=handle.text_color,
                transform=trans,
            )
            return [circle, letter]

    return SymbolHandler()


def _swatch(item: dict[str, Any], diameter: float) -> Any:
    """The swatch of one legend entry, as the canvas draws it."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    color, shape = rgba(item["color"]), item["shape"]
    if shape == "area":
        edge = DISPUTED_EDGE if item["color"] == DISPUTED_COLOR else COUNTRY_BORDER_COLOR
        return Patch(facecolor=color, edgecolor=rgba(edge), linewidth=0.6)
    if shape == "circle":
        return SymbolSwatch(color, item.get("symbol") or "")
    if shape in ("hollow", "halo", "ring"):
        face = {"hollow": rgba(FORMER_FILL), "halo": color, "ring": "none"}[shape]
        edge = rgba(HOLLOW_EDGE) if shape != "ring" else opaque(item["color"])
        return Line2D([], [], marker="o", markersize=diameter, markerfacecolor=face, markeredgecolor=edge, ls="")
    if shape == "line":
        dash = item.get("dash")
        return Line2D([], [], color=color, linewidth=points(PIPELINE_WIDTHS["gas"]), dashes=dash or (None, None))
    if shape == "user":
        return Line2D(
            [], [], color=opaque(item["color"]), linestyle="--", marker="o", markersize=6, markerfacecolor="white"
        )
    return Patch(visible=False)  # a note: words only


def legend_rows(
    keys: set[str], user_layers: Iterable[str], events: Sequence[Feature] = (), diameter: float = SWATCH_PT
) -> tuple[list[Any], list[str], set[int]]:
    """Handles and texts for the entries used, a bold heading before each group; numbered
    events (symbol_layout.number_events) each get their own line, by number."""
    from matplotlib.patches import Patch

    handles: list[Any] = []
    texts: list[str] = []
    headings: set[int] = set()
    group = None
    for item in legend(user_layers):
        if item["key"] not in keys and not item["key"].startswith("user:"):
            continue
        if item["group"] != group:
            group = item["group"]
            headings.add(len(handles))
            handles.append(Patch(visible=False))
            texts.append(group)
        if item["key"] == "event" and events:
            _event_rows(handles, texts, events, keys)
            continue
        handles.append(_swatch(item, diameter))
        texts.append(textwrap.fill(item["label"], LEGEND_WRAP))
    return handles, texts, headings


def _event_rows(handles: list[Any], texts: list[str], events: Sequence[Feature], keys: set[str]) -> None:
    for number, event in enumerate(events, start=1):
        handles.append(SymbolSwatch(rgba(EVENT_COLOR), str(number), rgba(EVENT_TEXT_COLOR)))
        texts.append(textwrap.fill(f"{event.name} ({event.props.start})", LEGEND_WRAP))
    if "event:unnumbered" in keys:
        handles.append(SymbolSwatch(rgba(EVENT_COLOR), ""))
        texts.append(textwrap.fill(UNNUMBERED_EVENTS, LEGEND_WRAP))


def draw_legend(
    fig: Any, keys: set[str], user_layers: Iterable[str], anchor: tuple[float, float], events: Sequence[Feature] = ()
) -> Any:
    """The legend, its top left corner at `anchor` (figure fractions), in the largest of
    FONT_SIZES that fits above the figure's bottom edge; its rings and halos shrink with the
    text, as the lettered circles do."""
    renderer = fig.canvas.get_renderer()
    room = anchor[1] * fig.bbox.height
    for size in FONT_SIZES:
        handles, texts, headings = legend_rows(keys, user_layers, events, swatch_diameter(size))
        if not handles:
            return None
        key = _legend(fig, handles, texts, headings, anchor, size)
        if key.get_window_extent(renderer).height <= room or size == FONT_SIZES[-1]:
            return key
        key.remove()
    return None


def _legend(fig: Any, handles, texts, headings: set[int], anchor: tuple[float, float], size: float) -> Any:
    key = fig.legend(
        handles,
        texts,
        loc="upper left",
        bbox_to_anchor=anchor,
        frameon=False,
        fontsize=size,
        handler_map={SymbolSwatch: _symbol_handler()},
        handlelength=2.8,
        labelspacing=0.5 * size / FONT_SIZES[0],
        borderaxespad=0,
        borderpad=0,
    )
    for index, text in enumerate(key.get_texts()):
        text.set_parse_math(False)  # a "$" in a user's layer name is text
        if index in headings:
            text.set_fontweight("bold")
            text.set_position((-4.4 * size, 0))
    return key
