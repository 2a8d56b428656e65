"""Names on the static map: the canvas's rows (labels.py) for the map's year, placed with
textalloc clear of each other and of the symbols, most important first.

As on screen, a name with no room is left out rather than written over something, and a
name may cross a line (its white halo keeps both readable); a country's name must stay
inside the country; a town's name far from its place gets a thin line to it. Every name
is a Text whose gid is LABEL_GID + its row id.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import shapely

from .labels import label_anchors, label_rows, rows_in_year, state_label_id
from .symbology import CAPITAL_DOT, CAPITAL_RADIUS, CAPITAL_RING, LEADER_COLOR, points, rgba

if TYPE_CHECKING:
    from .static_map import MapContext
    from .symbol_layout import Site

LABEL_GID = "maplabel-"
AREA_KINDS = ("country", "sea", "lake")  # named on their point; the rest beside it
# textalloc's distances, in points (converted to its fractions of the map's width).
MARGIN_PT = 1.5
MIN_DISTANCE_PT = 2.0
MAX_DISTANCE_PT = 30.0
CANDIDATES = 200
LEADER_FROM_PT = 9.0  # a place's name farther than this from it gets a line to it


def _in_box(lonlat: list[float], bbox: tuple[float, float, float, float]) -> bool:
    return bbox[0] <= lonlat[0] <= bbox[2] and bbox[1] <= lonlat[1] <= bbox[3]


def name_rows(ctx: MapContext, sites: list[Site]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The names the map writes and the capitals' dots, as canvas.js picks them: a town while
    one of its sites is drawn, the border's name with the border. Names of areas and
    capitals only inside the region's box (the rectangle shows more, for context); a
    country is named at its largest part inside the box."""
    rows, dots = label_rows(ctx.catalog)
    drawn = {site.feature.id for site in sites}
    states = {state_label_id(s.id): s for s in ctx.catalog.layer("states")}
    bbox = ctx.frame.region.bbox
    chosen = []
    for row in rows_in_year(rows, ctx.year):
        kind = row["kind"]
        if kind == "town":
            keep = bool(drawn.intersection(row["hosts"]))
        elif kind == "border":
            keep = ctx.shows(row["layer"])
        elif kind == "disputed":
            keep = ctx.shows(row["layer"]) and _in_box(row["position"], bbox)
        elif kind == "country":
            geometry = states[row["id"]].geometry
            keep = geometry.intersects(shapely.box(*bbox))
            if keep:
                anchors = label_anchors(geometry, bbox)
                row = {**row, "position": anchors[0], "anchors": anchors}
        else:
            keep = _in_box(row["position"], bbox)
        if keep:
            chosen.append(row)
    return chosen, [d for d in dots if d["t0"] <= ctx.year <= d["t1"] and _in_box(d["position"], bbox)]


def _capital_dots(ax: Any, ctx: MapContext, dots: list[dict[str, Any]]) -> np.ndarray:
    xy = ctx.frame.project_points(np.array([dot["position"] for dot in dots]).reshape(-1, 2))
    xy = xy[ctx.frame.inside(xy)]
    if len(xy):
        ax.scatter(
            xy[:, 0],
            xy[:, 1],
            s=(2 * points(CAPITAL_RADIUS)) ** 2,
            color=[rgba(CAPITAL_DOT)],
            edgecolor=[rgba(CAPITAL_RING)],
            linewidth=points(1),
            zorder=5.8,
        )
    return xy


def _anchors(ax: Any, rows: list[dict[str, Any]], xy: np.ndarray, min_distance: float) -> np.ndarray:
    """Where textalloc starts from. It tries first the box up and to the right of the anchor;
    an area's anchor is moved so that this first box is centred on its point."""
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    display = ax.transData.transform(xy)
    box = ax.get_window_extent(renderer)
    gap = np.array([box.width * min_distance, box.height * min_distance * fig.get_figwidth() / fig.get_figheight()])
    for index, row in enumerate(rows):
        if row["kind"] not in AREA_KINDS:
            continue
        probe = ax.text(0, 0, row["text"], fontsize=points(row["size"]), va="bottom", parse_math=False)
        extent = probe.get_window_extent(renderer)
        probe.remove()
        display[index] -= np.array([extent.width / 2, extent.height / 2]) + gap
    return ax.transData.inverted().transform(display)


def _allocate(ax: Any, ctx: MapContext, rows: list[dict[str, Any]], xy: np.ndarray, obstacles, style) -> tuple:
    import textalloc

    positions, radii = obstacles
    width = ax.get_position().width * ax.figure.get_figwidth() * 72
    anchors = _anchors(ax, rows, xy, MIN_DISTANCE_PT / width)
    _, lines, texts, _ = textalloc.allocate(
        ax,
        anchors[:, 0],
        anchors[:, 1],
        [row["text"] for row in rows],
        x_scatter=positions[:, 0] if len(positions) else None,
        y_scatter=positions[:, 1] if len(positions) else None,
        scatter_sizes=radii * ax.figure.dpi / 72 if len(positions) else None,
        textsize=[points(row["size"]) for row in rows],
        textcolor=[rgba(row["color"]) for row in rows],
        margin=MARGIN_PT / width,
        min_distance=MIN_DISTANCE_PT / width,
        max_distance=MAX_DISTANCE_PT / width,
        nbr_candidates=CANDIDATES,
        draw_lines=False,
        draw_all=False,
        avoid_label_lines_overlap=True,
        va="bottom",
        zorder=8,
        parse_math=False,
        **style,
    )
    return texts, lines


def _country_shape(ctx: MapContext, row: dict[str, Any]) -> Any:
    """The state a country's name row names, cut to the frame (once per map: ctx.cut)."""
    return ctx.cut(ctx.catalog.get(row["id"].removeprefix(state_label_id(""))))


def _inside_its_country(ctx: MapContext, row: dict[str, Any], text: Any, renderer: Any) -> bool:
    """A country's name whose middle fell outside the country (pushed off by crowding) would
    name its neighbour: it is left out instead."""
    box = text.get_window_extent(renderer)
    middle = text.axes.transData.inverted().transform(((box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2))
    return bool(_country_shape(ctx, row).contains(shapely.Point(middle)))


# Steps out from a point for a name beside it, after the first gap, and the distance beyond
# which a name gets a line to its point (as canvas.js around(), in screen pixels).
AROUND_STEPS = (0, 12, 26, 40)
LEADER_FROM_PX = 20
WIDE_STEPS = (*AROUND_STEPS, 56)  # the last resort, in smaller letters
Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in display pixels


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _spots(ax: Any, row: dict[str, Any], size: float, renderer: Any) -> tuple[float, float]:
    """The width and height of a name at a size, in display pixels."""
    probe = ax.text(0, 0, row["text"], fontsize=points(size), parse_math=False)
    extent = probe.get_window_extent(renderer)
    probe.remove()
    return extent.width, extent.height


def _country_candidates(ax: Any, ctx: MapContext, row: dict[str, Any], renderer: Any):
    """Where a country's name may go when textalloc found no room, in canvas.js's order
    (countryCandidates): each anchor in the frame and around it at full size, then smaller,
    then outside the country with a line to it. Yields (centre, (width, height), size, leader
    origin or None)."""
    scale = ax.figure.dpi / 72
    xy = ctx.frame.project_points(np.array(row["anchors"]).reshape(-1, 2))
    anchors = ax.transData.transform(xy[ctx.frame.inside(xy)])
    smaller = row["size"] - row["smaller"]
    for size in (row["size"], smaller):
        w, h = _spots(ax, row, size, renderer)
        for x, y in anchors:
            for dx, dy in ((0, 0), (0, h), (0, -h), (-w / 3, 0), (w / 3, 0)):
                yield (x + dx, y + dy), (w, h), size, None
    w, h = _spots(ax, row, smaller, renderer)
    for x, y in anchors:
        for step in WIDE_STEPS:
            d = points(row["callout"] + step) * scale
            for cx, cy in ((x + d + w / 2, y), (x - d - w / 2, y), (x, y + d + h / 2), (x, y - d - h / 2)):
                yield (cx, cy), (w, h), smaller, (x, y)


def _beside_candidates(ax: Any, ctx: MapContext, row: dict[str, Any], renderer: Any):
    """Where a capital's or a town's name may go when textalloc found no room, in canvas.js's
    order (calloutCandidates): beside its point and on the diagonals, farther out with a line
    to it, then smaller. Yields (centre, (width, height), size, leader origin or None)."""
    scale = ax.figure.dpi / 72
    (x, y), *_ = ax.transData.transform(ctx.frame.project_points(np.array([row["position"]])))
    gap = row["beside"]  # LABEL_STYLES: pixels between the point and its name
    sizes = [row["size"]] + ([row["size"] - row["smaller"]] if row.get("smaller") else [])
    for size, steps in zip(sizes, (AROUND_STEPS, WIDE_STEPS), strict=False):
        w, h = _spots(ax, row, size, renderer)
        for step in steps:
            d = points(gap + step) * scale
            e = d * np.sqrt(0.5)
            origin = (x, y) if gap + step > LEADER_FROM_PX else None
            for cx, cy in (
                (x + d + w / 2, y),
                (x - d - w / 2, y),
                (x, y + d + h / 2),
                (x, y - d - h / 2),
                (x + e + w / 2, y + e + h / 2),
                (x - e - w / 2, y + e + h / 2),
                (x + e + w / 2, y - e - h / 2),
                (x - e - w / 2, y - e - h / 2),
            ):
                yield (cx, cy), (w, h), size, origin


def _place_missing(ax, ctx, rows, placed: list[Any], obstacles: list[Box], style) -> list[tuple]:
    """A second pass for the countries, capitals and towns textalloc left out, so a crowded
    state or place is still named. Returns the leaders (origin, nearest edge) of names set
    away from their point or outside their country."""
    renderer = ax.figure.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    taken = [tuple(t.get_window_extent(renderer).extents) for t in placed]
    named = {t.get_gid() for t in placed}
    leaders = []
    for row in rows:
        if LABEL_GID + row["id"] in named or row["kind"] not in ("country", "capital", "town", "disputed"):
            continue
        country = row["kind"] == "country"
        if country and "anchors" not in row:
            continue
        shape = _country_shape(ctx, row) if country else None
        candidates = _country_candidates if country else _beside_candidates
        for (cx, cy), (w, h), size, origin in candidates(ax, ctx, row, renderer):
            box = (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
            if box[0] < frame.x0 or box[1] < frame.y0 or box[2] > frame.x1 or box[3] > frame.y1:
                continue
            if any(_overlaps(box, other) for other in taken + obstacles):
                continue
            if (
                country
                and origin is None
                and not shape.contains(shapely.Point(ax.transData.inverted().transform((cx, cy))))
            ):
                continue
            text = ax.text(
                *ax.transData.inverted().transform((cx, cy)),
                row["text"],
                fontsize=points(size),
                color=rgba(row["color"]),
                ha="center",
                va="center",
                zorder=8,
                parse_math=False,
                gid=LABEL_GID + row["id"],
                **style,
            )
            placed.append(text)
            taken.append(box)
            if origin is not None:
                edge = (min(max(origin[0], box[0]), box[2]), min(max(origin[1], box[1]), box[3]))
                leaders.append(tuple(ax.transData.inverted().transform([origin, edge])))
            break
    return leaders


def draw_names(ax: Any, ctx: MapContext, sites: list[Site], style: dict[str, Any]) -> list[Any]:
    """Place and draw the names; returns the Texts drawn."""
    from matplotlib.collections import LineCollection

    rows, dots = name_rows(ctx, sites)
    capitals = _capital_dots(ax, ctx, dots)
    xy = ctx.frame.project_points(np.array([row["position"] for row in rows]).reshape(-1, 2))
    keep = ctx.frame.inside(xy)
    rows, xy = [row for row, inside in zip(rows, keep, strict=True) if inside], xy[keep]
    if not rows:
        return []
    positions = np.array([site.position for site in sites] + list(capitals)).reshape(-1, 2)
    radii = np.array([points(site.radius + 1) for site in sites] + [points(CAPITAL_RADIUS)] * len(capitals))
    texts, lines = _allocate(ax, ctx, rows, xy, (positions, radii), style)
    renderer = ax.figure.canvas.get_renderer()
    placed, leaders = [], []
    per_point = (ctx.frame.extent[2] - ctx.frame.extent[0]) / (ax.get_position().width * ax.figure.get_figwidth() * 72)
    for row, text, line, origin in zip(rows, texts, lines, xy, strict=True):
        if text is None:
            continue
        if row["kind"] == "country" and not _inside_its_country(ctx, row, text, renderer):
            text.remove()
            continue
        text.set_gid(LABEL_GID + row["id"])
        placed.append(text)
        if line is not None and row["kind"] not in AREA_KINDS:
            near = np.array([line[0][0], line[1][0]])
            if np.hypot(*(near - origin)) > LEADER_FROM_PT * per_point:
                leaders.append((origin, near))
    scale = ax.figure.dpi / 72
    circles = ax.transData.transform(positions) if len(positions) else np.empty((0, 2))
    obstacles = [
        (x - r * scale, y - r * scale, x + r * scale, y + r * scale) for (x, y), r in zip(circles, radii, strict=True)
    ]
    leaders += _place_missing(ax, ctx, rows, placed, obstacles, style)
    if leaders:
        ax.add_collection(
            LineCollection(leaders, colors=[rgba(LEADER_COLOR)], linewidths=points(0.75), zorder=7.9), autolim=False
        )
    return placed
