"""The app through Streamlit's AppTest: reads what the map canvas would receive.

The canvas component gets small arguments (two payload names and the frame); the
payloads themselves are files in the component's folder, read here as the browser would.
A click or a released slider is simulated by setting the component's value.
"""

import json

import pytest
from conftest import ROOT, read_layer, write_layer
from streamlit.testing.v1 import AppTest

from dashboard.canvas_component import RUNTIME_DIR

APP = str(ROOT / "dashboard" / "app.py")


def canvas_args(at: AppTest) -> dict:
    return json.loads(at.get("component_instance")[0].proto.json_args)


def payload(at: AppTest, which: str) -> dict:
    return json.loads((RUNTIME_DIR / "data" / canvas_args(at)[which]).read_text(encoding="utf-8"))


def layer_ids(at: AppTest) -> list[str]:
    return [item["id"] for item in payload(at, "view")["layers"]]


def rows_in(rows: list[dict], first: int, last: int | None = None) -> list[dict]:
    """The rows the GPU filter keeps for a year (or a range), by the same rule as the browser."""
    last = first if last is None else last
    return [row for row in rows if row["t0"] <= last and row["t1"] >= first]


def state_statuses(at: AppTest) -> dict[str, str]:
    frame = canvas_args(at)["frame"]
    year = frame["range"][1] if frame["range"] else frame["year"]
    return {row["tt_title"]: row["status"] for row in rows_in(payload(at, "view")["datasets"]["states"], year)}


seq = iter(range(1, 10_000))


def browser_reports(at: AppTest, year: int, picked: str | None = None) -> AppTest:
    """What the canvas sends when the slider is released, playback pauses, or a feature is clicked."""
    number = next(seq)
    at.session_state["canvas"] = {"year": year, "picked": picked, "pick_seq": number if picked else 0, "seq": number}
    return at.run()


@pytest.fixture()
def app() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    return at.run()


def test_default_run_raises_nothing_and_draws_every_layer(app):
    assert not app.exception
    ids = layer_ids(app)
    for name in ("land", "states", "bases", "garrisons", "pipelines", "borders", "events", "disputed"):
        assert name in ids
    scene = payload(app, "scene")
    assert scene["initial_view"]["zoom"] > 1
    # Every time-aware layer is filtered on the GPU.
    for spec in payload(app, "view")["layers"]:
        if spec["id"] in ("states", "bases", "pipelines", "events", "garrisons", "borders", "disputed"):
            assert {"@@type": "DataFilterExtension", "filterSize": 2} in spec["extensions"], spec["id"]


def test_moving_the_year_changes_uzbekistan(app):
    for year, expected in ((1995, "member"), (2000, "former"), (2008, "member")):
        browser_reports(app, year)
        assert canvas_args(app)["frame"]["year"] == year
        assert app.query_params["year"] == str(year)
        assert state_statuses(app).get("Uzbekistan") == expected, year


def test_organization_filter(app):
    browser_reports(app, 2010)
    assert "China" not in state_statuses(app)
    app.multiselect(key="orgs").set_value(["SCO"]).run()
    statuses = state_statuses(app)
    assert statuses["China"] == "member" and "Armenia" not in statuses


def test_layer_toggles_remove_layers(app):
    app.multiselect(key="layers").set_value(["states", "bases"]).run()
    ids = layer_ids(app)
    assert "bases" in ids and "pipelines" not in ids and "events" not in ids


def test_simulated_click_opens_the_citations(app):
    browser_reports(app, 2010, picked="base-kant")
    text = " ".join(m.value for m in app.markdown)
    assert "Kant Air Base" in text
    assert "Samay" in text or "Wikipedia" in text
    assert app.query_params["feature"] == "base-kant"
    assert canvas_args(app)["frame"]["selected"] == "base-kant"  # the browser outlines it
    assert payload(app, "scene")["geometries"]["base-kant"]["type"] == "Point"


def test_a_clicked_pipeline_lists_its_route_and_why_each_dotted_leg_is_approximate(app):
    browser_reports(app, 2015, picked="pipeline-nord-stream")
    text = " ".join(m.value for m in app.markdown).replace("\\", "")  # markdown escapes off
    assert "**Route** (straight between these points): Portovaya compressor station" in text
    assert "Dotted, approximate: Portovaya compressor station (near Vyborg) to Lubmin landfall" in text
    assert "No source gives a position of Nord Stream 1 at sea" in text


def test_a_repeated_or_malformed_report_from_the_browser_changes_nothing(app):
    browser_reports(app, 2010, picked="base-kant")
    again = dict(app.session_state["canvas"], year=1999)  # same sequence number: already applied
    app.session_state["canvas"] = again
    app.run()
    assert canvas_args(app)["frame"]["year"] == 2010
    for bad in ({"year": "2010"}, {"seq": 99, "year": 1066}, {"seq": 100, "picked": "<script>", "pick_seq": 5}, [1]):
        app.session_state["canvas"] = bad
        app.run()
        assert not app.exception
        assert canvas_args(app)["frame"]["year"] == 2010
        assert app.session_state["selected"] == "base-kant"


def test_query_parameters_round_trip():
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update({"year": "1995", "orgs": "CSTO,CIS", "layers": "states,bases", "feature": "base-kant"})
    at.run()
    assert canvas_args(at)["frame"]["year"] == 1995
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
    assert canvas_args(at)["frame"]["year"] == payload(at, "scene")["last_year"]
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
    assert canvas_args(app)["frame"]["range"] == [1995, 2000]
    names = {row["tt_title"] for row in rows_in(payload(app, "scene")["datasets"]["bases"], 1995, 2000)}
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
    bases = payload(at, "scene")["datasets"]["bases"]
    assert len(bases) > 10 and broken_id not in {row["id"] for row in bases}


def test_compare_view_names_who_left_and_outlines_the_changes():
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update({"year": "2000", "orgs": "CSTO", "compare": "1998"})
    at.run()
    assert at.toggle(key="compare").value is True
    summary = at.text[0].value
    assert "CSTO: 3 left (Azerbaijan, Georgia, Uzbekistan)" in summary
    outlined = canvas_args(at)["frame"]["highlight"]
    assert {"state-aze", "state-geo", "state-uzb"} <= set(outlined)
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
        "Interactive map (HTML)",
        "Map PNG",
        "Map SVG",
        "Sources CSL-JSON",
        "Sources BibTeX",
    ):
        assert expected in labels
    browser_reports(app, 2010)
    app.button(key="make_brief").click().run(timeout=120)
    assert not app.exception
    assert "Download the briefing pack (PDF)" in {b.proto.label for b in app.get("download_button")}
    _, pdf = app.session_state["brief_pdf"]
    assert pdf.startswith(b"%PDF")


def test_sources_and_timeline_sections(app):
    browser_reports(app, 2010)
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
    assert layer_ids(at)[0] == "land"


def test_the_online_basemap_is_the_browsers_choice_and_never_in_the_link(app):
    """Python sends no tile layer: the canvas adds CARTO's tiles only when the person ticks
    its box (tests/test_browser.py), and a shared link cannot turn them on."""
    assert "land" in layer_ids(app)
    assert all("Tile" not in spec["@@type"] for spec in payload(app, "view")["layers"])
    assert payload(app, "scene")["online_tiles"].startswith("https://basemaps.cartocdn.com/")
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update({"online_basemap": "true", "basemap": "carto"})
    at.run()
    assert "online_basemap" not in at.query_params and "basemap" not in at.query_params


def test_a_year_change_sends_only_the_frame(app):
    browser_reports(app, 2001)
    before = canvas_args(app)
    browser_reports(app, 2002)
    after = canvas_args(app)
    assert (before["scene"], before["view"]) == (after["scene"], after["view"])  # byte-identical payloads
    assert after["frame"]["year"] == 2002
    assert len(app.get("component_instance")[0].proto.json_args) < 1000
    app.run()  # a rerun with nothing new re-sends the same arguments, byte for byte
    assert canvas_args(app) == after


def test_a_year_set_by_python_reaches_the_browser_once(app):
    """The browser takes the frame's year only when Python itself changed it (year_rev),
    so a rerun answering an older report never rewinds what the person sees."""
    browser_reports(app, 2005)
    revision = canvas_args(app)["frame"]["year_rev"]
    app.session_state["year"] = 1999
    app.run()
    frame = canvas_args(app)["frame"]
    assert frame["year"] == 1999 and frame["year_rev"] == revision + 1
    app.run()
    assert canvas_args(app)["frame"]["year_rev"] == revision + 1


PAYLOAD = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'


def test_your_own_layers_from_the_folder_reach_the_map_the_panel_and_the_downloads(tmp_path, monkeypatch):
    folder = tmp_path / "layers"
    folder.mkdir()
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [71.4, 51.1]},
            "properties": {
                "id": "a",
                "name": PAYLOAD,
                "start": "2001",
                "end": "2003",
                "sources": ["javascript:alert(1)", "https://example.org/x"],
                "unit": "<b>bold</b>",
            },
        },
        {
            "type": "Feature",
            "geometry": {"type": "LineString", "coordinates": [[60, 45], [65, 47]]},
            "properties": {"name": "route", "start": "2010"},
        },
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [500, 10]},
            "properties": {"name": "off the earth"},
        },
    ]
    (folder / "events-of-mine.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    monkeypatch.setenv("DASHBOARD_USER_LAYERS", str(folder))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    user = json.loads((RUNTIME_DIR / "data" / canvas_args(at)["user"]).read_text(encoding="utf-8"))
    points = user["datasets"]["user-points"]
    assert [(p["t0"], p["t1"], p["tt_title"]) for p in points] == [(2001, 2003, PAYLOAD)]
    assert [(row["t0"], row["t1"]) for row in user["datasets"]["user-lines"]] == [(2010, 9999)]
    assert [item["label"] for item in user["legend"]] == ["Your layer: events-of-mine"]
    assert "javascript:alert(1)" not in json.dumps(user)  # a refused link is reported, not kept
    # The bad feature is reported with file, feature and field; the rest still shows.
    problems = at.dataframe[-1].value
    reported = problems[problems["file"].str.contains("events-of-mine")]
    assert len(reported) >= 2  # the coordinates off the earth and the javascript: link
    assert set(reported["feature"]) == {"a", "#2"}  # the link of feature a; the coordinates of the third
    browser_reports(at, 2002, picked="user:events-of-mine:a")
    panel = " ".join(m.value for m in at.markdown)
    assert "&lt;script&gt;" in panel and "<script>" not in panel  # the name is text, escaped
    assert "https://example.org/x" in panel
    assert canvas_args(at)["frame"]["selected"] == "user:events-of-mine:a"
    at.segmented_control(key="section").set_value("Downloads").run()
    assert not at.exception
    assert "Interactive map (HTML)" in {b.proto.label for b in at.get("download_button")}


def test_the_region_chosen_in_the_canvas_goes_into_the_link_and_back():
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update({"region": "central-asia"})
    at.run()
    assert canvas_args(at)["frame"]["region"] == "central-asia"
    number = next(seq)
    at.session_state["canvas"] = {"year": 2010, "region": "south-caucasus", "seq": number, "pick_seq": 0}
    at.run()
    assert at.query_params["region"] == "south-caucasus"
    assert canvas_args(at)["frame"]["region"] == "south-caucasus"
    at.session_state["canvas"] = {"year": 2010, "region": "atlantis", "seq": next(seq), "pick_seq": 0}
    at.run()
    assert at.query_params["region"] == "south-caucasus" and not at.exception
