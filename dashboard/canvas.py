"""What the map canvas sends to the browser, split by how often it changes.

- The scene: every geometry and every year-independent field (land, country borders,
  state and area shapes, lines, sites with their dates and tooltips). One per data set,
  sent once per session as a content-addressed file.
- The view: what the organization and layer choice decides (the layers as deck.gl JSON,
  each state's colour per interval of years, the sites the organization filter hides).
  One per choice, also a content-addressed file.
- The frame: the year (or range), the selection and the comparison highlight: a few
  hundred bytes, the only thing a year change sends.

Pure: no streamlit. dashboard/canvas_component.py serves these to Streamlit;
`standalone_html` inlines them into one file that opens from disk.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import mapping

from .citations import is_http_url, resolve
from .coordinates import SCREEN_DIGITS, rounded
from .labels import OPEN_END, intervals, label_rows, published_summary
from .layers import INITIAL_VIEW, ONLINE_TILE_URL, POINT_LAYERS, canvas_layers, user_canvas_layers
from .loader import Catalog, Feature, length_text
from .regions import DEFAULT_REGION, REGIONS
from .selection import ViewFilter, disputed_status, is_visible, state_status, visible_memberships
from .symbology import (
    APPROXIMATE_DASH,
    BASE_GROUPS,
    EVENT_COLOR,
    FORMER_FILL,
    GARRISON_COLOR,
    LABEL_FONT,
    LAYER_KINDS,
    PRECISION_LABELS,
    ROUTE_COLORS,
    ROUTE_DASHES,
    ROUTE_LABELS,
    STATUS_COLORS,
    STATUS_LABELS,
    SYMBOL_TEXT_COLOR,
    UNCERTAINTY_METERS,
    disputed_fill,
    legend,
)
from .symbology import user_legend_label as legend_label
from .timefilter import span_label, year_of
from .userlayers import UserFeature, UserLayers
from .viewstate import FIRST_YEAR

FRONTEND_DIR = Path(__file__).resolve().parent / "frontend"
# Display geometry: coverage simplification keeps shared edges shared, so neighbours
# never gap or overlap. 0.05 degrees is under a pixel at the default zoom (about 18 km/px).
DISPLAY_TOLERANCE_DEG = 0.05
# The year layers: each row covers an interval of years of unchanging appearance.
YEAR_LAYERS = ("states", "disputed")


def _round(value: Any) -> Any:
    return rounded(value, SCREEN_DIGITS)


def _geometry(geom) -> dict[str, Any]:
    as_dict = mapping(geom)
    return {"type": as_dict["type"], "coordinates": _round(as_dict["coordinates"])}


def _years(feature: Feature) -> tuple[int, int]:
    end = year_of(feature.props.end)
    return year_of(feature.props.start), OPEN_END if end is None else end


def serialize(payload: Any) -> str:
    """Deterministic JSON: the same payload gives the same bytes (and file name) on every run."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


def _tooltip(feature: Feature, catalog: Catalog, kind: str, dates: str, status: str) -> dict[str, str]:
    return {
        "id": feature.id,
        "tt_title": feature.name,
        "tt_kind": kind,
        "tt_dates": dates,
        "tt_status": status,
        "tt_source": catalog.short_sources[feature.id],
    }


def _display_geometries(catalog: Catalog) -> dict[str, Any]:
    areas = [f for f in catalog.features if f.layer in YEAR_LAYERS and f.geometry.geom_type.endswith("Polygon")]
    simplified = shapely.coverage_simplify([f.geometry for f in areas], DISPLAY_TOLERANCE_DEG) if areas else []
    shapes = {f.id: geom for f, geom in zip(areas, simplified, strict=True)}
    for feature in catalog.features:
        if feature.id not in shapes:
            geom = feature.geometry
            shapes[feature.id] = geom.simplify(0.01) if feature.layer == "borders" else geom
    return {fid: _geometry(geom) for fid, geom in shapes.items()}


def _land(basemap: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The land as fills, and the borders between countries once each (no coasts)."""
    shapes = [shapely.geometry.shape(f["geometry"]) for f in basemap.get("features", [])]
    if not shapes:
        return {"type": "FeatureCollection", "features": []}, []
    simplified = shapely.coverage_simplify(shapes, DISPLAY_TOLERANCE_DEG)
    tree = shapely.STRtree(simplified)
    edges = []
    for i, j in zip(*tree.query(simplified, predicate="touches"), strict=True):
        if i < j:
            shared = simplified[i].boundary.intersection(simplified[j].boundary)
            if not shared.is_empty:
                edges.append(shared)
    merged = shapely.line_merge(shapely.union_all(edges)) if edges else None
    lines = [g for g in getattr(merged, "geoms", [merged]) if g is not None and g.geom_type == "LineString"]
    land = {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "properties": {}, "geometry": _geometry(g)} for g in simplified],
    }
    return land, [{"path": _round(line.coords[:])} for line in lines]


def _point_row(feature: Feature, catalog: Catalog, kind: str, status: str, color: list[int], symbol: str) -> dict:
    """A site drawn as it stood in the shown years: "fill"/"text_color" while operating;
    the browser swaps in "closed_fill"/"closed_text" when the site closed by the end of the
    (last) year shown, as the static map does."""
    closes = feature.props.end is not None and feature.layer in ("bases", "garrisons")
    t0, t1 = _years(feature)
    return {
        **_tooltip(feature, catalog, kind, span_label(feature.props.start, feature.props.end), status),
        "t0": t0,
        "t1": t1,
        "position": _round([feature.geometry.x, feature.geometry.y]),
        "origin": _round([feature.geometry.x, feature.geometry.y]),
        "fill": color,
        "line": color,
        "text_color": SYMBOL_TEXT_COLOR,
        "closed_fill": FORMER_FILL if closes else color,
        "closed_text": color if closes else SYMBOL_TEXT_COLOR,
        "symbol": symbol,
        "halo": UNCERTAINTY_METERS.get(feature.props.precision, 0),
    }


def _site_rows(catalog: Catalog, layer: str) -> list[dict[str, Any]]:
    kind = LAYER_KINDS[layer]
    rows = []
    for feature in catalog.layer(layer):
        props = feature.props
        precision = PRECISION_LABELS[props.precision]
        if layer == "bases":
            symbol, color, _ = BASE_GROUPS[props.type]
            state = f"Closed or withdrawn {props.end}" if props.end else "Operating"
            status = f"{state} · {props.type} · host {props.host_iso3} · {precision}"
            rows.append(_point_row(feature, catalog, kind, status, color, symbol))
        elif layer == "garrisons":
            status = f"{props.unit} ({props.contributor_iso3}) · {', '.join(props.force)} · {precision}"
            rows.append(_point_row(feature, catalog, kind, status, GARRISON_COLOR, "★"))
        else:
            status = f"{props.kind} · {props.place} · {precision}"
            rows.append(_point_row(feature, catalog, kind, status, EVENT_COLOR, ""))
    return rows


def _border_rows(catalog: Catalog, geometries: dict[str, Any]) -> list[dict[str, Any]]:
    paths = []
    for feature in catalog.layer("borders"):
        kms = [p.km for p in feature.props.published_lengths]
        status = (
            f"Measured {feature.length_km:,.0f} km on {feature.props.scale}; {published_summary(feature, catalog)}; "
            f"published figures range {min(kms):,.0f}–{max(kms):,.0f} km"
        )
        t0, t1 = _years(feature)
        row = {
            **_tooltip(
                feature, catalog, LAYER_KINDS["borders"], span_label(feature.props.start, feature.props.end), status
            ),
            "t0": t0,
            "t1": t1,
        }
        geometry = geometries[feature.id]
        parts = geometry["coordinates"] if geometry["type"] == "MultiLineString" else [geometry["coordinates"]]
        paths.extend({**row, "path": part} for part in parts)
    return paths


def _pipeline_rows(catalog: Catalog) -> list[dict[str, Any]]:
    rows = []
    for feature in catalog.layer("pipelines"):
        props = feature.props
        status = f"{props.commodity} · {ROUTE_LABELS[props.route_class]} · {length_text(feature)}"
        t0, t1 = _years(feature)
        row = {
            **_tooltip(feature, catalog, LAYER_KINDS["pipelines"], span_label(props.start, props.end), status),
            "t0": t0,
            "t1": t1,
            "color": ROUTE_COLORS[props.route_class],
            "dash": ROUTE_DASHES[props.route_class],
            "width": 5 if props.commodity == "oil" else 3,
        }
        if feature.geometry.geom_type == "LineString":
            runs = props.route_runs(list(feature.geometry.coords))
        else:
            runs = [(False, list(part.coords)) for part in feature.geometry.geoms]
        for approximate, coords in runs:
            dash = APPROXIMATE_DASH if approximate else row["dash"]
            rows.append({**row, "dash": dash, "path": _round(coords)})
    return rows


def find_labels(catalog: Catalog) -> dict[str, str]:
    """'Name (kind)' -> feature id, for Find; a name shared by two features gets its id."""
    labels = {f.id: f"{f.name} ({LAYER_KINDS[f.layer].lower()})" for f in catalog.features}
    counts = Counter(labels.values())
    unique = {fid: label if counts[label] == 1 else f"{label[:-1]}, {fid})" for fid, label in labels.items()}
    return {label: fid for fid, label in sorted(unique.items(), key=lambda item: item[1])}


def build_scene(catalog: Catalog, basemap: dict[str, Any]) -> dict[str, Any]:
    """Everything that does not depend on the year, the organizations or the layer choice."""
    geometries = _display_geometries(catalog)
    land, country_borders = _land(basemap)
    border_paths = _border_rows(catalog, geometries)
    datasets: dict[str, Any] = {
        "land": land,
        "country-borders": country_borders,
        "borders": border_paths,
        "pipelines": _pipeline_rows(catalog),
    }
    for layer in POINT_LAYERS:
        datasets[layer] = _site_rows(catalog, layer)
    datasets["labels"], datasets["capitals"] = label_rows(catalog)
    return {
        "first_year": FIRST_YEAR,
        "last_year": catalog.latest_year,
        "initial_view": INITIAL_VIEW,
        "online_tiles": ONLINE_TILE_URL,
        "geometries": geometries,
        "datasets": datasets,
        "legend": legend(),
        "label_font": LABEL_FONT,
        "find": find_labels(catalog),
        "regions": {code: {"title": r.title, "bbox": list(r.bbox)} for code, r in REGIONS.items()},
    }


def _membership_summary(feature: Feature, orgs: frozenset[str] | None, year: int) -> str:
    current = visible_memberships(feature, ViewFilter(year=year, orgs=orgs))
    if not current:
        return "No status in the selected organizations this year"
    return "; ".join(f"{m.org}: {m.status} ({span_label(m.start, m.end)})" for m in current)


def _state_rows(catalog: Catalog, orgs: frozenset[str] | None) -> list[dict[str, Any]]:
    rows = []
    for state in catalog.layer("states"):
        by_year: dict[int, dict[str, Any] | None] = {}
        for year in range(FIRST_YEAR, catalog.latest_year + 1):
            status = state_status(state, year, orgs)
            by_year[year] = (
                None
                if status is None
                else {
                    **_tooltip(
                        state,
                        catalog,
                        LAYER_KINDS["states"],
                        STATUS_LABELS[status],
                        _membership_summary(state, orgs, year),
                    ),
                    "fill": STATUS_COLORS[status],
                    "status": status,
                }
            )
        rows.extend(intervals(by_year))
    return rows


def _disputed_rows(catalog: Catalog, orgs: frozenset[str] | None) -> list[dict[str, Any]]:
    rows = []
    for feature in catalog.layer("disputed"):
        by_year: dict[int, dict[str, Any] | None] = {}
        for year in range(FIRST_YEAR, catalog.latest_year + 1):
            if not ViewFilter(year=year).active(feature.props.start, feature.props.end):
                by_year[year] = None
                continue
            record = disputed_status(feature, year)
            status = record.status if record else "No status recorded for this year"
            by_year[year] = {
                **_tooltip(
                    feature,
                    catalog,
                    LAYER_KINDS["disputed"],
                    span_label(feature.props.start, feature.props.end),
                    status,
                ),
                "fill": disputed_fill(catalog, feature, year, orgs),
            }
        rows.extend(intervals(by_year))
    return rows


def build_view(catalog: Catalog, view: ViewFilter, cards: bool = False) -> dict[str, Any]:
    """What the organization and layer choice decides; the same for every year."""
    orgs = view.orgs
    undated = ViewFilter(orgs=orgs, layers=view.layers)
    hidden = sorted(
        f.id
        for f in catalog.features
        if f.layer in POINT_LAYERS and not is_visible(f, undated) and (view.layers is None or f.layer in view.layers)
    )
    payload: dict[str, Any] = {
        "layers": canvas_layers(view.layers),
        "datasets": {"states": _state_rows(catalog, orgs), "disputed": _disputed_rows(catalog, orgs)},
        "hidden": hidden,
    }
    if cards:
        payload["cards"] = feature_cards(catalog, view)
    return payload


def feature_cards(catalog: Catalog, view: ViewFilter) -> dict[str, dict[str, Any]]:
    """The click-to-cite panel of the standalone map: the same citations as the app's panel."""
    cards = {}
    for feature in catalog.features:
        if view.layers is not None and feature.layer not in view.layers:
            continue
        refs = list(feature.props.sources)
        lines = [f"{LAYER_KINDS[feature.layer]} · {span_label(feature.props.start, feature.props.end)}"]
        for membership in getattr(feature.props, "memberships", None) or ():
            if view.org_selected(membership.org):
                lines.append(f"{membership.org}: {membership.status}, {span_label(membership.start, membership.end)}")
                refs.extend(membership.sources)
        for record in getattr(feature.props, "statuses", None) or ():
            lines.append(f"{record.status}, {span_label(record.start, record.end)}")
            refs.extend(record.sources)
        for length in getattr(feature.props, "published_lengths", None) or ():
            refs.extend(length.sources)
        lines.append(f"Location: {PRECISION_LABELS[feature.props.precision]}")
        if feature.props.notes:
            lines.append(feature.props.notes)
        citations = []
        for citation in resolve(refs, catalog.bibliography):
            url = (citation.entry.URL if citation.entry else None) or ""
            citations.append({"text": citation.full(), "claim": citation.claim, "url": url if is_http_url(url) else ""})
        cards[feature.id] = {"title": feature.name, "lines": lines, "citations": citations}
    return cards


def frame_args(
    year: int,
    year_rev: int,
    year_range: tuple[int, int] | None = None,
    selected: str | None = None,
    highlight: frozenset[str] = frozenset(),
    region: str = DEFAULT_REGION,
) -> dict[str, Any]:
    """The part of the component's arguments that a year change or a click changes.
    The browser frames the region when it changes, never on an ordinary rerun."""
    return {
        "year": year,
        "year_rev": year_rev,
        "range": list(year_range) if year_range else None,
        "selected": selected,
        "highlight": sorted(highlight),
        "region": region,
    }


@dataclass(frozen=True)
class Blob:
    """A payload serialised once; its name is its content's hash."""

    text: str

    @cached_property
    def name(self) -> str:
        return f"{digest(self.text)}.json"


def blob(payload: Any) -> Blob:
    return Blob(serialize(payload))


def _inline_json(text: str) -> str:
    """JSON inside a <script> element: '<' escaped so no data can close the element."""
    return text.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


STANDALONE_CSP = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "img-src data: blob:; worker-src blob:; connect-src 'none'; base-uri 'none'; form-action 'none'"
)
SAVE_CORE = "window.__deckCore = window.deck;"  # @deck.gl/json's bundle replaces window.deck
SCRIPTS = ("vendor/deckgl.min.js", None, "vendor/deckgl-json.min.js", "canvas.js")


def _read(name: str) -> str:
    return (FRONTEND_DIR / name).read_text(encoding="utf-8")


def page_html(title: str, boot: str | None = None) -> str:
    """The canvas page. Without boot data it links its files (the component, which fetches
    its data); with it, everything is inline and the policy forbids any request."""
    from html import escape

    inline = boot is not None
    head = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{STANDALONE_CSP}">' if inline else "",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title>",
        f"<style>{_read('canvas.css')}</style>" if inline else '<link rel="stylesheet" href="canvas.css">',
        f"</head><body{' class=standalone' if inline else ''}>",
        _read("body.html"),
    ]
    if inline:
        head.append(f'<script id="canvas-boot" type="application/json">{_inline_json(boot)}</script>')
    for script in SCRIPTS:
        if script is None:
            head.append(f"<script>{SAVE_CORE}</script>")
        elif inline:
            head.append(f"<script>{_read(script)}</script>")
        else:
            head.append(f'<script src="{script}"></script>')
    head.append("</body></html>")
    return "\n".join(part for part in head if part)


def standalone_html(
    scene: dict[str, Any], view: dict[str, Any], frame: dict[str, Any], title: str, user: dict[str, Any] | None = None
) -> str:
    """One self-contained file: the same renderer, player, tooltips and citations as the app."""
    boot = serialize({"mode": "standalone", "scene": scene, "view": view, "frame": frame, "title": title, "user": user})
    return page_html(title, boot)


def _valid_year(value: Any, first: int, last: int) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and first <= value <= last else None


@dataclass(frozen=True)
class CanvasEvent:
    """What the browser told Python: the year it shows, and a click if there was a new one."""

    seq: int
    year: int | None
    picked: str | None
    pick_seq: int | None
    region: str | None = None


def read_canvas_event(
    value: Any, last_seq: int | None, last_pick_seq: int | None, first: int, last: int, known_ids
) -> CanvasEvent | None:
    """The component's value, checked: None when there is nothing new or it is malformed.
    A year outside the slider or an unknown feature is ignored, never trusted."""
    if not isinstance(value, dict) or not isinstance(value.get("seq"), int) or value["seq"] == last_seq:
        return None
    pick_seq = value.get("pick_seq") if isinstance(value.get("pick_seq"), int) else None
    picked = value.get("picked") if pick_seq is not None and pick_seq != last_pick_seq else None
    return CanvasEvent(
        seq=value["seq"],
        year=_valid_year(value.get("year"), first, last),
        picked=picked if isinstance(picked, str) and picked in known_ids else None,
        pick_seq=pick_seq,
        region=value.get("region") if value.get("region") in REGIONS else None,
    )


def standalone_map(
    catalog: Catalog,
    view: ViewFilter,
    basemap: dict[str, Any] | None = None,
    region: str = DEFAULT_REGION,
    user_layers: UserLayers | None = None,
) -> str:
    """The interactive map of a view as one HTML file, for someone who does not run the server."""
    from .layers import basemap_collection

    year = view.year if view.year is not None else catalog.latest_year
    year_range = (view.year, view.until) if view.until is not None and view.year is not None else None
    orgs = ", ".join(sorted(view.orgs)) if view.orgs else "all organizations"
    when = f"{year_range[0]}–{year_range[1]}" if year_range else str(year)
    return standalone_html(
        build_scene(catalog, basemap if basemap is not None else basemap_collection()),
        build_view(catalog, view, cards=True),
        frame_args(year, 1, year_range, region=region),
        f"CSTO and Kazakhstan–Russia map: {orgs}, {when}",
        build_user_payload(user_layers) if user_layers is not None and user_layers.layers else None,
    )


# ---- Your own layers: one more payload, per session, drawn in one neutral style ----
USER_POINT_RADIUS = 5


def _user_tooltip(feature: UserFeature) -> dict[str, Any]:
    details = "; ".join(f"{key}: {value}" for key, value in list(feature.attributes.items())[:4])
    first_source = feature.sources[0] if feature.sources else "no source given"
    more = f" (+{len(feature.sources) - 1} more)" if len(feature.sources) > 1 else ""
    start_year = feature.start_year if feature.start_year is not None else 0
    end_year = feature.end_year if feature.end_year is not None else OPEN_END
    return {
        "id": feature.id,
        "t0": start_year,
        "t1": end_year,
        "tt_title": feature.name,
        "tt_kind": legend_label(feature.layer),
        "tt_dates": span_label(feature.start, feature.end) if feature.start else (feature.end or "undated"),
        "tt_status": details or "no other properties",
        "tt_source": first_source + more,
    }


def _user_card(feature: UserFeature) -> dict[str, Any]:
    """The standalone map's click-to-cite panel for a feature of your own: sources as given."""
    return {
        "title": feature.name,
        "lines": [legend_label(feature.layer), *(f"{key}: {value}" for key, value in feature.attributes.items())],
        "citations": [
            {"text": source, "claim": "", "url": source if is_http_url(source) else ""} for source in feature.sources
        ],
    }


def build_user_payload(user_layers: UserLayers) -> dict[str, Any]:
    """Every user feature with its years and tooltip, split by how deck.gl draws it. The
    layers are the user's: marked as such in the tooltip and the legend, never mixed in."""
    points, lines, areas = [], [], []
    for feature in user_layers.features:
        row = _user_tooltip(feature)
        geometry = feature.geometry
        parts = getattr(geometry, "geoms", [geometry])
        kind = geometry.geom_type.removeprefix("Multi")
        if kind == "Point":
            points.extend({**row, "position": _round([p.x, p.y])} for p in parts)
        elif kind == "LineString":
            lines.extend({**row, "path": _round(p.coords[:])} for p in parts)
        else:
            areas.append({"type": "Feature", "properties": row, "geometry": _geometry(geometry)})
    geometries = {f.id: _geometry(f.geometry) for f in user_layers.features}
    return {
        "layers": user_canvas_layers(),
        "datasets": {
            "user-points": points,
            "user-lines": lines,
            "user-areas": {"type": "FeatureCollection", "features": areas},
        },
        "geometries": geometries,
        "cards": {f.id: _user_card(f) for f in user_layers.features},
        "legend": [item for item in legend(user_layers.names) if item["shape"] == "user"],
    }
