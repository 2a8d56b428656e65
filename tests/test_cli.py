"""The command line, run as a user would: exit codes, one line per problem, no tracebacks."""

import csv
import io
import json
import re
import shlex
import xml.etree.ElementTree as ET

import pytest
from conftest import point_feature, run_cli

from dashboard.cli import EXAMPLES, build_parser, main
from dashboard.regions import DEFAULT_REGION, REGIONS


def test_validate_passes_on_the_shipped_data():
    result = run_cli("validate")
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
    result = run_cli("validate", str(layer), str(broken))
    assert result.returncode == 1
    lines = result.stdout.strip().splitlines()
    assert any(
        line.endswith("user-a: start: 'soon' is not an ISO 8601 date (YYYY, YYYY-MM or YYYY-MM-DD)") for line in lines
    )
    assert any("broken.geojson: -: -: not valid JSON" in line for line in lines)
    assert "Traceback" not in result.stderr


def test_export_geojson_contract_for_a_year_and_org():
    result = run_cli("export", "--year", "2000", "--org", "CSTO")
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
    result = run_cli("export", "--year", "2010", "--layer", "bases", "--format", "csv", "-o", str(out))
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert rows and {r["layer"] for r in rows} == {"bases"}
    assert all(r["wkt"].startswith("POINT") and r["longitude"] for r in rows)
    assert not any("gabala" in r["id"] for r in rows if r["end"] and r["end"] < "2010")
    # Citations in words for spreadsheet readers, numbered, from the shared renderer.
    kant = next(r for r in rows if r["id"] == "base-kant")
    assert kant["citations"].startswith("[1] ") and "para. 6" in kant["citations"] and "Samay" in kant["citations"]


def test_sources_in_both_formats():
    csl = json.loads(run_cli("sources").stdout)
    assert any(e["id"] == "bayzakova2004" for e in csl)
    bibtex = run_cli("sources", "--format", "bibtex").stdout
    assert bibtex.count("\n@") + 1 == len(csl)


def export_collection(*args: str) -> dict:
    result = run_cli("export", *args)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def feature_ids(collection: dict) -> list[str]:
    return sorted(feature["properties"]["id"] for feature in collection["features"])


def state_iso3(collection: dict) -> set[str]:
    return {f["properties"]["iso3"] for f in collection["features"] if f["properties"]["layer"] == "states"}


def test_org_and_layer_take_several_values_repeated_or_mixed():
    spaced = export_collection("--year", "2010", "--org", "CSTO", "SCO", "--layer", "states", "bases")
    repeated = export_collection(
        "--year", "2010", "--org", "CSTO", "--org", "SCO", "--layer", "states", "--layer", "bases"
    )
    mixed = export_collection("--year", "2010", "--org", "SCO", "--org", "CSTO", "CSTO", "--layer", "bases", "states")
    assert feature_ids(spaced) == feature_ids(repeated) == feature_ids(mixed)
    assert {f["properties"]["layer"] for f in spaced["features"]} == {"states", "bases"}
    memberships = {m["org"] for f in spaced["features"] for m in f["properties"].get("memberships", [])}
    assert memberships == {"CSTO", "SCO"}
    # Both codes count, not only the first: China (SCO only) and Armenia (CSTO only).
    csto_only = export_collection("--year", "2010", "--org", "CSTO", "--layer", "states", "bases")
    assert {"CHN", "ARM"} <= state_iso3(spaced)
    assert "CHN" not in state_iso3(csto_only)


def test_diff_org_takes_several_values_too():
    spaced = run_cli("diff", "--from", "2001", "--to", "2022", "--org", "CSTO", "GUAM", "--format", "json")
    repeated = run_cli("diff", "--from", "2001", "--to", "2022", "--org", "GUAM", "--org", "CSTO", "--format", "json")
    assert spaced.returncode == repeated.returncode == 0, spaced.stderr + repeated.stderr
    assert spaced.stdout == repeated.stdout
    changes = json.loads(spaced.stdout)
    assert changes["orgs"] == ["CSTO", "GUAM"]
    assert [m["org"] for m in changes["memberships"]] == ["CSTO", "GUAM"]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("export", "--org", "WARSAW"), "argument --org: invalid choice: 'WARSAW'"),
        (("export", "--org", "CSTO", "WARSAW", "--layer", "states"), "argument --org: invalid choice: 'WARSAW'"),
        (("export", "--layer", "states", "roads"), "argument --layer: invalid choice: 'roads'"),
        (("map", "--year", "2010", "--layer", "bases", "--layer", "ROADS", "-o", "x.png"), "invalid choice: 'ROADS'"),
        (("diff", "--from", "2001", "--to", "2022", "--org", "NATO", "csto"), "invalid choice: 'csto'"),
        (("export", "--org"), "argument --org: expected at least one argument"),
        (("brief", "--year", "twenty", "-o", "b.pdf"), "argument --year: invalid int value: 'twenty'"),
        (
            ("map", "--year", "2010", "--region", "atlantis", "-o", "x.png"),
            "argument --region: invalid choice: 'atlantis'",
        ),
        (("html", "--region", "Central-Asia", "-o", "x.html"), "argument --region: invalid choice: 'Central-Asia'"),
    ],
)
def test_bad_arguments_give_a_one_line_error(args, expected, capsys):
    with pytest.raises(SystemExit) as stopped:
        main(list(args))
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"error: python -m dashboard {args[0]}: ")
    assert expected in err


def test_bad_arguments_give_a_one_line_error_from_the_shell():
    result = run_cli("export", "--org", "CSTO", "WARSAW")
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "error: python -m dashboard export: argument --org: invalid choice: 'WARSAW' "
        "(choose from 'CSTO', 'CIS', 'SCO', 'EURASEC', 'EAEU', 'GUAM', 'PFP', 'NATO')"
    ]
    result = run_cli("export", "--format", "kml")
    assert result.returncode == 2 and result.stderr.strip() == "error: --format kml needs -o FILE"


@pytest.mark.parametrize("command", sorted(EXAMPLES))
def test_every_command_help_shows_examples_that_parse(command, capsys):
    with pytest.raises(SystemExit) as stopped:
        main([command, "--help"])
    assert stopped.value.code == 0
    help_text = capsys.readouterr().out
    examples = help_text.split("\nexamples:\n", 1)[1].splitlines()
    assert len(examples) >= 2
    for line in examples:
        words = shlex.split(line)
        assert words[:4] == ["python", "-m", "dashboard", command], line
        args = build_parser().parse_args(words[3:])
        assert args.command == command


def _svg_texts(path) -> set[str]:
    return {"".join(node.itertext()) for node in ET.parse(path).getroot().iter("{http://www.w3.org/2000/svg}text")}


def test_map_frames_the_region_given(tmp_path):
    caucasus, whole = tmp_path / "caucasus.svg", tmp_path / "whole.svg"
    assert main(["map", "--year", "1995", "--org", "CSTO", "--region", "south-caucasus", "-o", str(caucasus)]) == 0
    assert main(["map", "--year", "1995", "--org", "CSTO", "-o", str(whole)]) == 0
    near, far = _svg_texts(caucasus), _svg_texts(whole)
    assert "South Caucasus · Organizations: CSTO · Layers: all layers" in near
    assert f"{REGIONS[DEFAULT_REGION].title} · Organizations: CSTO · Layers: all layers" in far
    assert {"Yerevan", "Gyumri", "Batumi"} <= near and "Moscow" not in near
    assert "Moscow" in far


def test_brief_frames_the_region_given(tmp_path):
    from pypdf import PdfReader

    path = tmp_path / "brief.pdf"
    assert main(["brief", "--year", "2022", "--org", "CSTO", "--region", "kaz-rus-border", "-o", str(path)]) == 0
    assert "Region: Kazakhstan–Russia border" in PdfReader(path).pages[0].extract_text()


def test_html_opens_on_the_region_given(tmp_path):
    path = tmp_path / "map.html"
    assert main(["html", "--year", "2022", "--region", "central-asia", "-o", str(path)]) == 0
    boot = re.search(r'<script id="canvas-boot" type="application/json">(.*?)</script>', path.read_text(), re.S)
    assert json.loads(boot.group(1))["frame"]["region"] == "central-asia"
    assert main(["html", "--year", "2022", "-o", str(path)]) == 0
    boot = re.search(r'<script id="canvas-boot" type="application/json">(.*?)</script>', path.read_text(), re.S)
    assert json.loads(boot.group(1))["frame"]["region"] == DEFAULT_REGION
