"""Property-based tests (hypothesis): parsers that face users' input never fail otherwise
than by saying what is wrong.

Example counts are kept modest so this file runs in seconds on CI's two cores.
"""

from __future__ import annotations

import datetime
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard.loader import Problem
from dashboard.schema import LAYERS, ORGS, PartialDate
from dashboard.userlayers import GEOMETRY_TYPES, UserLayers, read_user_layer
from dashboard.viewstate import FIRST_YEAR, DashboardState, parse_query

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --- Strategies --------------------------------------------------------------------------------

# Any JSON value, NaN and the infinities included (json.dumps writes them as NaN/Infinity).
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4),
    max_leaves=16,
)
# Values a user layer's fields see in practice, hostile ones among them.
field_values = st.sampled_from(
    ["2001", "2001-02", "2001-02-29", "1999-13", "", " ", "javascript:alert(1)", "https://example.org", "<b>x</b>"]
)


def mostly(valid, other):
    """valid three times in four, so that enough features load to test what follows."""
    return st.sampled_from((valid, valid, valid, other)).flatmap(lambda strategy: strategy)


# Positions mostly in range, with now and then anything at all; rings mostly closed.
good_positions = st.tuples(st.floats(-180, 180), st.floats(-90, 90)).map(list)
positions = mostly(good_positions, st.lists(st.integers(-200, 200) | st.floats() | json_values, max_size=4))
lines = mostly(st.lists(positions, min_size=2, max_size=5), st.lists(positions, max_size=1))
rings = lines.map(lambda ring: ring + ring[:1]) | lines
coordinates_by_type = {
    "Point": positions,
    "MultiPoint": lines,
    "LineString": lines,
    "MultiLineString": st.lists(lines, min_size=1, max_size=3),
    "Polygon": st.lists(rings, min_size=1, max_size=3),
    "MultiPolygon": st.lists(st.lists(rings, min_size=1, max_size=2), min_size=1, max_size=2),
}
geometries = mostly(
    st.sampled_from(GEOMETRY_TYPES).flatmap(
        lambda kind: st.fixed_dictionaries({"type": st.just(kind), "coordinates": coordinates_by_type[kind]})
    ),
    st.fixed_dictionaries({"type": st.sampled_from(["GeometryCollection", "Circle", None]), "coordinates": lines})
    | json_values,
)
dates = st.sampled_from(["1991", "2001-02", "2010-12-31", None])
properties = st.fixed_dictionaries(
    {
        "name": mostly(
            st.sampled_from(["Astana", "<script>alert(1)</script>", "Ж $x$"]), st.text(max_size=8) | json_values
        )
    },
    optional={
        "start": mostly(dates, field_values | json_values),
        "end": mostly(dates, field_values | json_values),
        "sources": mostly(st.lists(field_values, max_size=3), json_values),
        **{key: field_values | json_values for key in ("id", "note", "<i>")},
    },
)
features = mostly(
    st.fixed_dictionaries(
        {"type": st.just("Feature"), "geometry": geometries, "properties": mostly(properties, json_values)},
        optional={"id": json_values},
    ),
    json_values,
)
crs = st.sampled_from(
    [{"type": "name", "properties": {"name": name}} for name in ("urn:ogc:def:crs:OGC:1.3:CRS84", "EPSG:3857")]
)
documents = (
    st.fixed_dictionaries(
        {"type": st.just("FeatureCollection"), "features": st.lists(features, max_size=6)},
        optional={"crs": crs, "name": st.sampled_from(LAYERS) | st.text(max_size=5)},
    )
    | json_values
)


def _read(data: bytes):
    layer, problems, notes = read_user_layer("mine", data, "mine.geojson")
    for problem in problems + notes:
        assert isinstance(problem, Problem) and problem.file == "mine.geojson"
        assert isinstance(problem.message, str) and problem.message
    return layer, problems


# --- The user-layer loader -----------------------------------------------------------------------


@SETTINGS
@given(documents)
def test_any_json_document_gives_features_and_problems_never_an_exception(document):
    layer, problems = _read(json.dumps(document).encode("utf-8", "surrogatepass"))
    if layer is None:
        assert problems  # a file left out is always said
        return
    ids = [feature.id for feature in layer.features]
    assert len(ids) == len(set(ids)) and all(i.startswith("user:mine:") for i in ids)
    count = len(document["features"]) if isinstance(document, dict) else 0
    # Each feature either loads or is named in a problem: nothing is dropped silently.
    named = {p.feature_id for p in problems}
    assert len(layer.features) + len(named - {None}) >= count


@SETTINGS
@given(st.binary(max_size=300))
def test_any_bytes_give_problems_never_an_exception(data):
    _read(data)


@SETTINGS
@given(documents, st.data())
def test_a_document_cut_or_spliced_anywhere_gives_problems_never_an_exception(document, data):
    text = json.dumps(document).encode()
    cut = data.draw(st.integers(0, len(text)))
    splice = data.draw(st.sampled_from([b"", b"[", b"{", b'"', b"\\", b"\xff", b"NaN", b"\xef\xbb\xbf"]))
    _read(text[:cut] + splice + text[cut:][: data.draw(st.integers(0, len(text)))])


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.none() | st.integers(1985, 2030), st.none() | st.integers(0, 12), st.sampled_from(["", "-06", "-06-15"])
        ),
        max_size=12,
    ),
    st.integers(1985, 2030),
    st.integers(0, 5),
)
def test_year_filter_is_the_documented_rule(spans, year, width):
    """start year <= Y <= end year; no start: always; no end: still current."""
    docs = []
    for index, (start, length, detail) in enumerate(spans):
        props = {"name": f"F{index}"}
        if start is not None:
            props["start"] = f"{start}{detail}"
        if length is not None:
            props["end"] = f"{(start or 1985) + length}{detail}"
        docs.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [1, 2]}, "properties": props})
    layers = UserLayers()
    layers.add_bytes("spans.geojson", json.dumps({"type": "FeatureCollection", "features": docs}).encode())
    assert layers.problems == []

    def shown(feature, first, last) -> bool:
        starts = feature.start is None or int(feature.start[:4]) <= last
        return starts and (feature.end is None or int(feature.end[:4]) >= first)

    assert layers.active(year) == [f for f in layers.features if shown(f, year, year)]
    assert layers.active(year + width, year) == [f for f in layers.features if shown(f, year, year + width)]


# --- The partial-date parser ----------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=12) | st.from_regex(r"[0-9]{4}(-[0-9]{1,2}(-[0-9]{1,2})?)?\n?", fullmatch=True))
def test_a_date_parses_to_exactly_itself_or_is_refused_with_value_error(text):
    try:
        date = PartialDate.parse(text)
    except ValueError:
        return
    assert str(date) == text


@settings(max_examples=300, deadline=None)
@given(
    st.tuples(st.integers(1, 9999), st.integers(0, 13), st.integers(0, 32)).map(
        lambda ymd: "{:04d}-{:02d}-{:02d}".format(*ymd)
    )
)
def test_a_full_date_is_accepted_exactly_when_the_calendar_has_it(text):
    try:
        datetime.date.fromisoformat(text)
        exists = True
    except ValueError:
        exists = False
    try:
        PartialDate.parse(text)
        accepted = True
    except ValueError:
        accepted = False
    assert accepted == exists


@settings(max_examples=200, deadline=None)
@given(st.dates(), st.sampled_from([1, 2, 3]))
def test_every_calendar_date_at_every_precision_parses(day, parts):
    text = day.isoformat()[: (4, 7, 10)[parts - 1]]
    parsed = PartialDate.parse(text)
    assert (parsed.year, parsed.month, parsed.day) == (
        day.year,
        *(day.month, day.day)[: parts - 1],
        *[None] * (3 - parts),
    )


# --- The URL-state parser -------------------------------------------------------------------------

IDS = {"base-kant", "state-kaz", "user:mine:#0"}
KEYS = ["year", "orgs", "layers", "feature", "range", "compare"]
query_texts = (
    st.text(max_size=20)
    | st.from_regex(r"-?[0-9]{1,5}(-[0-9]{0,5})?", fullmatch=True)
    | st.lists(st.sampled_from([*ORGS, *LAYERS, "X", " ", ""]), max_size=5).map(",".join)
    | st.sampled_from(sorted(IDS))
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=5), query_texts), st.integers(1992, 2100))
def test_any_query_gives_a_valid_state_and_notes_never_an_exception(params, last_year):
    state, notes = parse_query(params, last_year, IDS)
    assert FIRST_YEAR <= state.year <= last_year
    assert set(state.orgs) <= set(ORGS) and set(state.layers) <= set(LAYERS)
    assert state.feature is None or state.feature in IDS
    assert state.range is None or FIRST_YEAR <= state.range[0] <= state.range[1] <= last_year
    assert state.compare is None or FIRST_YEAR <= state.compare <= last_year
    assert all(isinstance(note, str) and note for note in notes)


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_a_state_survives_its_own_query(data):
    last_year = data.draw(st.integers(1992, 2100))
    years = st.integers(FIRST_YEAR, last_year)
    first, second = sorted(data.draw(st.tuples(years, years)))
    state = DashboardState(
        year=data.draw(years),
        orgs=data.draw(st.lists(st.sampled_from(list(ORGS)), unique=True)),
        layers=data.draw(st.lists(st.sampled_from(LAYERS), unique=True)),
        feature=data.draw(st.none() | st.sampled_from(sorted(IDS))),
        range=data.draw(st.none() | st.just((first, second))),
        compare=data.draw(st.none() | years),
    )
    assert parse_query(state.to_query(), last_year, IDS) == (state, [])
