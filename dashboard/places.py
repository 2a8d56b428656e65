"""Label places: capitals, base and garrison towns, seas, lakes and country names, each
with its names by period, so a map can label a year with the names in use that year.

Kept out of LAYERS on purpose: places are not features a user toggles or exports, they
are the words written on the map. The file is validated like a layer (file, id, field).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .schema import CslEntry, PartialDate, PlaceName, PlaceProps, SourceRef

PLACES_FILE = "places.geojson"


@dataclass(frozen=True)
class Place:
    props: PlaceProps
    lon: float
    lat: float

    @property
    def id(self) -> str:
        return self.props.id

    @property
    def kind(self) -> str:
        return self.props.kind

    def source_refs(self) -> Iterable[tuple[str, SourceRef]]:
        """Every citation the place makes, with the field path it sits in."""
        yield from (("sources", ref) for ref in self.props.sources)
        for field_name in ("names", "capital_of"):
            for index, item in enumerate(getattr(self.props, field_name)):
                for ref in item.sources:
                    yield f"{field_name}[{index}].sources", ref


@dataclass(frozen=True)
class Label:
    """What a map needs to write one place for a year."""

    id: str
    kind: str
    text: str
    lon: float
    lat: float
    capital: bool


def _active(start: str | None, end: str | None, year: int) -> bool:
    return (start is None or PartialDate.parse(start).year <= year) and (
        end is None or PartialDate.parse(end).year >= year
    )


def names_during(place: Place, year: int) -> list[str]:
    """Every name the place bore in a year, oldest first (two when it was renamed that year)."""
    return [n.name for n in place.props.names if _active(n.start, n.end, year)]


def name_in(place: Place, year: int) -> str | None:
    """The name in force at the end of the year: the latest of the year's names.

    None when no name record covers the year."""
    records: list[PlaceName] = [n for n in place.props.names if _active(n.start, n.end, year)]
    if not records:
        return None
    return max(records, key=lambda n: PartialDate.parse(n.start).sort_key() if n.start else (0, 0, 0)).name


def capital_of_in(place: Place, year: int) -> list[str]:
    """ISO3 codes of the states whose capital the place is at the end of the year."""
    codes = []
    for iso3 in dict.fromkeys(c.iso3 for c in place.props.capital_of):
        periods = [c for c in place.props.capital_of if c.iso3 == iso3 and _active(c.start, c.end, year)]
        if not periods:
            continue
        last = max(periods, key=lambda c: PartialDate.parse(c.start).sort_key() if c.start else (0, 0, 0))
        # A capital that moved away during the year is not the capital at its end.
        if last.end is None or PartialDate.parse(last.end).year > year:
            codes.append(iso3)
    return codes


def capital_in(places: Iterable[Place], iso3: str, year: int) -> Place | None:
    """The place that is the state's capital at the end of the year."""
    return next((p for p in places if iso3 in capital_of_in(p, year)), None)


def labels_for(places: Iterable[Place], year: int, kinds: Iterable[str] | None = None) -> list[Label]:
    """The labels to write for a year (names as they were then), optionally by kind."""
    wanted = set(kinds) if kinds is not None else None
    labels = []
    for place in places:
        if wanted is not None and place.kind not in wanted:
            continue
        text = name_in(place, year)
        if text is None:
            continue
        labels.append(Label(place.id, place.kind, text, place.lon, place.lat, bool(capital_of_in(place, year))))
    return labels


# --- Reading and checking ------------------------------------------------------------


def _point(raw: Any) -> tuple[float, float] | None:
    if not isinstance(raw, dict) or raw.get("type") != "Point":
        return None
    coordinates = raw.get("coordinates")
    if not isinstance(coordinates, list) or len(coordinates) != 2:
        return None
    lon, lat = coordinates
    if not all(isinstance(c, (int, float)) and math.isfinite(c) for c in (lon, lat)):
        return None
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        return None
    return float(lon), float(lat)


def parse_places(document: Any, file: str) -> tuple[list[Place], list[tuple[str, str | None, str | None, str]]]:
    """Validate a places FeatureCollection. Problems are (file, id, field, message)."""
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        return [], [(file, None, "type", "not a GeoJSON FeatureCollection")]
    raw_features = document.get("features")
    if not isinstance(raw_features, list):
        return [], [(file, None, "features", "missing or not a list")]
    places: list[Place] = []
    problems: list[tuple[str, str | None, str | None, str]] = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_features):
        properties = raw.get("properties") if isinstance(raw, dict) else None
        place_id = properties.get("id") if isinstance(properties, dict) else None
        place_id = place_id if isinstance(place_id, str) and place_id else f"#{index}"
        if not isinstance(properties, dict):
            problems.append((file, place_id, "properties", "missing or not an object"))
            continue
        try:
            props = PlaceProps.model_validate(properties)
        except ValidationError as error:
            for item in error.errors():
                location = ".".join(str(part) for part in item["loc"]) or None
                problems.append((file, place_id, location, item["msg"].removeprefix("Value error, ")))
            continue
        point = _point(raw.get("geometry"))
        if point is None:
            problems.append((file, place_id, "geometry", "must be a Point with longitude -180..180, latitude -90..90"))
            continue
        if props.id in seen:
            problems.append((file, place_id, "id", "duplicate place id"))
            continue
        seen.add(props.id)
        places.append(Place(props, *point))
    return places, problems


def cross_check(
    places: list[Place], bibliography: dict[str, CslEntry], host_ids: set[str], file: str
) -> tuple[list[Place], list[tuple[str, str | None, str | None, str]]]:
    """Citations must name bibliography entries; hosts must name bases or garrisons."""
    kept: list[Place] = []
    problems: list[tuple[str, str | None, str | None, str]] = []
    for place in places:
        place_problems = [
            (file, place.id, f"{path}.id", f"unknown source {ref.id!r}")
            for path, ref in place.source_refs()
            if ref.id not in bibliography
        ]
        place_problems += [
            (file, place.id, "hosts", f"{host!r} is not a base or garrison id")
            for host in place.props.hosts
            if host not in host_ids
        ]
        if place_problems:
            problems.extend(place_problems)
        else:
            kept.append(place)
    return kept, problems


def places_path(data_dir: Path) -> Path:
    return data_dir / PLACES_FILE
