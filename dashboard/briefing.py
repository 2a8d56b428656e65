"""Briefing outputs: a static map (PNG/SVG) and a PDF pack with table, changes and footnotes.

Pure (no streamlit). Colours and symbols come from symbology.py and citations from
citations.py, so the printed briefing always matches the dashboard. Data is text, never
markup: every value is escaped before it reaches reportlab's Paragraph mini-language, and
matplotlib never reads a name as mathtext. The user's own layers, when given, are drawn in
one neutral style (symbology.USER_COLOR) and listed after the curated features, marked.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import subprocess
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import IO, Any, Literal
from xml.sax.saxutils import escape

import numpy as np
import shapely
from shapely.geometry import box, shape
from shapely.geometry.base import BaseGeometry

from .citations import Citation, full_citation, is_http_url, resolve
from .compare import DATED_LAYERS, Comparison, compare_years
from .loader import BASEMAP_PATH, BIBLIOGRAPHY_PATH, GEODATA_DIR, ROOT, Catalog, Feature
from .schema import LAYERS, ORGS
from .selection import ViewFilter, disputed_status, feature_refs, is_visible, state_status, visible_memberships
from .symbology import (
    BASE_GROUPS,
    BORDER_COLOR,
    DISPUTED_COLOR,
    EVENT_COLOR,
    FORMER_FILL,
    GARRISON_COLOR,
    LAYER_KINDS,
    ROUTE_COLORS,
    ROUTE_LABELS,
    SELECTED_COLOR,
    STATUS_COLORS,
    STATUS_LABELS,
    USER_COLOR,
    USER_FILL,
    disputed_fill,
    legend,
)
from .symbology import USER_LEGEND_GROUP as LEGEND_GROUP
from .symbology import user_legend_label as legend_label
from .timefilter import span_label
from .userlayers import UserFeature, UserLayers, visible_user_features

MapFormat = Literal["png", "svg"]
Bounds = tuple[float, float, float, float]
Output = str | Path | IO[bytes]

TITLE = "CSTO and Kazakhstan–Russia military relations"
ATTRIBUTION = "Base data: Natural Earth 1:10m v4.1.0 (public domain)"
FOOTNOTE = "Sources: see the briefing pack / python -m dashboard sources"
# The printed frame (lon/lat) and an equal-area projection centred on it.
FRAME = (20.0, 25.0, 135.0, 70.0)
# Enlarged insets where symbols crowd: (title, lon/lat bounds, figure rectangle).
INSETS: tuple[tuple[str, Bounds, tuple[float, float, float, float]], ...] = (
    ("Central Asia", (66.5, 36.8, 80.5, 44.2), (0.49, 0.075, 0.215, 0.30)),
    ("South Caucasus", (38.5, 38.3, 50.5, 44.3), (0.49, 0.58, 0.215, 0.28)),
)
MAP_CRS = "+proj=aea +lat_1=35 +lat_2=62 +lat_0=47 +lon_0=77 +datum=WGS84 +units=m +no_defs"
LAND_COLOR = "#ece9e2"
SEA_COLOR = "#dde8f0"
STATE_EDGE = "#5a5a5a"
DISPUTED_EDGE = "#6e3c8c"
HIGHLIGHT_LABEL = "Changed in the comparison (magenta outline)"
SYMBOL_SPACING_PT = 13.0  # symbols closer than this (in points) are spread apart
LEGEND_WRAP = 44  # characters per legend line
LAYER_ORDER = ("states", "disputed", "borders", "pipelines", "bases", "garrisons", "events")
USER_ROWS_IN_BRIEF = 200  # the table lists this many user features; the map shows them all
USER_ROW_COLOR = "#ece8dc"
USER_STATUS = "your data; not checked by the project"


def _rgba(color: list[int]) -> tuple[float, ...]:
    return tuple(c / 255 for c in color)


def _opaque(color: list[int]) -> tuple[float, ...]:
    return (*_rgba(color)[:3], 1.0)


def map_year(catalog: Catalog, view: ViewFilter) -> int:
    """The year whose statuses colour the states (the last year of a range, as in the app)."""
    if view.until is not None:
        return view.until
    return view.year if view.year is not None else catalog.latest_year


def describe_filters(view: ViewFilter) -> str:
    """Organizations and layers of a view, in words, for title blocks."""
    orgs = ", ".join(sorted(view.orgs, key=list(ORGS).index)) if view.orgs else "all organizations"
    layers = ", ".join(layer for layer in LAYERS if layer in view.layers) if view.layers else "all layers"
    return f"Organizations: {orgs} · Layers: {layers}"


def describe_year(catalog: Catalog, view: ViewFilter) -> str:
    if view.year is None:
        return f"all years (states coloured for {catalog.latest_year})"
    if view.until is not None:
        return f"{view.year}–{view.until} (states coloured for {view.until})"
    return str(view.year)


# --- Static map ---------------------------------------------------------------------


@lru_cache(maxsize=8)
def _frame_polygon(bounds: Bounds = FRAME) -> BaseGeometry:
    return box(*bounds).segmentize(1.0)


@lru_cache(maxsize=8)
def _basemap(path: Path, bounds: Bounds = FRAME) -> Any:
    """Natural Earth countries clipped to the frame and projected: it never changes."""
    import geopandas as gpd

    frame = _frame_polygon(bounds)
    document = json.loads(Path(path).read_text(encoding="utf-8"))
    shapes = [shape(raw["geometry"]) for raw in document["features"]]
    land = gpd.GeoSeries(
        [g.intersection(frame).segmentize(1.0) for g in shapes if g.intersects(frame)], crs="EPSG:4326"
    )
    return land[~land.is_empty].to_crs(MAP_CRS)


def _project(geometries: list[BaseGeometry], bounds: Bounds = FRAME) -> Any:
    import geopandas as gpd

    frame = _frame_polygon(bounds)
    # Clipping drops vertices along straight frame edges: put them back so edges curve when projected.
    # Vectorised: a user layer may hold 100,000 features.
    clipped = shapely.segmentize(shapely.intersection(np.array(geometries, dtype=object), frame), 1.0)
    return gpd.GeoSeries(clipped, crs="EPSG:4326").to_crs(MAP_CRS)


@dataclass
class _Drawn:
    """Which legend entries the map used, in the legend's order."""

    labels: set[str]
    outside: list[str]
    user_layers: dict[str, None] = field(default_factory=dict)  # drawn, in order
    user_outside: dict[str, int] = field(default_factory=dict)  # features outside the frame, by layer


def _dodge(points: list[tuple[str, float, float]], spacing: float) -> dict[str, tuple[float, float]]:
    """Spread symbols that would overlap around their group's centre, so each stays
    readable; the caller draws a leader line back to the true place."""
    groups: list[list[tuple[str, float, float]]] = []
    for point in sorted(points, key=lambda p: (p[1], p[2])):
        for group in groups:
            _, x0, y0 = group[0]
            if math.hypot(point[1] - x0, point[2] - y0) < spacing * 1.5:
                group.append(point)
                break
        else:
            groups.append([point])
    placed: dict[str, tuple[float, float]] = {}
    for group in groups:
        if len(group) == 1:
            key, x, y = group[0]
            placed[key] = (x, y)
            continue
        cx = sum(p[1] for p in group) / len(group)
        cy = sum(p[2] for p in group) / len(group)
        radius = max(spacing * 0.75, spacing * 1.05 * len(group) / (2 * math.pi))
        # Keep roughly each point's bearing from the centre, in a stable order.
        group.sort(key=lambda p: (math.atan2(p[2] - cy, p[1] - cx), p[0]))
        offset = math.atan2(group[0][2] - cy, group[0][1] - cx) if (group[0][1], group[0][2]) != (cx, cy) else 0.0
        for k, (key, _, _) in enumerate(group):
            angle = offset + 2 * math.pi * k / len(group)
            placed[key] = (cx + radius * math.cos(angle), cy + radius * math.sin(angle))
    return placed


def _plot(
    ax: Any,
    series: Any,
    *,
    face: Any = "none",
    edge: Any = "none",
    linewidth: float = 0.5,
    zorder: float = 1,
    hatch: str | None = None,
    linestyle: str = "solid",
) -> None:
    """Draw projected polygons and lines as two collections (geopandas' plot() redraws
    the whole figure on every call, which made one map take seconds)."""
    from matplotlib.collections import LineCollection, PathCollection
    from matplotlib.path import Path as MplPath

    faces = face if isinstance(face, list) else [face] * len(series)
    paths, path_faces, lines = [], [], []
    for geometry, fill in zip(series, faces, strict=True):
        if geometry is None or geometry.is_empty:
            continue
        for part in getattr(geometry, "geoms", [geometry]):
            if part.geom_type == "Polygon":
                rings = [part.exterior, *part.interiors]
                paths.append(MplPath.make_compound_path(*(MplPath(list(r.coords), closed=True) for r in rings)))
                path_faces.append(fill)
            elif part.geom_type == "LineString":
                lines.append(list(part.coords))
    if paths:
        collection = PathCollection(
            paths,
            facecolors=path_faces,
            edgecolors=edge,
            linewidths=linewidth,
            linestyles=linestyle,
            zorder=zorder,
            hatch=hatch,
        )
        collection.set_transform(ax.transData)
        ax.add_collection(collection, autolim=False)
    if lines:
        ax.add_collection(
            LineCollection(
                lines, colors=edge, linewidths=linewidth, linestyles=linestyle, zorder=zorder, capstyle="round"
            ),
            autolim=False,
        )


def _draw_user(ax: Any, features: list[UserFeature], bounds: Bounds, drawn: _Drawn, inset: bool) -> None:
    """The user's features in the one neutral style: dashed charcoal outlines and lines,
    charcoal diamonds; never dodged or labelled (there may be 100,000)."""
    frame = _frame_polygon(bounds)
    inside = shapely.intersects(np.array([f.geometry for f in features], dtype=object), frame)
    shown = [feature for feature, hit in zip(features, inside, strict=True) if hit]
    if not inset:
        for feature, hit in zip(features, inside, strict=True):
            if not hit:
                drawn.user_outside[feature.layer] = drawn.user_outside.get(feature.layer, 0) + 1
    for feature in shown:
        drawn.user_layers.setdefault(feature.layer)
    color = _opaque(USER_COLOR)
    kinds = {
        "area": ("Polygon", "MultiPolygon"),
        "line": ("LineString", "MultiLineString"),
        "point": ("Point", "MultiPoint"),
    }
    parts = {kind: [f.geometry for f in shown if f.geometry.geom_type in types] for kind, types in kinds.items()}
    if parts["area"]:
        _plot(
            ax,
            _project(parts["area"], bounds),
            face=_rgba(USER_FILL),
            edge=color,
            linewidth=1.0,
            zorder=3.2,
            linestyle="--",
        )
    if parts["line"]:
        _plot(ax, _project(parts["line"], bounds), edge=color, linewidth=1.6, zorder=4.6, linestyle="--")
    if parts["point"]:
        xy = shapely.get_coordinates(_project(parts["point"], bounds).values)
        ax.scatter(xy[:, 0], xy[:, 1], s=30, marker="D", color=color, edgecolor="white", linewidth=0.6, zorder=6.5)


def _draw(
    ax: Any,
    catalog: Catalog,
    view: ViewFilter,
    highlight: frozenset[str],
    bounds: Bounds = FRAME,
    inset: bool = False,
    user_features: list[UserFeature] | None = None,
) -> _Drawn:
    from matplotlib.patches import Polygon as MplPolygon

    year = map_year(catalog, view)
    wanted = view.layers
    drawn = _Drawn(set(), [])
    shown = bounds
    if inset:  # draw a margin around the inset so its rectangle has no empty corners
        bounds = (bounds[0] - 3, bounds[1] - 2, bounds[2] + 3, bounds[3] + 2)
    frame = _frame_polygon(bounds)
    frame_projected = _project([frame], bounds).iloc[0]
    minx, miny, maxx, maxy = _project([_frame_polygon(shown)], bounds).iloc[0].bounds
    ax.set_xlim(minx, maxx)
    ax.set_ylim(miny, maxy)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    if inset:
        for spine in ax.spines.values():
            spine.set_edgecolor("#444444")
            spine.set_linewidth(1.0)
    else:
        ax.set_axis_off()
    ax.add_patch(MplPolygon(list(frame_projected.exterior.coords), facecolor=SEA_COLOR, edgecolor="none", zorder=0))
    _plot(ax, _basemap(BASEMAP_PATH, bounds), face=LAND_COLOR, edge="white", linewidth=0.4, zorder=1)
    visible = [f for f in catalog.features if is_visible(f, view)]
    for feature in visible:
        if not feature.geometry.intersects(frame) and not inset:
            drawn.outside.append(feature.name)
    visible = [f for f in visible if f.geometry.intersects(frame)]

    def outline(features: list[Feature], zorder: float, linewidth: float = 2.2) -> None:
        marked = [f for f in features if f.id in highlight]
        if marked:
            _plot(
                ax,
                _project([f.geometry for f in marked], bounds),
                edge=_opaque(SELECTED_COLOR),
                linewidth=linewidth,
                zorder=zorder,
            )
            drawn.labels.add(HIGHLIGHT_LABEL)

    if wanted is None or "states" in wanted:
        states, colors = [], []
        for state in catalog.layer("states"):
            status = state_status(state, year, view.orgs)
            if status is not None and state.geometry.intersects(frame):
                states.append(state)
                colors.append(_rgba(STATUS_COLORS[status]))
                drawn.labels.add(STATUS_LABELS[status])
        if states:
            _plot(
                ax,
                _project([s.geometry for s in states], bounds),
                face=colors,
                edge=STATE_EDGE,
                linewidth=0.45,
                zorder=2,
            )
        outline(states, 2.5)

    areas = [f for f in visible if f.layer == "disputed" and f.geometry.geom_type != "Point"]
    if areas:
        fills = [_rgba(disputed_fill(catalog, f, year, view.orgs)) for f in areas]
        _plot(
            ax,
            _project([f.geometry for f in areas], bounds),
            face=fills,
            edge=DISPUTED_EDGE,
            linewidth=0.9,
            hatch="////",
            zorder=3,
        )
        drawn.labels.add("Disputed or breakaway area (point: outline not shipped)")
        outline(areas, 3.5)

    pipelines = [f for f in visible if f.layer == "pipelines"]
    outline(pipelines, 3.9, linewidth=6.0)
    for feature in pipelines:
        props = feature.props
        _plot(
            ax,
            _project([feature.geometry], bounds),
            edge=_rgba(ROUTE_COLORS[props.route_class]),
            linewidth=2.6 if props.commodity == "oil" else 1.4,
            zorder=4,
        )
        key = ROUTE_LABELS[props.route_class]
        drawn.labels.add(f"Pipeline {key} (thick: oil, thin: gas)")
        drawn.labels.add("Pipelines are schematic: straight between documented waypoints")

    borders = [f for f in visible if f.layer == "borders"]
    outline(borders, 4.4, linewidth=5.0)
    if borders:
        _plot(ax, _project([f.geometry for f in borders], bounds), edge=_rgba(BORDER_COLOR), linewidth=1.6, zorder=4.5)
        drawn.labels.add("Kazakhstan–Russia border (Natural Earth 1:10m)")

    if user_features:
        _draw_user(ax, user_features, bounds, drawn, inset)

    # Point symbols: disputed points, events, garrisons and bases, spread apart where they crowd.
    symbols = [
        f
        for layer in ("disputed", "events", "garrisons", "bases")
        for f in visible
        if f.layer == layer and f.geometry.geom_type == "Point"
    ]
    if not symbols:
        return drawn
    projected = _project([f.geometry for f in symbols], bounds)
    fig = ax.figure
    box_inches = ax.get_position().width * fig.get_figwidth(), ax.get_position().height * fig.get_figheight()
    metres_per_point = max((maxx - minx) / (box_inches[0] * 72), (maxy - miny) / (box_inches[1] * 72))
    spacing = SYMBOL_SPACING_PT * metres_per_point
    truth = {f.id: (p.x, p.y) for f, p in zip(symbols, projected, strict=True)}
    placed = _dodge([(key, x, y) for key, (x, y) in truth.items()], spacing)
    for key, (x, y) in placed.items():
        tx, ty = truth[key]
        if (x, y) != (tx, ty):
            ax.plot([tx, x], [ty, y], color="#333333", linewidth=0.6, zorder=5.5)
            ax.scatter([tx], [ty], s=5, color="#333333", zorder=5.6)

    def xy(features: list[Feature]) -> tuple[list[float], list[float]]:
        return [placed[f.id][0] for f in features], [placed[f.id][1] for f in features]

    points = [f for f in symbols if f.layer == "disputed"]
    if points:
        ax.scatter(
            *xy(points),
            s=80,
            color=_opaque(DISPUTED_COLOR),
            edgecolor=DISPUTED_EDGE,
            hatch="////",
            linewidth=1.1,
            zorder=6,
        )
        drawn.labels.add("Disputed or breakaway area (point: outline not shipped)")

    events = [f for f in symbols if f.layer == "events"]
    if events:
        ax.scatter(*xy(events), s=55, color=_rgba(EVENT_COLOR), edgecolor="#5c4a00", linewidth=0.9, zorder=6)
        drawn.labels.add("Event in the selected year")

    garrisons = [f for f in symbols if f.layer == "garrisons"]
    if garrisons:
        faces = [_rgba(FORMER_FILL) if f.props.end else _rgba(GARRISON_COLOR) for f in garrisons]
        stars = [_rgba(GARRISON_COLOR) if f.props.end else (1, 1, 1, 1) for f in garrisons]
        ax.scatter(*xy(garrisons), s=120, c=faces, edgecolor=_rgba(GARRISON_COLOR), linewidth=1.3, zorder=7)
        ax.scatter(*xy(garrisons), s=50, c=stars, marker="*", linewidth=0, zorder=7.1)
        drawn.labels.add("Home garrison of a unit assigned to the CSTO forces")

    for feature in (f for f in symbols if f.layer == "bases"):
        symbol, color, label = BASE_GROUPS[feature.props.type]
        former = feature.props.end is not None
        x, y = placed[feature.id]
        face = _rgba(FORMER_FILL) if former else _rgba(color)
        ax.scatter([x], [y], s=130, color=face, edgecolor=_rgba(color), linewidth=1.4, zorder=7)
        ax.scatter([x], [y], s=40, marker=f"${symbol}$", color=_rgba(color) if former else "white", zorder=7.1)
        drawn.labels.add(label)
        if former:
            drawn.labels.add("White fill: former site (closed or withdrawn)")

    marked = [f for f in symbols if f.id in highlight]
    if marked:
        sizes = [110 if f.layer == "events" else 170 if f.layer == "disputed" else 270 for f in marked]
        ax.scatter(*xy(marked), s=sizes, facecolor="none", edgecolor=_opaque(SELECTED_COLOR), linewidth=2, zorder=8)
        drawn.labels.add(HIGHLIGHT_LABEL)
    return drawn


def _legend_handles(labels: set[str], user_layers: Iterable[str] = ()) -> tuple[list[Any], list[str], set[int]]:
    """Legend rows for the symbols drawn, grouped as in the app's legend panel; then one
    row per user layer, all in the one user style."""
    from matplotlib.legend_handler import HandlerTuple  # noqa: F401  (registers tuple handling)
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles: list[Any] = []
    texts: list[str] = []
    headings: set[int] = set()
    group = None
    items = [item for item in legend() if item["label"] in labels]
    if HIGHLIGHT_LABEL in labels:
        items.append({"group": "Comparison", "shape": "ring", "color": SELECTED_COLOR, "label": HIGHLIGHT_LABEL})
    for item in items:
        if item["group"] != group:
            group = item["group"]
            headings.add(len(handles))
            handles.append(Patch(visible=False))
            texts.append(group)
        color = _rgba(item["color"])
        shape = item["shape"]
        if shape == "area":
            hatch = "////" if item["color"] == DISPUTED_COLOR else None
            edge = DISPUTED_EDGE if hatch else STATE_EDGE
            handle: Any = Patch(facecolor=color, edgecolor=edge, hatch=hatch, linewidth=0.6)
        elif shape == "line":
            handle = Line2D([], [], color=color, linewidth=2.6)
        elif shape == "hollow":
            handle = Line2D(
                [], [], marker="o", markersize=10, markerfacecolor="white", markeredgecolor="#6e6e6e", ls=""
            )
        elif shape == "ring":
            handle = Line2D([], [], marker="o", markersize=12, markerfacecolor="none", markeredgecolor=color, ls="")
        elif shape == "circle" and item.get("symbol") == "★":
            handle = (
                Line2D([], [], marker="o", markersize=11, markerfacecolor=color, markeredgecolor=color, ls=""),
                Line2D([], [], marker="*", markersize=7, color="white", ls=""),
            )
        elif shape == "circle" and item.get("symbol"):
            handle = (
                Line2D([], [], marker="o", markersize=11, markerfacecolor=color, markeredgecolor=color, ls=""),
                Line2D([], [], marker=f"${item['symbol']}$", markersize=6, color="white", ls=""),
            )
        elif shape == "circle":
            handle = Line2D([], [], marker="o", markersize=7, markerfacecolor=color, markeredgecolor="#5c4a00", ls="")
        else:
            handle = Patch(visible=False)
        handles.append(handle)
        texts.append(textwrap.fill(item["label"], LEGEND_WRAP))
    for number, name in enumerate(user_layers):
        if number == 0:
            headings.add(len(handles))
            handles.append(Patch(visible=False))
            texts.append(LEGEND_GROUP)
        color = _opaque(USER_COLOR)
        handles.append(Line2D([], [], color=color, linestyle="--", marker="D", markersize=6, markeredgecolor="white"))
        texts.append(textwrap.fill(legend_label(name), LEGEND_WRAP))
    return handles, texts, headings


def render_static_map(
    catalog: Catalog,
    view: ViewFilter,
    path_or_buffer: Output,
    fmt: MapFormat = "png",
    highlight_ids: Iterable[str] = frozenset(),
    dpi: int = 150,
    user_layers: UserLayers | None = None,
) -> None:
    """Draw the view as the dashboard does, for slides and print (PNG or SVG); with the
    user's layers on top when given, filtered by the same years."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.legend_handler import HandlerTuple

    if fmt not in ("png", "svg"):
        raise ValueError(f"unknown map format {fmt!r}; use png or svg")
    highlight = frozenset(highlight_ids)
    user_features = visible_user_features(user_layers, view)
    title = f"{TITLE} — {describe_year(catalog, view)}"
    with plt.rc_context({"svg.fonttype": "none", "font.family": "DejaVu Sans"}):
        fig = plt.figure(figsize=(13, 7.6))
        try:
            ax = fig.add_axes((0.005, 0.075, 0.70, 0.80))
            drawn = _draw(ax, catalog, view, highlight, user_features=user_features)
            for name, bounds, rect in INSETS:
                outline = _project([_frame_polygon(bounds)]).iloc[0]
                ax.plot(*outline.exterior.xy, color="#333333", linewidth=0.9, linestyle="--", zorder=9)
                x, y = outline.exterior.coords[3]
                ax.text(x, y, f" {name}", fontsize=7.5, color="#333333", va="bottom", ha="left", zorder=9)
                inset = fig.add_axes(rect)
                in_inset = _draw(inset, catalog, view, highlight, bounds, inset=True, user_features=user_features)
                drawn.labels |= in_inset.labels
                drawn.user_layers.update(in_inset.user_layers)
                inset.text(
                    0.02,
                    0.97,
                    f"{name} (enlarged)",
                    transform=inset.transAxes,
                    fontsize=8.5,
                    fontweight="bold",
                    va="top",
                    zorder=10,
                    bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 1.5},
                )
            fig.text(0.012, 0.955, title, fontsize=16, fontweight="bold", va="center")
            fig.text(0.012, 0.91, describe_filters(view), fontsize=11, color="#333333", va="center")
            handles, texts, headings = _legend_handles(drawn.labels, drawn.user_layers)
            if handles:
                key = fig.legend(
                    handles,
                    texts,
                    loc="upper left",
                    bbox_to_anchor=(0.715, 0.875),
                    frameon=False,
                    fontsize=8.5,
                    handler_map={tuple: HandlerTuple(ndivide=1, pad=0)},
                    handlelength=2.0,
                    labelspacing=0.55,
                )
                for index, text in enumerate(key.get_texts()):
                    text.set_parse_math(False)  # a "$" in a user's layer name is text
                    if index in headings:
                        text.set_fontweight("bold")
                        text.set_position((-28, 0))
            notes = [ATTRIBUTION + ". Equal-area conic projection; symbols are not to scale."]
            outside = sorted(drawn.outside) + [
                f"{legend_label(name)} ({count:,} feature{'s' if count > 1 else ''})"
                for name, count in drawn.user_outside.items()
            ]
            if outside:
                notes.append("Visible but outside this frame: " + "; ".join(outside) + ".")
            notes.append(FOOTNOTE)
            for index, note in enumerate(notes):
                fig.text(
                    0.012,
                    0.055 - index * 0.022,
                    note,
                    fontsize=8,
                    color="#444444",
                    va="center",
                    wrap=True,
                    parse_math=False,
                )
            metadata = {"Title": title}
            fig.savefig(path_or_buffer, format=fmt, dpi=dpi, metadata=metadata, facecolor="white")
        finally:
            plt.close(fig)


# --- Briefing PDF ---------------------------------------------------------------------


def data_version() -> str:
    """Which data a briefing was built from: `git describe` when the tree is a git
    checkout, and always a short hash of the geodata and bibliography files."""
    digest = hashlib.sha256()
    for path in [*sorted(GEODATA_DIR.rglob("*.geojson")), BIBLIOGRAPHY_PATH]:
        if path.exists():
            digest.update(path.relative_to(ROOT).as_posix().encode())
            digest.update(path.read_bytes())
    data = f"data sha256 {digest.hexdigest()[:12]}"
    try:
        result = subprocess.run(
            ["git", "describe", "--always", "--dirty"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return data
    described = result.stdout.strip()
    return f"git {described} · {data}" if described else data


def feature_status(feature: Feature, view: ViewFilter, year: int) -> str:
    """One line on what the feature is in the view's year, for the table."""
    props = feature.props
    if feature.layer == "states":
        memberships = visible_memberships(feature, view)
        return "; ".join(f"{m.org}: {m.status} ({span_label(m.start, m.end)})" for m in memberships)
    if feature.layer == "bases":
        state = "former site" if props.end else "operating"
        return f"{state}; host {props.host_iso3}; {props.operator}"
    if feature.layer == "garrisons":
        return f"{props.unit} ({props.contributor_iso3}) at {props.place}; {', '.join(props.force)}"
    if feature.layer == "pipelines":
        route = ROUTE_LABELS[props.route_class]
        text = f"{props.commodity}, {route}; drawn {feature.length_km:,.0f} km"
        return text + (f" (published {props.published_length_km:,.0f} km)" if props.published_length_km else "")
    if feature.layer == "borders":
        published = ", ".join(f"{p.km:,.0f} km" for p in props.published_lengths)
        return f"measured {feature.length_km:,.0f} km ({props.scale}); published {published}"
    if feature.layer == "events":
        return f"{props.kind}; {props.place}"
    if feature.layer == "disputed":
        record = disputed_status(feature, year)
        return f"{record.status}; controlled by {record.controlled_by}" if record else "no status recorded"
    return ""


def feature_kind(feature: Feature) -> str:
    kind = LAYER_KINDS.get(feature.layer, feature.layer)
    detail = getattr(feature.props, "type", None) or getattr(feature.props, "commodity", None)
    if feature.layer == "events":
        detail = feature.props.kind
    return f"{kind} ({detail})" if detail else kind


def briefing_features(catalog: Catalog, view: ViewFilter) -> list[Feature]:
    """The visible features in table order: by layer, then date, then name."""
    order = {layer: index for index, layer in enumerate(LAYER_ORDER)}

    def key(feature: Feature) -> tuple[int, str, str]:
        start = feature.props.start if feature.layer == "events" else ""
        return order.get(feature.layer, len(order)), start, feature.name

    return sorted((f for f in catalog.features if is_visible(f, view)), key=key)


class Footnotes:
    """Numbers each distinct (source id, locator) once, in order of first use."""

    def __init__(self) -> None:
        self.numbers: dict[tuple[str, str], int] = {}
        self.citations: list[Citation] = []

    def add(self, citation: Citation) -> int:
        key = (citation.source_id, citation.locator)
        if key not in self.numbers:
            self.numbers[key] = len(self.numbers) + 1
            self.citations.append(citation)
        return self.numbers[key]


def _markup(text: str) -> str:
    """Text for a reportlab Paragraph: data is never markup."""
    return escape(text)


def _link_markup(url: str) -> str:
    """An http(s) URL as a reportlab link, escaped in the text and in the attribute."""
    attribute = escape(url, {'"': "&quot;"})
    return f'<link href="{attribute}" color="#1f59a8">{_markup(url)}</link>'


def _user_sources_markup(feature: UserFeature) -> str:
    """The user's sources as given: links for http(s) ones, text for the rest."""
    if not feature.sources:
        return "none given"
    return "; ".join(_link_markup(text) if is_http_url(text) else _markup(text) for text in feature.sources)


def _citation_markup(citation: Citation, text: str) -> str:
    """The rendered citation, escaped, with its URL made a link."""
    markup = _markup(text)
    url = citation.entry.URL if citation.entry else None
    if url and is_http_url(url):
        markup = markup.replace(_markup(url), _link_markup(url), 1)
    return markup


@lru_cache(maxsize=1)
def _fonts() -> tuple[str, str]:
    """DejaVu Sans (shipped with matplotlib) covers every script in the data."""
    import matplotlib
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    faces = {
        "DejaVuSans": "DejaVuSans.ttf",
        "DejaVuSans-Bold": "DejaVuSans-Bold.ttf",
        "DejaVuSans-Oblique": "DejaVuSans-Oblique.ttf",
        "DejaVuSans-BoldOblique": "DejaVuSans-BoldOblique.ttf",
    }
    try:
        for name, file in faces.items():
            pdfmetrics.registerFont(TTFont(name, str(folder / file)))
    except Exception:  # a missing font file: fall back to the built-in Latin-1 Helvetica
        return "Helvetica", "Helvetica-Bold"
    addMapping("DejaVuSans", 0, 0, "DejaVuSans")
    addMapping("DejaVuSans", 1, 0, "DejaVuSans-Bold")
    addMapping("DejaVuSans", 0, 1, "DejaVuSans-Oblique")
    addMapping("DejaVuSans", 1, 1, "DejaVuSans-BoldOblique")
    return "DejaVuSans", "DejaVuSans-Bold"


def _styles() -> dict[str, Any]:
    from reportlab.lib.styles import ParagraphStyle

    regular, bold = _fonts()
    base = ParagraphStyle("base", fontName=regular, fontSize=9, leading=11.5)
    return {
        "title": ParagraphStyle("title", parent=base, fontName=bold, fontSize=18, leading=22, spaceAfter=4),
        "h2": ParagraphStyle("h2", parent=base, fontName=bold, fontSize=13, leading=16, spaceBefore=6, spaceAfter=6),
        "meta": ParagraphStyle("meta", parent=base, fontSize=9.5, leading=12.5),
        "body": ParagraphStyle("body", parent=base, fontSize=10, leading=13.5, spaceAfter=4),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8.5, leading=10.5),
        "head": ParagraphStyle("head", parent=base, fontName=bold, fontSize=8.5, leading=10.5),
        "note": ParagraphStyle("note", parent=base, fontSize=8, leading=10, leftIndent=18, firstLineIndent=-18),
        "small": ParagraphStyle("small", parent=base, fontSize=8, leading=10, textColor="#444444"),
    }


def build_briefing_pdf(
    catalog: Catalog,
    view: ViewFilter,
    path_or_buffer: Output,
    compare_to: int | None = None,
    generated: datetime | None = None,
    user_layers: UserLayers | None = None,
) -> None:
    """A self-contained briefing: map, table of what is shown, changes and the sources;
    the user's layers, when given, on the map and after the curated rows, marked."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        Image,
        KeepTogether,
        PageBreak,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    year = map_year(catalog, view)
    generated = generated or datetime.now(UTC)
    comparison: Comparison | None = None
    if compare_to is not None:
        comparison = compare_years(catalog, compare_to, year, view.orgs)
    styles = _styles()
    version = data_version()
    stamp = generated.strftime("%Y-%m-%d %H:%M %Z").strip()

    page_size = landscape(A4)
    margin = 12 * mm
    width = page_size[0] - 2 * margin
    title = f"Briefing: {TITLE} — {describe_year(catalog, view)}"

    def on_page(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(_fonts()[0], 7.5)
        canvas.setFillColor(colors.HexColor("#555555"))
        canvas.drawString(margin, 7 * mm, f"{TITLE} · {describe_year(catalog, view)} · generated {stamp} · {version}")
        canvas.drawRightString(page_size[0] - margin, 7 * mm, f"Page {doc.page}")
        canvas.restoreState()

    story: list[Any] = [Paragraph(_markup(title), styles["title"])]
    features = briefing_features(catalog, view)
    user_features = visible_user_features(user_layers, view)
    meta = [
        f"<b>Year:</b> {_markup(describe_year(catalog, view))}",
        f"<b>Filters:</b> {_markup(describe_filters(view))}",
        f"<b>Generated:</b> {_markup(stamp)} · <b>Data version:</b> {_markup(version)}",
        f"<b>Visible features:</b> {len(features)}"
        + (f" · <b>Compared with:</b> {compare_to} (changes outlined in magenta)" if comparison else ""),
    ]
    if user_layers is not None and user_layers.layers:
        names = ", ".join(legend_label(name) for name in user_layers.names)
        meta.append(f"<b>Your layers:</b> {_markup(names)} · {len(user_features):,} features shown ({USER_STATUS})")
    story.extend(Paragraph(line, styles["meta"]) for line in meta)
    story.append(Spacer(1, 3 * mm))

    picture = io.BytesIO()
    highlight = frozenset(comparison.changed_ids()) if comparison else frozenset()
    render_static_map(catalog, view, picture, "png", highlight, dpi=170, user_layers=user_layers)
    picture.seek(0)
    from reportlab.lib.utils import ImageReader

    image_width, image_height = ImageReader(picture).getSize()
    picture.seek(0)
    available_height = page_size[1] - 2 * margin - 48 * mm
    scale = min(width / image_width, available_height / image_height)
    story.append(Image(picture, width=image_width * scale, height=image_height * scale))
    story.append(PageBreak())

    # Table of visible features, with footnote numbers.
    notes = Footnotes()
    counted = f"{len(features)} + {len(user_features):,} of your layers" if user_features else str(len(features))
    story.append(Paragraph(f"Visible features ({counted})", styles["h2"]))
    header = ["#", "Name", "Kind", "Dates", f"Status in {year}" if view.year is not None else "Status", "Sources"]
    rows: list[list[Any]] = [[Paragraph(_markup(h), styles["head"]) for h in header]]
    for index, feature in enumerate(features, start=1):
        numbers = []
        for citation in resolve(feature_refs(feature, view, year), catalog.bibliography):
            number = notes.add(citation)
            if number not in numbers:
                numbers.append(number)
        rows.append(
            [
                Paragraph(str(index), styles["cell"]),
                Paragraph(_markup(feature.name), styles["cell"]),
                Paragraph(_markup(feature_kind(feature)), styles["cell"]),
                Paragraph(_markup(span_label(feature.props.start, feature.props.end)), styles["cell"]),
                Paragraph(_markup(feature_status(feature, view, year)), styles["cell"]),
                Paragraph(", ".join(str(n) for n in sorted(numbers)), styles["cell"]),
            ]
        )
    listed = user_features[:USER_ROWS_IN_BRIEF]
    for index, feature in enumerate(listed, start=len(features) + 1):
        cells = (
            str(index),
            _markup(feature.name),
            _markup(legend_label(feature.layer)),
            _markup(span_label(feature.start, feature.end)),
            _markup(USER_STATUS),
            _user_sources_markup(feature),
        )
        rows.append([Paragraph(cell, styles["cell"]) for cell in cells])
    fractions = (0.035, 0.27, 0.14, 0.13, 0.30, 0.125)
    table = Table(rows, colWidths=[width * f for f in fractions], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dfe6ee")),
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f5f5f2")]),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.HexColor("#666666")),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.HexColor("#cccccc")),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ]
            + ([("BACKGROUND", (0, len(features) + 1), (-1, -1), colors.HexColor(USER_ROW_COLOR))] if listed else [])
        )
    )
    story.append(table)
    if len(user_features) > len(listed):
        unlisted = len(user_features) - len(listed)
        story.append(
            Paragraph(
                f"{unlisted:,} more features of your layers are on the map but not listed (the table lists "
                f"the first {USER_ROWS_IN_BRIEF}).",
                styles["small"],
            )
        )

    if comparison is not None:
        story.append(Spacer(1, 4 * mm))
        section = [Paragraph(_markup(f"Changes since {compare_to}"), styles["h2"])]
        lines = comparison.summary_lines() or ["No change."]
        section.extend(Paragraph("• " + _markup(line), styles["body"]) for line in lines)
        story.append(KeepTogether(section[:2]))
        story.extend(section[2:])
        story.extend(_change_details(comparison, styles, width))

    story.append(PageBreak())
    story.append(Paragraph("Notes", styles["h2"]))
    story.append(
        Paragraph(
            _markup("Each number cites one source at one place in it; the table lists the numbers for each feature."),
            styles["small"],
        )
    )
    story.append(Spacer(1, 2 * mm))
    for number, citation in enumerate(notes.citations, start=1):
        story.append(
            Paragraph(f"{number}.&nbsp;&nbsp;{_citation_markup(citation, citation.full('text'))}", styles["note"])
        )

    story.append(Spacer(1, 5 * mm))
    cited = {c.source_id: c.entry for c in notes.citations if c.entry is not None}
    story.append(Paragraph(f"Bibliography ({len(cited)} works)", styles["h2"]))
    for entry in sorted(cited.values(), key=lambda e: full_citation(e).casefold()):
        text = full_citation(entry)
        story.append(Paragraph(_citation_markup(Citation(entry.id, "", "", entry), text), styles["note"]))
    story.append(Spacer(1, 4 * mm))
    story.append(Paragraph(_markup(ATTRIBUTION + "."), styles["small"]))

    document = SimpleDocTemplate(
        path_or_buffer if not isinstance(path_or_buffer, Path) else str(path_or_buffer),
        pagesize=page_size,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=margin,
        bottomMargin=margin + 4 * mm,
        title=title,
        author="csto-map-dashboard",
        subject=describe_filters(view),
        creator="python -m dashboard brief",
    )
    document.build(story, onFirstPage=on_page, onLaterPages=on_page)


def _change_details(comparison: Comparison, styles: dict[str, Any], width: float) -> list[Any]:
    """Every change as one table row; the summary above names only the first few."""
    from reportlab.lib import colors
    from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

    rows: list[tuple[str, str, str]] = []
    for org in comparison.by_org:
        for change in org.joined:
            rows.append((f"{org.org}: joined", change.name, f"now {change.after}"))
        for change in org.left:
            rows.append((f"{org.org}: left", change.name, f"was {change.before}"))
        for change in org.status_changed:
            rows.append((f"{org.org}: status changed", change.name, f"{change.before} → {change.after}"))
    for layer in comparison.layers:
        _, appeared, disappeared = DATED_LAYERS[layer.layer]
        kind = LAYER_KINDS[layer.layer]
        for label, items in (
            (appeared, layer.opened),
            (disappeared, layer.closed),
            ("came and went", layer.came_and_went),
        ):
            rows.extend((f"{kind}: {label}", item.name, span_label(item.start, item.end)) for item in items)
    rows.extend(("Event", event.name, span_label(event.start, event.end)) for event in comparison.events)
    if not rows:
        return []
    cells = [[Paragraph(_markup(h), styles["head"]) for h in ("Change", "Feature", "Dates or status")]]
    cells += [[Paragraph(_markup(text), styles["cell"]) for text in row] for row in rows]
    table = Table(cells, colWidths=[width * 0.22, width * 0.55, width * 0.23], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dfe6ee")),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#cccccc")),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return [Spacer(1, 3), table]
