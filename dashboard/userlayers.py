"""Your own GeoJSON layers: loaded beside the curated catalog, never mixed into it.

A user layer is one GeoJSON FeatureCollection; its name is the file's name without the
suffix. The light schema asks each feature only for a `name` and a geometry; `start` and
`end` (ISO 8601 at the precision known), `sources` (plain text or http(s) links) and any
other properties are optional, the others kept as text for display. Each problem is
reported with file, feature and field, as the curated loader does, and the valid rest still
loads. Input is treated as hostile: size, counts, vertices and nesting are bounded before
the costly work, and text is checked so that every output (HTML, KML, SVG, PDF) can carry it
as text. Feature ids are `user:<layer>:<id or #index>`, so they never meet a curated id.

Pure (no streamlit). The app reads the folder named by DASHBOARD_USER_LAYERS with
`user_layers_from_env` and adds uploads with `UserLayers.add_bytes`.
"""

from __future__ import annotations

import gc
import json
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path, PurePath
from typing import Annotated, Any

import numpy as np
import shapely
from pydantic import AfterValidator, ConfigDict, StringConstraints, ValidationError
from shapely.geometry import Point, mapping
from shapely.geometry.base import BaseGeometry

from .citations import is_http_url
from .loader import Problem, _relative, _validation_problems, shapely_geometry
from .safejson import BadNumber, DuplicateKeys, JsonRefused, parse_json_bytes, read_limited
from .schema import LAYERS, Dated, PartialDate
from .selection import ViewFilter

# Limits: each is enforced with a message naming it, before the work it bounds.
MAX_FILE_BYTES = 50 * 1024 * 1024  # a file or an upload, refused by size before it is parsed
MAX_FEATURES_PER_LAYER = 100_000
MAX_VERTICES_PER_FEATURE = 100_000
MAX_LAYERS = 20  # per session (the app) or per command (the CLI)
MAX_NESTING_DEPTH = 32  # arrays and objects; a MultiPolygon collection needs 8
MAX_TEXT_CHARS = 10_000  # any one name, source, property name or value
MAX_LAYER_NAME_CHARS = 64

ENV_VAR = "DASHBOARD_USER_LAYERS"
FILE_SUFFIXES = (".geojson", ".json")
GEOMETRY_TYPES = ("Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon")
ID_PREFIX = "user:"

# What no output can carry as text: control characters (tab and line breaks aside),
# unpaired surrogates and the two XML non-characters.
_UNSHOWABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_URL_SCHEME = re.compile(r"[a-z][a-z0-9+.\-]*://")
# Schemes that run or embed content; any text starting with one (spaces ignored) is a link.
_ACTIVE_SCHEMES = ("javascript:", "vbscript:", "data:", "file:", "blob:", "mailto:", "tel:")
_WGS84_NAMES = ("CRS84", "4326")
_TAKEN_PROPERTIES = ("name", "start", "end", "sources")
_EARLIEST, _LATEST = np.iinfo(np.int64).min, np.iinfo(np.int64).max


def layer_label(layer_name: str) -> str:
    """The `layer` value exports give a user feature."""
    return f"{ID_PREFIX}{layer_name}"


def is_user_feature_id(feature_id: str) -> bool:
    return feature_id.startswith(ID_PREFIX)


def text_problem(text: str, limit: int = MAX_TEXT_CHARS) -> str | None:
    """Why a text cannot be shown as it is, or None."""
    if len(text) > limit:
        return f"{len(text):,} characters; at most {limit:,}"
    if text.isprintable():  # the common case, checked in C
        return None
    unshowable = _UNSHOWABLE.search(text)
    if unshowable:
        return f"contains U+{ord(unshowable.group()):04X}, which cannot be shown as text"
    return None


def _shown(text: str, limit: int = 60) -> str:
    """A user's value quoted in a message, cut short."""
    return repr(text if len(text) <= limit else text[:limit] + "…")


def _checked_text(value: str) -> str:
    problem = text_problem(value)
    if problem:
        raise ValueError(problem)
    return value


def _checked_date(value: str) -> str:
    if len(value) > len("YYYY-MM-DD"):  # say so without quoting all of a long text
        raise ValueError(f"{_shown(value, 20)} is not an ISO 8601 date (YYYY, YYYY-MM or YYYY-MM-DD)")
    PartialDate.parse(value)
    return value


UserName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1), AfterValidator(_checked_text)]
UserDate = Annotated[str, AfterValidator(_checked_date)]


class UserProps(Dated):
    """The fields the light schema checks; every other property is kept as text."""

    model_config = ConfigDict(extra="ignore", frozen=True)
    name: UserName
    start: UserDate | None = None
    end: UserDate | None = None


@dataclass(eq=False, slots=True)
class UserFeature:
    id: str  # user:<layer>:<the file's id or #index>
    layer: str
    name: str
    start: str | None
    end: str | None
    start_year: int | None
    end_year: int | None
    sources: tuple[str, ...]  # plain text, or http(s) links
    attributes: dict[str, str]  # every other property, as text
    geometry: BaseGeometry  # while a layer loads, a point's checked position (see _build_points)
    file: str

    @property
    def layer_label(self) -> str:
        return layer_label(self.layer)

    def geojson_geometry(self) -> dict[str, Any]:
        return mapping(self.geometry)


@dataclass
class UserLayer:
    name: str
    file: str
    features: list[UserFeature]

    @cached_property
    def _years(self) -> tuple[np.ndarray, np.ndarray]:
        """Start and end years as arrays, a missing start as the earliest year and a missing
        end as the latest: a year's filter over 100,000 features then takes a millisecond."""
        starts = [_EARLIEST if f.start_year is None else f.start_year for f in self.features]
        ends = [_LATEST if f.end_year is None else f.end_year for f in self.features]
        return np.array(starts, dtype=np.int64), np.array(ends, dtype=np.int64)

    @cached_property
    def _objects(self) -> np.ndarray:
        """The features as an object array, so a year's mask picks them without a Python loop."""
        objects = np.empty(len(self.features), dtype=object)
        objects[:] = self.features
        return objects

    def active(self, first: int, last: int) -> list[UserFeature]:
        """The features active in any year from first to last: timefilter.years_overlap, on arrays."""
        starts, ends = self._years
        return self._objects[(starts <= last) & (ends >= first)].tolist()


def is_link(text: str) -> bool:
    """Text that a browser would follow as a link (spaces and controls inside a scheme
    fool some browsers, so they are ignored here)."""
    compact = re.sub(r"[\x00-\x20]+", "", text).lower()
    return bool(_URL_SCHEME.match(compact)) or compact.startswith(_ACTIVE_SCHEMES)


def _unreadable(value: Any) -> str | None:
    """A bad number or repeated key anywhere inside a property value, said in words."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, BadNumber):
            return str(item)
        if isinstance(item, DuplicateKeys):
            return f"the key {_shown(item.duplicates[0])} appears twice in one object"
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return None


def _as_text(value: Any) -> tuple[str | None, str | None]:
    """A property value as display text, or None and why not."""
    if value is None:
        return "", None
    if isinstance(value, bool):
        return ("true" if value else "false"), None
    if isinstance(value, (int, float)):
        return repr(value), None
    if isinstance(value, str):
        text = value
    else:
        problem = _unreadable(value)
        if problem:
            return None, problem
        text = json.dumps(value, ensure_ascii=False)
    problem = text_problem(text)
    return (None, problem) if problem else (text, None)


def _read_sources(value: Any) -> tuple[tuple[str, ...], list[tuple[str, str]]]:
    """The sources kept, and (field, message) for each one left out."""
    if value is None:
        return (), []
    if not isinstance(value, list):
        return (), [("sources", "must be a list of texts or http(s) links; left out")]
    kept: list[str] = []
    problems: list[tuple[str, str]] = []
    for index, item in enumerate(value):
        where = f"sources.{index}"
        if not isinstance(item, str):
            problems.append((where, f"{_unreadable(item) or 'not text'}; left out"))
            continue
        text = item.strip()
        problem = source_problem(text)
        if problem:
            problems.append((where, f"{problem}; left out"))
        else:
            kept.append(text)
    return tuple(kept), problems


@lru_cache(maxsize=4096)
def source_problem(text: str) -> str | None:
    """Why a source (stripped) cannot be kept, or None. Cached: the same few sources
    recur across thousands of features."""
    if not text:
        return "empty"
    problem = text_problem(text)
    if problem is None and is_link(text) and not is_http_url(text):
        if text.lower().startswith(("http://", "https://")):
            problem = f"{_shown(text)} holds a space, quote or angle bracket, which a link may not"
        else:
            problem = f"{_shown(text)} is a link but not an http(s) one"
    return problem


def _feature_key(raw: dict, properties: dict, index: int) -> tuple[str, str | None, str | None]:
    """The feature's own id (GeoJSON's `id`, else the property `id`) or #index; which
    property it came from; and why the id given could not be used."""
    if "id" in raw:
        value, source = raw["id"], None
    elif "id" in properties:
        value, source = properties["id"], "id"
    else:
        return f"#{index}", None, None
    position = f"#{index}"
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        why = str(value) if isinstance(value, BadNumber) else "not text or a number"
        return position, source, f"{why}; the feature's position {position} is used instead"
    text = value if isinstance(value, str) else repr(value)
    problem = text_problem(text, 200) or ("empty" if not text.strip() else None)
    if problem:
        return position, source, f"{problem}; the feature's position {position} is used instead"
    return text, source, None


def _position_groups(kind: str, coordinates: Any) -> list[tuple[str, list]] | None:
    """The lists of positions in a geometry, each with words to find it by; None when the
    arrays do not nest as the type says."""

    def lists(value: Any) -> bool:
        return isinstance(value, list) and all(isinstance(item, list) for item in value)

    if not isinstance(coordinates, list):
        return None
    if kind in ("MultiPoint", "LineString"):
        return [("", coordinates)]
    if not lists(coordinates):
        return None
    if kind == "MultiLineString":
        return [(f"line {i} ", line) for i, line in enumerate(coordinates, start=1)]
    if kind == "Polygon":
        return [(f"ring {i} ", ring) for i, ring in enumerate(coordinates, start=1)]
    if not all(lists(polygon) for polygon in coordinates):
        return None
    return [
        (f"polygon {p} ring {r} ", ring)
        for p, polygon in enumerate(coordinates, start=1)
        for r, ring in enumerate(polygon, start=1)
    ]


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}" + ("" if number == 1 else "s")


def _position_problem(position: Any) -> str | None:
    if not (isinstance(position, list) and 2 <= len(position) <= 3):
        return "is not [longitude, latitude]"
    for number in position:
        if isinstance(number, BadNumber):
            return f"is unreadable: {number}"
        if isinstance(number, bool) or not isinstance(number, (int, float)):
            return "holds something other than numbers"
    lon, lat = position[0], position[1]
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        return f"({lon}, {lat}) is outside longitude -180..180 / latitude -90..90"
    return None


def read_geometry(raw: Any) -> tuple[BaseGeometry | None, str | None]:
    """A user feature's geometry, or None and why it cannot be drawn."""
    geometry, problem = _checked_geometry(raw)
    return (Point(geometry) if isinstance(geometry, list) else geometry), problem


def _checked_geometry(raw: Any) -> tuple[BaseGeometry | list | None, str | None]:
    """As read_geometry, but a point comes back as its checked position: shapely builds
    100,000 points at once some twenty times faster than one by one."""
    if not isinstance(raw, dict):
        return None, "missing or not an object"
    if isinstance(raw, DuplicateKeys):
        return None, f"the key {_shown(raw.duplicates[0])} appears twice"
    kind = raw.get("type")
    if kind not in GEOMETRY_TYPES:
        return None, f"type {_shown(str(kind))} is not supported (use one of {', '.join(GEOMETRY_TYPES)})"
    coordinates = raw.get("coordinates")
    if kind == "Point":
        if coordinates == []:
            return None, "empty geometry (no coordinates)"
        problem = _position_problem(coordinates)
        return (None, f"position {problem}") if problem else (coordinates, None)
    groups = _position_groups(kind, coordinates)
    if groups is None:
        return None, f"coordinates do not nest as a {kind}'s do"
    vertices = sum(len(positions) for _, positions in groups)
    if vertices > MAX_VERTICES_PER_FEATURE:
        return None, f"{vertices:,} vertices; at most {MAX_VERTICES_PER_FEATURE:,} per feature"
    if vertices == 0:
        return None, "empty geometry (no coordinates)"
    for where, positions in groups:
        for number, position in enumerate(positions, start=1):
            problem = _position_problem(position)
            if problem:
                return None, f"{where}position {number} {problem}"
        if kind in ("LineString", "MultiLineString") and len(positions) < 2:
            return None, f"{where}has {_count(len(positions), 'position')}; a line needs at least 2"
        if kind in ("Polygon", "MultiPolygon"):
            if len(positions) < 4:
                return None, f"{where}has {_count(len(positions), 'position')}; a closed ring needs at least 4"
            if positions[0][:2] != positions[-1][:2]:
                return None, f"{where}is not closed: its last position differs from its first"
    geometry, message = shapely_geometry(raw)
    return geometry, (message or None)


def read_feature(layer: str, raw: Any, index: int, file: str) -> tuple[UserFeature | None, list[Problem]]:
    """Check one feature with the light schema; the feature (or None) and every problem."""
    feature, problems = _read_feature(layer, raw, index, file)
    if feature is not None and isinstance(feature.geometry, list):
        feature.geometry = Point(feature.geometry)
    return feature, problems


def _build_points(features: list[UserFeature]) -> None:
    """Give the features that hold a checked position their shapely point, 2-D ones at once."""
    pending = [f for f in features if isinstance(f.geometry, list)]
    flat = [f for f in pending if len(f.geometry) == 2]
    for feature, point in zip(flat, shapely.points(np.array([f.geometry for f in flat]).reshape(-1, 2)), strict=True):
        feature.geometry = point
    for feature in pending:
        if isinstance(feature.geometry, list):
            feature.geometry = Point(feature.geometry)


def _read_feature(layer: str, raw: Any, index: int, file: str) -> tuple[UserFeature | None, list[Problem]]:
    if not isinstance(raw, dict) or raw.get("type") != "Feature":
        return None, [Problem(file, f"#{index}", None, "not a GeoJSON Feature object")]
    properties = raw.get("properties")
    properties = {} if properties is None else properties
    if not isinstance(properties, dict):
        return None, [Problem(file, f"#{index}", "properties", "not an object")]
    key, id_property, id_problem = _feature_key(raw, properties, index)
    # Problems that keep the feature off the map; those after them only leave a value out.
    problems: list[Problem] = []
    for where, value in (("", raw), ("properties.", properties)):
        if isinstance(value, DuplicateKeys):
            problems.extend(
                Problem(file, key, where + name, "appears twice in one object; which one is meant is unclear")
                for name in value.duplicates
            )
    try:
        props = UserProps.model_validate(properties)
    except ValidationError as error:
        props = None
        problems.extend(_validation_problems(file, key, error))
    geometry, geometry_problem = _checked_geometry(raw.get("geometry"))
    if geometry_problem:
        problems.append(Problem(file, key, "geometry", geometry_problem))
    if id_problem:
        problems.insert(0, Problem(file, key, "id", id_problem))
    if props is None or geometry is None or len(problems) > bool(id_problem):
        return None, problems
    sources, source_problems = _read_sources(properties.get("sources"))
    problems.extend(Problem(file, key, where, message) for where, message in source_problems)
    attributes: dict[str, str] = {}
    for name, value in properties.items():
        if name in _TAKEN_PROPERTIES or name == id_property:
            continue
        name_problem = text_problem(name, 200)
        text, value_problem = _as_text(value)
        if name_problem or value_problem:
            where = f"properties.{name}" if not name_problem else "properties"
            why = f"a property name {name_problem}" if name_problem else value_problem
            problems.append(Problem(file, key, where, f"{why}; left out"))
        else:
            attributes[name] = text
    start_year = PartialDate.parse(props.start).year if props.start else None
    end_year = PartialDate.parse(props.end).year if props.end else None
    feature = UserFeature(
        f"{ID_PREFIX}{layer}:{key}",
        layer,
        props.name,
        props.start,
        props.end,
        start_year,
        end_year,
        sources,
        attributes,
        geometry,
        file,
    )
    return feature, problems


def layer_name_problem(name: str) -> str | None:
    if not name.strip():
        return "the file name gives no layer name"
    if name in LAYERS:
        return (
            f"named after the built-in layer {name!r}: your layers are kept apart from the curated data, "
            "so rename the file"
        )
    if ":" in name:
        return "a layer name may not contain ':'"
    return text_problem(name, MAX_LAYER_NAME_CHARS)


def layer_name(file_name: str) -> str:
    """The layer a file name gives: its last part without a .geojson or .json suffix."""
    base = PurePath(file_name.replace("\\", "/")).name
    stem, suffix = os.path.splitext(base)
    return stem.strip() if suffix.lower() in FILE_SUFFIXES else base.strip()


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector while a layer loads: it would otherwise scan the
    growing heap again and again, a quarter of the time for 100,000 features. Nothing
    made here forms cycles, so nothing waits for it."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def read_user_layer(name: str, data: bytes, file: str) -> tuple[UserLayer | None, list[Problem], list[Problem]]:
    """One user layer from a file's bytes: the layer (None when the file cannot be used),
    its problems, and notes (what was accepted but changed, like a byte order mark)."""
    with _collector_paused():
        return _read_user_layer(name, data, file)


def _read_user_layer(name: str, data: bytes, file: str) -> tuple[UserLayer | None, list[Problem], list[Problem]]:

    def refused(message: str, where: str | None = None) -> tuple[None, list[Problem], list[Problem]]:
        return None, [Problem(file, None, where, message)], []

    try:
        parsed = parse_json_bytes(data, max_bytes=MAX_FILE_BYTES, max_depth=MAX_NESTING_DEPTH)
    except JsonRefused as error:
        return refused(str(error))
    notes = [Problem(file, None, None, note) for note in parsed.notes]
    document = parsed.document
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        return refused("not a GeoJSON FeatureCollection", "type")
    if isinstance(document, DuplicateKeys):
        return refused(f"the key {_shown(document.duplicates[0])} appears twice in the collection")
    crs = document.get("crs")
    if crs is not None and not any(part in repr(crs) for part in _WGS84_NAMES):
        return refused(
            "declares a coordinate system other than WGS84 longitude/latitude; reproject it (RFC 7946 GeoJSON)", "crs"
        )
    if document.get("name") in LAYERS and document.get("name") != name:
        notes.append(
            Problem(
                file,
                None,
                "name",
                f"the collection is named {document['name']!r}, but the file name makes it your layer {name!r}",
            )
        )
    raw_features = document.get("features")
    if not isinstance(raw_features, list):
        return refused("missing or not a list", "features")
    problems: list[Problem] = []
    if len(raw_features) > MAX_FEATURES_PER_LAYER:
        problems.append(
            Problem(
                file,
                None,
                "features",
                f"{len(raw_features):,} features; only the first {MAX_FEATURES_PER_LAYER:,} are read",
            )
        )
    features: list[UserFeature] = []
    first_with_id: dict[str, int] = {}
    for index, raw in enumerate(raw_features[:MAX_FEATURES_PER_LAYER]):
        feature, feature_problems = _read_feature(name, raw, index, file)
        problems.extend(feature_problems)
        if feature is None:
            continue
        if feature.id in first_with_id:
            key = feature.id.removeprefix(f"{ID_PREFIX}{name}:")
            problems.append(
                Problem(file, key, "id", f"duplicate id: feature #{first_with_id[feature.id]} has it; left out")
            )
            continue
        first_with_id[feature.id] = index
        features.append(feature)
    _build_points(features)
    return UserLayer(name, file, features), problems, notes


@dataclass
class UserLayers:
    """The user layers of a session or a command, apart from the curated catalog."""

    layers: list[UserLayer] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)  # accepted as they are, but worth saying

    @property
    def features(self) -> list[UserFeature]:
        return [feature for layer in self.layers for feature in layer.features]

    @property
    def names(self) -> list[str]:
        return [layer.name for layer in self.layers]

    def get(self, feature_id: str) -> UserFeature | None:
        if not is_user_feature_id(feature_id):
            return None
        for layer in self.layers:
            if feature_id.startswith(f"{ID_PREFIX}{layer.name}:"):
                return next((f for f in layer.features if f.id == feature_id), None)
        return None

    def active(self, year: int | None, until: int | None = None) -> list[UserFeature]:
        """The features shown in a year, or any year from year to until: the curated data's
        rule (start year <= Y <= end year; no start: always; no end: still current)."""
        if year is None:
            return self.features
        first, last = sorted((year, year if until is None else until))
        if len(self.layers) == 1:  # the usual case: no second pass over 100,000 features
            return self.layers[0].active(first, last)
        active: list[UserFeature] = []
        for layer in self.layers:
            active.extend(layer.active(first, last))
        return active

    def visible(self, view: ViewFilter) -> list[UserFeature]:
        """What a view shows of the user layers: its years. Organizations and the curated
        layer choice do not apply to them."""
        return self.active(view.year, view.until)

    def _admit(self, file: str, name: str) -> bool:
        """Whether one more layer of this name may load; if not, say why."""
        taken = next((layer for layer in self.layers if layer.name.casefold() == name.casefold()), None)
        problem = layer_name_problem(name)
        if problem is None and taken is not None:
            problem = f"a layer named {taken.name!r} is already loaded from {taken.file}; rename one of the files"
        if problem is None and len(self.layers) >= MAX_LAYERS:
            problem = f"at most {MAX_LAYERS} user layers are loaded; this one is left out"
        if problem:
            self.problems.append(Problem(file, None, None, problem))
        return problem is None

    def _read(self, name: str, data: bytes, file: str) -> UserLayer | None:
        layer, problems, notes = read_user_layer(name, data, file)
        self.problems.extend(problems)
        self.notes.extend(notes)
        if layer is not None:
            self.layers.append(layer)
        return layer

    def add_bytes(self, file_name: str, data: bytes) -> UserLayer | None:
        """An upload: its file name gives the layer's name; problems name that file."""
        name = layer_name(file_name)
        return self._read(name, data, file_name) if self._admit(file_name, name) else None

    def add_file(self, path: str | Path) -> UserLayer | None:
        path = Path(path)
        file, name = _relative(path), layer_name(path.name)
        if not self._admit(file, name):
            return None
        try:
            data = read_limited(path, MAX_FILE_BYTES)
        except JsonRefused as error:
            self.problems.append(Problem(file, None, None, str(error)))
            return None
        except OSError as error:
            self.problems.append(Problem(file, None, None, f"cannot be read: {error.strerror or error}"))
            return None
        return self._read(name, data, file)

    def add_folder(self, folder: Path) -> None:
        """Every .geojson and .json file in the folder (not in folders below it), by name."""
        folder = Path(folder)
        if not folder.is_dir():
            self.problems.append(Problem(_relative(folder), None, None, "folder not found"))
            return
        for path in sorted(folder.iterdir()):
            if path.suffix.lower() in FILE_SUFFIXES:
                self.add_file(path)
            else:
                self.notes.append(Problem(_relative(path), None, None, "not a .geojson or .json file; skipped"))

    def add_paths(self, paths: Iterable[str | Path]) -> None:
        for path in map(Path, paths):
            if path.is_dir():
                self.add_folder(path)
            else:
                self.add_file(path)


def visible_user_features(user_layers: UserLayers | None, view: ViewFilter) -> list[UserFeature]:
    """What a view shows of the user layers, if any are loaded."""
    return user_layers.visible(view) if user_layers is not None else []


def load_user_layers(paths: Iterable[str | Path] = (), uploads: Iterable[tuple[str, bytes]] = ()) -> UserLayers:
    """User layers from files and folders, then uploads given as (file name, bytes)."""
    layers = UserLayers()
    layers.add_paths(paths)
    for file_name, data in uploads:
        layers.add_bytes(file_name, data)
    return layers


def user_layers_from_env(environ: Mapping[str, str] = os.environ) -> UserLayers | None:
    """The layers DASHBOARD_USER_LAYERS names (folders or files, separated by the system's
    path separator); None when it is unset or empty."""
    value = environ.get(ENV_VAR, "").strip()
    if not value:
        return None
    return load_user_layers(part for part in value.split(os.pathsep) if part.strip())
