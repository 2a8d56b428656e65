"""The app through Streamlit's AppTest: reads the deck spec the browser would receive."""

import json

import pytest
from conftest import ROOT, read_layer, write_layer
from streamlit.testing.v1 import AppTest

APP = str(ROOT / "dashboard" / "app.py")


def deck(at: AppTest) -> dict:
    return json.loads(at.get("deck_gl_json_chart")[0].proto.json)


def layer(at: AppTest, layer_id: str) -> dict:
    return next(item for item in deck(at)["layers"] if item["id"] == layer_id)


def state_statuses(at: AppTest) -> dict[str, str]:
    return {f["properties"]["tt_title"]: f["properties"]["status"] for f in layer(at, "states")["data"]["features"]}


@pytest.fixture()
def app() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    return at.run()


def test_default_run_raises_nothing_and_draws_every_layer(app):
    assert not app.exception
    ids = [item["id"] for item in deck(app)["layers"]]
    for name in ("states", "bases", "garrisons", "pipelines", "borders", "events", "disputed"):
        assert name in ids
    assert deck(app)["initialViewState"]["zoom"] > 1
    assert "mapStyle" not in deck(app) or not str(deck(app).get("mapStyle", "")).startswith("http")


def test_moving_the_year_changes_uzbekistan(app):
    for year, expected in ((1995, "member"), (2000, "former"), (2008, "member")):
        app.slider(key="year").set_value(year).run()
        assert state_statuses(app).get("Uzbekistan") == expected, year


def test_organization_filter(app):
    app.slider(key="year").set_value(2010).run()
    assert "China" not in state_statuses(app)
    app.multiselect(key="orgs").set_value(["SCO"]).run()
    statuses = state_statuses(app)
    assert statuses["China"] == "member" and "Armenia" not in statuses


def test_layer_toggles_remove_layers(app):
    app.multiselect(key="layers").set_value(["states", "bases"]).run()
    ids = [item["id"] for item in deck(app)["layers"]]
    assert "bases" in ids and "pipelines" not in ids and "events" not in ids


def test_simulated_click_opens_the_citations(app):
    app.session_state["map"] = {"selection": {"indices": {"bases": [0]}, "objects": {"bases": [{"id": "base-kant"}]}}}
    app.run()
    text = " ".join(m.value for m in app.markdown)
    assert "Kant Air Base" in text
    assert "Samay" in text or "Wikipedia" in text
    assert app.query_params["feature"] == "base-kant"
    selected = layer(app, "selected")
    assert selected["data"]["features"][0]["geometry"]["type"] == "Point"


def test_query_parameters_round_trip():
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update({"year": "1995", "orgs": "CSTO,CIS", "layers": "states,bases", "feature": "base-kant"})
    at.run()
    assert at.slider(key="year").value == 1995
    assert at.multiselect(key="orgs").value == ["CSTO", "CIS"]
    assert at.session_state["selected"] == "base-kant"
    assert at.query_params["year"] == "1995"
    assert at.query_params["layers"] == "states,bases"


def test_bad_url_values_fall_back_with_a_note():
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update({"year": "1066", "orgs": "CSTO,WARSAW", "feature": "<script>"})
    at.run()
    assert not at.exception
    note = at.warning[0].value
    assert "1066" in note and "WARSAW" in note and "&lt;script&gt;" in note  # shown as text
    assert at.slider(key="year").value == at.slider(key="year").max
    assert at.multiselect(key="orgs").value == ["CSTO"]


def test_url_values_are_quoted_as_text_in_the_note():
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update({"feature": "[click](javascript:alert(1)) <b>x</b>"})
    at.run()
    note = at.warning[0].value
    assert "\\[click\\]\\(javascript" in note
    assert "<b>" not in note and "&lt;b&gt;" in note


def test_range_mode_shows_anything_active_between_two_years(app):
    app.toggle(key="range_mode").set_value(True).run()
    app.slider(key="range").set_value((1995, 2000)).run()
    names = {row["tt_title"] for row in layer(app, "bases")["data"]}
    assert any("Vaziani" in n for n in names)  # handed over to Georgia in 2001


def test_data_problems_panel_and_the_rest_still_renders(data_copy, monkeypatch):
    document = read_layer(data_copy, "bases")
    document["features"][0]["properties"]["start"] = "yesterday"
    broken_id = document["features"][0]["properties"]["id"]
    write_layer(data_copy, "bases", document)
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(data_copy / "geodata"))
    monkeypatch.setenv("DASHBOARD_BIBLIOGRAPHY", str(data_copy / "bibliography.json"))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert any("Data problems" in e.label for e in at.expander)
    table = at.dataframe[-1].value
    assert broken_id in set(table["feature"]) and "start" in set(table["field"])
    assert len(layer(at, "bases")["data"]) > 10


def test_compare_view_names_who_left_and_outlines_the_changes():
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update({"year": "2000", "orgs": "CSTO", "compare": "1998"})
    at.run()
    assert at.toggle(key="compare").value is True
    summary = at.text[0].value
    assert "CSTO: 3 left (Azerbaijan, Georgia, Uzbekistan)" in summary
    outlined = layer(at, "changes")["data"]["features"]
    assert len(outlined) >= 3
    assert at.query_params["compare"] == "1998"


def test_download_buttons_for_every_format_and_the_briefing_pack(app):
    assert not app.get("download_button")  # built only when asked for
    app.segmented_control(key="section").set_value("Downloads").run()
    labels = {button.proto.label for button in app.get("download_button")}
    for expected in (
        "GeoJSON",
        "CSV",
        "KML (Google Earth)",
        "GeoPackage (QGIS)",
        "Map PNG",
        "Map SVG",
        "Sources CSL-JSON",
        "Sources BibTeX",
    ):
        assert expected in labels
    app.slider(key="year").set_value(2010).run()
    app.button(key="make_brief").click().run(timeout=120)
    assert not app.exception
    assert "Download the briefing pack (PDF)" in {b.proto.label for b in app.get("download_button")}
    _, pdf = app.session_state["brief_pdf"]
    assert pdf.startswith(b"%PDF")


def test_sources_and_timeline_sections(app):
    app.slider(key="year").set_value(2010).run()
    app.segmented_control(key="section").set_value("Sources").run()
    text = " ".join(m.value for m in app.markdown)
    assert "Sources of everything visible now" in text and "Bayzakova" in text
    app.segmented_control(key="section").set_value("Timeline").run()
    assert not app.exception
    chart = app.get("vega_lite_chart")
    assert chart and "rule" in chart[0].proto.spec  # the line marking the selected year


def test_an_empty_data_directory_still_renders_with_problems(tmp_path, monkeypatch):
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DASHBOARD_BIBLIOGRAPHY", str(tmp_path / "missing.json"))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    problems = at.dataframe[-1].value
    assert "file not found" in set(problems["problem"])
    assert len(problems) >= 8  # seven layers and the bibliography
    assert deck(at)["layers"][0]["id"] == "basemap"


def test_playing_ignores_a_stale_year_from_the_browser_and_pause_keeps_the_year(app):
    app.slider(key="year").set_value(2015).run()
    app.button(key="play").click().run()
    assert app.session_state["player"].playing
    assert app.slider(key="year").disabled
    # A browser still drawing an older year reports it with its next request.
    app.session_state["year"] = 2003
    app.run()
    assert app.slider(key="year").value == 2015
    assert state_statuses(app).get("Uzbekistan") == "former"  # 2015, not 2003
    app.button(key="play").click().run()
    assert not app.session_state["player"].playing
    assert app.slider(key="year").value == 2015 and not app.slider(key="year").disabled


def test_online_basemap_is_off_by_default_and_swaps_the_local_land_when_on(app):
    spec = deck(app)
    assert "basemap" in [item["id"] for item in spec["layers"]]
    assert spec.get("mapProvider") is None
    app.toggle(key="online_basemap").set_value(True).run()
    spec = deck(app)
    assert spec["mapProvider"] == "carto"
    assert spec["mapStyle"].startswith("https://basemaps.cartocdn.com/")
    assert "basemap" not in [item["id"] for item in spec["layers"]]
    assert any("OpenStreetMap" in caption.value for caption in app.caption)
    # The toggle is not part of a shared link: a link never turns on outside requests.
    assert "online_basemap" not in app.query_params


def test_pause_stops_on_the_year_the_browser_shows(app):
    app.slider(key="year").set_value(2015).run()
    app.button(key="play").click().run()
    player = app.session_state["player"]
    app.session_state["player"] = type(player)(playing=True, year=2017, last_step=player.last_step)
    app.run()
    assert app.slider(key="year").value == 2017
    # The person saw 2016 (the browser had not drawn 2017 yet) and pressed Pause.
    app.session_state["year"] = 2016
    app.button(key="play").click().run()
    assert not app.session_state["player"].playing
    assert app.slider(key="year").value == 2016
