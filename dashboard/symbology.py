"""The map's one symbology: every colour, symbol, line style, label style and legend entry.

The interactive canvas (layers.py, canvas.py), the static map (static_map.py) and the PDF
pack (briefing_pack.py) all read them from here, so screen and print are one product. No
other module defines a colour (tests/test_symbology.py checks the code for any). Colours
are RGBA lists of 0..255, the form deck.gl takes; print converts them with `rgba` and
`hex_color`. Sizes are in CSS pixels, as the canvas draws them; print turns a pixel into
POINTS_PER_PIXEL points, so a printed map looks like the screen at its usual width.

Pure: no streamlit.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .loader import Catalog, Feature
from .selection import disputed_status, state_status

Color = list[int]

# A CSS pixel is 0.75 pt (1/96 inch): print sizes follow from the screen's.
POINTS_PER_PIXEL = 0.75

# --- Areas --------------------------------------------------------------------------------

# Opaque, so screen and print match. Chosen in CIE LCh: the stronger the status, the darker
# (disputed L*31, member L*44 ... partner L*90, land L*96), each hue apart, so the classes stay apart for colour-blind
# readers and in greyscale print (tests/test_symbology.py simulates both).
STATUS_COLORS: dict[str, Color] = {
    "member": [0, 110, 178, 255],
    "associate": [0, 146, 139, 255],
    "suspended": [229, 126, 30, 255],
    "assembly observer": [219, 149, 201, 255],
    "observer": [125, 201, 225, 255],
    "former": [208, 208, 208, 255],
    "partner": [213, 235, 163, 255],
}
STATUS_LABELS = {
    "member": "Member",
    "suspended": "Member, participation suspended/frozen",
    "associate": "Associate member",
    "observer": "Observer",
    "partner": "Partner (NATO PfP partner, SCO dialogue partner)",
    "assembly observer": "Parliament observes the organization's parliamentary assembly (no state status)",
    "former": "No status that year; held one earlier (former member, observer or partner)",
}
DISPUTED_COLOR: Color = [73, 66, 121, 255]
DISPUTED_EDGE: Color = [110, 60, 140, 255]
LAND_COLOR: Color = [247, 243, 238, 255]
# The map's background (dashboard/frontend/canvas.css paints #map-frame with it; a test checks).
SEA_COLOR: Color = [201, 216, 230, 255]
COUNTRY_BORDER_COLOR: Color = [140, 140, 145, 255]
COUNTRY_BORDER_WIDTH = 0.8  # pixels: shared edges only, drawn once

# --- Point symbols --------------------------------------------------------------------------

BASE_GROUPS: dict[str, tuple[str, Color, str]] = {
    # base type -> (symbol letter, colour, legend label)
    "army base": ("G", [190, 30, 45, 255], "Ground forces base"),
    "headquarters": ("G", [190, 30, 45, 255], "Ground forces base"),
    "depot": ("D", [150, 80, 40, 255], "Depot"),
    "air base": ("A", [120, 40, 160, 255], "Air base"),
    "naval base": ("N", [20, 60, 140, 255], "Naval base or facility"),
    "naval facility": ("N", [20, 60, 140, 255], "Naval base or facility"),
    "radar station": ("R", [200, 90, 0, 255], "Radar, space surveillance, communications"),
    "space surveillance": ("R", [200, 90, 0, 255], "Radar, space surveillance, communications"),
    "communications station": ("R", [200, 90, 0, 255], "Radar, space surveillance, communications"),
    "seismic station": ("R", [200, 90, 0, 255], "Radar, space surveillance, communications"),
    "test range": ("T", [90, 90, 90, 255], "Test range or spaceport"),
    "spaceport": ("T", [90, 90, 90, 255], "Test range or spaceport"),
    "other": ("O", [110, 110, 110, 255], "Other facility"),
}
GARRISON_COLOR: Color = [0, 130, 70, 255]
GARRISON_SYMBOL = "★"
EVENT_COLOR: Color = [250, 200, 0, 255]
FORMER_FILL: Color = [255, 255, 255, 230]  # a former site: white fill, letter and ring in its colour
SYMBOL_TEXT_COLOR: Color = [255, 255, 255, 255]  # the letter on a current site
EVENT_TEXT_COLOR: Color = [40, 40, 40, 255]  # a printed event's number: dark on the yellow
SYMBOL_RADIUS = {"events": 6, "garrisons": 9, "bases": 9}  # pixels
SYMBOL_LINE_WIDTH = 2  # pixels
# Radius of the translucent halo that shows how well a point is located.
UNCERTAINTY_METERS = {"exact": 0, "town": 15_000, "region": 60_000, "country": 150_000}
HALO_FILL: Color = [120, 120, 120, 35]
HALO_SWATCH: Color = [120, 120, 120, 90]  # the legend's halo: darker than on the map, to be seen at its size
HOLLOW_EDGE: Color = [120, 120, 120, 255]  # the legend's "former site" ring
# Symbols pushed apart from their neighbours keep a line to their true place.
LEADER_COLOR: Color = [60, 60, 60, 200]
LEADER_WIDTH = 1  # pixels

# --- Lines ----------------------------------------------------------------------------------

ROUTE_LABELS: dict[str, str] = {"through_russia": "through Russia", "bypassing_russia": "bypassing Russia"}
# Vermillion and bluish green (Okabe–Ito) apart for colour-blind readers; in greyscale they
# are alike, so bypassing routes are also dashed (ROUTE_DASHES), on screen and in print.
ROUTE_COLORS: dict[str, Color] = {"through_russia": [213, 94, 0, 235], "bypassing_russia": [0, 150, 110, 235]}
# Dash and gap in line widths (deck.gl's PathStyleExtension and matplotlib both count so).
ROUTE_DASHES: dict[str, list[int]] = {"through_russia": [0, 0], "bypassing_russia": [4, 2]}
PIPELINE_WIDTHS = {"oil": 5, "gas": 3}  # pixels: thick oil, thin gas
# A leg no source locates is dotted in the route's own colour (dots stay apart from the
# bypassing routes' dashes in colour-blind and greyscale viewing alike).
APPROXIMATE_DASH: list[int] = [1, 2]


BORDER_COLOR: Color = [120, 0, 0, 255]
BORDER_WIDTH = 3  # pixels
SELECTED_COLOR: Color = [255, 0, 180, 255]  # the clicked feature
HIGHLIGHT_COLOR: Color = [255, 0, 255, 200]  # what changed since the comparison year
HIGHLIGHT_WIDTH = 2  # pixels

# --- Names ----------------------------------------------------------------------------------

# One style per kind of place; higher priority keeps its place when labels compete for room
# (the browser and textalloc both place the most important first); `beside`: the name sits next
# to its point (a dot or a symbol), this many pixels from it, rather than centred on it.
LABEL_FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"
LABEL_STYLES: dict[str, dict[str, Any]] = {
    "border": {"size": 11, "color": BORDER_COLOR, "priority": 6},
    "capital": {"size": 12, "color": [25, 25, 30, 255], "priority": 5, "beside": 6},
    # A country's name that fits nowhere at full size is written "smaller" pixels smaller,
    # and last outside the country, "callout" pixels from its point, with a thin line to it.
    "country": {"size": 11, "color": [95, 95, 105, 255], "priority": 4, "upper": True, "smaller": 2, "callout": 16},
    "town": {"size": 11, "color": [55, 55, 60, 255], "priority": 3, "beside": 4, "smaller": 2},
    "disputed": {"size": 11, "color": DISPUTED_EDGE, "priority": 3, "beside": 4},
    "sea": {"size": 12, "color": [45, 95, 150, 255], "priority": 2},
    "lake": {"size": 11, "color": [45, 95, 150, 255], "priority": 1},
}
LABEL_HALO: Color = [255, 255, 255, 230]  # the outline that keeps a name readable on any fill
LABEL_HALO_WIDTH = 2.5  # pixels around the letters
CAPITAL_DOT: Color = [25, 25, 30, 255]
CAPITAL_RING: Color = [255, 255, 255, 255]
CAPITAL_RADIUS = 3  # pixels

# --- Words ----------------------------------------------------------------------------------

# Words for each layer, shared by tooltips, tables and the briefing.
LAYER_KINDS: dict[str, str] = {
    "states": "State",
    "disputed": "Disputed or breakaway area",
    "borders": "Land border",
    "pipelines": "Pipeline",
    "bases": "Russian base",
    "garrisons": "CSTO garrison",
    "events": "Event",
}
PRECISION_LABELS = {
    "exact": "exact site",
    "town": "placed on the town",
    "region": "approximate (region)",
    "country": "country only (placed at the capital)",
    "waypoints": "schematic: straight lines between documented waypoints",
    "derived": "derived from Natural Earth 1:10m",
}

# --- The user's own layers ------------------------------------------------------------------

# One neutral style for every user layer: charcoal dashed lines and outlines, white discs ringed in charcoal.
USER_COLOR: Color = [45, 45, 45, 255]
USER_DASH: list[int] = [4, 2]  # dash and gap, in line widths (the canvas's PathStyleExtension)
USER_POINT_FILL: Color = [255, 255, 255, 255]  # a point of your own: a white disc ringed in USER_COLOR
USER_FILL: Color = [45, 45, 45, 45]
USER_LEGEND_GROUP = "Your layers (not checked by the project)"


def user_legend_label(layer_name: str) -> str:
    return f"Your layer: {layer_name}"


# --- Pages (the PDF pack and the timeline) --------------------------------------------------

TEXT_MUTED: Color = [68, 68, 68, 255]
PAGE_FOOTER: Color = [85, 85, 85, 255]
LINK_COLOR: Color = [31, 89, 168, 255]
TABLE_HEADER_FILL: Color = [223, 230, 238, 255]
TABLE_STRIPE: Color = [245, 245, 242, 255]
TABLE_RULE: Color = [204, 204, 204, 255]
TABLE_HEADER_RULE: Color = [102, 102, 102, 255]
USER_ROW_FILL: Color = [236, 232, 220, 255]
TIMELINE_YEAR_COLOR: Color = [214, 0, 111, 255]


def rgba(color: Color) -> tuple[float, float, float, float]:
    """A colour as matplotlib takes it (0..1)."""
    red, green, blue, *alpha = color
    return red / 255, green / 255, blue / 255, (alpha[0] if alpha else 255) / 255


def opaque(color: Color) -> tuple[float, float, float, float]:
    return (*rgba(color)[:3], 1.0)


def hex_color(color: Color) -> str:
    """A colour as CSS, reportlab and altair take it (alpha dropped)."""
    return "#{:02x}{:02x}{:02x}".format(*color[:3])


def points(pixels: float) -> float:
    """A screen size in pixels as a print size in points."""
    return pixels * POINTS_PER_PIXEL


def disputed_fill(catalog: Catalog, feature: Feature, year: int, orgs: frozenset[str] | None) -> Color:
    """While the de jure state holds the area it is painted as that state; otherwise
    as disputed, so Crimea is never painted as Russian or as CSTO territory."""
    record = disputed_status(feature, year)
    if record is None or not record.de_jure_control:
        return DISPUTED_COLOR
    host = next((s for s in catalog.layer("states") if s.props.iso3 == feature.props.de_jure_iso3), None)
    status = state_status(host, year, orgs) if host else None
    return STATUS_COLORS[status] if status else LAND_COLOR


# --- The legend -----------------------------------------------------------------------------

STATES_GROUP = "States (status in the selected organizations)"


def _item(key: str, group: str, shape: str, color: Color, label: str, **extra: Any) -> dict[str, Any]:
    return {"key": key, "group": group, "shape": shape, "color": color, "label": label, **extra}


def legend(user_layers: Iterable[str] = ()) -> list[dict[str, Any]]:
    """Every colour and symbol the map uses, in order: the canvas's legend panel shows them
    all; print shows those its map drew (by `key`), with the same swatches. Shapes: area,
    circle (with `symbol`, a letter or ★), hollow, halo, line (`dash`: the dash and gap, in line widths), ring,
    note (words only), user (a user layer's dashed line and ringed disc)."""
    items = [_item(f"status:{s}", STATES_GROUP, "area", STATUS_COLORS[s], label) for s, label in STATUS_LABELS.items()]
    items.append(
        _item(
            "disputed", STATES_GROUP, "area", DISPUTED_COLOR, "Disputed or breakaway area (point: outline not shipped)"
        )
    )
    seen: set[str] = set()
    for symbol, color, label in BASE_GROUPS.values():
        if label not in seen:
            seen.add(label)
            items.append(_item(f"base:{symbol}", "Russian bases abroad", "circle", color, label, symbol=symbol))
    items += [
        _item(
            "former",
            "Russian bases abroad",
            "hollow",
            HOLLOW_EDGE,
            "White fill: closed or withdrawn by the end of the year shown",
            symbol="",
        ),
        _item(
            "garrison",
            "CSTO collective forces",
            "circle",
            GARRISON_COLOR,
            "Home garrison of a unit assigned to the CSTO forces",
            symbol=GARRISON_SYMBOL,
        ),
        _item("event", "Events", "circle", EVENT_COLOR, "Event in the selected year", symbol=""),
        _item(
            "halo",
            "Location accuracy",
            "halo",
            HALO_SWATCH,
            "Grey halo: approximate location (town, region or country only)",
        ),
        _item(
            "route:through_russia",
            "Lines",
            "line",
            ROUTE_COLORS["through_russia"],
            "Pipeline through Russia (thick: oil, thin: gas)",
        ),
        _item(
            "route:bypassing_russia",
            "Lines",
            "line",
            ROUTE_COLORS["bypassing_russia"],
            "Pipeline bypassing Russia, dashed (thick: oil, thin: gas)",
            dash=ROUTE_DASHES["bypassing_russia"],
        ),
        _item(
            "route:approximate",
            "Lines",
            "line",
            ROUTE_COLORS["through_russia"],
            "Dotted: a leg no source locates, drawn straight (approximate)",
            dash=APPROXIMATE_DASH,
        ),
        _item("border", "Lines", "line", BORDER_COLOR, "Kazakhstan–Russia border (Natural Earth 1:10m)"),
        _item(
            "schematic",
            "Lines",
            "note",
            [0, 0, 0, 0],
            "Pipelines are schematic: straight between documented waypoints",
        ),
        _item("highlight", "Comparison", "ring", HIGHLIGHT_COLOR, "Magenta outline: changed since the comparison year"),
    ]
    items += [
        _item(f"user:{name}", USER_LEGEND_GROUP, "user", USER_COLOR, user_legend_label(name)) for name in user_layers
    ]
    return items
