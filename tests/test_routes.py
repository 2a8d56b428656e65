"""Pipeline routes: every drawn line is as long as its published length says, within
tolerance, or the feature says why. Lengths are measured here independently of the loader."""

import json

import pytest
from conftest import load_copy, read_layer, write_layer
from pyproj import Geod

from dashboard.loader import GEODATA_DIR
from dashboard.schema import LENGTH_TOLERANCE

GEOD = Geod(ellps="WGS84")
PIPELINES = json.loads((GEODATA_DIR / "pipelines.geojson").read_text(encoding="utf-8"))["features"]


def geodesic_km(coordinates: list[list[float]]) -> float:
    lons, lats = zip(*coordinates, strict=True)
    return GEOD.line_length(lons, lats) / 1000.0


def covered_km(feature: dict) -> float:
    props, coordinates = feature["properties"], feature["geometry"]["coordinates"]
    span = props.get("published_span")
    if span:
        first, last = props["waypoints"].index(span["from_waypoint"]), props["waypoints"].index(span["to_waypoint"])
        coordinates = coordinates[first : last + 1]
    return geodesic_km(coordinates)


@pytest.mark.parametrize("feature", PIPELINES, ids=lambda f: f["properties"]["id"])
def test_drawn_length_matches_published_length_or_the_feature_says_why(feature):
    props = feature["properties"]
    published = props.get("published_length_km")
    if published is None:
        assert props.get("length_note"), "no published length: length_note must say why"
        return
    assert props.get("published_length_covers"), "a published length must say which part of the route it covers"
    deviation = covered_km(feature) / published - 1
    if abs(deviation) > LENGTH_TOLERANCE:
        assert props.get("length_note"), f"drawn length is {deviation:+.0%} off the published one"


@pytest.mark.parametrize("feature", PIPELINES, ids=lambda f: f["properties"]["id"])
def test_route_has_one_named_waypoint_per_vertex_and_cites_each_located_point(feature):
    props = feature["properties"]
    assert len(props["waypoints"]) == len(feature["geometry"]["coordinates"])
    claims = " ".join(ref["claim"] for ref in props["sources"])
    for waypoint in props["waypoints"]:
        # Every vertex is a named place whose location a source supports.
        assert waypoint.split(" (")[0].split()[0] in claims, f"no source locates {waypoint!r}"


def test_a_line_drawn_far_too_short_without_a_reason_is_reported(data_copy):
    document = read_layer(data_copy, "pipelines")
    victim = next(f for f in document["features"] if f["properties"]["id"] == "pipeline-baku-novorossiysk")
    victim["properties"]["published_length_km"] = 5000
    write_layer(data_copy, "pipelines", document)
    catalog = load_copy(data_copy)
    assert any(
        p.feature_id == "pipeline-baku-novorossiysk" and p.field == "length_note" and "-75%" in p.message
        for p in catalog.problems
    )
    assert catalog.get("pipeline-baku-novorossiysk") is None
    assert catalog.get("pipeline-btc") is not None


def test_a_published_span_measures_only_its_stretch(data_copy):
    document = read_layer(data_copy, "pipelines")
    victim = next(f for f in document["features"] if f["properties"]["id"] == "pipeline-btc")
    props, coordinates = victim["properties"], victim["geometry"]["coordinates"]
    borjomi = props["waypoints"].index("Borjomi")
    stretch = geodesic_km(coordinates[: borjomi + 1])  # Sangachal terminal ... Borjomi
    props.update(
        published_length_km=round(stretch),
        published_length_covers="section",
        published_span={"covers": "section", "from_waypoint": "Sangachal terminal", "to_waypoint": "Borjomi"},
        length_note=None,
    )
    write_layer(data_copy, "pipelines", document)
    catalog = load_copy(data_copy)
    assert catalog.get("pipeline-btc") is not None, [str(p) for p in catalog.problems]
    props["published_length_km"] = round(geodesic_km(coordinates))  # the whole line's length: far off the span
    write_layer(data_copy, "pipelines", document)
    assert load_copy(data_copy).get("pipeline-btc") is None


def test_published_length_needs_to_say_what_it_covers(data_copy):
    document = read_layer(data_copy, "pipelines")
    document["features"][0]["properties"].pop("published_length_covers")
    write_layer(data_copy, "pipelines", document)
    problems = load_copy(data_copy).problems
    assert any("published_length_covers is required" in p.message for p in problems)


def test_a_span_must_name_waypoints_in_route_order(data_copy):
    document = read_layer(data_copy, "pipelines")
    props = next(f for f in document["features"] if f["properties"]["id"] == "pipeline-btc")["properties"]
    props["published_span"] = {"covers": "whole route", "from_waypoint": "Ceyhan", "to_waypoint": "Tbilisi"}
    write_layer(data_copy, "pipelines", document)
    problems = load_copy(data_copy).problems
    assert any(p.feature_id == "pipeline-btc" and "run forward" in p.message for p in problems)


def _with_approximate_leg(data_copy, pipeline_id: str, leg: dict) -> None:
    document = read_layer(data_copy, "pipelines")
    victim = next(f for f in document["features"] if f["properties"]["id"] == pipeline_id)
    victim["properties"]["approximate_legs"] = [leg]
    write_layer(data_copy, "pipelines", document)


def test_an_approximate_leg_is_dotted_on_screen_and_in_print(data_copy):
    from dashboard.canvas import _pipeline_rows
    from dashboard.selection import ViewFilter
    from dashboard.static_map import draw_static_map
    from dashboard.symbology import APPROXIMATE_DASH, ROUTE_DASHES

    btc = next(f for f in PIPELINES if f["properties"]["id"] == "pipeline-btc")
    first, second = btc["properties"]["waypoints"][1:3]
    _with_approximate_leg(data_copy, "pipeline-btc", {"from_waypoint": first, "to_waypoint": second, "reason": "r"})
    catalog = load_copy(data_copy)
    rows = [r for r in _pipeline_rows(catalog) if r["id"] == "pipeline-btc"]
    bypass = ROUTE_DASHES["bypassing_russia"]
    assert [r["dash"] for r in rows] == [bypass, APPROXIMATE_DASH, bypass]
    assert len({tuple(r["color"]) for r in rows}) == 1  # the route's colour throughout
    coordinates = btc["geometry"]["coordinates"]
    assert [len(r["path"]) for r in rows] == [2, 2, len(coordinates) - 2]
    assert rows[1]["path"][0] == rows[0]["path"][-1]  # the runs meet
    fig = draw_static_map(catalog, ViewFilter.make(year=2010, layers=["pipelines"]), region="south-caucasus")
    gids = {c.get_gid() for c in fig.axes[0].collections}
    assert {"line-pipeline-btc", "line-pipeline-btc-approximate"} <= gids
    dotted = next(c for c in fig.axes[0].collections if c.get_gid() == "line-pipeline-btc-approximate")
    solid = next(c for c in fig.axes[0].collections if c.get_gid() == "line-pipeline-btc")
    ((_offset, pattern),) = dotted.get_dashes()
    assert list(pattern) == pytest.approx([w * dotted.get_linewidth()[0] for w in APPROXIMATE_DASH])
    assert list(solid.get_dashes()[0][1]) != list(pattern)


@pytest.mark.parametrize(
    ("leg", "message"),
    [
        ({"from_waypoint": "Nowhere", "to_waypoint": "Tbilisi", "reason": "r"}, "'Nowhere', which is not exactly one"),
        ({"from_waypoint": "Tbilisi", "to_waypoint": "Sangachal terminal", "reason": "r"}, "must run forward"),
        ({"from_waypoint": "Sangachal terminal", "to_waypoint": "Tbilisi"}, "reason"),
    ],
)
def test_a_wrong_approximate_leg_is_reported_and_the_rest_loads(data_copy, leg, message):
    _with_approximate_leg(data_copy, "pipeline-btc", leg)
    catalog = load_copy(data_copy)
    assert any(p.feature_id == "pipeline-btc" and message in f"{p.field}: {p.message}" for p in catalog.problems)
    assert catalog.get("pipeline-btc") is None and catalog.get("pipeline-cpc") is not None


def test_a_length_published_for_a_stretch_is_compared_with_that_stretch(catalog):
    """Tooltips and tables set a stretch's published figure beside the stretch, not the line."""
    from dashboard.loader import length_text

    assert length_text(catalog.get("pipeline-btc")).endswith("(published 1,768 km)")
    bps = catalog.get("pipeline-baltic-pipeline-system")
    stretch = covered_km(next(f for f in PIPELINES if f["properties"]["id"] == bps.id))
    assert length_text(bps) == (
        f"drawn {bps.length_km:,.0f} km (published 540 km for Yaroslavl – Kirishi, drawn {stretch:,.0f} km there)"
    )


# Town-precision points near a border let a straight leg clip the neighbour by a few km.
BORDER_CLIP_KM = 15.0


@pytest.mark.parametrize("feature", PIPELINES, ids=lambda f: f["properties"]["id"])
def test_a_line_runs_only_through_states_where_it_has_a_located_point(feature, catalog):
    """A straight leg must not carry a pipeline through a country the sources never put it in
    (the Central Asia-China gas line once crossed northern Kyrgyzstan, which it never enters)."""
    from shapely.geometry import LineString, Point

    line = LineString(feature["geometry"]["coordinates"])
    states = [(s.props.iso3, s.geometry) for s in catalog.layer("states") if s.geometry.intersects(line)]
    located = {iso3 for iso3, shape in states for lon, lat in line.coords if shape.contains(Point(lon, lat))}
    crossed = {}
    for iso3, shape in states:
        if iso3 in located:
            continue
        inside = line.intersection(shape)
        km = sum(GEOD.geometry_length(part) for part in getattr(inside, "geoms", [inside])) / 1000
        if km > BORDER_CLIP_KM:
            crossed[iso3] = round(km)
    assert not crossed, f"drawn through states where no waypoint lies (km): {crossed}"


@pytest.mark.parametrize("feature", PIPELINES, ids=lambda f: f["properties"]["id"])
def test_a_line_drawn_short_of_its_figure_shows_where_its_course_is_not_located(feature):
    """Straight legs fall short where the course between two points is not located: such a line
    dots those legs, unless its figure counts a whole network of which one line is drawn."""
    props = feature["properties"]
    published = props.get("published_length_km")
    if published is None or props["published_length_covers"] == "whole system":
        return
    if abs(covered_km(feature) / published - 1) > LENGTH_TOLERANCE:
        assert props.get("approximate_legs"), "more than 8% off its published length, yet no leg is dotted"


def test_a_whole_system_figure_says_so_beside_the_drawn_length(catalog):
    from dashboard.loader import length_text

    druzhba = catalog.get("pipeline-druzhba")
    assert druzhba.props.published_length_covers == "whole system"
    assert length_text(druzhba).endswith("(published 5,500 km for the whole system)")
    btc = catalog.get("pipeline-btc")
    assert length_text(btc).endswith("(published 1,768 km)")
