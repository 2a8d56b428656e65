"""User layers: the light schema, ids, limits, year filtering, and their place in every output."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

import pyogrio
import pytest
from conftest import ROOT, point_feature, user_collection, user_point, write_json
from matplotlib.image import imread
from pypdf import PdfReader

from dashboard import briefing_pack, userlayers
from dashboard.briefing_pack import build_briefing_pdf
from dashboard.export import export_records, flat_rows, to_csv, to_geojson, write_with_gdal
from dashboard.selection import ViewFilter
from dashboard.static_map import render_static_map
from dashboard.symbology import USER_COLOR
from dashboard.userlayers import (
    MAX_FILE_BYTES,
    UserLayers,
    load_user_layers,
    read_geometry,
    user_layers_from_env,
)

KML = "{http://www.opengis.net/kml/2.2}"


def layer_bytes(*features: dict, **members) -> bytes:
    return json.dumps(user_collection(*features, **members)).encode("utf-8")


def line(name: str, coordinates: list, **props) -> dict:
    return {
        "type": "Feature",
        "geometry": {"type": "LineString", "coordinates": coordinates},
        "properties": {"name": name, **props},
    }


# A layer dated in every way the filter distinguishes.
DATED = (
    user_point("Always"),
    user_point("From 2000", start="2000-06"),
    user_point("Until 1999", end="1999-03-02"),
    user_point("1995 to 2005", start="1995", end="2005-12"),
    user_point("Only 2010", start="2010-01-01", end="2010-12-31"),
)


@pytest.fixture()
def dated() -> UserLayers:
    layers = UserLayers()
    layers.add_bytes("dated.geojson", layer_bytes(*DATED))
    assert layers.problems == []
    return layers


# --- Reading --------------------------------------------------------------------------------


def test_ids_are_namespaced_from_the_files_id_the_property_id_or_the_position():
    layers = UserLayers()
    layers.add_bytes(
        "my sites.geojson",
        layer_bytes(
            {**user_point("By GeoJSON id"), "id": "depot-3"},
            {**user_point("By number"), "id": 7},
            user_point("By property", id="p-1"),
            user_point("By position"),
        ),
    )
    assert [f.id for f in layers.features] == [
        "user:my sites:depot-3",
        "user:my sites:7",
        "user:my sites:p-1",
        "user:my sites:#3",
    ]
    assert layers.get("user:my sites:7").name == "By number"
    assert layers.get("state-kaz") is None and layers.get("user:other:7") is None


def test_user_ids_never_meet_curated_ones_and_the_catalog_is_untouched(catalog):
    before = len(catalog.features)
    layers = UserLayers()
    layers.add_bytes("mine.geojson", layer_bytes({**user_point("Kant"), "id": "base-kant"}))
    assert [f.id for f in layers.features] == ["user:mine:base-kant"]
    assert not {f.id for f in catalog.features} & {f.id for f in layers.features}
    assert len(catalog.features) == before and catalog.get("user:mine:base-kant") is None


def test_properties_beyond_the_schema_are_kept_as_text_and_sources_as_given():
    layers = UserLayers()
    layers.add_bytes(
        "notes.geojson",
        layer_bytes(
            user_point(
                "  Osh depot  ",
                start="2003",
                sources=["  Field notes, p. 4 ", "https://example.org/report?id=3", "Interview: a colonel, 2021"],
                unit="201st",
                count=3,
                share=0.25,
                active=True,
                closed=None,
                tags=["fuel", "rail"],
                where={"region": "Osh"},
            )
        ),
    )
    (feature,) = layers.features
    assert feature.name == "Osh depot"  # surrounding spaces trimmed
    assert (feature.start, feature.end, feature.start_year, feature.end_year) == ("2003", None, 2003, None)
    assert feature.sources == ("Field notes, p. 4", "https://example.org/report?id=3", "Interview: a colonel, 2021")
    assert feature.attributes == {
        "unit": "201st",
        "count": "3",
        "share": "0.25",
        "active": "true",
        "closed": "",
        "tags": '["fuel", "rail"]',
        "where": '{"region": "Osh"}',
    }


def test_every_geometry_type_reads_and_a_height_is_kept():
    square = [[70, 40], [71, 40], [71, 41], [70, 41], [70, 40]]
    cases = {
        "Point": [70, 40, 900],
        "MultiPoint": [[70, 40], [71, 41]],
        "LineString": [[70, 40], [71, 41]],
        "MultiLineString": [[[70, 40], [71, 41]], [[72, 40], [73, 41]]],
        "Polygon": [square],
        "MultiPolygon": [[square], [[[72, 40], [73, 40], [73, 41], [72, 40]]]],
    }
    for kind, coordinates in cases.items():
        geometry, problem = read_geometry({"type": kind, "coordinates": coordinates})
        assert problem is None and geometry.geom_type == kind, kind
    assert read_geometry({"type": "Point", "coordinates": [70, 40, 900]})[0].has_z


def test_a_folder_loads_its_geojson_files_by_name_and_says_what_it_skipped(tmp_path):
    write_json(tmp_path / "b.geojson", user_collection(user_point("In b")))
    write_json(tmp_path / "a.json", user_collection(user_point("In a")))
    (tmp_path / "notes.txt").write_text("not a layer")
    (tmp_path / "sub").mkdir()
    write_json(tmp_path / "sub" / "deeper.geojson", user_collection(user_point("Not searched")))
    layers = load_user_layers([tmp_path])
    assert layers.names == ["a", "b"] and [f.name for f in layers.features] == ["In a", "In b"]
    assert layers.problems == []
    assert sorted(os.path.basename(n.file) + ": " + n.message for n in layers.notes) == [
        "notes.txt: not a .geojson or .json file; skipped",
        "sub: not a .geojson or .json file; skipped",
    ]
    missing = load_user_layers([tmp_path / "nowhere"])
    assert [p.message for p in missing.problems] == ["file not found"]


def test_uploads_and_files_together(tmp_path):
    write_json(tmp_path / "from-disk.geojson", user_collection(user_point("On disk")))
    layers = load_user_layers(
        [tmp_path / "from-disk.geojson"], uploads=[("C:\\Users\\me\\up.geojson", layer_bytes(user_point("Up")))]
    )
    assert layers.names == ["from-disk", "up"]
    assert [f.id for f in layers.features] == ["user:from-disk:#0", "user:up:#0"]


def test_layer_names_that_cannot_be_used_are_reported():
    layers = UserLayers()
    for name in ("bases.geojson", "a:b.geojson", "x" * 65 + ".geojson", ".geojson", "Mine.geojson", "mine.json"):
        layers.add_bytes(name, layer_bytes(user_point("P")))
    assert layers.names == [".geojson", "Mine"]
    assert [(p.file, p.message) for p in layers.problems] == [
        (
            "bases.geojson",
            "named after the built-in layer 'bases': your layers are kept apart from the curated data, so rename the file",
        ),
        ("a:b.geojson", "a layer name may not contain ':'"),
        ("x" * 65 + ".geojson", "65 characters; at most 64"),
        ("mine.json", "a layer named 'Mine' is already loaded from Mine.geojson; rename one of the files"),
    ]


def test_a_collection_named_after_a_built_in_layer_is_still_the_users(tmp_path):
    layers = UserLayers()
    layers.add_bytes("my-bases.geojson", layer_bytes(user_point("P"), name="bases"))
    assert layers.names == ["my-bases"]
    assert [n.message for n in layers.notes] == [
        "the collection is named 'bases', but the file name makes it your layer 'my-bases'"
    ]


# --- Limits ---------------------------------------------------------------------------------


def test_features_beyond_the_limit_are_reported_and_the_first_ones_load(monkeypatch):
    monkeypatch.setattr(userlayers, "MAX_FEATURES_PER_LAYER", 3)
    layers = UserLayers()
    layers.add_bytes("many.geojson", layer_bytes(*(user_point(f"P{i}") for i in range(5))))
    assert [str(p) for p in layers.problems] == ["many.geojson: -: features: 5 features; only the first 3 are read"]
    assert [f.name for f in layers.features] == ["P0", "P1", "P2"]


def test_layers_beyond_the_limit_are_reported(monkeypatch):
    monkeypatch.setattr(userlayers, "MAX_LAYERS", 2)
    layers = load_user_layers(uploads=[(f"l{i}.geojson", layer_bytes(user_point("P"))) for i in range(3)])
    assert layers.names == ["l0", "l1"]
    assert [str(p) for p in layers.problems] == [
        "l2.geojson: -: -: at most 2 user layers are loaded; this one is left out"
    ]


def test_the_vertex_limit_is_exact():
    def straight(count: int) -> dict:
        return {"type": "LineString", "coordinates": [[50 + i * 1e-4, 40.0] for i in range(count)]}

    assert read_geometry(straight(100_000))[1] is None
    assert read_geometry(straight(100_001)) == (None, "100,001 vertices; at most 100,000 per feature")


def test_the_nesting_limit_is_exact():
    def nested(levels: int) -> bytes:
        # collection, features and feature are 3 levels; properties and value nest the rest
        value = "[" * (levels - 4) + "]" * (levels - 4)
        text = '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"name": "N", "v": %s}, "geometry": {"type": "Point", "coordinates": [1, 2]}}]}'
        return (text % value).encode()

    layers = UserLayers()
    layers.add_bytes("deep32.geojson", nested(32))
    layers.add_bytes("deep33.geojson", nested(33))
    assert layers.names == ["deep32"] and len(layers.features) == 1
    assert [str(p) for p in layers.problems] == [
        "deep33.geojson: -: -: arrays and objects nest more than 32 levels deep"
    ]


def test_the_size_limit_is_exact(tmp_path):
    document = layer_bytes(user_point("P"))
    exact = tmp_path / "exact.geojson"
    exact.write_bytes(document + b" " * (MAX_FILE_BYTES - len(document)))
    over = tmp_path / "over.geojson"
    over.write_bytes(document + b" " * (MAX_FILE_BYTES - len(document) + 1))
    layers = load_user_layers([exact, over])
    assert layers.names == ["exact"]
    assert [p.message for p in layers.problems] == ["52,428,801 bytes; at most 52,428,800 bytes are read"]


# --- Years ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "year, until, shown",
    [
        (1991, None, ["Always", "Until 1999"]),
        (1999, None, ["Always", "Until 1999", "1995 to 2005"]),
        (2000, None, ["Always", "From 2000", "1995 to 2005"]),
        (2006, None, ["Always", "From 2000"]),
        (2010, None, ["Always", "From 2000", "Only 2010"]),
        (2008, 2001, ["Always", "From 2000", "1995 to 2005"]),  # a range, given either way round
        (None, None, [f["properties"]["name"] for f in DATED]),
    ],
)
def test_year_filter_follows_the_curated_rules(dated, year, until, shown):
    assert [f.name for f in dated.active(year, until)] == shown
    view = ViewFilter.make(year=year, until=until) if year is not None else ViewFilter.make()
    assert [f.name for f in dated.visible(view)] == shown


def test_organizations_and_curated_layer_choices_do_not_hide_user_layers(dated):
    view = ViewFilter.make(year=2010, orgs=["GUAM"], layers=["events"])
    assert [f.name for f in dated.visible(view)] == ["Always", "From 2000", "Only 2010"]


def test_a_layer_of_100000_points_loads_and_filters():
    features = [
        user_point(f"P{i}", 40 + i % 500 * 0.1, 30 + i // 500 * 0.1, start=str(1991 + i % 30)) for i in range(100_000)
    ]
    layers = UserLayers()
    layers.add_bytes("big.geojson", layer_bytes(*features))
    assert layers.problems == [] and len(layers.features) == 100_000
    assert len(layers.active(2000)) == sum(1 for i in range(100_000) if 1991 + i % 30 <= 2000)


def test_environment_variable_names_folders_and_files(tmp_path):
    (tmp_path / "one").mkdir()
    write_json(tmp_path / "one" / "a.geojson", user_collection(user_point("A")))
    write_json(tmp_path / "b.geojson", user_collection(user_point("B")))
    value = os.pathsep.join([str(tmp_path / "one"), str(tmp_path / "b.geojson")])
    layers = user_layers_from_env({"DASHBOARD_USER_LAYERS": value})
    assert layers.names == ["a", "b"]
    assert user_layers_from_env({}) is None and user_layers_from_env({"DASHBOARD_USER_LAYERS": " "}) is None


# --- Exports ----------------------------------------------------------------------------------


def test_geojson_export_marks_user_features_after_the_curated_ones(catalog, dated):
    view = ViewFilter.make(year=2010, orgs=["CSTO"])
    collection = json.loads(to_geojson(catalog, view, dated))
    curated = [f for f in collection["features"] if not f["properties"].get("user_layer")]
    mine = [f for f in collection["features"] if f["properties"].get("user_layer")]
    assert collection["features"] == curated + mine
    assert [f["properties"]["name"] for f in mine] == ["Always", "From 2000", "Only 2010"]
    assert mine[1] == {
        "type": "Feature",
        "id": "user:dated:#1",
        "geometry": {"type": "Point", "coordinates": [76.9, 43.25]},
        "properties": {
            "id": "user:dated:#1",
            "layer": "user:dated",
            "user_layer": True,
            "name": "From 2000",
            "start": "2000-06",
            "end": None,
            "precision": None,
            "sources": [],
            "attributes": {},
        },
    }
    assert len(curated) == len(export_records(catalog, view))


def test_csv_export_has_user_rows_with_their_sources(catalog):
    layers = UserLayers()
    layers.add_bytes(
        "notes.geojson", layer_bytes(user_point("Osh", sources=["Field notes", "https://example.org/a"], unit="201st"))
    )
    text = to_csv(catalog, ViewFilter.make(year=2010, layers=["bases"]), layers)
    rows = list(csv.DictReader(io.StringIO(text)))
    (row,) = [r for r in rows if r["layer"] == "user:notes"]
    assert (row["id"], row["user_layer"], row["name"], row["longitude"], row["latitude"]) == (
        "user:notes:#0",
        "true",
        "Osh",
        "76.90000",
        "43.25000",
    )
    assert row["sources"] == "Field notes; https://example.org/a"
    assert row["citations"] == "[1] Field notes | [2] https://example.org/a"
    assert row["attributes"] == "unit: 201st"
    assert {r["layer"] for r in rows} == {"bases", "user:notes"}


def test_gpkg_and_kml_hold_a_table_and_a_folder_per_user_layer(catalog, dated, tmp_path):
    view = ViewFilter.make(year=2010, layers=["bases"])
    gpkg = tmp_path / "out.gpkg"
    write_with_gdal(catalog, view, gpkg, "gpkg", dated)
    assert {name for name, _ in pyogrio.list_layers(gpkg)} == {"bases", "user:dated"}
    table = pyogrio.read_dataframe(gpkg, layer="user:dated")
    assert list(table["name"]) == ["Always", "From 2000", "Only 2010"] and set(table["user_layer"]) == {"true"}
    kml = tmp_path / "out.kml"
    write_with_gdal(catalog, view, kml, "kml", dated)
    folders = {
        folder.findtext(f"{KML}name"): [p.findtext(f"{KML}name") for p in folder.iter(f"{KML}Placemark")]
        for folder in ET.parse(kml).getroot().iter(f"{KML}Folder")
    }
    assert list(folders) == ["bases", "user:dated"]
    assert folders["user:dated"] == ["Always", "From 2000", "Only 2010"]


def test_a_view_of_nothing_curated_still_exports_the_user_features(catalog, dated):
    view = ViewFilter.make(year=1991, layers=["events"], orgs=["GUAM"])
    rows = flat_rows(catalog, view, dated)
    assert [r["name"] for r in rows if r.get("user_layer") == "true"] == ["Always", "Until 1999"]


# --- Static map and briefing ------------------------------------------------------------------


def _user_pixels(image) -> int:
    target = [c / 255 for c in USER_COLOR[:3]]
    return int((abs(image[..., :3] - target) < 0.02).all(axis=-1).sum())


def test_static_map_draws_user_features_of_the_year_in_their_style_with_a_legend_entry(catalog, tmp_path):
    layers = UserLayers()
    square = [[60, 45], [64, 45], [64, 48], [60, 48], [60, 45]]
    layers.add_bytes(
        "survey.geojson",
        layer_bytes(
            user_point("Site", 66, 50, start="2008", end="2012"),
            line("Road", [[55, 52], [62, 55]], start="2008"),
            {
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": [square]},
                "properties": {"name": "Area"},
            },
            user_point("Far away", -70, -30),
        ),
    )
    buffer = io.BytesIO()
    render_static_map(catalog, ViewFilter.make(year=2010, orgs=["CSTO"]), buffer, "svg", user_layers=layers)
    svg = buffer.getvalue().decode()
    assert "Your layer: survey" in svg
    assert "Your layer: survey (1 feature)" in svg  # outside the frame, counted
    png_with, png_without = tmp_path / "with.png", tmp_path / "without.png"
    render_static_map(catalog, ViewFilter.make(year=2010, orgs=["CSTO"]), png_with, user_layers=layers)
    render_static_map(catalog, ViewFilter.make(year=2010, orgs=["CSTO"]), png_without)
    assert _user_pixels(imread(png_with)) > 300 + _user_pixels(imread(png_without))
    # Dated features of other years are not drawn: fewer charcoal pixels in 2000 than in 2010.
    png_2000 = tmp_path / "2000.png"
    render_static_map(catalog, ViewFilter.make(year=2000, orgs=["CSTO"]), png_2000, user_layers=layers)
    assert _user_pixels(imread(png_2000)) < _user_pixels(imread(png_with))


def test_static_map_without_user_layers_has_no_user_legend(catalog):
    buffer = io.BytesIO()
    render_static_map(catalog, ViewFilter.make(year=2010, orgs=["CSTO"]), buffer, "svg", user_layers=UserLayers())
    assert "Your layer" not in buffer.getvalue().decode()


def test_briefing_lists_user_features_marked_and_says_how_many_more(catalog, tmp_path, monkeypatch):
    monkeypatch.setattr(briefing_pack, "USER_ROWS_IN_BRIEF", 2)
    layers = UserLayers()
    layers.add_bytes(
        "survey.geojson",
        layer_bytes(
            user_point("Depot Alpha", 70, 42, start="2005", sources=["Field notes", "https://example.org/alpha"]),
            user_point("Depot Beta", 71, 42),
            user_point("Depot Gamma", 72, 42),
            user_point("Depot Old", 73, 42, end="1999"),
        ),
    )
    path = tmp_path / "brief.pdf"
    build_briefing_pdf(catalog, ViewFilter.make(year=2010, layers=["bases"]), path, user_layers=layers)
    reader = PdfReader(path)
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert "Your layers: Your layer: survey · 3 features shown (your data; not checked by the project)" in text
    assert "Depot Alpha Your layer: survey 2005 – present your data; not checked by the project Field notes;" in text
    assert "Depot Beta" in text and "Depot Gamma" not in text and "Depot Old" not in text
    assert "1 more features of your layers are on the map but not listed (the table lists the first 2)." in text
    links = [a["/A"]["/URI"] for page in reader.pages for a in (page.get("/Annots") or []) if "/A" in a.get_object()]
    assert "https://example.org/alpha" in [str(link) for link in links]


# --- Command line ---------------------------------------------------------------------------------


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "dashboard", *args], cwd=ROOT, capture_output=True, text=True, timeout=300
    )


def test_validate_checks_built_in_named_files_fully_and_others_lightly(tmp_path):
    # The same feature: as a base, its host is checked; as a user layer, only its name is
    # needed, and its curated-style sources (objects, not text) are left out, said.
    write_json(tmp_path / "bases.geojson", user_collection(point_feature("user-extra", 74.85, 42.85, host_iso3="FRA")))
    write_json(
        tmp_path / "my-bases.geojson", user_collection(point_feature("user-extra", 74.85, 42.85, host_iso3="FRA"))
    )
    folder = tmp_path / "more"
    folder.mkdir()
    write_json(folder / "survey.geojson", user_collection(user_point("Site", sources=["javascript:alert(1)"])))
    result = run(
        "validate", str(tmp_path / "bases.geojson"), str(tmp_path / "my-bases.geojson"), "--user-layers", str(folder)
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stdout.splitlines() == [
        f"{tmp_path / 'bases.geojson'}: user-extra: geometry: point lies in KGZ, not in its stated host FRA",
        f"{folder / 'survey.geojson'}: #0: sources.0: 'javascript:alert(1)' is a link but not an http(s) one; left out",
        f"{tmp_path / 'my-bases.geojson'}: user-extra: sources.0: not text; left out",
    ]


def test_validate_ok_names_the_user_layers(tmp_path):
    write_json(tmp_path / "survey.geojson", user_collection(user_point("A"), user_point("B")))
    result = run("validate", str(tmp_path / "survey.geojson"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("ok: ") and result.stdout.rstrip().endswith("; your layer survey: 2 features")


def test_export_map_and_brief_take_user_layers(tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    write_json(folder / "survey.geojson", user_collection(user_point("Site", start="2001"), user_point("Bad", 500, 0)))
    result = run("export", "--year", "2010", "--layer", "bases", "--user-layers", str(folder))
    assert result.returncode == 0
    names = [
        f["properties"]["name"] for f in json.loads(result.stdout)["features"] if f["properties"].get("user_layer")
    ]
    assert names == ["Site"]
    assert result.stderr.splitlines() == [
        f"{folder / 'survey.geojson'}: #1: geometry: position (500, 0) is outside longitude -180..180 / latitude -90..90"
    ]
    svg = tmp_path / "map.svg"
    assert run("map", "--year", "2010", "--user-layers", str(folder), "-o", str(svg)).returncode == 0
    assert "Your layer: survey" in svg.read_text()
    pdf = tmp_path / "brief.pdf"
    assert (
        run("brief", "--year", "2010", "--layer", "bases", "--user-layers", str(folder), "-o", str(pdf)).returncode == 0
    )
    assert "Your layer: survey" in " ".join(page.extract_text() for page in PdfReader(pdf).pages)


def test_a_missing_user_layers_folder_is_one_line_and_exit_2(tmp_path):
    result = run("export", "--user-layers", str(tmp_path / "nowhere"))
    assert result.returncode == 2
    assert result.stderr == f"error: --user-layers {tmp_path / 'nowhere'}: no such folder\n"
