"""Global Energy Monitor pipeline route files → one user layer (a GeoJSON FeatureCollection).

GEM publishes one route file per pipeline (its ProjectID) in a loose format: properties
differ from file to file, some files are raw OpenStreetMap exports, geometries are
LineString or MultiLineString, one feature or many. Each file becomes one feature with a
name, a geodesic length and the attributions its licences ask for. A file that cannot be
read is rejected with one line per problem; nothing is guessed, nothing left out silently.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from pyproj import Geod

from .loader import Problem

GEM_LICENCE = "CC BY 4.0"
OSM_ATTRIBUTION = "© OpenStreetMap contributors, ODbL"
TRACKERS = {"liquid": "Global Oil Infrastructure Tracker", "gas": "Global Gas Infrastructure Tracker"}
# GEM's route repository keeps each tracker's files in a folder of this name.
FOLDER_KINDS = {"liquid-pipelines": "liquid", "gas-pipelines": "gas"}
# The words of GEM's `Fuel` property (e.g. "Oil, NGL") that say which tracker a route belongs to.
FUEL_KINDS = {"oil": "liquid", "crude oil": "liquid", "ngl": "liquid", "gas": "gas", "natural gas": "gas"}
# Keys that OpenStreetMap exports carry (overpass-turbo's `@id`/`@relations`, and OSM tags).
OSM_KEYS = frozenset({"@id", "@relations", "man_made", "substance", "seamark:type"})
# Properties that name a segment or an OSM way rather than the pipeline: kept, not used as the name.
OTHER_NAME_KEYS = ("SegmentName", "Name", "name")
LINE_TYPES = ("LineString", "MultiLineString")

_GEOD = Geod(ellps="WGS84")


class _Invalid(ValueError):
    """A problem that rejects the file, with the field it sits in."""

    def __init__(self, field: str | None, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass
class GemImport:
    """What an import made: one feature per converted file, and what was wrong or left out."""

    features: list[dict[str, Any]] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)

    def collection(self) -> dict[str, Any]:
        return {"type": "FeatureCollection", "features": self.features}


def route_files(paths: Iterable[Path], exclude: Path | None = None) -> list[Path]:
    """The files named, and every *.geojson below the folders named, each once.

    Raises ValueError (a usage mistake) for a path that does not exist or a folder without
    route files. `exclude` keeps the output file out when it is written inside an input folder.
    """
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            inside = sorted(p for p in path.rglob("*.geojson") if p.is_file())
            if not inside:
                raise ValueError(f"no .geojson files in the folder {path}")
            found.extend(inside)
        elif path.exists():
            found.append(path)
        else:
            raise ValueError(f"no such file or folder: {path}")
    seen = {exclude.resolve()} if exclude is not None else set()
    unique = []
    for path in found:
        if path.resolve() not in seen:
            seen.add(path.resolve())
            unique.append(path)
    return unique


def import_routes(paths: Iterable[Path]) -> GemImport:
    """Convert every route file; a rejected file leaves the others converted."""
    result = GemImport()
    imported_from: dict[str, str] = {}
    for path in paths:
        feature, errors, notes = convert_route_file(path)
        if feature is not None:
            project_id = feature["properties"]["gem_project_id"]
            if project_id in imported_from:
                first = imported_from[project_id]
                errors = [Problem(str(path), None, "ProjectID", f"{project_id} was imported already from {first}")]
            else:
                imported_from[project_id] = str(path)
                result.features.append(feature)
        if errors:
            result.errors.extend(errors)
            result.rejected.append(str(path))
        else:
            result.notes.extend(notes)
    return result


def convert_route_file(path: Path) -> tuple[dict[str, Any] | None, list[Problem], list[Problem]]:
    """One route file as one feature, or the problems that reject it; notes say what was left out."""
    file = str(path)
    try:
        document = _read_json(path)
        raw_features = _raw_features(document)
    except _Invalid as error:
        return None, [Problem(file, None, error.field, error.message)], []

    errors: list[Problem] = []
    notes: list[Problem] = []
    lines: list[list[list[float]]] = []
    located: list[dict[str, Any]] = []  # the properties of features that have a line
    every: list[dict[str, Any]] = []
    for index, raw in enumerate(raw_features):
        where = f"feature {index}"
        try:
            properties, geometry = _feature_parts(raw)
            every.append(properties)
            if geometry is None:
                project = f", ProjectID {_shown(properties['ProjectID'])}" if properties.get("ProjectID") else ""
                notes.append(Problem(file, where, "geometry", f"null (an unlocated feature{project}): left out"))
                continue
            lines.extend(_lines(geometry))
            located.append(properties)
        except _Invalid as error:
            errors.append(Problem(file, where, error.field, error.message))
    try:
        if not errors and not lines:
            raise _Invalid("features", "no line geometry in the file")
        project_id = _project_id(path, located)
    except _Invalid as error:
        errors.append(Problem(file, None, error.field, error.message))
    if errors:
        return None, errors, []
    geometry = (
        {"type": "LineString", "coordinates": lines[0]}
        if len(lines) == 1
        else {"type": "MultiLineString", "coordinates": lines}
    )
    properties = _route_properties(path, project_id, located, every, document, lines)
    return {"type": "Feature", "properties": properties, "geometry": geometry}, [], notes


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as error:
        raise _Invalid(None, f"not UTF-8 text: {error.reason} at byte {error.start}") from error
    except json.JSONDecodeError as error:
        raise _Invalid(None, f"not valid JSON: {error.msg} at line {error.lineno} column {error.colno}") from error
    except OSError as error:
        raise _Invalid(None, f"cannot be read: {error.strerror or error}") from error


def _raw_features(document: Any) -> list[Any]:
    """The file's features: from a FeatureCollection, a single Feature or a bare line geometry."""
    kind = document.get("type") if isinstance(document, dict) else None
    if kind == "FeatureCollection":
        features = document.get("features")
        if not isinstance(features, list):
            raise _Invalid("features", "missing or not a list")
        return features
    if kind == "Feature":
        return [document]
    if kind in LINE_TYPES:
        return [{"type": "Feature", "properties": {}, "geometry": document}]
    found = kind if kind is not None else type(document).__name__
    raise _Invalid("type", f"expected a FeatureCollection, a Feature or a line geometry, found {_shown(found)}")


def _feature_parts(raw: Any) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """A feature's properties (null read as none) and geometry (None when unlocated, as RFC 7946 allows)."""
    if not isinstance(raw, dict) or raw.get("type") != "Feature":
        raise _Invalid("type", "not a GeoJSON Feature")
    properties = raw.get("properties")
    if properties is None:
        properties = {}
    if not isinstance(properties, dict):
        raise _Invalid("properties", "not an object")
    if "geometry" not in raw:
        raise _Invalid("geometry", "missing")
    geometry = raw["geometry"]
    if geometry is not None and not isinstance(geometry, dict):
        raise _Invalid("geometry", "not an object")
    return properties, geometry


def _lines(geometry: dict[str, Any]) -> list[list[list[float]]]:
    """The geometry's lines, each position checked."""
    kind = geometry.get("type")
    if kind not in LINE_TYPES:
        raise _Invalid("geometry.type", f"{_shown(kind)} is not a line (LineString or MultiLineString)")
    coordinates = geometry.get("coordinates")
    if kind == "LineString":
        return [_line(coordinates, "geometry.coordinates")]
    if not isinstance(coordinates, list) or not coordinates:
        raise _Invalid("geometry.coordinates", "empty: a MultiLineString needs at least one line")
    return [_line(part, f"geometry.coordinates[{index}]") for index, part in enumerate(coordinates)]


def _line(coordinates: Any, where: str) -> list[list[float]]:
    if not isinstance(coordinates, list) or len(coordinates) < 2:
        found = "empty" if coordinates in (None, []) else f"found {_shown(coordinates)}"
        raise _Invalid(where, f"a line needs at least two positions ({found})")
    for index, position in enumerate(coordinates):
        _check_position(position, f"{where}[{index}]")
    return coordinates


def _check_position(position: Any, where: str) -> None:
    if not (isinstance(position, list) and 2 <= len(position) <= 3 and all(_is_number(v) for v in position)):
        raise _Invalid(where, f"not a position [longitude, latitude]: {_shown(position)}")
    longitude, latitude = position[0], position[1]
    if not -180 <= longitude <= 180:
        raise _Invalid(where, f"longitude {longitude} is outside -180..180")
    if not -90 <= latitude <= 90:
        raise _Invalid(where, f"latitude {latitude} is outside -90..90")


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _shown(value: Any, limit: int = 60) -> str:
    """A value from the file quoted on one line (JSON escapes newlines), cut when long."""
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _texts(properties: Iterable[dict[str, Any]], key: str) -> list[str]:
    """The distinct non-empty text values of one property, in file order."""
    values: list[str] = []
    for props in properties:
        value = props.get(key)
        if isinstance(value, str) and value.strip() and value.strip() not in values:
            values.append(value.strip())
    return values


def _project_id(path: Path, located: list[dict[str, Any]]) -> str:
    """The ProjectID the file's lines carry, else the file name's stem (GEM names files <ProjectID>.geojson)."""
    for props in located:
        if "ProjectID" in props and not isinstance(props["ProjectID"], (str, type(None))):
            raise _Invalid("ProjectID", f"not text: {_shown(props['ProjectID'])}")
    ids = _texts(located, "ProjectID")
    for project_id in ids:
        if not project_id.isprintable():
            raise _Invalid("ProjectID", f"not one line of text: {_shown(project_id)}")
    if len(ids) > 1:
        raise _Invalid("ProjectID", f"the lines name several projects ({', '.join(ids)}); one file holds one project")
    return ids[0] if ids else path.stem


def _pipeline_kind(path: Path, fuel: str | None) -> tuple[str, str]:
    """Liquid or gas (which GEM tracker), and what said so: the Fuel property, else the folder."""
    if fuel:
        words = {word.strip().lower() for word in re.split(r"[,;/&]| and ", fuel) if word.strip()}
        kinds = {FUEL_KINDS.get(word) for word in words}
        if len(kinds) == 1 and None not in kinds:
            return kinds.pop(), f"Fuel property ({fuel})"
    folder = path.parent.name
    if folder in FOLDER_KINDS:
        return FOLDER_KINDS[folder], f"folder {folder}"
    said = f"Fuel {fuel!r} names neither oil/NGL nor gas alone" if fuel else "no Fuel property"
    return "unknown", f"unknown: {said}, and the folder is neither liquid-pipelines nor gas-pipelines"


def _from_openstreetmap(document: Any, every: list[dict[str, Any]]) -> bool:
    """Whether the file came from OpenStreetMap: an overpass copyright note, or OSM keys on a feature."""
    copyright_note = document.get("copyright") if isinstance(document, dict) else None
    if isinstance(copyright_note, str) and "openstreetmap" in copyright_note.lower():
        return True
    return any(OSM_KEYS & props.keys() for props in every)


def _other_names(located: list[dict[str, Any]]) -> list[str]:
    """Names of segments or OSM ways and relations in the file, for the reader to judge."""
    names = [name for key in OTHER_NAME_KEYS for name in _texts(located, key)]
    for props in located:
        for relation in props.get("@relations") or ():
            tags = relation.get("reltags") if isinstance(relation, dict) else None
            name = tags.get("name") if isinstance(tags, dict) else None
            if isinstance(name, str) and name.strip():
                names.append(name.strip())
    return list(dict.fromkeys(names))


def _is_http_link(value: str) -> bool:
    parsed = urlparse(value)
    return parsed.scheme in ("http", "https") and bool(parsed.netloc) and not re.search(r"\s", value)


def _route_properties(
    path: Path,
    project_id: str,
    located: list[dict[str, Any]],
    every: list[dict[str, Any]],
    document: Any,
    lines: list[list[list[float]]],
) -> dict[str, Any]:
    pipeline_names = _texts(located, "PipelineName")
    fuels = _texts(located, "Fuel")
    fuel = ", ".join(fuels) or None
    kind, kind_basis = _pipeline_kind(path, fuel)
    tracker = TRACKERS.get(kind, "Global Oil or Gas Infrastructure Tracker (not known which)")
    osm = _from_openstreetmap(document, every)
    sources = [f"Global Energy Monitor, {tracker}, ProjectID {project_id} ({GEM_LICENCE})"]
    sources += [link for link in _texts(located, "Wiki") if _is_http_link(link)]
    if osm:
        sources.append(OSM_ATTRIBUTION)
    properties: dict[str, Any] = {
        "id": "gem-" + (re.sub(r"[^a-z0-9]+", "-", project_id.lower()).strip("-") or "route"),
        "name": " / ".join(pipeline_names) or f"GEM project {project_id} (no pipeline name in the route file)",
    }
    if fuel:
        properties["fuel"] = fuel
    properties["pipeline_kind"] = kind
    properties["pipeline_kind_from"] = kind_basis
    properties["gem_project_id"] = project_id
    properties["length_km"] = round(_length_km(lines), 1)
    other_names = [name for name in _other_names(located) if name not in pipeline_names]
    if other_names:
        properties["names_in_file"] = other_names
    properties["sources"] = sources
    properties["licence"] = (
        f"{GEM_LICENCE} (Global Energy Monitor); ODbL (OpenStreetMap contributors)" if osm else GEM_LICENCE
    )
    properties["route_file"] = path.name
    return properties


def _length_km(lines: list[list[list[float]]]) -> float:
    """Geodesic length on WGS84 over the stored vertices (GEM's routes are already dense)."""
    metres = sum(_GEOD.line_length([p[0] for p in line], [p[1] for p in line]) for line in lines)
    return metres / 1000.0
