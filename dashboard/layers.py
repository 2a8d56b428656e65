"""Build the pydeck map for a view: colours, symbols, tooltips and the legend.

Pure: no streamlit here. The basemap is local Natural Earth land, so the default map
makes no request outside localhost (pdk.Deck(map_provider=None), see README).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import pydeck as pdk
from pydeck.bindings.json_tools import default_serialize

from .citations import short_citation
from .loader import BASEMAP_PATH, Catalog, Feature
from .selection import ViewFilter, disputed_status, is_visible, state_status, visible_memberships
from .timefilter import span_label

DISPLAY_BASEMAP_PATH = BASEMAP_PATH.parent / "land-display.geojson"
BORDER_DISPLAY_TOLERANCE_DEG = 0.01
INITIAL_VIEW = {"latitude": 45.0, "longitude": 62.0, "zoom": 2.6, "min_zoom": 1.5, "max_zoom": 10}

Color = list[int]

STATUS_COLORS: dict[str, Color] = {
    "member": [31, 89, 168, 200],
    "suspended": [230, 140, 30, 200],
    "associate": [0, 150, 150, 190],
    "observer": [120, 175, 225, 190],
    "partner": [160, 205, 120, 180],
    "assembly observer": [205, 190, 230, 170],
    "former": [205, 205, 205, 150],
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
ROUTE_COLORS: dict[str, Color] = {"through_russia": [200, 40, 40, 210], "bypassing_russia": [30, 140, 60, 210]}
BORDER_COLOR: Color = [120, 0, 0, 255]
DISPUTED_COLOR: Color = [150, 110, 170, 150]
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

TOOLTIP = {
    "html": (
        "<b>{tt_title}</b><br/>{tt_kind} · {tt_dates}<br/>{tt_status}"
        "<br/><span style='opacity:.8'>Source: {tt_source}</span>"
    ),
    "style": {"backgroundColor": "#1f2430", "color": "white", "fontSize": "12px", "maxWidth": "320px"},
}


class CompactDeck(pdk.Deck):
    """pydeck serialises with indent=2, nearly tripling what the browser receives."""

    def to_json(self) -> str:
        return json.dumps(self, sort_keys=True, default=default_serialize, separators=(",", ":"))


@lru_cache(maxsize=4)
def basemap_collection(path: Path = DISPLAY_BASEMAP_PATH) -> dict[str, Any]:
    """Natural Earth land, already clipped to the region and coarsened by `make data`.
    Without it the map still draws the layers (the loader reports the missing file)."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"type": "FeatureCollection", "features": []}


LAND_COLOR: Color = [236, 233, 226, 255]
# Off by default: tiles from basemaps.cartocdn.com (CARTO; OpenStreetMap data).
ONLINE_BASEMAP_STYLE = pdk.map_styles.CARTO_LIGHT


def disputed_fill(catalog: Catalog, feature: Feature, year: int, orgs: frozenset[str] | None) -> Color:
    """While the de jure state holds the area it is painted as that state; otherwise
    as disputed, so Crimea is never painted as Russian or as CSTO territory."""
    record = disputed_status(feature, year)
    if record is None or not record.de_jure_control:
        return DISPUTED_COLOR
    host = next((s for s in catalog.layer("states") if s.props.iso3 == feature.props.de_jure_iso3), None)
    status = state_status(host, year, orgs) if host else None
    return STATUS_COLORS[status] if status else LAND_COLOR


@lru_cache(maxsize=64)
def _display_paths(feature: Feature) -> list[list[list[float]]]:
    """The border is stored at full 1:10m detail for measuring; the browser gets less."""
    display = feature.geometry.simplify(BORDER_DISPLAY_TOLERANCE_DEG)
    return [[[round(x, 3), round(y, 3)] for x, y in line.coords] for line in getattr(display, "geoms", [display])]


def _tooltip_fields(feature: Feature, catalog: Catalog, kind: str, status: str) -> dict[str, str]:
    return {
        "id": feature.id,
        "tt_title": feature.name,
        "tt_kind": kind,
        "tt_dates": span_label(feature.props.start, feature.props.end),
        "tt_status": status,
        "tt_source": catalog.short_sources[feature.id],
    }


def _membership_summary(feature: Feature, view: ViewFilter, year: int) -> str:
    current = visible_memberships(feature, ViewFilter(year=year, orgs=view.orgs))
    if not current:
        return "No status in the selected organizations this year"
    return "; ".join(f"{m.org}: {m.status} ({span_label(m.start, m.end)})" for m in current)


def _state_rows(catalog: Catalog, view: ViewFilter, year: int) -> list[dict[str, Any]]:
    features = []
    for state in catalog.layer("states"):
        status = state_status(state, year, view.orgs)
        if status is None:
            continue
        properties = _tooltip_fields(state, catalog, LAYER_KINDS["states"], _membership_summary(state, view, year))
        properties["tt_dates"] = f"status in {year}: {STATUS_LABELS[status].lower()}"
        properties["fill"] = STATUS_COLORS[status]
        properties["status"] = status
        features.append({"type": "Feature", "properties": properties, "geometry": state.geojson_geometry})
    return features


def _point_row(feature: Feature, catalog: Catalog, kind: str, status: str, color: Color, symbol: str) -> dict[str, Any]:
    row = _tooltip_fields(feature, catalog, kind, status)
    former = feature.props.end is not None and feature.layer in ("bases", "garrisons")
    row.update(
        {
            "position": [round(feature.geometry.x, 4), round(feature.geometry.y, 4)],
            "fill": FORMER_FILL if former else color,
            "line": color,
            "text_color": color if former else [255, 255, 255, 255],
            "symbol": symbol,
            "halo": UNCERTAINTY_METERS.get(feature.props.precision, 0),
            "precision": feature.props.precision,
        }
    )
    return row


def _base_status(feature: Feature) -> str:
    props = feature.props
    state = "Former site (closed/withdrawn)" if props.end else "Operating"
    return f"{state} · {props.type} · host {props.host_iso3} · {PRECISION_LABELS[props.precision]}"


def _halo_layer(layer_id: str, rows: list[dict[str, Any]]) -> pdk.Layer:
    return pdk.Layer(
        "ScatterplotLayer",
        id=layer_id,
        data=[{"position": r["position"], "halo": r["halo"], "line": r["line"]} for r in rows if r["halo"]],
        get_position="position",
        get_radius="halo",
        radius_units="'meters'",
        filled=True,
        stroked=True,
        get_fill_color=[120, 120, 120, 35],
        get_line_color="line",
        line_width_min_pixels=1,
        pickable=False,
    )


def _symbol_layers(layer_id: str, rows: list[dict[str, Any]], radius: int, pickable: bool = True) -> list[pdk.Layer]:
    return [
        pdk.Layer(
            "ScatterplotLayer",
            id=layer_id,
            data=rows,
            get_position="position",
            get_fill_color="fill",
            get_line_color="line",
            get_radius=radius,
            radius_units="'pixels'",
            stroked=True,
            line_width_units="'pixels'",
            get_line_width=2,
            pickable=pickable,
            auto_highlight=True,
        ),
        pdk.Layer(
            "TextLayer",
            id=f"{layer_id}-symbols",
            data=[
                {"position": r["position"], "symbol": r["symbol"], "text_color": r["text_color"]}
                for r in rows
                if r["symbol"]
            ],
            get_position="position",
            get_text="symbol",
            get_color="text_color",
            get_size=radius + 3,
            size_units="'pixels'",
            font_weight=700,
            character_set="'auto'",
            pickable=False,
        ),
    ]


def _outline_layer(layer_id: str, features: list[Feature], color: Color, width: int) -> pdk.Layer:
    return pdk.Layer(
        "GeoJsonLayer",
        id=layer_id,
        data={
            "type": "FeatureCollection",
            "features": [{"type": "Feature", "properties": {}, "geometry": f.geojson_geometry} for f in features],
        },
        filled=False,
        stroked=True,
        get_line_color=color,
        line_width_min_pixels=width,
        point_type="'circle'",
        get_point_radius=14,
        point_radius_units="'pixels'",
        pickable=False,
    )


@dataclass(frozen=True)
class MapView:
    """Everything the app needs to draw one view."""

    deck: CompactDeck
    visible_ids: tuple[str, ...]


def build_deck(
    catalog: Catalog,
    view: ViewFilter,
    selected_id: str | None = None,
    basemap: dict[str, Any] | None = None,
    highlight_ids: frozenset[str] = frozenset(),
    online_basemap: bool = False,
) -> MapView:
    """The deck for a view. In range mode the states are coloured for the last year.

    online_basemap swaps the local land for CARTO's tiles (towns, roads, terrain names);
    it is the only path that makes the browser fetch from outside localhost."""
    year = view.until if view.until is not None else (view.year if view.year is not None else catalog.latest_year)
    shown = {f.id for f in catalog.features if is_visible(f, view)}
    layers: list[pdk.Layer] = []
    if not online_basemap:
        layers.append(
            pdk.Layer(
                "GeoJsonLayer",
                id="basemap",
                data=basemap if basemap is not None else basemap_collection(),
                filled=True,
                stroked=True,
                get_fill_color=LAND_COLOR,
                get_line_color=[255, 255, 255, 255],
                line_width_min_pixels=0.5,
                pickable=False,
            )
        )
    wanted = view.layers

    if wanted is None or "states" in wanted:
        state_rows = _state_rows(catalog, view, year)
        shown |= {row["properties"]["id"] for row in state_rows}
        layers.append(
            pdk.Layer(
                "GeoJsonLayer",
                id="states",
                data={"type": "FeatureCollection", "features": state_rows},
                filled=True,
                stroked=True,
                get_fill_color="properties.fill",
                get_line_color=[80, 80, 80, 255],
                line_width_min_pixels=0.7,
                pickable=True,
                auto_highlight=True,
            )
        )

    if wanted is None or "disputed" in wanted:
        rows = []
        for feature in catalog.layer("disputed"):
            if feature.id not in shown:
                continue
            record = disputed_status(feature, year)
            status = record.status if record else "No status recorded for this year"
            row = _tooltip_fields(feature, catalog, LAYER_KINDS["disputed"], status)
            row["fill"] = disputed_fill(catalog, feature, year, view.orgs)
            rows.append({"type": "Feature", "properties": row, "geometry": feature.geojson_geometry})
        layers.append(
            pdk.Layer(
                "GeoJsonLayer",
                id="disputed",
                data={"type": "FeatureCollection", "features": rows},
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
            )
        )

    if wanted is None or "borders" in wanted:
        rows = []
        for feature in catalog.layer("borders"):
            if feature.id not in shown:
                continue
            first = feature.props.published_lengths[0]
            cited = catalog.bibliography.get(first.sources[0].id)
            published = f"{first.km:,.0f} km" + (f" in {short_citation(cited)}" if cited else "")
            kms = [p.km for p in feature.props.published_lengths]
            status = (
                f"Measured {feature.length_km:,.0f} km on {feature.props.scale}; {published}; "
                f"published figures range {min(kms):,.0f}–{max(kms):,.0f} km"
            )
            row = _tooltip_fields(feature, catalog, LAYER_KINDS["borders"], status)
            row["path"] = _display_paths(feature)
            row["label"] = f"Kazakhstan–Russia border: {feature.length_km:,.0f} km measured (1:10m) · {published}"
            middle = (
                feature.geometry.interpolate(0.5, normalized=True) if hasattr(feature.geometry, "interpolate") else None
            )
            row["label_position"] = [middle.x, middle.y] if middle else row["path"][0][0]
            rows.append(row)
        paths = [{**row, "path": part} for row in rows for part in row["path"]]
        layers.append(
            pdk.Layer(
                "PathLayer",
                id="borders",
                data=paths,
                get_path="path",
                get_color=BORDER_COLOR,
                get_width=3,
                width_units="'pixels'",
                pickable=True,
                auto_highlight=True,
            )
        )
        layers.append(
            pdk.Layer(
                "TextLayer",
                id="borders-label",
                data=[{"label_position": r["label_position"], "label": r["label"]} for r in rows],
                get_position="label_position",
                get_text="label",
                get_size=12,
                font_family="'DejaVu Sans, Helvetica, Arial, sans-serif'",
                get_color=BORDER_COLOR,
                get_pixel_offset=[0, -14],
                background=True,
                get_background_color=[255, 255, 255, 200],
                character_set="'auto'",
                pickable=False,
            )
        )

    if wanted is None or "pipelines" in wanted:
        rows = []
        for feature in catalog.layer("pipelines"):
            if feature.id not in shown:
                continue
            props = feature.props
            route = ROUTE_LABELS[props.route_class]
            status = f"{props.commodity} · {route} · drawn {feature.length_km:,.0f} km"
            if props.published_length_km:
                status += f" (published {props.published_length_km:,.0f} km)"
            row = _tooltip_fields(feature, catalog, LAYER_KINDS["pipelines"], status)
            row["tt_dates"] = span_label(props.start, props.end)
            color = ROUTE_COLORS[props.route_class]
            for part in getattr(feature.geometry, "geoms", [feature.geometry]):
                rows.append(
                    {
                        **row,
                        "path": [list(c) for c in part.coords],
                        "color": color,
                        "width": 5 if props.commodity == "oil" else 3,
                    }
                )
        layers.append(
            pdk.Layer(
                "PathLayer",
                id="pipelines",
                data=rows,
                get_path="path",
                get_color="color",
                get_width="width",
                width_units="'pixels'",
                cap_rounded=True,
                joint_rounded=True,
                pickable=True,
                auto_highlight=True,
            )
        )

    for layer_id in ("events", "garrisons", "bases"):
        kind = LAYER_KINDS[layer_id]
        if wanted is not None and layer_id not in wanted:
            continue
        rows = []
        for feature in catalog.layer(layer_id):
            if feature.id not in shown:
                continue
            if layer_id == "bases":
                symbol, color, _ = BASE_GROUPS[feature.props.type]
                rows.append(_point_row(feature, catalog, kind, _base_status(feature), color, symbol))
            elif layer_id == "garrisons":
                props = feature.props
                status = f"{props.unit} ({props.contributor_iso3}) · {', '.join(props.force)} · {PRECISION_LABELS[props.precision]}"
                rows.append(_point_row(feature, catalog, kind, status, GARRISON_COLOR, "★"))
            else:
                status = f"{feature.props.kind} · {feature.props.place} · {PRECISION_LABELS[feature.props.precision]}"
                rows.append(_point_row(feature, catalog, kind, status, EVENT_COLOR, ""))
        layers.append(_halo_layer(f"{layer_id}-uncertainty", rows))
        layers.extend(_symbol_layers(layer_id, rows, radius=6 if layer_id == "events" else 9))

    changed = [catalog.get(fid) for fid in sorted(highlight_ids) if fid in shown and catalog.get(fid)]
    if changed:
        layers.append(_outline_layer("changes", changed, HIGHLIGHT_COLOR, width=2))
    selected = catalog.get(selected_id) if selected_id else None
    if selected is not None and selected.id in shown:
        layers.append(_outline_layer("selected", [selected], SELECTED_COLOR, width=3))

    basemap_options = (
        {"map_provider": "carto", "map_style": ONLINE_BASEMAP_STYLE} if online_basemap else {"map_provider": None}
    )
    deck = CompactDeck(
        layers=layers, initial_view_state=pdk.ViewState(**INITIAL_VIEW), tooltip=TOOLTIP, **basemap_options
    )
    return MapView(deck, tuple(sorted(shown)))


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
            "label": "Pipeline bypassing Russia (thick: oil, thin: gas)",
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
