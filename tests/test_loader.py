"""The loader on small broken files: every problem names file, feature and field, and
the rest still loads."""

import json

from conftest import load_copy, point_feature, read_layer, write_layer

from dashboard.loader import load_catalog
from dashboard.schema import LAYERS


def test_shipped_data_loads_without_problems(catalog):
    assert catalog.problems == []
    assert {f.layer for f in catalog.features} == set(LAYERS)


def test_malformed_json_file_is_reported_and_other_layers_still_load(data_copy):
    (data_copy / "geodata" / "events.geojson").write_text(
        '{"type": "FeatureCollection", "features": [', encoding="utf-8"
    )
    catalog = load_copy(data_copy)
    assert any(p.file.endswith("events.geojson") and "not valid JSON" in p.message for p in catalog.problems)
    assert catalog.layer("events") == []
    assert len(catalog.layer("bases")) > 20


def test_a_layer_nested_100000_deep_is_reported_not_a_recursion_error(data_copy):
    nested = "[" * 100_000 + "]" * 100_000
    (data_copy / "geodata" / "events.geojson").write_text(f'{{"features": {nested}}}', encoding="utf-8")
    problems = load_copy(data_copy).problems
    assert [p.message for p in problems if p.file.endswith("events.geojson")] == [
        "not valid JSON: nested too deeply to read"
    ]


def test_bad_field_names_file_feature_and_field_and_keeps_the_rest(data_copy):
    document = read_layer(data_copy, "bases")
    victim = document["features"][0]["properties"]
    victim["start"] = "15 May 2003"
    count = len(document["features"])
    write_layer(data_copy, "bases", document)
    catalog = load_copy(data_copy)
    problem = next(p for p in catalog.problems if p.feature_id == victim["id"])
    assert problem.file.endswith("bases.geojson")
    assert problem.field == "start"
    assert "ISO 8601" in problem.message
    assert len(catalog.layer("bases")) == count - 1
    assert catalog.get(victim["id"]) is None


def test_unknown_field_is_reported_not_ignored(data_copy):
    document = read_layer(data_copy, "bases")
    document["features"][0]["properties"]["opend"] = "2003"
    write_layer(data_copy, "bases", document)
    problems = load_copy(data_copy).problems
    assert any(p.field == "opend" and "Extra inputs" in p.message for p in problems)


def test_geometry_checks(data_copy):
    document = read_layer(data_copy, "bases")
    document["features"] += [
        point_feature("test-out-of-range", 200.0, 42.0),
        point_feature("test-wrong-host", 37.6, 55.75),  # Moscow, stated host Kyrgyzstan
        {
            "type": "Feature",
            "geometry": {"type": "LineString", "coordinates": [[74, 42], [75, 43]]},
            "properties": point_feature("test-wrong-type", 0, 0)["properties"],
        },
        {"type": "Feature", "geometry": None, "properties": point_feature("test-no-geometry", 0, 0)["properties"]},
    ]
    write_layer(data_copy, "bases", document)
    by_id = {p.feature_id: p for p in load_copy(data_copy).problems}
    assert "outside longitude" in by_id["test-out-of-range"].message
    assert "not in its stated host KGZ" in by_id["test-wrong-host"].message
    assert "RUS" in by_id["test-wrong-host"].message
    assert "'LineString' is not allowed" in by_id["test-wrong-type"].message
    assert by_id["test-no-geometry"].field == "geometry"


def test_self_intersecting_polygon_is_reported(data_copy):
    document = read_layer(data_copy, "disputed")
    feature = next(f for f in document["features"] if f["geometry"]["type"] != "Point")
    feature["geometry"] = {"type": "Polygon", "coordinates": [[[0, 0], [2, 2], [2, 0], [0, 2], [0, 0]]]}
    write_layer(data_copy, "disputed", document)
    problem = next(p for p in load_copy(data_copy).problems if p.feature_id == feature["properties"]["id"])
    assert "Self-intersection" in problem.message


def test_duplicate_ids_across_layers_are_reported(data_copy):
    events = read_layer(data_copy, "events")
    base_id = read_layer(data_copy, "bases")["features"][0]["properties"]["id"]
    events["features"][0]["properties"]["id"] = base_id
    write_layer(data_copy, "events", events)
    problems = load_copy(data_copy).problems
    assert any(p.feature_id == base_id and p.field == "id" and "duplicate" in p.message for p in problems)


def test_unknown_source_and_uncited_entry_are_reported(data_copy):
    document = read_layer(data_copy, "bases")
    document["features"].append(
        point_feature("test-kant", 74.85, 42.85, sources=[{"id": "no-such-source", "locator": "p. 1", "claim": "x"}])
    )
    write_layer(data_copy, "bases", document)
    bibliography = json.loads((data_copy / "bibliography.json").read_text())
    bibliography.append({"id": "never-cited", "type": "report", "title": "Unused"})
    (data_copy / "bibliography.json").write_text(json.dumps(bibliography))
    problems = load_copy(data_copy).problems
    assert any(
        p.feature_id == "test-kant" and p.field == "sources.id" and "no-such-source" in p.message for p in problems
    )
    assert any(p.feature_id == "never-cited" and "cited by no feature" in p.message for p in problems)


def test_bibliography_entry_with_a_script_url_is_refused(data_copy):
    bibliography = json.loads((data_copy / "bibliography.json").read_text())
    bibliography[0]["URL"] = "javascript:alert(1)"
    (data_copy / "bibliography.json").write_text(json.dumps(bibliography))
    problems = load_copy(data_copy).problems
    assert any(p.feature_id == bibliography[0]["id"] and p.field == "URL" for p in problems)


def test_pipeline_waypoint_names_must_match_coordinates(data_copy):
    document = read_layer(data_copy, "pipelines")
    feature = document["features"][0]
    feature["properties"]["waypoints"] = feature["properties"]["waypoints"][:-1]
    write_layer(data_copy, "pipelines", document)
    problem = next(p for p in load_copy(data_copy).problems if p.feature_id == feature["properties"]["id"])
    assert problem.field == "waypoints"


def test_extra_user_layer_file(tmp_path):
    user = tmp_path / "my-bases.geojson"
    user.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "name": "bases",
                "features": [
                    point_feature("user-kant", 74.85, 42.85),
                    point_feature("user-bad", 74.85, 42.85, type="castle"),
                ],
            }
        )
    )
    catalog = load_catalog(extra_paths=[user])
    assert catalog.get("user-kant") is not None
    assert [(p.feature_id, p.field) for p in catalog.problems] == [("user-bad", "type")]


def test_missing_layer_file_is_reported(data_copy):
    (data_copy / "geodata" / "garrisons.geojson").unlink()
    problems = load_copy(data_copy).problems
    assert any(p.file.endswith("garrisons.geojson") and p.message == "file not found" for p in problems)
