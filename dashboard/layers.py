"""The map's layers, described with pydeck; their colours and symbols come from symbology.py.

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

from .loader import BASEMAP_PATH
from .symbology import (
    BORDER_COLOR,
    CAPITAL_DOT,
    CAPITAL_RING,
    COUNTRY_BORDER_COLOR,
    DISPUTED_EDGE,
    HALO_FILL,
    HIGHLIGHT_COLOR,
    LABEL_FONT,
    LABEL_HALO,
    LAND_COLOR,
    LEADER_COLOR,
    SELECTED_COLOR,
    SYMBOL_RADIUS,
    USER_COLOR,
    USER_DASH,
    USER_FILL,
    USER_POINT_FILL,
    Color,
)

DISPLAY_BASEMAP_PATH = BASEMAP_PATH.parent / "land-display.geojson"
INITIAL_VIEW = {"latitude": 45.0, "longitude": 62.0, "zoom": 2.6, "min_zoom": 1.5, "max_zoom": 10}


@lru_cache(maxsize=4)
def basemap_collection(path: Path = DISPLAY_BASEMAP_PATH) -> dict[str, Any]:
    """Natural Earth land, already clipped to the region and coarsened by `make data`.
    Without it the map still draws the layers (the loader reports the missing file)."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"type": "FeatureCollection", "features": []}


# Off by default: raster tiles from basemaps.cartocdn.com (CARTO; OpenStreetMap data).
ONLINE_TILE_URL = "https://basemaps.cartocdn.com/light_all/{z}/{x}/{y}.png"


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


def _timed(accessor: str, mode: str) -> dict[str, Any]:
    return {**TIME_FILTER, "get_filter_value": accessor, "time_filter": mode}


def _dated_paths(layer_id: str, color: Any, width: Any, dash: Any = None, **style: Any) -> pdk.Layer:
    """A pickable line layer filtered by year; `dash` (an accessor or a constant) dashes it."""
    timed = _timed(ROW_TIMES, "overlap")
    if dash is not None:
        timed["extensions"] = [*TIME_FILTER["extensions"], {"@@type": "PathStyleExtension", "dash": True}]
        style.update(get_dash_array=dash, dash_justified=True)
    return pdk.Layer(
        "PathLayer",
        id=layer_id,
        data=f"dataset:{layer_id}",
        get_path="path",
        get_color=color,
        get_width=width,
        width_units="'pixels'",
        pickable=True,
        auto_highlight=True,
        **style,
        **timed,
    )


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
            get_fill_color=HALO_FILL,
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


def canvas_layers(layers: frozenset[str] | None) -> list[dict[str, Any]]:
    """The map's layers for a choice of layers, as deck.gl JSON (what pydeck sends).

    The same for every year and every organization: those reach the browser as data
    and as the filter range."""

    def shown(name: str) -> bool:
        return layers is None or name in layers

    # The land and the country borders give way to CARTO's tiles when the person turns the
    # online basemap on in the canvas (never by default, never from a link).
    specs: list[pdk.Layer] = [
        pdk.Layer("GeoJsonLayer", id="land", data="dataset:land", filled=True, stroked=False, get_fill_color=LAND_COLOR)
    ]
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
                get_line_color=DISPUTED_EDGE,
                line_width_min_pixels=1.5,
                point_type="'circle'",
                get_point_radius=30_000,
                point_radius_min_pixels=6,
                pickable=True,
                auto_highlight=True,
                **_timed(PROPERTY_TIMES, "year"),
            )
        )
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
        specs.append(_dated_paths("borders", BORDER_COLOR, 3))
    if shown("pipelines"):
        specs.append(_dated_paths("pipelines", "color", "width", "dash", cap_rounded=True, joint_rounded=True))
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
            get_line_color=CAPITAL_RING,
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
            outline_color=LABEL_HALO,
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
            get_color=LEADER_COLOR,
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
    """Your own layers: one neutral style (symbology.USER_COLOR), filtered by year like the rest."""
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
        # Dashed lines and white rings, as the static map and the PDF draw your layers.
        _dated_paths("user-lines", USER_COLOR, 2, USER_DASH),
        pdk.Layer(
            "ScatterplotLayer",
            id="user-points",
            data="dataset:user-points",
            get_position="position",
            get_fill_color=USER_POINT_FILL,
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
