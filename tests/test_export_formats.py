"""KML and GeoPackage exports, read back with GDAL (pyogrio) and xml.etree."""

from __future__ import annotations

import html
import xml.etree.ElementTree as ET

import pyogrio
from conftest import load_copy, point_feature, read_layer, write_layer

from dashboard.citations import resolve
from dashboard.cli import main
from dashboard.export import write_with_gdal
from dashboard.selection import ViewFilter, visible_features

KML = "{http://www.opengis.net/kml/2.2}"


def test_gpkg_has_one_table_per_visible_layer(catalog, tmp_path):
    view = ViewFilter.make(year=2010, orgs=["CSTO"])
    path = tmp_path / "out.gpkg"
    write_with_gdal(catalog, view, path, "gpkg")
    visible = visible_features(catalog, view)
    layers = {name for name, _ in pyogrio.list_layers(path)}
    assert layers == {f.layer for f in visible}
    states = pyogrio.read_dataframe(path, layer="states")
    assert "Kazakhstan" in set(states["name"])
    assert len(states) == sum(f.layer == "states" for f in visible)
    bases = pyogrio.read_dataframe(path, layer="bases")
    # Columns of other layers do not leak into a table as empty fields.
    assert "memberships" not in bases.columns and "iso3" not in bases.columns
    assert bases.crs.to_epsg() == 4326


def test_kml_has_a_folder_per_layer_holding_the_visible_features(catalog, tmp_path):
    view = ViewFilter.make(year=1998, orgs=["CSTO"])
    path = tmp_path / "out.kml"
    write_with_gdal(catalog, view, path, "kml")
    visible = visible_features(catalog, view)
    folders = {
        folder.findtext(f"{KML}name"): sorted(p.findtext(f"{KML}name") for p in folder.iter(f"{KML}Placemark"))
        for folder in ET.parse(path).getroot().iter(f"{KML}Folder")
    }
    expected = {layer: sorted(f.name for f in visible if f.layer == layer) for layer in {f.layer for f in visible}}
    assert folders == expected and "Uzbekistan" in folders["states"]
    # GDAL reads the folders back as layers, with every placemark.
    assert sum(len(pyogrio.read_dataframe(path, layer=name)) for name in folders) == len(visible)


def test_kml_descriptions_carry_escaped_full_citations(data_copy, tmp_path):
    payload = '<script>alert(1)</script><a href="javascript:x">y</a>'
    document = read_layer(data_copy, "bases")
    base = point_feature("test-payload", 74.48, 42.85, name=payload, start="2010")
    base["properties"]["sources"][0]["claim"] = payload
    document["features"].append(base)
    write_layer(data_copy, "bases", document)
    catalog = load_copy(data_copy)
    path = tmp_path / "out.kml"
    write_with_gdal(catalog, ViewFilter.make(year=2012, layers=["bases"]), path, "kml")
    placemarks = {p.findtext(f"{KML}name"): p for p in ET.parse(path).getroot().iter(f"{KML}Placemark")}
    # Google Earth renders the description as HTML: the payload must arrive as text.
    description = placemarks[payload].findtext(f"{KML}description")
    assert "<script" not in description and '<a href="javascript' not in description
    assert html.escape(payload) in description
    assert "Samay" in description and "para. 6" in description
    kant = placemarks[catalog.get("base-kant").name].findtext(f"{KML}description")
    first = resolve(catalog.get("base-kant").props.sources, catalog.bibliography)[0]
    assert first.full("html") in kant


def test_cli_export_and_new_commands(tmp_path, capsys):
    assert main(["export", "--year", "2010", "--format", "gpkg", "-o", str(tmp_path / "a.gpkg")]) == 0
    assert pyogrio.list_layers(tmp_path / "a.gpkg").shape[0] > 3
    assert main(["export", "--format", "kml"]) == 2
    assert "needs -o" in capsys.readouterr().err

    assert main(["diff", "--from", "1998", "--to", "2000", "--org", "CSTO"]) == 0
    assert "3 left (Azerbaijan, Georgia, Uzbekistan)" in capsys.readouterr().out
    assert main(["diff", "--from", "2000", "--to", "1998"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and len(err.strip().splitlines()) == 1

    assert main(["map", "--year", "2010", "-o", str(tmp_path / "map.jpg")]) == 2
    assert ".png or .svg" in capsys.readouterr().err
    assert main(["map", "--year", "2010", "--layer", "bases", "-o", str(tmp_path / "map.svg")]) == 0
    assert ET.parse(tmp_path / "map.svg").getroot().tag.endswith("svg")
    assert main(["brief", "--year", "2010", "--compare-to", "2012", "-o", str(tmp_path / "b.pdf")]) == 2
    assert "after --year" in capsys.readouterr().err
