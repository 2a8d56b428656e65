"""Names on the map: which names a year shows and where each one belongs.

One source for both renderers: the canvas sends these rows to the browser, which places
them on screen (dashboard/frontend/canvas.js); the static map places the same rows with
textalloc (static_map.py). A row covers a run of years with the same name, so a renamed
place shows the name it bore in the map's year (places.name_in).

Pure: no streamlit.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry
from shapely.ops import polylabel

from .citations import short_citation
from .coordinates import SCREEN_DIGITS, rounded
from .loader import Catalog, Feature
from .places import capital_of_in, name_in
from .regions import DEFAULT_REGION, REGIONS
from .symbology import LABEL_STYLES
from .timefilter import year_of
from .viewstate import FIRST_YEAR

OPEN_END = 9999  # the last year of something still current, as the canvas filters it

# The map is about the former Soviet space: states that were ever in one of its
# organizations, or host a Russian base or garrison, are named before the rest, and so are
# their capitals. A narrow map then drops Kuwait or Cairo, not Georgia or Tajikistan.
REGIONAL_ORGS = frozenset({"CIS", "CSTO", "EURASEC", "EAEU", "GUAM"})

Bounds = tuple[float, float, float, float]


def _position(lon: float, lat: float) -> list[float]:
    return rounded([lon, lat], SCREEN_DIGITS)


def label_point(geometry: BaseGeometry, bbox: Bounds = REGIONS[DEFAULT_REGION].bbox) -> list[float]:
    """Where a country's name goes: the pole of inaccessibility of its largest part within
    the frame (Russia's whole territory would put its name in the Far East, off the map)."""
    in_frame = geometry.intersection(shapely.box(*bbox))
    parts = getattr(in_frame, "geoms", [in_frame]) if not in_frame.is_empty else getattr(geometry, "geoms", [geometry])
    largest = max((part for part in parts if part.geom_type == "Polygon"), key=lambda part: part.area)
    point = polylabel(largest, tolerance=0.05)
    return _position(point.x, point.y)


# Where any region view can look (every frame with room around it): a country's other
# places for its name are sought only here.
VIEWABLE: Bounds = (-15.0, 15.0, 125.0, 75.0)
MAX_ANCHORS = 24


def label_anchors(geometry: BaseGeometry, bbox: Bounds = REGIONS[DEFAULT_REGION].bbox) -> list[list[float]]:
    """Places inside a country where its name may go, best first: the label point, then
    points deep inside each sizeable part, spread apart. A crowded view (symbols on the
    country's middle) writes the name at the first one that is free instead of dropping it."""
    return [list(anchor) for anchor in _anchors(geometry, bbox)]


@lru_cache(maxsize=1024)
def _anchors(geometry: BaseGeometry, bbox: Bounds) -> tuple[tuple[float, float], ...]:
    """label_anchors, worked out once per state and frame: every canvas scene and every
    static map asks again, and the search over each state's grid is the slow part."""
    first = label_point(geometry, bbox)
    # The best point inside each region view's frame comes next, so every preset can name
    # the country even where its frame holds only an edge of it (Russia on the Black Sea).
    framed = [
        label_point(geometry, region.bbox)
        for region in REGIONS.values()
        if geometry.intersects(shapely.box(*region.bbox))
    ]
    in_view = geometry.intersection(shapely.box(*VIEWABLE))
    parts = [part for part in getattr(in_view, "geoms", [in_view]) if part.geom_type == "Polygon"]
    if not parts:
        return (tuple(first),)
    largest = max(part.area for part in parts)
    found: list[tuple[float, float, float]] = []
    for part in parts:
        if part.is_empty or part.area < 0.05 * largest:
            continue  # islands and slivers: the name would not say which land it names
        step = max(part.area**0.5 / 6, 0.1)
        west, south, east, north = part.bounds
        xs, ys = np.meshgrid(np.arange(west + step / 2, east, step), np.arange(south + step / 2, north, step))
        xs, ys = xs.ravel(), ys.ravel()
        inside = shapely.contains_xy(part, xs, ys)
        depth = shapely.distance(part.boundary, shapely.points(xs[inside], ys[inside]))
        found += zip(depth, xs[inside], ys[inside], strict=True)
    found.sort(reverse=True)
    deepest = found[0][0] if found else 0.0
    spacing = min(max(largest**0.5 / 5, 0.25), 2.5)
    chosen = [first] + [point for index, point in enumerate(framed) if point != first and point not in framed[:index]]
    for depth, x, y in found:
        if len(chosen) >= MAX_ANCHORS or depth < 0.2 * deepest:
            break
        if all(np.hypot(x - cx, y - cy) >= spacing for cx, cy in chosen):
            chosen.append(_position(float(x), float(y)))
    return tuple(tuple(point) for point in chosen)


def intervals(by_year: dict[int, dict[str, Any] | None]) -> list[dict[str, Any]]:
    """Runs of equal appearance, as rows with t0..t1: a year change then only moves a filter."""
    rows: list[dict[str, Any]] = []
    for year in sorted(by_year):
        look = by_year[year]
        if look is None:
            continue
        last = rows[-1] if rows else None
        if (
            last is not None
            and last["t1"] == year - 1
            and {k: v for k, v in last.items() if k not in ("t0", "t1")} == look
        ):
            last["t1"] = year
        else:
            rows.append({**look, "t0": year, "t1": year})
    return rows


def published_summary(feature: Feature, catalog: Catalog) -> str:
    """A border's first published length and where it was published, e.g. '6,000 km in Rousseau 2011'."""
    first = feature.props.published_lengths[0]
    cited = catalog.bibliography.get(first.sources[0].id)
    return f"{first.km:,.0f} km" + (f" in {short_citation(cited)}" if cited else "")


def _styled(kind: str) -> dict[str, Any]:
    """A row's look from the one symbology, with how far beside its point its name goes (0: on it)."""
    style = LABEL_STYLES[kind]
    return {
        "kind": kind,
        "size": style["size"],
        "color": style["color"],
        "priority": style["priority"],
        "beside": style.get("beside", 0),
        **{key: style[key] for key in ("smaller", "callout") if key in style},
    }


def _feature_row(feature: Feature, kind: str, text: str, position: list[float]) -> dict[str, Any]:
    """The name of a map feature (the border, a disputed area), shown in the feature's years
    and only while its layer is drawn."""
    end = year_of(feature.props.end)
    return {
        "id": f"label-{feature.id}",
        **_styled(kind),
        "layer": feature.layer,
        "text": text,
        "position": position,
        "hosts": [],
        "t0": max(year_of(feature.props.start), FIRST_YEAR),
        "t1": OPEN_END if end is None else end,
    }


def border_label_rows(catalog: Catalog) -> list[dict[str, Any]]:
    """The border's name with its lengths, written like any other name on the map."""
    rows = []
    for feature in catalog.layer("borders"):
        middle = feature.geometry.interpolate(0.5, normalized=True)
        text = (
            f"Kazakhstan–Russia border\n{feature.length_km:,.0f} km measured (1:10m) · "
            f"{published_summary(feature, catalog)}"
        )
        rows.append(_feature_row(feature, "border", text, _position(middle.x, middle.y)))
    return rows


def disputed_label_rows(catalog: Catalog) -> list[dict[str, Any]]:
    """Each disputed or breakaway area's name, beside its point (or its area's centre)."""
    rows = []
    for feature in catalog.layer("disputed"):
        geometry = feature.geometry
        if geometry.geom_type == "Point":
            position = _position(geometry.x, geometry.y)
        else:
            position = label_point(geometry, geometry.bounds)
        rows.append(_feature_row(feature, "disputed", feature.name, position))
    return rows


def focus_states(catalog: Catalog) -> frozenset[str]:
    """ISO3 codes of the states the map is about (see REGIONAL_ORGS)."""
    members = {
        state.props.iso3
        for state in catalog.layer("states")
        if any(m.org in REGIONAL_ORGS for m in state.props.memberships)
    }
    hosts = {f.props.host_iso3 for layer in ("bases", "garrisons") for f in catalog.layer(layer)}
    return frozenset(members | hosts)


def label_rows(catalog: Catalog) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Every name the map may write (the border's first), one row per run of years with the
    same name; and the capitals' dots. Each renderer decides which names fit."""
    years = range(FIRST_YEAR, catalog.latest_year + 1)
    renamed_states = {p.props.iso3: p for p in catalog.places if p.kind == "country"}
    rows: list[dict[str, Any]] = border_label_rows(catalog) + disputed_label_rows(catalog)
    dots: list[dict[str, Any]] = []
    focus = focus_states(catalog)

    def add(
        place_id: str,
        kind: str,
        position: list[float],
        names: dict[int, str | None],
        hosts=(),
        anchors=(),
        in_focus: bool = True,
    ) -> None:
        style = LABEL_STYLES[kind]
        looks = {
            year: None if name is None else {"text": name.upper() if style.get("upper") else name}
            for year, name in names.items()
        }
        for row in intervals(looks):
            rows.append({**row, "id": place_id, **_styled(kind), "position": position, "hosts": list(hosts)})
            if not in_focus:
                rows[-1]["focus"] = False
            if anchors:
                rows[-1]["anchors"] = [list(anchor) for anchor in anchors]

    for state in catalog.layer("states"):
        place = renamed_states.get(state.props.iso3)
        names = {y: name_in(place, y) if place else state.name for y in years}
        anchors = label_anchors(state.geometry)
        add(state_label_id(state.id), "country", anchors[0], names, anchors=anchors, in_focus=state.props.iso3 in focus)
    for place in catalog.places:
        if place.kind == "country":
            continue
        position = _position(place.lon, place.lat)
        kind = place.kind
        if kind == "capital":
            capital_years = {y: bool(capital_of_in(place, y)) for y in years}
            for row in intervals({y: {} if is_capital else None for y, is_capital in capital_years.items()}):
                dots.append({**row, "id": place.id, "position": position})
            # A former capital (Almaty after 1997) is labelled as a town while it is not one.
            add(
                place.id,
                "capital",
                position,
                {y: name_in(place, y) if capital_years[y] else None for y in years},
                in_focus=any(c.iso3 in focus for c in place.props.capital_of),
            )
            add(
                f"{place.id}-town",
                "town",
                position,
                {y: None if capital_years[y] else name_in(place, y) for y in years},
                place.props.hosts,
            )
        else:
            add(place.id, kind, position, {y: name_in(place, y) for y in years}, place.props.hosts)
    return rows, dots


def state_label_id(state_id: str) -> str:
    """The label row of a state's name."""
    return f"label-{state_id}"


def rows_in_year(rows: list[dict[str, Any]], year: int) -> list[dict[str, Any]]:
    """The rows a map of that year writes, most important first (as canvas.js orders them):
    the region's own names (focus_states) before the others, then by priority."""
    shown = [row for row in rows if row["t0"] <= year <= row["t1"]]
    return sorted(shown, key=lambda row: (not row.get("focus", True), -row["priority"], row["text"]))
