"""The map's symbology (colours, symbols, legend) and its layers, described with pydeck.

Pure: no streamlit here. The layers name their data as "dataset:<name>"; the canvas
(dashboard/canvas.py and the browser code in dashboard/frontend/) supplies those data
sets once per session and filters them by year on the GPU.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import pydeck as pdk

from .loader import BASEMAP_PATH, Catalog, Feature
from .selection import disputed_status, state_status

DISPLAY_BASEMAP_PATH = BASEMAP_PATH.parent / "land-display.geojson"
INITIAL_VIEW = {"latitude": 45.0, "longitude": 62.0, "zoom": 2.6, "min_zoom": 1.5, "max_zoom": 10}

Color = list[int]

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
EVENT_COLOR: Color = [250, 200, 0, 255]
FORMER_FILL: Color = [255, 255, 255, 230]
# Words for each layer and route class, shared by tooltips, tables and the briefing.
LAYER_KINDS: dict[str, str] = {
    "states": "State",
    "disputed": "Disputed or breakaway area",
    "borders": "Land border",
    "pipelines": "Pipeline",
    "bases": "Russian base",
    "garrisons": "CSTO garrison",
    "events": "Event",
}
ROUTE_LABELS: dict[str, str] = {"through_russia": "through Russia", "bypassing_russia": "bypassing Russia"}
# Vermillion and bluish green (Okabe–Ito) apart for colour-blind readers; in greyscale they
# are alike, so bypassing routes are also dashed (ROUTE_DASHES), on screen and in print.
ROUTE_COLORS: dict[str, Color] = {"through_russia": [213, 94, 0, 235], "bypassing_russia": [0, 150, 110, 235]}
ROUTE_DASHES: dict[str, list[int]] = {"through_russia": [0, 0], "bypassing_russia": [4, 2]}
BORDER_COLOR: Color = [120, 0, 0, 255]
DISPUTED_COLOR: Color = [73, 66, 121, 255]
SELECTED_COLOR: Color = [255, 0, 180, 255]
HIGHLIGHT_COLOR: Color = [255, 0, 255, 200]
# Radius of the translucent halo that shows how well a point is located.
UNCERTAINTY_METERS = {"exact": 0, "town": 15_000, "region": 60_000, "country": 150_000}
PRECISION_LABELS = {
    "exact": "exact site",
    "town": "placed on the town",
    "region": "approximate (region)",
    "country": "country only (placed at the capital)",
    "waypoints": "schematic: straight lines between documented waypoints",
    "derived": "derived from Natural Earth 1:10m",
}


@lru_cache(maxsize=4)
def basemap_collection(path: Path = DISPLAY_BASEMAP_PATH) -> dict[str, Any]:
    """Natural Earth land, already clipped to the region and coarsened by `make data`.
    Without it the map still draws the layers (the loader reports the missing file)."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"type": "FeatureCollection", "features": []}


LAND_COLOR: Color = [247, 243, 238, 255]
COUNTRY_BORDER_COLOR: Color = [140, 140, 145, 255]
# Off by default: raster tiles from basemaps.cartocdn.com (CARTO; OpenStreetMap data).
ONLINE_TILE_URL = "https://basemaps.cartocdn.com/light_all/{z}/{x}/{y}.png"


def disputed_fill(catalog: Catalog, feature: Feature, year: int, orgs: frozenset[str] | None) -> Color:
    """While the de jure state holds the area it is painted as that state; otherwise
    as disputed, so Crimea is never painted as Russian or as CSTO territory."""
    record = disputed_status(feature, year)
    if record is None or not record.de_jure_control:
        return DISPUTED_COLOR
    host = next((s for s in catalog.layer("states") if s.props.iso3 == feature.props.de_jure_iso3), None)
    status = state_status(host, year, orgs) if host else None
    return STATUS_COLORS[status] if status else LAND_COLOR


# Names on the map: one style per kind of place; higher priority keeps its place when
# labels compete for room (the browser places them, avoiding each other and the symbols).
LABEL_FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"
LABEL_STYLES: dict[str, dict[str, Any]] = {
    "border": {"size": 11, "color": BORDER_COLOR, "priority": 6},
    "capital": {"size": 12, "color": [25, 25, 30, 255], "priority": 5},
    "country": {"size": 11, "color": [95, 95, 105, 255], "priority": 4, "upper": True},
    "town": {"size": 11, "color": [55, 55, 60, 255], "priority": 3},
    "sea": {"size": 12, "color": [45, 95, 150, 255], "priority": 2},
    "lake": {"size": 11, "color": [45, 95, 150, 255], "priority": 1},
}
CAPITAL_DOT: Color = [25, 25, 30, 255]

# Time filtering on the GPU: every dated row carries [t0, t1] (its first and last year).
# The browser moves the filter range, never the data. "year" layers (states, disputed
# areas) hold one row per interval of unchanging appearance and show the row covering
# the year; "overlap" layers show whatever overlaps the year (or the range).
TIME_FILTER: dict[str, Any] = {
    "extensions": [{"@@type": "DataFilterExtension", "filterSize": 2}],
    "filter_range": [[0, 9999], [0, 9999]],
}
PROPERTY_TIMES = "[properties.t0, properties.t1]"
ROW_TIMES = "[t0, t1]"
POINT_LAYERS = ("events", "garrisons", "bases")
SYMBOL_RADIUS = {"events": 6, "garrisons": 9, "bases": 9}


def _timed(accessor: str, mode: str) -> dict[str, Any]:
    return {**TIME_FILTER, "get_filter_value": accessor, "time_filter": mode}


def _point_layers(layer_id: str) -> list[pdk.Layer]:
    """Symbols sit at "position", which the browser may move a few pixels apart from their
    neighbours ("origin" keeps the true place, for the halo and a leader line)."""
    data = f"dataset:{layer_id}"
    radius = SYMBOL_RADIUS[layer_id]
    timed = _timed(ROW_TIMES, "overlap")
    return [
        pdk.Layer(
            "ScatterplotLayer",
            id=f"{layer_id}-uncertainty",
            data=data,
            get_position="origin",
            get_radius="halo",
            radius_units="'meters'",
            filled=True,
            stroked=True,
            get_fill_color=[120, 120, 120, 35],
            get_line_color="line",
            line_width_min_pixels=1,
            pickable=False,
            **timed,
        ),
        pdk.Layer(
            "ScatterplotLayer",
            id=layer_id,
            data=data,
            get_position="position",
            get_fill_color="fill",
            get_line_color="line",
            get_radius=radius,
            radius_units="'pixels'",
            stroked=True,
            line_width_units="'pixels'",
            get_line_width=2,
            pickable=True,
            auto_highlight=True,
            **timed,
        ),
        pdk.Layer(
            "TextLayer",
            id=f"{layer_id}-symbols",
            data=data,
            get_position="position",
            get_text="symbol",
            get_color="text_color",
            get_size=radius + 3,
            size_units="'pixels'",
            font_weight=700,
            character_set="'auto'",
            pickable=False,
            **timed,
        ),
    ]


def _outline_layer(layer_id: str, color: Color, width: int) -> pdk.Layer:
    return pdk.Layer(
        "GeoJsonLayer",
        id=layer_id,
        data=f"dataset:{layer_id}",
        filled=False,
        stroked=True,
        get_line_color=color,
        line_width_min_pixels=width,
        point_type="'circle'",
        get_point_radius=14,
        point_radius_units="'pixels'",
        pickable=False,
    )


def canvas_layers(layers: frozenset[str] | None, online_basemap: bool = False) -> list[dict[str, Any]]:
    """The map's layers for a choice of layers, as deck.gl JSON (what pydeck sends).

    The same for every year and every organization: those reach the browser as data
    and as the filter range."""

    def shown(name: str) -> bool:
        return layers is None or name in layers

    specs: list[pdk.Layer] = []
    if not online_basemap:
        specs.append(
            pdk.Layer(
                "GeoJsonLayer", id="land", data="dataset:land", filled=True, stroked=False, get_fill_color=LAND_COLOR
            )
        )
    if shown("states"):
        specs.append(
            pdk.Layer(
                "GeoJsonLayer",
                id="states",
                data="dataset:states",
                filled=True,
                stroked=False,
                get_fill_color="properties.fill",
                pickable=True,
                auto_highlight=True,
                **_timed(PROPERTY_TIMES, "year"),
            )
        )
    if shown("disputed"):
        specs.append(
            pdk.Layer(
                "GeoJsonLayer",
                id="disputed",
                data="dataset:disputed",
                filled=True,
                stroked=True,
                get_fill_color="properties.fill",
                get_line_color=[110, 60, 140, 255],
                line_width_min_pixels=1.5,
                point_type="'circle'",
                get_point_radius=30_000,
                point_radius_min_pixels=6,
                pickable=True,
                auto_highlight=True,
                **_timed(PROPERTY_TIMES, "year"),
            )
        )
    if not online_basemap:
        # Country borders drawn once, shared edges only: outlines cost the most per frame.
        specs.append(
            pdk.Layer(
                "PathLayer",
                id="country-borders",
                data="dataset:country-borders",
                get_path="path",
                get_color=COUNTRY_BORDER_COLOR,
                get_width=0.8,
                width_units="'pixels'",
                pickable=False,
            )
        )
    if shown("borders"):
        specs.append(
            pdk.Layer(
                "PathLayer",
                id="borders",
                data="dataset:borders",
                get_path="path",
                get_color=BORDER_COLOR,
                get_width=3,
                width_units="'pixels'",
                pickable=True,
                auto_highlight=True,
                **_timed(ROW_TIMES, "overlap"),
            )
        )
    if shown("pipelines"):
        specs.append(
            pdk.Layer(
                "PathLayer",
                id="pipelines",
                data="dataset:pipelines",
                get_path="path",
                get_color="color",
                get_width="width",
                width_units="'pixels'",
                cap_rounded=True,
                joint_rounded=True,
                pickable=True,
                auto_highlight=True,
                get_dash_array="dash",
                dash_justified=True,
                **{
                    **_timed(ROW_TIMES, "overlap"),
                    "extensions": [*TIME_FILTER["extensions"], {"@@type": "PathStyleExtension", "dash": True}],
                },
            )
        )
    specs.append(
        pdk.Layer(
            "ScatterplotLayer",
            id="capitals",
            data="dataset:capitals",
            get_position="position",
            get_radius=3,
            radius_units="'pixels'",
            get_fill_color=CAPITAL_DOT,
            stroked=True,
            get_line_color=[255, 255, 255, 255],
            line_width_min_pixels=1,
            pickable=False,
            **_timed(ROW_TIMES, "year"),
        )
    )
    specs.append(
        pdk.Layer(
            "TextLayer",
            id="labels",
            data="dataset:labels",
            get_position="position",
            get_text="text",
            get_size="size",
            get_color="color",
            get_text_anchor="anchor",
            get_alignment_baseline="baseline",
            get_pixel_offset="offset",
            font_family=f"'{LABEL_FONT}'",
            font_settings={"sdf": True, "fontSize": 64, "buffer": 16, "radius": 24},
            outline_width=14,  # atlas pixels (fontSize 64): about 2.5 px around an 11 px name
            outline_color=[255, 255, 255, 230],
            character_set="'auto'",
            pickable=False,
        )
    )
    specs.append(
        pdk.Layer(
            "LineLayer",
            id="leaders",
            data="dataset:leaders",
            get_source_position="from",
            get_target_position="to",
            get_color=[60, 60, 60, 200],
            get_width=1,
            width_units="'pixels'",
            pickable=False,
        )
    )
    for layer_id in POINT_LAYERS:
        if shown(layer_id):
            specs.extend(_point_layers(layer_id))
    specs.append(_outline_layer("changes", HIGHLIGHT_COLOR, width=2))
    specs.append(_outline_layer("selected", SELECTED_COLOR, width=3))
    return [json.loads(layer.to_json()) for layer in specs]


def user_canvas_layers() -> list[dict[str, Any]]:
    """Your own layers: one neutral style (userlayers.USER_COLOR), filtered by year like the rest."""
    from .userlayers import USER_COLOR, USER_FILL

    timed = _timed(ROW_TIMES, "overlap")
    specs = [
        pdk.Layer(
            "GeoJsonLayer",
            id="user-areas",
            data="dataset:user-areas",
            filled=True,
            stroked=True,
            get_fill_color=USER_FILL,
            get_line_color=USER_COLOR,
            line_width_min_pixels=1.5,
            pickable=True,
            auto_highlight=True,
            **_timed(PROPERTY_TIMES, "overlap"),
        ),
        pdk.Layer(
            "PathLayer",
            id="user-lines",
            data="dataset:user-lines",
            get_path="path",
            get_color=USER_COLOR,
            get_width=2,
            width_units="'pixels'",
            pickable=True,
            auto_highlight=True,
            **timed,
        ),
        pdk.Layer(
            "ScatterplotLayer",
            id="user-points",
            data="dataset:user-points",
            get_position="position",
            get_fill_color=[255, 255, 255, 255],
            get_line_color=USER_COLOR,
            get_radius=5,
            radius_units="'pixels'",
            stroked=True,
            line_width_units="'pixels'",
            get_line_width=2,
            pickable=True,
            auto_highlight=True,
            **timed,
        ),
    ]
    return [json.loads(layer.to_json()) for layer in specs]


def legend() -> list[dict[str, Any]]:
    """Every colour and symbol the map uses, for the legend panel and static maps."""
    items: list[dict[str, Any]] = []
    for status, label in STATUS_LABELS.items():
        items.append(
            {
                "group": "States (status in the selected organizations)",
                "shape": "area",
                "color": STATUS_COLORS[status],
                "label": label,
            }
        )
    items.append(
        {
            "group": "States (status in the selected organizations)",
            "shape": "area",
            "color": DISPUTED_COLOR,
            "label": "Disputed or breakaway area (point: outline not shipped)",
        }
    )
    seen = set()
    for symbol, color, label in BASE_GROUPS.values():
        if label not in seen:
            seen.add(label)
            items.append(
                {"group": "Russian bases abroad", "shape": "circle", "color": color, "symbol": symbol, "label": label}
            )
    items.append(
        {
            "group": "Russian bases abroad",
            "shape": "hollow",
            "color": [120, 120, 120, 255],
            "symbol": "",
            "label": "White fill: former site (closed or withdrawn)",
        }
    )
    items.append(
        {
            "group": "CSTO collective forces",
            "shape": "circle",
            "color": GARRISON_COLOR,
            "symbol": "★",
            "label": "Home garrison of a unit assigned to the CSTO forces",
        }
    )
    items.append(
        {
            "group": "Events",
            "shape": "circle",
            "color": EVENT_COLOR,
            "symbol": "",
            "label": "Event in the selected year",
        }
    )
    items.append(
        {
            "group": "Location accuracy",
            "shape": "halo",
            "color": [120, 120, 120, 90],
            "label": "Grey halo: approximate location (town, region or country only)",
        }
    )
    items.append(
        {
            "group": "Lines",
            "shape": "line",
            "color": ROUTE_COLORS["through_russia"],
            "label": "Pipeline through Russia (thick: oil, thin: gas)",
        }
    )
    items.append(
        {
            "group": "Lines",
            "shape": "line",
            "color": ROUTE_COLORS["bypassing_russia"],
            "label": "Pipeline bypassing Russia, dashed (thick: oil, thin: gas)",
            "dash": True,
        }
    )
    items.append(
        {
            "group": "Lines",
            "shape": "line",
            "color": BORDER_COLOR,
            "label": "Kazakhstan–Russia border (Natural Earth 1:10m)",
        }
    )
    items.append(
        {
            "group": "Lines",
            "shape": "note",
            "color": [0, 0, 0, 0],
            "label": "Pipelines are schematic: straight between documented waypoints",
        }
    )
    return items
