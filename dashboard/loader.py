"""Read every layer and the bibliography, validate them, and say what is wrong.

Nothing is dropped silently: a feature that fails a check is kept off the map and a
Problem naming the file, the feature id and the field says why.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pyproj import Geod
from shapely import STRtree
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

from . import places as place_data
from .citations import resolve
from .conventions import convention_issues
from .places import Place
from .schema import (
    GEOMETRY_TYPES,
    LAYERS,
    LENGTH_TOLERANCE,
    PROPERTY_MODELS,
    CslEntry,
    FeatureProps,
    PartialDate,
    PipelineProps,
)

ROOT = Path(__file__).resolve().parent.parent
GEODATA_DIR = ROOT / "geodata"
BIBLIOGRAPHY_PATH = ROOT / "sources" / "bibliography.json"
BASEMAP_PATH = GEODATA_DIR / "basemap" / "countries.geojson"

# A point may sit this far (degrees, roughly 10 km) outside its host's simplified
# polygon: coastal sites and simplified coastlines would fail a strict test.
HOST_TOLERANCE_DEG = 0.1

_GEOD = Geod(ellps="WGS84")


@dataclass(frozen=True)
class Problem:
    file: str
    feature_id: str | None
    field: str | None
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.feature_id or '-'}: {self.field or '-'}: {self.message}"


@dataclass(frozen=True, eq=False)
class Feature:
    layer: str
    props: FeatureProps
    geometry: BaseGeometry
    file: str

    @property
    def id(self) -> str:
        return self.props.id

    @property
    def name(self) -> str:
        return self.props.name

    @property
    def start(self) -> PartialDate:
        return PartialDate.parse(self.props.start)

    @cached_property
    def geojson_geometry(self) -> dict[str, Any]:
        """The geometry as a GeoJSON dict, computed once: maps are rebuilt every rerun."""
        return mapping(self.geometry)

    @cached_property
    def length_km(self) -> float | None:
        """Geodesic length on the WGS84 ellipsoid, for lines only."""
        if self.geometry.geom_type not in ("LineString", "MultiLineString"):
            return None
        return _GEOD.geometry_length(self.geometry) / 1000.0

    def source_refs(self) -> Iterator[tuple[str, Any]]:
        """Every citation the feature makes, with the field path it sits in."""
        yield from (("sources", ref) for ref in self.props.sources)
        for name in ("memberships", "statuses", "published_lengths"):
            for index, item in enumerate(getattr(self.props, name, None) or ()):
                for ref in item.sources:
                    yield f"{name}[{index}].sources", ref


@dataclass
class Catalog:
    features: list[Feature]
    bibliography: dict[str, CslEntry]
    problems: list[Problem] = field(default_factory=list)
    # Label places (geodata/places.geojson): names by year, not a layer.
    places: list[Place] = field(default_factory=list)

    def layer(self, name: str) -> list[Feature]:
        return [f for f in self.features if f.layer == name]

    def get(self, feature_id: str) -> Feature | None:
        return self._by_id.get(feature_id)

    @cached_property
    def _by_id(self) -> dict[str, Feature]:
        return {f.id: f for f in self.features}

    def cited_entries(self, feature_ids: Iterable[str]) -> list[CslEntry]:
        """The bibliography of a set of features, in order of first citation."""
        cited: dict[str, None] = {}
        for feature_id in feature_ids:
            feature = self.get(feature_id)
            for _, ref in feature.source_refs() if feature else ():
                cited.setdefault(ref.id)
        return [self.bibliography[i] for i in cited if i in self.bibliography]

    @cached_property
    def short_sources(self) -> dict[str, str]:
        """The short citation shown in each feature's tooltip, rendered once."""
        labels = {}
        for feature in self.features:
            citations = resolve(feature.props.sources, self.bibliography)
            # The base data (Natural Earth) is cited in the panel; prefer the first other source.
            preferred = [c for c in citations if not c.source_id.startswith("naturalearth")] or citations
            more = f" (+{len(citations) - 1} more)" if len(citations) > 1 else ""
            labels[feature.id] = preferred[0].short + more
        return labels

    @cached_property
    def latest_year(self) -> int:
        """The last year any date in the data names; at least 1992 so a year range exists
        even when nothing loaded."""
        years = [1992] + [PartialDate.parse(f.props.start).year for f in self.features]
        for feature in self.features:
            for item in getattr(feature.props, "memberships", None) or ():
                years.append(PartialDate.parse(item.start).year)
                if item.end:
                    years.append(PartialDate.parse(item.end).year)
            if feature.props.end:
                years.append(PartialDate.parse(feature.props.end).year)
        return max(years)


def _relative(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def _read_json(path: Path, problems: list[Problem]) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        problems.append(Problem(_relative(path), None, None, "file not found"))
    except UnicodeDecodeError as error:
        problems.append(Problem(_relative(path), None, None, f"not UTF-8 text: {error}"))
    except json.JSONDecodeError as error:
        problems.append(Problem(_relative(path), None, None, f"not valid JSON: {error.msg} at line {error.lineno}"))
    except RecursionError:  # arrays nested thousands deep: a file handed to validate may be hostile
        problems.append(Problem(_relative(path), None, None, "not valid JSON: nested too deeply to read"))
    return None


def _validation_problems(file: str, feature_id: str, error: ValidationError, prefix: str = "") -> list[Problem]:
    problems = []
    for item in error.errors():
        location = ".".join(str(part) for part in item["loc"]) or None
        if prefix:
            location = prefix + (f".{location}" if location else "")
        message = item["msg"].removeprefix("Value error, ")
        problems.append(Problem(file, feature_id, location, message))
    return problems


def _coordinates_in_range(coordinates: Any) -> bool:
    if isinstance(coordinates, (list, tuple)) and coordinates and isinstance(coordinates[0], (int, float)):
        if len(coordinates) < 2 or not all(isinstance(c, (int, float)) and math.isfinite(c) for c in coordinates):
            return False
        lon, lat = coordinates[0], coordinates[1]
        return -180 <= lon <= 180 and -90 <= lat <= 90
    if isinstance(coordinates, (list, tuple)):
        return all(_coordinates_in_range(item) for item in coordinates)
    return False


def _check_geometry(layer: str, raw: Any, file: str, feature_id: str) -> tuple[BaseGeometry | None, list[Problem]]:
    def problem(message: str) -> tuple[None, list[Problem]]:
        return None, [Problem(file, feature_id, "geometry", message)]

    if not isinstance(raw, dict):
        return problem("missing or not an object")
    kind = raw.get("type")
    if kind not in GEOMETRY_TYPES[layer]:
        return problem(f"type {kind!r} is not allowed in layer {layer} (allowed: {', '.join(GEOMETRY_TYPES[layer])})")
    if not _coordinates_in_range(raw.get("coordinates")):
        return problem("coordinates missing, not numbers, or outside longitude -180..180 / latitude -90..90")
    geometry, message = shapely_geometry(raw)
    return (geometry, []) if geometry is not None else problem(message)


def shapely_geometry(raw: dict[str, Any]) -> tuple[BaseGeometry | None, str]:
    """A checked GeoJSON geometry object as shapely, or None and why it cannot be used."""
    try:
        geometry = shape(raw)
    except (ValueError, TypeError, AttributeError, IndexError) as error:
        return None, f"cannot be read: {error}"
    if geometry.is_empty:
        return None, "empty geometry"
    if not geometry.is_valid:
        return None, f"invalid: {explain_validity(geometry)}"
    return geometry, ""


def parse_feature(layer: str, raw: Any, file: str, index: int) -> tuple[Feature | None, list[Problem]]:
    """Validate one GeoJSON feature of a layer; return it, or None and why."""
    if not isinstance(raw, dict) or raw.get("type") != "Feature":
        return None, [Problem(file, f"#{index}", None, "not a GeoJSON Feature object")]
    properties = raw.get("properties")
    feature_id = properties.get("id") if isinstance(properties, dict) else None
    feature_id = feature_id if isinstance(feature_id, str) and feature_id else f"#{index}"
    if not isinstance(properties, dict):
        return None, [Problem(file, feature_id, "properties", "missing or not an object")]
    properties = {k: v for k, v in properties.items() if k not in ("layer", "length_km")}
    problems: list[Problem] = []
    try:
        props = PROPERTY_MODELS[layer].model_validate(properties)
    except ValidationError as error:
        props = None
        problems.extend(_validation_problems(file, feature_id, error))
    geometry, geometry_problems = _check_geometry(layer, raw.get("geometry"), file, feature_id)
    problems.extend(geometry_problems)
    if (
        props is not None
        and geometry is not None
        and layer == "pipelines"
        and geometry.geom_type == "LineString"
        and len(props.waypoints) != len(geometry.coords)
    ):
        problems.append(
            Problem(
                file,
                feature_id,
                "waypoints",
                f"{len(props.waypoints)} names for {len(geometry.coords)} coordinates",
            )
        )
    if not problems and layer == "pipelines":
        problems.extend(_length_problems(props, geometry, file, feature_id))
    if problems:
        return None, problems
    return Feature(layer, props, geometry, file), []


def drawn_span_km(props: PipelineProps, geometry: BaseGeometry) -> float:
    """Geodesic length of the part of the line a published length covers (all of it
    unless published_span names two waypoints of a single LineString)."""
    span = props.published_span
    if span is None or geometry.geom_type != "LineString":
        return _GEOD.geometry_length(geometry) / 1000.0
    first, last = props.waypoints.index(span.from_waypoint), props.waypoints.index(span.to_waypoint)
    lons, lats = zip(*list(geometry.coords)[first : last + 1], strict=True)
    return _GEOD.line_length(lons, lats) / 1000.0


def length_text(feature: Feature) -> str:
    """The drawn length beside the published one, for tooltips and tables; a figure that
    covers only a stretch is compared with that stretch."""
    props = feature.props
    text = f"drawn {feature.length_km:,.0f} km"
    if not props.published_length_km:
        return text
    span = props.published_span
    if span is None:
        system = " for the whole system" if props.published_length_covers == "whole system" else ""
        return f"{text} (published {props.published_length_km:,.0f} km{system})"
    stretch = drawn_span_km(props, feature.geometry)
    return (
        f"{text} (published {props.published_length_km:,.0f} km for {span.from_waypoint} – {span.to_waypoint}, "
        f"drawn {stretch:,.0f} km there)"
    )


def _length_problems(props: PipelineProps, geometry: BaseGeometry, file: str, feature_id: str) -> list[Problem]:
    """A pipeline drawn too short or too long for its published length must say why."""
    if props.length_note:
        return []
    if props.published_length_km is None:
        return [Problem(file, feature_id, "length_note", "required when there is no published length")]
    drawn = drawn_span_km(props, geometry)
    deviation = drawn / props.published_length_km - 1
    if abs(deviation) <= LENGTH_TOLERANCE:
        return []
    return [
        Problem(
            file,
            feature_id,
            "length_note",
            f"drawn {drawn:,.0f} km is {deviation:+.0%} off the published {props.published_length_km:,.0f} km "
            f"(tolerance {LENGTH_TOLERANCE:.0%}): say why in length_note",
        )
    ]


def read_layer_file(path: Path, layer: str | None = None) -> tuple[list[Feature], list[Problem]]:
    """Read one GeoJSON FeatureCollection. The layer comes from the argument, the
    collection's "name", or the file name."""
    file = _relative(path)
    problems: list[Problem] = []
    document = _read_json(path, problems)
    if document is None:
        return [], problems
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        return [], [Problem(file, None, "type", "not a GeoJSON FeatureCollection")]
    layer = layer or document.get("name") or path.stem
    if layer not in LAYERS:
        return [], [Problem(file, None, "name", f"unknown layer {layer!r}; expected one of {', '.join(LAYERS)}")]
    raw_features = document.get("features")
    if not isinstance(raw_features, list):
        return [], [Problem(file, None, "features", "missing or not a list")]
    features = []
    for index, raw in enumerate(raw_features):
        feature, feature_problems = parse_feature(layer, raw, file, index)
        problems.extend(feature_problems)
        if feature is not None:
            features.append(feature)
    return features, problems


def read_bibliography(path: Path) -> tuple[dict[str, CslEntry], list[Problem]]:
    file = _relative(path)
    problems: list[Problem] = []
    document = _read_json(path, problems)
    if document is None:
        return {}, problems
    if not isinstance(document, list):
        return {}, [Problem(file, None, None, "a CSL-JSON bibliography must be a list of entries")]
    entries: dict[str, CslEntry] = {}
    for index, raw in enumerate(document):
        entry_id = raw.get("id") if isinstance(raw, dict) and isinstance(raw.get("id"), str) else f"#{index}"
        try:
            entry = CslEntry.model_validate(raw)
        except ValidationError as error:
            problems.extend(_validation_problems(file, entry_id, error))
            continue
        if entry.id in entries:
            problems.append(Problem(file, entry.id, "id", "duplicate bibliography id"))
            continue
        same_url = next((e.id for e in entries.values() if entry.URL and e.URL == entry.URL), None)
        if same_url:
            problems.append(Problem(file, entry.id, "URL", f"same URL as entry {same_url!r}: cite one entry per work"))
            continue
        entries[entry.id] = entry
    return entries, problems


@dataclass(frozen=True)
class HostIndex:
    """Country polygons by ISO3, for checking that points sit in their host state."""

    polygons: dict[str, BaseGeometry]

    @classmethod
    def from_basemap(cls, path: Path = BASEMAP_PATH) -> HostIndex:
        document = json.loads(path.read_text(encoding="utf-8"))
        polygons: dict[str, BaseGeometry] = {}
        for raw in document["features"]:
            iso3 = raw["properties"].get("iso3")
            if iso3:
                geometry = shape(raw["geometry"])
                polygons[iso3] = geometry if iso3 not in polygons else polygons[iso3].union(geometry)
        return cls(polygons)

    def country_at(self, point: BaseGeometry) -> str | None:
        codes = list(self.polygons)
        tree = STRtree([self.polygons[c] for c in codes])
        hits = tree.query(point, predicate="intersects")
        return codes[hits[0]] if len(hits) else None

    def contains(self, iso3: str, point: BaseGeometry) -> bool | None:
        polygon = self.polygons.get(iso3)
        if polygon is None:
            return None
        return polygon.distance(point) <= HOST_TOLERANCE_DEG


def _cross_check(
    features: list[Feature], bibliography: dict[str, CslEntry], hosts: HostIndex | None
) -> tuple[list[Feature], list[Problem]]:
    problems: list[Problem] = []
    kept: list[Feature] = []
    seen: dict[str, Feature] = {}
    for feature in features:
        feature_problems: list[Problem] = []
        if feature.id in seen:
            first = seen[feature.id]
            feature_problems.append(
                Problem(feature.file, feature.id, "id", f"duplicate id: already used in {first.file} ({first.layer})")
            )
        for field_path, ref in feature.source_refs():
            if ref.id not in bibliography:
                feature_problems.append(
                    Problem(feature.file, feature.id, f"{field_path}.id", f"unknown source {ref.id!r}")
                )
        host = getattr(feature.props, "host_iso3", None) or getattr(feature.props, "de_jure_iso3", None)
        if hosts is not None and host and feature.geometry.geom_type == "Point":
            inside = hosts.contains(host, feature.geometry)
            if inside is None:
                feature_problems.append(Problem(feature.file, feature.id, "host_iso3", f"unknown country {host}"))
            elif not inside:
                found = hosts.country_at(feature.geometry) or "no country"
                feature_problems.append(
                    Problem(
                        feature.file,
                        feature.id,
                        "geometry",
                        f"point lies in {found}, not in its stated host {host}",
                    )
                )
        if feature_problems:
            problems.extend(feature_problems)
            continue
        seen[feature.id] = feature
        kept.append(feature)
    return kept, problems


def uncited_entries(
    features: Iterable[Feature], bibliography: dict[str, CslEntry], places: Iterable[Place] = ()
) -> list[str]:
    cited = {ref.id for feature in features for _, ref in feature.source_refs()}
    cited |= {ref.id for place in places for _, ref in place.source_refs()}
    return sorted(set(bibliography) - cited)


def read_places(
    path: Path, bibliography: dict[str, CslEntry], features: Iterable[Feature]
) -> tuple[list[Place], list[Problem]]:
    """Read and check the label places; every problem names file, place id and field."""
    file = _relative(path)
    problems: list[Problem] = []
    document = _read_json(path, problems)
    if document is None:
        return [], problems
    places, raw_problems = place_data.parse_places(document, file)
    host_ids = {f.id for f in features if f.layer in ("bases", "garrisons")}
    places, cross_problems = place_data.cross_check(places, bibliography, host_ids, file)
    return places, [Problem(*p) for p in raw_problems + cross_problems]


def load_catalog(
    data_dir: Path = GEODATA_DIR,
    bibliography_path: Path = BIBLIOGRAPHY_PATH,
    extra_paths: Iterable[Path] = (),
    basemap_path: Path | None = BASEMAP_PATH,
) -> Catalog:
    """Load the shipped layers (one file per layer), the label places and any extra layer files."""
    problems: list[Problem] = []
    bibliography, bibliography_problems = read_bibliography(bibliography_path)
    problems.extend(bibliography_problems)
    features: list[Feature] = []
    for layer in LAYERS:
        layer_features, layer_problems = read_layer_file(data_dir / f"{layer}.geojson", layer)
        features.extend(layer_features)
        problems.extend(layer_problems)
    for path in extra_paths:
        layer_features, layer_problems = read_layer_file(Path(path))
        features.extend(layer_features)
        problems.extend(layer_problems)
    hosts = HostIndex.from_basemap(basemap_path) if basemap_path and basemap_path.exists() else None
    if basemap_path and hosts is None:
        problems.append(Problem(_relative(basemap_path), None, None, "basemap missing: host states not checked"))
    places, place_problems = read_places(place_data.places_path(data_dir), bibliography, features)
    problems.extend(place_problems)
    uncited = uncited_entries(features, bibliography, places)
    features, cross_problems = _cross_check(features, bibliography, hosts)
    problems.extend(cross_problems)
    # Convention breaches are reported, not dropped: the feature is valid, its coding is not.
    problems.extend(Problem(*issue) for issue in convention_issues(features))
    for entry_id in uncited:
        problems.append(
            Problem(_relative(bibliography_path), entry_id, "id", "bibliography entry is cited by no feature")
        )
    return Catalog(features, bibliography, problems, places)
