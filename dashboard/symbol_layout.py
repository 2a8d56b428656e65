"""Sites on the static map: symbols pushed apart where they crowd, each with a leader line
to its true place, a grey halo where the location is approximate, white fill once former.

The relaxation is the canvas's (frontend/canvas.js, spreadSymbols), in map units: every
site is still drawn, in the canvas's colours, letters and sizes (symbology.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from .symbology import (
    BASE_GROUPS,
    DISPUTED_EDGE,
    EVENT_COLOR,
    EVENT_TEXT_COLOR,
    FORMER_FILL,
    GARRISON_COLOR,
    GARRISON_SYMBOL,
    HALO_FILL,
    HIGHLIGHT_COLOR,
    HIGHLIGHT_WIDTH,
    LEADER_COLOR,
    LEADER_WIDTH,
    SYMBOL_LINE_WIDTH,
    SYMBOL_RADIUS,
    SYMBOL_TEXT_COLOR,
    UNCERTAINTY_METERS,
    Color,
    disputed_fill,
    opaque,
    points,
    rgba,
)
from .timefilter import year_of

if TYPE_CHECKING:
    from .loader import Feature
    from .static_map import MapContext

SITE_LAYERS = ("disputed", "events", "garrisons", "bases")  # drawn in this order, bases on top
EVENT_NUMBERS = 12  # events numbered on a printed map, in date order; the legend names each
NUMBERED_EVENT_RADIUS = 7  # pixels: room for two digits
DISPUTED_RADIUS = 6  # pixels, as the canvas's smallest disputed point
SPREAD_GAP = 2  # pixels between two symbols' edges
SPREAD_PASSES = 200
MOVED = 1.5  # pixels: a symbol moved farther gets a leader line


@dataclass
class Site:
    """A point symbol: its true place, where it is drawn (projected metres) and its look."""

    feature: Feature
    origin: np.ndarray
    position: np.ndarray
    radius: float  # pixels
    fill: Color
    line: Color
    text_color: Color
    symbol: str
    key: str


def spread(xy: np.ndarray, radii: np.ndarray, passes: int = SPREAD_PASSES) -> np.ndarray:
    """Positions (in pixels) pushed apart until no two circles overlap: each pair that does
    moves apart by half the overlap, as canvas.js does; sites on one spot first part by a
    deterministic golden angle."""
    out = np.asarray(xy, dtype=float).copy()
    count = len(out)
    if count < 2:
        return out
    angles = np.arange(count) * 2.399
    out += 0.5 * np.column_stack((np.cos(angles), np.sin(angles)))
    reach = radii[:, None] + radii[None, :] + SPREAD_GAP
    np.fill_diagonal(reach, 0.0)
    for _ in range(passes):
        delta = out[None, :, :] - out[:, None, :]  # delta[i, j] = out[j] - out[i]
        distance = np.maximum(np.hypot(delta[..., 0], delta[..., 1]), 0.01)
        overlap = reach - distance
        if not (overlap > 0).any():
            break
        push = np.where(overlap > 0, (overlap / 2 + 0.05) / distance, 0.0)
        out -= (delta * push[..., None]).sum(axis=1)
    return out


def number_events(features: list[Feature]) -> list[Feature]:
    """The events a printed map numbers: in date order (then id), the first EVENT_NUMBERS.
    Paper has no hover, so a number in the dot and its line in the legend say what it is."""
    events = sorted((f for f in features if f.layer == "events"), key=lambda f: (f.props.start or "", f.id))
    return events[:EVENT_NUMBERS]


def _site(ctx: MapContext, feature: Feature, origin: np.ndarray) -> Site:
    """How the canvas draws the site (canvas.py _point_row): colour and letter; white fill
    once former, i.e. closed or withdrawn by the end of the map's year (a range shows
    sites that closed before its last year; one year shows what was there that year)."""
    layer = feature.layer
    if layer == "disputed":
        fill = disputed_fill(ctx.catalog, feature, ctx.year, ctx.view.orgs)
        return Site(feature, origin, origin, DISPUTED_RADIUS, fill, DISPUTED_EDGE, fill, "", "disputed")
    if layer == "bases":
        symbol, color, _ = BASE_GROUPS[feature.props.type]
        key = f"base:{symbol}"
    elif layer == "garrisons":
        symbol, color, key = GARRISON_SYMBOL, GARRISON_COLOR, "garrison"
    else:
        number = str(ctx.events.index(feature) + 1) if feature in ctx.events else ""
        radius = NUMBERED_EVENT_RADIUS if number else SYMBOL_RADIUS[layer]
        return Site(feature, origin, origin, radius, EVENT_COLOR, EVENT_COLOR, EVENT_TEXT_COLOR, number, "event")
    end = year_of(feature.props.end)
    former = end is not None and end <= ctx.year and layer in ("bases", "garrisons")
    text_color = color if former else SYMBOL_TEXT_COLOR
    fill = FORMER_FILL if former else color
    return Site(feature, origin, origin, SYMBOL_RADIUS[layer], fill, color, text_color, symbol, key)


def _place_sites(ctx: MapContext, pixel: float) -> list[Site]:
    """The visible sites in the frame, spread apart (pixel: map metres per screen pixel)."""
    features = [
        f for layer in SITE_LAYERS for f in ctx.features if f.layer == layer and f.geometry.geom_type == "Point"
    ]
    if not features:
        return []
    origins = ctx.frame.project_points(np.array([[f.geometry.x, f.geometry.y] for f in features]))
    ctx.events = number_events(features)
    sites = [_site(ctx, feature, origin) for feature, origin in zip(features, origins, strict=True)]
    radii = np.array([site.radius + 1 for site in sites])
    placed = spread(origins / pixel, radii) * pixel
    minx, miny, maxx, maxy = ctx.frame.extent
    for site, position, radius in zip(sites, placed, radii, strict=True):
        margin = radius * pixel
        site.position = np.clip(position, (minx + margin, miny + margin), (maxx - margin, maxy - margin))
    return sites


def _draw_halos(ax: Any, ctx: MapContext, sites: list[Site]) -> None:
    """Grey halos at the true place of approximately located sites, sized in metres."""
    from matplotlib.collections import PatchCollection
    from matplotlib.patches import Circle

    halos = [
        (site, UNCERTAINTY_METERS.get(site.feature.props.precision, 0))
        for site in sites
        if site.feature.layer != "disputed"
    ]
    halos = [(site, metres) for site, metres in halos if metres > 0]
    if not halos:
        return
    circles = [Circle(tuple(site.origin), metres) for site, metres in halos]
    edges = [rgba(site.line) for site, _ in halos]
    collection = PatchCollection(circles, facecolor=rgba(HALO_FILL), edgecolor=edges, linewidth=points(1), zorder=5)
    collection.set_gid("halos")
    ax.add_collection(collection, autolim=False)
    ctx.keys.add("halo")


def draw_symbols(ax: Any, ctx: MapContext) -> list[Site]:
    """Halos, leader lines, symbols with their letters, and magenta rings on what changed."""
    from matplotlib.collections import LineCollection

    extent_width = ctx.frame.extent[2] - ctx.frame.extent[0]
    pixel = extent_width / points_width(ax) * points(1)
    sites = _place_sites(ctx, pixel)
    _draw_halos(ax, ctx, sites)
    leaders = [
        (site.origin, site.position) for site in sites if np.hypot(*(site.position - site.origin)) > MOVED * pixel
    ]
    if leaders:
        lines = LineCollection(leaders, colors=[rgba(LEADER_COLOR)], linewidths=points(LEADER_WIDTH), zorder=5.5)
        lines.set_gid("leaders")
        ax.add_collection(lines, autolim=False)
    for site in sites:
        x, y = site.position
        ax.scatter(
            [x],
            [y],
            s=(2 * points(site.radius)) ** 2,
            color=[rgba(site.fill)],
            edgecolor=[rgba(site.line)],
            linewidth=points(SYMBOL_LINE_WIDTH if site.key != "disputed" else 1.5),
            zorder=6,
            gid=f"site-{site.feature.id}",
        )
        if site.symbol:
            ax.text(
                x,
                y,
                site.symbol,
                ha="center",
                va="center_baseline",
                fontsize=points(site.radius + 3),
                fontweight="bold",
                color=rgba(site.text_color),
                zorder=6.1,
                parse_math=False,
                gid=f"symbol-{site.feature.id}",
            )
        ctx.keys.add(site.key)
        if site.key == "event" and not site.symbol:
            ctx.keys.add("event:unnumbered")
        if site.fill is FORMER_FILL:
            ctx.keys.add("former")
        if site.feature.id in ctx.highlight:
            ring = (2 * points(site.radius + 3)) ** 2
            ax.scatter([x], [y], s=ring, facecolor="none", edgecolor=[opaque(HIGHLIGHT_COLOR)], zorder=6.2)
            ax.collections[-1].set_linewidth(points(HIGHLIGHT_WIDTH))
            ctx.keys.add("highlight")
    return sites


def points_width(ax: Any) -> float:
    """The map's width in points."""
    return ax.get_position().width * ax.figure.get_figwidth() * 72
