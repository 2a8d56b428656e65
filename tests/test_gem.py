"""Importing Global Energy Monitor route files, tested against the real files in ../shared/data.

The files are read where they lie (never copied into the repository). Outside CI a missing
folder skips the tests that need it; with CI=true it fails them.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import re
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, run_cli, write_json

from dashboard.gem import convert_route_file, import_routes, route_files

GEM_DIR = Path(ROOT).parent / "shared" / "data" / "gem-pipeline-routes"
OSM = "© OpenStreetMap contributors, ODbL"
MEAN_EARTH_RADIUS_KM = 6371.0088  # IUGG mean radius, for an independent spherical check


@pytest.fixture(scope="module")
def gem_dir() -> Path:
    if GEM_DIR.is_dir():
        return GEM_DIR
    if os.environ.get("CI") == "true":
        pytest.fail(f"GEM route files missing at {GEM_DIR}: with CI=true ../shared/data must sit beside the repository")
    pytest.skip(f"GEM route files not found at {GEM_DIR} (../shared/data beside the repository); CI=true would fail")


@pytest.fixture(scope="module")
def routes(gem_dir: Path) -> dict[str, dict[str, Any]]:
    """Every real file imported once, by ProjectID."""
    result = import_routes(route_files([gem_dir]))
    assert result.errors == [] and result.rejected == []
    return {feature["properties"]["gem_project_id"]: feature for feature in result.features}


def raw_lines(path: Path) -> list[list[list[float]]]:
    """The input file's lines, read here without the importer."""
    lines = []
    for feature in json.loads(path.read_text(encoding="utf-8"))["features"]:
        geometry = feature["geometry"]
        if geometry is None:
            continue
        lines.extend([geometry["coordinates"]] if geometry["type"] == "LineString" else geometry["coordinates"])
    return lines


def output_lines(feature: dict[str, Any]) -> list[list[list[float]]]:
    geometry = feature["geometry"]
    return [geometry["coordinates"]] if geometry["type"] == "LineString" else geometry["coordinates"]


def haversine_km(lines: list[list[list[float]]]) -> float:
    total = 0.0
    for line in lines:
        for (lon1, lat1, *_), (lon2, lat2, *_) in itertools.pairwise(line):
            phi1, phi2 = math.radians(lat1), math.radians(lat2)
            a = (
                math.sin((phi2 - phi1) / 2) ** 2
                + math.cos(phi1) * math.cos(phi2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
            )
            total += 2 * MEAN_EARTH_RADIUS_KM * math.asin(math.sqrt(a))
    return total


def readme_rows(gem_dir: Path) -> dict[str, dict[str, Any]]:
    """The data folder's README table: file, vertices and length where it gives plain figures."""
    rows = {}
    for line in (gem_dir / "README.md").read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 6 or not cells[0].endswith(".geojson"):
            continue
        vertices = cells[3].replace(",", "")
        length = re.fullmatch(r"~([\d,]+) km", cells[4])
        rows[cells[1]] = {
            "file": gem_dir / cells[0],
            "vertices": int(vertices) if vertices.isdigit() else None,
            "length_km": float(length.group(1).replace(",", "")) if length else None,
        }
    return rows


def test_btc_length_agrees_with_an_independent_haversine_and_the_readme(gem_dir, routes):
    btc = routes["P0644"]
    spherical = haversine_km(raw_lines(gem_dir / "liquid-pipelines" / "P0644.geojson"))
    # WGS84 and a sphere differ by well under 1 % over a line this long.
    assert btc["properties"]["length_km"] == pytest.approx(spherical, rel=0.01)
    assert btc["properties"]["length_km"] == pytest.approx(readme_rows(gem_dir)["P0644"]["length_km"], rel=0.02)
    assert btc["properties"]["name"] == "Baku-Tbilisi-Ceyhan Pipeline"
    assert btc["properties"]["length_km"] == round(btc["properties"]["length_km"], 1)


def test_every_length_and_vertex_count_in_the_readme_table(gem_dir, routes):
    rows = readme_rows(gem_dir)
    assert len(rows) == 20 and set(rows) == set(routes)
    checked = 0
    for project_id, row in rows.items():
        feature = routes[project_id]
        if row["length_km"] is not None:
            assert feature["properties"]["length_km"] == pytest.approx(row["length_km"], rel=0.02), project_id
            checked += 1
        if row["vertices"] is not None:
            assert sum(len(line) for line in output_lines(feature)) == row["vertices"], project_id
    assert checked >= 12


def test_length_is_geodesic_on_wgs84(tmp_path):
    """One degree of the equator on WGS84 is pi * a / 180 with a = 6378.137 km."""
    expected = round(math.pi * 6378.137 / 180, 1)
    equator = write_json(tmp_path / "equator.geojson", {"type": "LineString", "coordinates": [[0, 0], [1, 0]]})
    feature, errors, _ = convert_route_file(equator)
    assert errors == [] and feature["properties"]["length_km"] == expected


@pytest.mark.parametrize("project_id", ["P5197", "P5201", "P0648"])
def test_a_one_part_multilinestring_becomes_a_linestring_with_every_vertex(gem_dir, routes, project_id):
    source = raw_lines(gem_dir / "liquid-pipelines" / f"{project_id}.geojson")
    assert (
        json.loads((gem_dir / "liquid-pipelines" / f"{project_id}.geojson").read_text())["features"][0]["geometry"][
            "type"
        ]
        == "MultiLineString"
    )
    assert routes[project_id]["geometry"] == {"type": "LineString", "coordinates": source[0]}
    assert len(source) == 1


@pytest.mark.parametrize(("project_id", "parts"), [("P0759", 2), ("P0763", 91), ("P2291", 19), ("P1476", 8)])
def test_a_file_of_several_lines_becomes_one_multilinestring(gem_dir, routes, project_id, parts):
    source = raw_lines(gem_dir / "gas-pipelines" / f"{project_id}.geojson")
    geometry = routes[project_id]["geometry"]
    assert geometry["type"] == "MultiLineString"
    assert len(geometry["coordinates"]) == parts and geometry["coordinates"] == source


def test_one_line_stays_a_linestring(gem_dir, routes):
    assert routes["P0646"]["geometry"] == {
        "type": "LineString",
        "coordinates": raw_lines(gem_dir / "liquid-pipelines" / "P0646.geojson")[0],
    }


@pytest.mark.parametrize("project_id", ["P2291", "P1476", "P2299", "P3273", "P0763"])
def test_a_file_from_openstreetmap_carries_its_attribution(routes, project_id):
    properties = routes[project_id]["properties"]
    assert OSM in properties["sources"]
    assert "ODbL" in properties["licence"] and "CC BY 4.0" in properties["licence"]


@pytest.mark.parametrize("project_id", ["P0644", "P0646", "P4212", "P0739"])
def test_a_file_not_from_openstreetmap_has_no_osm_attribution(routes, project_id):
    properties = routes[project_id]["properties"]
    assert OSM not in properties["sources"] and properties["licence"] == "CC BY 4.0"


def test_tracker_from_the_fuel_property_else_from_the_folder(routes):
    btc = routes["P0644"]["properties"]
    assert btc["fuel"] == "Oil, NGL" and btc["pipeline_kind"] == "liquid" and "Fuel" in btc["pipeline_kind_from"]
    assert btc["sources"][0] == "Global Energy Monitor, Global Oil Infrastructure Tracker, ProjectID P0644 (CC BY 4.0)"
    assert "https://www.gem.wiki/Baku-Tbilisi-Ceyhan_Pipeline" in btc["sources"]
    cpc = routes["P0646"]["properties"]
    assert (
        "fuel" not in cpc
        and cpc["pipeline_kind"] == "liquid"
        and cpc["pipeline_kind_from"] == "folder liquid-pipelines"
    )
    assert cpc["sources"][0].startswith("Global Energy Monitor, Global Oil Infrastructure Tracker, ProjectID P0646")
    bukhara_ural = routes["P2289"]["properties"]
    assert bukhara_ural["pipeline_kind"] == "gas"
    assert (
        bukhara_ural["sources"][0]
        == "Global Energy Monitor, Global Gas Infrastructure Tracker, ProjectID P2289 (CC BY 4.0)"
    )


def test_unknown_tracker_is_said_not_guessed(tmp_path):
    route = {
        "type": "Feature",
        "properties": {"ProjectID": "P9999"},
        "geometry": {"type": "LineString", "coordinates": [[50, 40], [51, 41]]},
    }
    feature, errors, _ = convert_route_file(write_json(tmp_path / "route.geojson", route))
    assert errors == []
    properties = feature["properties"]
    assert properties["pipeline_kind"] == "unknown"
    assert properties["pipeline_kind_from"].startswith("unknown: no Fuel property")
    assert "not known which" in properties["sources"][0] and "P9999" in properties["sources"][0]
    # A Fuel property wins over the folder.
    folder = tmp_path / "gas-pipelines"
    folder.mkdir()
    route["properties"]["Fuel"] = "Oil"
    feature, _, _ = convert_route_file(write_json(folder / "P9999.geojson", route))
    assert feature["properties"]["pipeline_kind"] == "liquid"


def test_names_ids_and_fallbacks(routes):
    assert routes["P0644"]["properties"]["id"] == "gem-p0644"
    cpc = routes["P0646"]["properties"]
    assert "P0646" in cpc["name"] and "no pipeline name" in cpc["name"]
    assert routes["P0759"]["properties"]["names_in_file"] == ["Baku-Aghstafa", "Aghstafa-Vale"]
    assert routes["P2291"]["properties"]["names_in_file"] == ["Средняя Азия — Центр"]
    assert len({feature["properties"]["id"] for feature in routes.values()}) == len(routes)


def test_unlocated_features_are_noted_and_the_file_still_converted(gem_dir):
    path = gem_dir / "gas-pipelines" / "P0739.geojson"
    feature, errors, notes = convert_route_file(path)
    assert errors == []
    # The collection is named P5810 and so are its unlocated features; the lines say P0739.
    assert feature["properties"]["gem_project_id"] == "P0739"
    assert len(output_lines(feature)) == 3
    assert [str(note) for note in notes] == [
        f'{path}: feature {index}: geometry: null (an unlocated feature, ProjectID "P5810"): left out'
        for index in (3, 4, 5, 6)
    ]


LINE = {"type": "LineString", "coordinates": [[50.0, 40.0], [51.0, 41.0]]}


def collection(*geometries: Any, **properties: Any) -> dict[str, Any]:
    return {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "properties": properties, "geometry": g} for g in geometries],
    }


BROKEN = {
    "not-json": (
        "{not json",
        "-: -: not valid JSON: Expecting property name enclosed in double quotes at line 1 column 2",
    ),
    "longitude": (
        collection(LINE, {"type": "LineString", "coordinates": [[50, 40], [200, 40]]}),
        "feature 1: geometry.coordinates[1]: longitude 200 is outside -180..180",
    ),
    "latitude": (
        collection({"type": "MultiLineString", "coordinates": [[[50, 40], [50, 41]], [[50, 40], [50, -91.5]]]}),
        "feature 0: geometry.coordinates[1][1]: latitude -91.5 is outside -90..90",
    ),
    "empty-line": (
        collection({"type": "LineString", "coordinates": []}),
        "feature 0: geometry.coordinates: a line needs at least two positions (empty)",
    ),
    "empty-multi": (
        collection({"type": "MultiLineString", "coordinates": []}),
        "feature 0: geometry.coordinates: empty: a MultiLineString needs at least one line",
    ),
    "one-position": (
        collection({"type": "LineString", "coordinates": [[50, 40]]}),
        "feature 0: geometry.coordinates: a line needs at least two positions (found [[50, 40]])",
    ),
    "point": (
        collection(LINE, {"type": "Point", "coordinates": [50, 40]}),
        'feature 1: geometry.type: "Point" is not a line (LineString or MultiLineString)',
    ),
    "not-a-number": (
        collection({"type": "LineString", "coordinates": [[50, 40], ["51", 41]]}),
        'feature 0: geometry.coordinates[1]: not a position [longitude, latitude]: ["51", 41]',
    ),
    "no-lines": (collection(None), "-: features: no line geometry in the file"),
    "not-geojson": ([1, 2], '-: type: expected a FeatureCollection, a Feature or a line geometry, found "list"'),
    "two-projects": (
        {
            "type": "FeatureCollection",
            "features": [*collection(LINE, ProjectID="P1")["features"], *collection(LINE, ProjectID="P2")["features"]],
        },
        "-: ProjectID: the lines name several projects (P1, P2); one file holds one project",
    ),
    "no-geometry-member": ({"type": "Feature", "properties": {}}, "feature 0: geometry: missing"),
    "not-finite": (
        collection({"type": "LineString", "coordinates": [[50, 40], [float("nan"), 41]]}),
        "feature 0: geometry.coordinates[1]: not a position [longitude, latitude]: [NaN, 41]",
    ),
    "number-project-id": (collection(LINE, ProjectID=644), "-: ProjectID: not text: 644"),
    "two-line-project-id": (collection(LINE, ProjectID="P1\nP2"), '-: ProjectID: not one line of text: "P1\\nP2"'),
}


def write_broken(folder: Path, name: str) -> Path:
    content, _ = BROKEN[name]
    path = folder / f"{name}.geojson"
    path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    return path


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_malformed_files_are_rejected_with_file_feature_and_field(tmp_path, name):
    path = write_broken(tmp_path, name)
    feature, errors, _ = convert_route_file(path)
    assert feature is None
    assert [str(error) for error in errors] == [f"{path}: {BROKEN[name][1]}"]


def test_a_broken_file_is_reported_and_the_rest_still_converted(gem_dir, tmp_path):
    broken = [write_broken(tmp_path, "not-json"), write_broken(tmp_path, "point")]
    result = import_routes(route_files([gem_dir, *broken]))
    assert len(result.features) == 20
    assert result.rejected == [str(path) for path in broken]
    assert [error.file for error in result.errors] == [str(path) for path in broken]


def test_a_project_imported_twice_is_rejected_the_second_time(gem_dir, tmp_path):
    copy = write_json(tmp_path / "btc-again.geojson", collection(LINE, ProjectID="P0644"))
    result = import_routes(
        route_files(
            [gem_dir / "liquid-pipelines" / "P0644.geojson", copy, gem_dir / "liquid-pipelines" / "P0644.geojson"]
        )
    )
    assert len(result.features) == 1
    assert [str(error) for error in result.errors] == [
        f"{copy}: -: ProjectID: P0644 was imported already from {gem_dir / 'liquid-pipelines' / 'P0644.geojson'}"
    ]


def test_the_output_file_is_not_read_back_as_input(tmp_path):
    write_json(tmp_path / "P1.geojson", collection(LINE))
    output = tmp_path / "layer.geojson"
    write_json(output, collection(LINE))
    assert route_files([tmp_path], exclude=output) == [tmp_path / "P1.geojson"]


def is_plain_text_or_http_link(value: Any) -> bool:
    if not isinstance(value, str) or not value:
        return False
    return value.startswith(("http://", "https://")) or "://" not in value


def test_cli_round_trip_writes_one_valid_user_layer(gem_dir, routes, tmp_path):
    output = tmp_path / "gem.geojson"
    result = run_cli("import-gem", str(gem_dir), "-o", str(output))
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"20 route(s) written to {output}\n"
    assert all(
        line.startswith(f"note: {gem_dir / 'gas-pipelines' / 'P0739.geojson'}: feature ")
        for line in result.stderr.splitlines()
    )
    layer = json.loads(output.read_text(encoding="utf-8"))
    # The light user-layer schema: a FeatureCollection, each feature a text name and a geometry,
    # sources plain text or http(s) links, start/end ISO 8601 text when present.
    assert layer["type"] == "FeatureCollection" and len(layer["features"]) == 20
    for feature in layer["features"]:
        properties = feature["properties"]
        assert isinstance(properties["name"], str) and properties["name"]
        assert feature["geometry"]["type"] in ("LineString", "MultiLineString")
        assert properties["sources"] and all(is_plain_text_or_http_link(source) for source in properties["sources"])
        assert all(isinstance(properties.get(key), (str, type(None))) for key in ("start", "end"))
    assert {feature["properties"]["gem_project_id"]: feature for feature in layer["features"]} == routes


def test_cli_reports_broken_files_and_writes_the_rest(gem_dir, tmp_path):
    broken = write_broken(tmp_path, "longitude")
    output = tmp_path / "gem.geojson"
    result = run_cli("import-gem", str(broken), str(gem_dir / "liquid-pipelines"), "-o", str(output))
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if not line.startswith("note: ")]
    assert errors == [f"{broken}: {BROKEN['longitude'][1]}", f"10 route(s) written to {output}; 1 file(s) rejected"]
    assert len(json.loads(output.read_text(encoding="utf-8"))["features"]) == 10
    assert "Traceback" not in result.stderr


def test_cli_writes_nothing_when_every_file_is_rejected(tmp_path):
    output = tmp_path / "gem.geojson"
    result = run_cli("import-gem", str(write_broken(tmp_path, "not-json")), "-o", str(output))
    assert result.returncode == 1 and not output.exists()
    assert result.stderr.splitlines()[-1] == f"1 file(s) rejected, none converted: {output} not written"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("import-gem", "no-such-routes", "-o", "out.geojson"), "error: no such file or folder: no-such-routes"),
        (
            ("import-gem", "tests"),
            "error: python -m dashboard import-gem: the following arguments are required: -o/--output",
        ),
        (
            ("import-gem", "-o", "out.geojson"),
            "error: python -m dashboard import-gem: the following arguments are required: FILE_OR_DIR",
        ),
    ],
)
def test_cli_usage_errors_are_one_line_with_exit_2(args, message):
    result = run_cli(*args)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [message]
    assert not (ROOT / "out.geojson").exists()


def test_cli_folder_without_route_files_is_a_usage_error(tmp_path):
    result = run_cli("import-gem", str(tmp_path), "-o", str(tmp_path / "out.geojson"))
    assert result.returncode == 2 and result.stderr.splitlines() == [
        f"error: no .geojson files in the folder {tmp_path}"
    ]


# Our drawn pipelines and GEM's route of the same line. Waypoints GEM's file does not reach
# are named with the reason: its South Caucasus file stops at the Turkish border, and its
# Pavlodar–Shymkent file starts at Pavlodar.
OUR_LINES_IN_GEM = {
    "pipeline-btc": ("liquid-pipelines/P0644", ()),
    "pipeline-cpc": ("liquid-pipelines/P0646", ()),
    "pipeline-baku-novorossiysk": ("liquid-pipelines/P0645", ()),
    "pipeline-baku-supsa": ("liquid-pipelines/P0643", ()),
    "pipeline-atyrau-samara": ("liquid-pipelines/P0649", ()),
    "pipeline-south-caucasus": ("gas-pipelines/P0759", ("Erzurum", "Sarıkamış")),
    "pipeline-central-asia-china-gas": ("gas-pipelines/P2299", ()),
    "pipeline-central-asia-center": ("gas-pipelines/P2291", ()),
    "pipeline-tanap": ("gas-pipelines/P0763", ()),
    "pipeline-omsk-pavlodar-shymkent": ("liquid-pipelines/P5138", ("Omsk",)),
    # GEM files the Kazakhstan-China line by the sections built one after another; its Karakoin-Atasu
    # stretch is the older Pavlodar-Shymkent line.
    "pipeline-kazakhstan-china-oil": (
        (
            "liquid-pipelines/P5198",
            "liquid-pipelines/P5197",
            "liquid-pipelines/P5201",
            "liquid-pipelines/P5138",
            "liquid-pipelines/P0648",
        ),
        (),
    ),
}
# A waypoint stands for a town or district the line passes (precision ~town), and GEM's
# coarsest files (CPC: 12 vertices) cut corners too: 60 km is the most the two may differ.
ROUTE_AGREEMENT_KM = 60.0


def gem_route(gem_dir: Path, paths: str | tuple[str, ...]):
    """GEM's route of one of our lines, from one file or from the files of its sections."""
    import shapely

    lines = [
        line
        for path in ([paths] if isinstance(paths, str) else paths)
        for line in raw_lines(gem_dir / f"{path}.geojson")
    ]
    return shapely.unary_union([shapely.geometry.LineString(line) for line in lines if len(line) > 1])


@pytest.mark.parametrize("pipeline_id", sorted(OUR_LINES_IN_GEM))
def test_every_waypoint_lies_on_the_real_route_that_global_energy_monitor_publishes(gem_dir, catalog, pipeline_id):
    """Our lines are drawn through towns that sources name; GEM's routes are traced from the
    pipes themselves. A waypoint far from GEM's route would draw the line where it is not."""
    import shapely
    import shapely.ops
    from pyproj import Geod

    path, beyond_gem = OUR_LINES_IN_GEM[pipeline_id]
    gem = gem_route(gem_dir, path)
    feature = next(f for f in catalog.layer("pipelines") if f.id == pipeline_id)
    geod = Geod(ellps="WGS84")
    far = {}
    for name, (lon, lat) in zip(feature.props.waypoints, feature.geometry.coords, strict=True):
        if name.startswith(beyond_gem):
            continue
        nearest = shapely.ops.nearest_points(gem, shapely.Point(lon, lat))[0]
        km = geod.inv(lon, lat, nearest.x, nearest.y)[2] / 1000
        if km > ROUTE_AGREEMENT_KM:
            far[name] = round(km)
    assert not far, f"{pipeline_id}: waypoints off GEM's route (km): {far}"


# A straight leg between two located points cuts the route's bends; drawn solid it must still
# run where the pipe runs, as close as a waypoint must (ROUTE_AGREEMENT_KM). A leg no source
# locates is dotted (approximate_legs) and may stray farther, but not into another region.
APPROXIMATE_LEG_KM = 2 * ROUTE_AGREEMENT_KM
LEG_SAMPLE_KM = 5.0


def farthest_from(gem, geod, start: tuple[float, float], end: tuple[float, float]) -> float:
    """The largest distance (km) of the great-circle leg start-end from GEM's route."""
    import numpy as np
    import shapely

    steps = max(1, int(geod.inv(*start, *end)[2] / 1000 / LEG_SAMPLE_KM))
    points = [start, *geod.npts(*start, *end, steps - 1), end] if steps > 1 else [start, end]
    links = shapely.shortest_line(shapely.points(np.array(points)), gem)
    ends = shapely.get_coordinates(links).reshape(-1, 2, 2)
    distances = geod.inv(ends[:, 0, 0], ends[:, 0, 1], ends[:, 1, 0], ends[:, 1, 1])[2]
    return float(distances.max()) / 1000


@pytest.mark.parametrize("pipeline_id", sorted(OUR_LINES_IN_GEM))
def test_every_leg_runs_near_the_real_route_solid_ones_as_near_as_a_waypoint(gem_dir, catalog, pipeline_id):
    from pyproj import Geod

    path, beyond_gem = OUR_LINES_IN_GEM[pipeline_id]
    gem = gem_route(gem_dir, path)
    feature = next(f for f in catalog.layer("pipelines") if f.id == pipeline_id)
    names, coords = feature.props.waypoints, list(feature.geometry.coords)
    dotted: set[int] = set()
    for leg in feature.props.approximate_legs or []:
        dotted |= set(range(names.index(leg.from_waypoint), names.index(leg.to_waypoint)))
    geod = Geod(ellps="WGS84")
    strays = {}
    for index in range(len(coords) - 1):
        if names[index].startswith(beyond_gem) or names[index + 1].startswith(beyond_gem):
            continue
        limit = APPROXIMATE_LEG_KM if index in dotted else ROUTE_AGREEMENT_KM
        km = farthest_from(gem, geod, coords[index][:2], coords[index + 1][:2])
        if km > limit:
            strays[f"{names[index]} -> {names[index + 1]}{' (dotted)' if index in dotted else ''}"] = round(km)
    assert not strays, f"{pipeline_id}: legs far from GEM's route (km): {strays}"
