"""The command line, run as a user would: exit codes, one line per problem, no tracebacks."""

import csv
import io
import json
import subprocess
import sys

from conftest import ROOT, point_feature


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "dashboard", *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def test_validate_passes_on_the_shipped_data():
    result = run("validate")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("ok: ")


def test_validate_reports_a_broken_user_layer_one_line_per_problem(tmp_path):
    layer = tmp_path / "bases.geojson"
    layer.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    point_feature("user-a", 74.85, 42.85, start="soon"),
                    point_feature("user-b", 74.85, 42.85),
                ],
            }
        )
    )
    broken = tmp_path / "broken.geojson"
    broken.write_text("{not json")
    result = run("validate", str(layer), str(broken))
    assert result.returncode == 1
    lines = result.stdout.strip().splitlines()
    assert any(
        line.endswith("user-a: start: 'soon' is not an ISO 8601 date (YYYY, YYYY-MM or YYYY-MM-DD)") for line in lines
    )
    assert any("broken.geojson: -: -: not valid JSON" in line for line in lines)
    assert "Traceback" not in result.stderr


def test_export_geojson_contract_for_a_year_and_org():
    result = run("export", "--year", "2000", "--org", "CSTO")
    assert result.returncode == 0, result.stderr
    collection = json.loads(result.stdout)
    states = [f for f in collection["features"] if f["properties"]["layer"] == "states"]
    assert sorted(f["properties"]["iso3"] for f in states) == ["ARM", "BLR", "KAZ", "KGZ", "RUS", "TJK"]
    for feature in collection["features"]:
        props = feature["properties"]
        assert {"id", "layer", "name", "start", "end", "precision", "sources"} <= set(props)
        assert all({"id", "locator", "claim", "citation"} <= set(s) for s in props["sources"])
        if props["layer"] == "states":
            assert props["memberships"] and all(m["org"] == "CSTO" for m in props["memberships"])
        if props["layer"] in ("bases", "garrisons"):
            assert props["host_iso3"]
        if props["layer"] in ("pipelines", "borders"):
            assert props["length_km"] > 0
    assert {f["properties"]["layer"] for f in collection["features"]} >= {"states", "bases", "pipelines", "borders"}


def test_export_csv_and_layer_filter(tmp_path):
    out = tmp_path / "bases.csv"
    result = run("export", "--year", "2010", "--layer", "bases", "--format", "csv", "-o", str(out))
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert rows and {r["layer"] for r in rows} == {"bases"}
    assert all(r["wkt"].startswith("POINT") and r["longitude"] for r in rows)
    assert not any("gabala" in r["id"] for r in rows if r["end"] and r["end"] < "2010")
    # Citations in words for spreadsheet readers, numbered, from the shared renderer.
    kant = next(r for r in rows if r["id"] == "base-kant")
    assert kant["citations"].startswith("[1] ") and "para. 6" in kant["citations"] and "Samay" in kant["citations"]


def test_sources_in_both_formats():
    csl = json.loads(run("sources").stdout)
    assert any(e["id"] == "bayzakova2004" for e in csl)
    bibtex = run("sources", "--format", "bibtex").stdout
    assert bibtex.count("\n@") + 1 == len(csl)


def test_bad_arguments_give_a_one_line_error():
    result = run("export", "--org", "WARSAW")
    assert result.returncode == 2
    assert "invalid choice" in result.stderr and "Traceback" not in result.stderr
    result = run("export", "--format", "kml")
    assert result.returncode == 2 and result.stderr.strip() == "error: --format kml needs -o FILE"
