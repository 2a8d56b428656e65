"""The static map (PNG or SVG): the dashboard's map of a view, for slides and print.

One product with the screen: the colours, symbols, line styles and legend entries come from
symbology.py, the names from labels.py (the rows the canvas sends), the frames from
regions.py. Names are placed with textalloc, clear of each other and of the symbols; sites
that crowd are pushed apart with a leader line to their true place, as the canvas does.

Pure (no streamlit). Data is text, never markup: matplotlib never reads a name as mathtext,
and in SVG every name stays a <text> element (searchable, selectable).
"""

from __future__ import annotations

import io
import textwrap
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal

import numpy as np
import shapely

from .legend_print import draw_legend
from .loader import Catalog, Feature
from .map_frame import MapFrame, basemap, map_frame
from .name_layout import LABEL_GID, draw_names
from .regions import DEFAULT_REGION, REGIONS
from .schema import LAYERS, ORGS
from .selection import ViewFilter, is_visible, state_status
from .symbol_layout import draw_symbols
from .symbology import (
    APPROXIMATE_DASH,
    BORDER_COLOR,
    BORDER_WIDTH,
    COUNTRY_BORDER_COLOR,
    COUNTRY_BORDER_WIDTH,
    DISPUTED_EDGE,
    HIGHLIGHT_COLOR,
    HIGHLIGHT_WIDTH,
    LABEL_HALO,
    LABEL_HALO_WIDTH,
    LAND_COLOR,
    LAYER_KINDS,
    PIPELINE_WIDTHS,
    ROUTE_COLORS,
    ROUTE_DASHES,
    SEA_COLOR,
    STATUS_COLORS,
    TEXT_MUTED,
    USER_COLOR,
    USER_FILL,
    USER_POINT_FILL,
    disputed_fill,
    hex_color,
    opaque,
    points,
    rgba,
    user_legend_label,
)
from .userlayers import UserFeature, UserLayers, visible_user_features

MapFormat = Literal["png", "svg"]
Output = str | Path | IO[bytes]

TITLE = "CSTO and Kazakhstan–Russia military relations"
ATTRIBUTION = "Base data: Natural Earth 1:10m v4.1.0 (public domain)"
FOOTNOTE = "Sources: see the briefing pack / python -m dashboard sources"
PACK_FOOTNOTE = "Sources: the feature table and the footnoted sources on the following pages"
FIGURE_SIZE = (13.0, 7.6)  # inches: a slide; the PDF asks for its own size
LEGEND_WIDTH = 3.5  # inches at the right of the map
NOTES_HEIGHT = 0.75  # inches under the map: four lines of notes; more lines get more room
NOTES_SIZE = 7.5
NOTES_SPACING = 1.4
NOTES_GAP = 0.06  # inches between the map and its notes, and under them
MAP_LEFT = 0.15  # inches: the map's and the title's left edge
OUTSIDE_NAMES = 6  # list this many features outside the frame by name, else count them


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


@dataclass
class MapContext:
    """One map being drawn: what it shows, where, and what it has used (for the legend)."""

    catalog: Catalog
    view: ViewFilter
    frame: MapFrame
    highlight: frozenset[str]
    user_features: list[UserFeature]
    vector: bool  # SVG: names keep their text; the halo comes from a stylesheet
    year: int = 0
    features: list[Feature] = field(default_factory=list)  # visible and in the frame
    outside: list[Feature] = field(default_factory=list)  # visible, not in the frame
    keys: set[str] = field(default_factory=set)  # legend entries used
    events: list[Feature] = field(default_factory=list)  # numbered on the map, named in the legend
    user_layers: dict[str, None] = field(default_factory=dict)  # drawn, in order
    user_outside: Counter[str] = field(default_factory=Counter)
    user_shown: list[UserFeature] = field(default_factory=list)  # in the frame
    _cuts: dict[str, Any] = field(default_factory=dict)

    def shows(self, layer: str) -> bool:
        return self.view.layers is None or layer in self.view.layers

    def cut(self, feature: Feature) -> Any:
        """The feature cut to the frame and projected (once per map)."""
        if feature.id not in self._cuts:
            self._cuts[feature.id] = self.frame.cut([feature.geometry])[0]
        return self._cuts[feature.id]

    def in_frame(self, feature: Feature) -> bool:
        """Whether any of the feature shows in the rectangle (the legend lists only that)."""
        if feature.geometry.geom_type == "Point":
            return bool(self.frame.inside(self.frame.project_points(np.array([feature.geometry.coords[0]])))[0])
        return bool(self.cut(feature).intersects(shapely.box(*self.frame.extent)))


def _plot(
    ax: Any,
    geometries: Iterable[Any],
    *,
    face: Any = "none",
    edge: Any = "none",
    linewidth: float = 0.5,
    zorder: float = 1,
    linestyle: Any = "solid",
    gid: str | None = None,
) -> None:
    """Projected polygons and lines as two collections (one artist each, fast to draw);
    `gid` names them in SVG (and lets tests find them)."""
    from matplotlib.collections import LineCollection, PathCollection
    from matplotlib.path import Path as MplPath

    geometries = list(geometries)
    faces = face if isinstance(face, list) else [face] * len(geometries)
    paths, path_faces, lines = [], [], []
    for geometry, fill in zip(geometries, faces, strict=True):
        if geometry is None or geometry.is_empty:
            continue
        for part in shapely.get_parts(geometry):
            if part.geom_type == "Polygon":
                rings = [part.exterior, *part.interiors]
                paths.append(MplPath.make_compound_path(*(MplPath(np.asarray(r.coords), closed=True) for r in rings)))
                path_faces.append(fill)
            elif part.geom_type in ("LineString", "LinearRing"):
                lines.append(np.asarray(part.coords))
    if paths:
        areas = PathCollection(
            paths, facecolors=path_faces, edgecolors=edge, linewidths=linewidth, linestyles=linestyle, zorder=zorder
        )
        areas.set_transform(ax.transData)
        areas.set_gid(gid)
        ax.add_collection(areas, autolim=False)
    if lines:
        strokes = LineCollection(
            lines, colors=edge, linewidths=linewidth, linestyles=linestyle, zorder=zorder, capstyle="round"
        )
        strokes.set_gid(gid)
        ax.add_collection(strokes, autolim=False)


def _dashes(route_class: str) -> Any:
    """ROUTE_DASHES as matplotlib's (offset, (on, off)), both counted in line widths."""
    dash = ROUTE_DASHES[route_class]
    return (0, tuple(dash)) if any(dash) else "solid"


def _draw_basemap(ax: Any, frame: MapFrame) -> None:
    land, borders = basemap(frame)
    ax.set_facecolor(rgba(SEA_COLOR))
    _plot(ax, land, face=rgba(LAND_COLOR), zorder=1)
    _plot(ax, borders, edge=rgba(COUNTRY_BORDER_COLOR), linewidth=points(COUNTRY_BORDER_WIDTH), zorder=3.5)


def _outline_changed(ax: Any, ctx: MapContext, features: list[Feature], width: float, zorder: float) -> None:
    marked = [f for f in features if f.id in ctx.highlight]
    if marked:
        _plot(ax, [ctx.cut(f) for f in marked], edge=opaque(HIGHLIGHT_COLOR), linewidth=width, zorder=zorder)
        ctx.keys.add("highlight")


def _draw_areas(ax: Any, ctx: MapContext) -> None:
    """States in their status colour, disputed areas in theirs (Crimea as Ukraine while it
    held it); no outlines but the country borders, as on screen."""
    states, colors = [], []
    if ctx.shows("states"):
        for state in ctx.catalog.layer("states"):
            status = state_status(state, ctx.year, ctx.view.orgs)
            if status is not None and state.geometry.intersects(ctx.frame.clip) and ctx.in_frame(state):
                states.append(state)
                colors.append(rgba(STATUS_COLORS[status]))
                ctx.keys.add(f"status:{status}")
    _plot(ax, [ctx.cut(s) for s in states], face=colors, zorder=2)
    _outline_changed(ax, ctx, states, points(HIGHLIGHT_WIDTH + 1), 3.6)
    areas = [f for f in ctx.features if f.layer == "disputed" and f.geometry.geom_type != "Point"]
    if areas:
        fills = [rgba(disputed_fill(ctx.catalog, f, ctx.year, ctx.view.orgs)) for f in areas]
        _plot(ax, [ctx.cut(f) for f in areas], face=fills, edge=rgba(DISPUTED_EDGE), zorder=3)
        ctx.keys.add("disputed")
        _outline_changed(ax, ctx, areas, points(HIGHLIGHT_WIDTH + 1), 3.7)


def _route_parts(ctx: MapContext, feature: Feature) -> tuple[list[Any], list[Any]]:
    """A pipeline's located and approximate stretches, cut to the frame and projected."""
    if feature.geometry.geom_type != "LineString" or not feature.props.approximate_legs:
        return [ctx.cut(feature)], []
    runs = feature.props.route_runs(list(feature.geometry.coords))
    lines = ctx.frame.cut([shapely.LineString(coords) for _, coords in runs])
    return [g for (a, _), g in zip(runs, lines, strict=True) if not a], [
        g for (a, _), g in zip(runs, lines, strict=True) if a
    ]


def _draw_lines(ax: Any, ctx: MapContext) -> None:
    """Pipelines (thick oil, thin gas; dashed when they bypass Russia) and the border."""
    pipelines = [f for f in ctx.features if f.layer == "pipelines"]
    _outline_changed(ax, ctx, pipelines, points(PIPELINE_WIDTHS["oil"] + 4), 3.9)
    for feature in pipelines:
        props = feature.props
        width = points(PIPELINE_WIDTHS[props.commodity if props.commodity in PIPELINE_WIDTHS else "gas"])
        located, approximate = _route_parts(ctx, feature)
        for parts, style, gid in (
            (located, _dashes(props.route_class), f"line-{feature.id}"),
            (approximate, (0, tuple(APPROXIMATE_DASH)), f"line-{feature.id}-approximate"),
        ):
            if parts:
                edge = rgba(ROUTE_COLORS[props.route_class])
                _plot(ax, parts, edge=edge, linewidth=width, linestyle=style, zorder=4, gid=gid)
        ctx.keys.update({f"route:{props.route_class}", "schematic"})
        if approximate:
            ctx.keys.add("route:approximate")
    borders = [f for f in ctx.features if f.layer == "borders"]
    _outline_changed(ax, ctx, borders, points(BORDER_WIDTH + 4), 4.4)
    if borders:
        projected = [ctx.cut(f) for f in borders]
        _plot(ax, projected, edge=rgba(BORDER_COLOR), linewidth=points(BORDER_WIDTH), zorder=4.5, gid="line-borders")
        ctx.keys.add("border")


def _draw_user(ax: Any, ctx: MapContext) -> None:
    """The user's features in the one neutral style: dashed charcoal outlines and lines,
    white discs ringed in charcoal; never spread apart or named (there may be 100,000)."""
    shown = ctx.user_shown
    if not shown:
        return
    color = opaque(USER_COLOR)
    kinds = {"area": ("Polygon", "MultiPolygon"), "line": ("LineString", "MultiLineString")}
    parts = {kind: [f.geometry for f in shown if f.geometry.geom_type in types] for kind, types in kinds.items()}
    if parts["area"]:
        _plot(ax, ctx.frame.cut(parts["area"]), face=rgba(USER_FILL), edge=color, linewidth=1.0, zorder=3.2)
        ax.collections[-1].set_linestyle("--")
    if parts["line"]:
        _plot(ax, ctx.frame.cut(parts["line"]), edge=color, linewidth=1.6, zorder=4.6, linestyle="--")
    dots = [f.geometry for f in shown if f.geometry.geom_type in ("Point", "MultiPoint")]
    if dots:
        xy = shapely.get_coordinates(ctx.frame.cut(dots))
        ax.scatter(
            xy[:, 0],
            xy[:, 1],
            s=30,
            marker="o",
            color=rgba(USER_POINT_FILL),
            edgecolor=color,
            linewidth=1.5,
            zorder=6.5,
        )


def _split_by_frame(ctx: MapContext) -> None:
    """Visible features that show in the rectangle, and those that do not (the notes,
    written before anything is drawn, count them)."""
    for feature in ctx.catalog.features:
        if not is_visible(feature, ctx.view):
            continue
        inside = feature.geometry.geom_type == "Point" or feature.geometry.intersects(ctx.frame.clip)
        (ctx.features if inside and ctx.in_frame(feature) else ctx.outside).append(feature)
    if not ctx.user_features:
        return
    hits = shapely.intersects(np.array([f.geometry for f in ctx.user_features], dtype=object), ctx.frame.clip)
    for feature, hit in zip(ctx.user_features, hits, strict=True):
        if hit:
            ctx.user_shown.append(feature)
            ctx.user_layers.setdefault(feature.layer)
        else:
            ctx.user_outside[feature.layer] += 1


def _count(count: int, kind: str) -> str:
    """'3 Russian bases', '1 state': a kind is plural with an s, and lower case unless it
    starts with a name."""
    if kind.split()[0] not in ("Russian", "CSTO"):
        kind = kind[0].lower() + kind[1:]
    return f"{count} {kind}{'s' if count != 1 else ''}"


def _outside_note(ctx: MapContext) -> str | None:
    """What the view shows that this frame leaves out: names when few, else counts."""
    parts: list[str]
    if len(ctx.outside) <= OUTSIDE_NAMES:
        parts = sorted(f.name for f in ctx.outside)
    else:
        counts = Counter(f.layer for f in ctx.outside)
        parts = [_count(count, LAYER_KINDS[layer]) for layer, count in counts.most_common()]
    parts += [
        f"{user_legend_label(name)} ({count:,} feature{'s' if count > 1 else ''})"
        for name, count in ctx.user_outside.items()
    ]
    return f"Visible but outside this frame: {'; '.join(parts)}." if parts else None


def _frame_axes(fig: Any, rect: tuple[float, float, float, float], frame: MapFrame) -> Any:
    ax = fig.add_axes(rect)
    minx, miny, maxx, maxy = frame.extent
    ax.set_xlim(minx, maxx)
    ax.set_ylim(miny, maxy)
    ax.set_aspect("equal", adjustable="box")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_edgecolor(rgba(COUNTRY_BORDER_COLOR))
        spine.set_linewidth(0.8)
    return ax


def _label_style(vector: bool) -> dict[str, Any]:
    """Names get a white halo: a stroke behind the letters in PNG; in SVG a stylesheet
    (path effects would turn the text into outlines)."""
    if vector:
        return {}
    from matplotlib import patheffects

    halo = patheffects.withStroke(linewidth=2 * points(LABEL_HALO_WIDTH), foreground=rgba(LABEL_HALO))
    return {"path_effects": [halo]}


def _svg_with_halos(svg: bytes) -> bytes:
    """A stylesheet that strokes every name in white behind its letters (paint-order)."""
    rule = (
        f'g[id^="{LABEL_GID}"] text {{ stroke: {hex_color(LABEL_HALO)}; stroke-opacity: {LABEL_HALO[3] / 255:.2f}; '
        f"stroke-width: {2 * points(LABEL_HALO_WIDTH):.2f}px; stroke-linejoin: round; paint-order: stroke; }}"
    )
    return svg.replace(b"<defs>", f'<defs>\n  <style type="text/css">{rule}</style>'.encode(), 1)


def _layout(
    size: tuple[float, float], titled: bool, notes_height: float = NOTES_HEIGHT
) -> tuple[tuple[float, float, float, float], float, float]:
    """Where the map goes (figure fractions), the legend's left edge and its top (the
    legend may run down to the figure's bottom; the notes sit under the map only)."""
    width, height = size
    top = 1 - (1.0 if titled else 0.04) / height
    bottom = notes_height / height
    map_width = (width - LEGEND_WIDTH - MAP_LEFT - 0.15) / width
    rect = (MAP_LEFT / width, bottom, map_width, top - bottom)
    return rect, rect[0] + map_width + 0.4 / width, top


def _notes_height(lines: int) -> float:
    """Inches under the map for this many lines of notes, with their gap above and below."""
    return NOTES_GAP + lines * NOTES_SIZE * NOTES_SPACING / 72 + NOTES_GAP


def draw_static_map(
    catalog: Catalog,
    view: ViewFilter,
    highlight_ids: Iterable[str] = frozenset(),
    user_layers: UserLayers | None = None,
    region: str = DEFAULT_REGION,
    size: tuple[float, float] = FIGURE_SIZE,
    titled: bool = True,
    vector: bool = False,
) -> Any:
    """The map of a view as a matplotlib Figure (Agg canvas): areas, lines, symbols, names,
    legend and notes. `titled` adds the title block (the PDF has its own)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=size)
    FigureCanvasAgg(fig)
    notes_height = NOTES_HEIGHT
    for _ in range(3):  # the notes name what lies outside the frame, which the notes' room shapes
        rect, legend_left, top = _layout(size, titled, notes_height)
        frame = map_frame(region, (rect[2] * size[0]) / (rect[3] * size[1]))
        ctx = MapContext(
            catalog, view, frame, frozenset(highlight_ids), visible_user_features(user_layers, view), vector
        )
        ctx.year = map_year(catalog, view)
        _split_by_frame(ctx)
        lines = _note_lines(ctx, titled, rect[2] * size[0])
        if _notes_height(len(lines)) <= notes_height:
            break
        notes_height = _notes_height(len(lines))
    ax = _frame_axes(fig, rect, frame)
    _draw_basemap(ax, frame)
    _draw_areas(ax, ctx)
    _draw_lines(ax, ctx)
    _draw_user(ax, ctx)
    sites = draw_symbols(ax, ctx)
    draw_names(ax, ctx, sites, _label_style(vector))
    draw_legend(fig, ctx.keys, ctx.user_layers, (legend_left, top), ctx.events)
    _notes(fig, ctx, titled, rect, lines)
    return fig


def _note_lines(ctx: MapContext, titled: bool, map_width: float) -> list[str]:
    """The notes under the map, wrapped to its width (inches). A briefing pack's own pages
    carry the sources, so its map does not send the reader elsewhere."""
    notes = [
        f"{ATTRIBUTION}. Equal-area conic projection; symbols are not to scale. Names as they were in {ctx.year}.",
        _outside_note(ctx),
        FOOTNOTE if titled else PACK_FOOTNOTE,
    ]
    characters = int(map_width * 72 / (NOTES_SIZE * 0.56))
    return [line for note in notes if note for line in textwrap.wrap(note, characters)]


def _notes(fig: Any, ctx: MapContext, titled: bool, rect: tuple[float, float, float, float], lines: list[str]) -> None:
    """Title block above the map (when titled), notes under it."""
    muted = rgba(TEXT_MUTED)
    if titled:
        title = f"{TITLE} — {describe_year(ctx.catalog, ctx.view)}"
        fig.text(
            0.012, 1 - 0.35 / fig.get_figheight(), title, fontsize=16, fontweight="bold", va="center", parse_math=False
        )
        subtitle = f"{ctx.frame.region.title} · {describe_filters(ctx.view)}"
        fig.text(
            0.012, 1 - 0.7 / fig.get_figheight(), subtitle, fontsize=11, color=muted, va="center", parse_math=False
        )
    fig.text(
        rect[0],
        rect[1] - NOTES_GAP / fig.get_figheight(),
        "\n".join(lines),
        fontsize=NOTES_SIZE,
        color=muted,
        va="top",
        linespacing=NOTES_SPACING,
        parse_math=False,
    )


def render_static_map(
    catalog: Catalog,
    view: ViewFilter,
    path_or_buffer: Output,
    fmt: MapFormat = "png",
    highlight_ids: Iterable[str] = frozenset(),
    dpi: int = 150,
    user_layers: UserLayers | None = None,
    region: str = DEFAULT_REGION,
) -> None:
    """Draw the view as the dashboard does, framed on a region view, for slides and print
    (PNG or SVG); with the user's layers on top when given, filtered by the same years."""
    import matplotlib

    if fmt not in ("png", "svg"):
        raise ValueError(f"unknown map format {fmt!r}; use png or svg")
    if region not in REGIONS:
        raise ValueError(f"unknown region {region!r}; one of {', '.join(REGIONS)}")
    with matplotlib.rc_context({"svg.fonttype": "none", "font.family": "DejaVu Sans"}):
        fig = draw_static_map(catalog, view, highlight_ids, user_layers, region, vector=fmt == "svg")
        title = f"{TITLE} — {describe_year(catalog, view)} — {REGIONS[region].title}"
        buffer = io.BytesIO()
        fig.savefig(buffer, format=fmt, dpi=dpi, metadata={"Title": title}, facecolor="white")
    data = _svg_with_halos(buffer.getvalue()) if fmt == "svg" else buffer.getvalue()
    if isinstance(path_or_buffer, (str, Path)):
        Path(path_or_buffer).write_bytes(data)
    else:
        path_or_buffer.write(data)
