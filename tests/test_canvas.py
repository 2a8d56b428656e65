"""The canvas payloads, checked without a browser: what each layer receives, the filter
values per year, determinism, and the reports the browser sends back."""

from __future__ import annotations

import json
import re

import pytest

from dashboard import cli
from dashboard.canvas import (
    OPEN_END,
    blob,
    build_scene,
    build_view,
    frame_args,
    read_canvas_event,
    standalone_html,
    standalone_map,
)
from dashboard.layers import basemap_collection
from dashboard.selection import ViewFilter, is_visible, state_status


@pytest.fixture(scope="module")
def scene(catalog):
    return build_scene(catalog, basemap_collection())


def kept(rows, first, last=None):
    """The browser's filter: a row shows when t0 <= last and t1 >= first."""
    last = first if last is None else last
    return [r for r in rows if r["t0"] <= last and r["t1"] >= first]


def test_site_rows_carry_their_years_and_the_filter_matches_the_shared_rule(catalog, scene):
    for layer in ("bases", "garrisons", "events"):
        rows = {r["id"]: r for r in scene["datasets"][layer]}
        assert set(rows) == {f.id for f in catalog.layer(layer)}
        for year in (1991, 1999, 2008, 2014, catalog.latest_year):
            expected = {f.id for f in catalog.layer(layer) if is_visible(f, ViewFilter.make(year=year))}
            assert {r["id"] for r in kept(rows.values(), year)} == expected, (layer, year)
    ongoing = [r for r in scene["datasets"]["bases"] if r["t1"] == OPEN_END]
    assert ongoing and all(catalog.get(r["id"]).props.end is None for r in ongoing)


def test_state_rows_give_each_year_its_status_exactly_once(catalog):
    for orgs in (frozenset({"CSTO"}), frozenset({"SCO", "NATO"}), None):
        rows = build_view(catalog, ViewFilter.make(orgs=orgs))["datasets"]["states"]
        for year in range(1991, catalog.latest_year + 1):
            shown = kept(rows, year)
            ids = [r["id"] for r in shown]
            assert len(ids) == len(set(ids)), (orgs, year)  # never two rows of one state
            expected = {s.id: state_status(s, year, orgs) for s in catalog.layer("states")}
            assert {r["id"]: r["status"] for r in shown} == {k: v for k, v in expected.items() if v}, (orgs, year)


def test_uzbekistan_in_the_csto_changes_colour_with_the_year(catalog):
    rows = [
        r for r in build_view(catalog, ViewFilter.make(orgs=["CSTO"]))["datasets"]["states"] if r["id"] == "state-uzb"
    ]
    by_year = {year: kept(rows, year)[0]["status"] for year in (1995, 2000, 2008, 2015)}
    assert by_year == {1995: "member", 2000: "former", 2008: "member", 2015: "former"}


def test_the_organization_filter_hides_tagged_events_and_garrisons(catalog):
    hidden = set(build_view(catalog, ViewFilter.make(orgs=["SCO"]))["hidden"])
    assert {f.id for f in catalog.layer("garrisons")} <= hidden  # garrisons belong to the CSTO
    assert not set(build_view(catalog, ViewFilter.make(orgs=["CSTO"]))["hidden"]) & {
        f.id for f in catalog.layer("garrisons")
    }


def test_time_aware_layers_use_the_gpu_filter_and_name_their_data(catalog):
    layers = build_view(catalog, ViewFilter.make())["layers"]
    by_id = {spec["id"]: spec for spec in layers}
    for layer_id in ("states", "disputed", "bases", "bases-symbols", "bases-uncertainty", "pipelines", "borders"):
        spec = by_id[layer_id]
        assert {"@@type": "DataFilterExtension", "filterSize": 2} in spec["extensions"]
        assert spec["getFilterValue"] in ("@@=[t0, t1]", "@@=[properties.t0, properties.t1]")
        assert spec["data"].startswith("dataset:")
    assert by_id["states"]["timeFilter"] == "@@=year" and by_id["bases"]["timeFilter"] == "@@=overlap"


def test_payloads_are_byte_identical_for_the_same_input(catalog, scene):
    again = build_scene(catalog, basemap_collection())
    assert blob(scene).text == blob(again).text and blob(scene).name == blob(again).name
    view = ViewFilter.make(orgs=["CSTO"])
    assert blob(build_view(catalog, view)).text == blob(build_view(catalog, view)).text
    assert blob(build_view(catalog, view)).name != blob(build_view(catalog, ViewFilter.make(orgs=["SCO"]))).name


def test_a_year_change_touches_only_the_frame():
    small = json.dumps(frame_args(2010, 3, None, "base-kant", frozenset({"state-uzb"})))
    assert len(small) < 200


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ([], None),
        ({"seq": "1", "year": 2000}, None),
        ({"seq": 7, "year": 2000}, None),  # already applied
        ({"seq": 8, "year": 2000}, (2000, None)),
        ({"seq": 8, "year": 1066}, (None, None)),
        ({"seq": 8, "year": True}, (None, None)),
        ({"seq": 8, "year": 2000, "picked": "base-kant", "pick_seq": 3}, (2000, "base-kant")),
        ({"seq": 8, "year": 2000, "picked": "base-kant", "pick_seq": 2}, (2000, None)),  # an old click
        ({"seq": 8, "year": 2000, "picked": "<script>", "pick_seq": 3}, (2000, None)),
    ],
)
def test_reports_from_the_browser_are_checked(value, expected):
    event = read_canvas_event(value, 7, 2, 1991, 2025, {"base-kant"})
    assert (None if event is None else (event.year, event.picked)) == expected


def test_standalone_html_holds_everything_inline_and_escapes_script_payloads(catalog, scene):
    view = build_view(catalog, ViewFilter.make(orgs=["CSTO"]), cards=True)
    view["cards"]["x"] = {"title": "</script><script>alert(1)</script>", "lines": [], "citations": []}
    page = standalone_html(scene, view, frame_args(2010, 1), "a <b>title</b>")
    assert "</script><script>alert(1)" not in page
    assert "\\u003c/script>\\u003cscript>alert(1)" in page
    assert "<title>a &lt;b&gt;title&lt;/b&gt;</title>" in page
    assert re.search(r"connect-src 'none'", page)
    tags = re.findall(r"^<script[^>]*>", page, re.M)
    assert tags and all("src=" not in tag for tag in tags)  # nothing loaded from anywhere
    assert "<link" not in page


def test_cli_writes_the_standalone_map(tmp_path, catalog):
    target = tmp_path / "map.html"
    assert cli.main(["html", "--year", "2010", "--org", "CSTO", "-o", str(target)]) == 0
    text = target.read_text(encoding="utf-8")
    assert text.startswith("<!doctype html>") and '"year":2010' in text
    assert cli.main(["html", "-o", str(tmp_path / "map.png")]) == 2


def test_standalone_cards_cite_in_full(catalog):
    page = standalone_map(catalog, ViewFilter.make(year=2010, orgs=["CSTO"]))
    boot = json.loads(re.search(r'id="canvas-boot" type="application/json">(.*?)</script>', page, re.S).group(1))
    card = boot["view"]["cards"]["base-kant"]
    assert card["title"] == "Kant Air Base" or "Kant" in card["title"]
    assert card["citations"] and all(c["url"] == "" or c["url"].startswith("http") for c in card["citations"])


def test_a_site_is_drawn_closed_only_from_the_year_it_closed(catalog, scene):
    """A single year shows what stood then: a base that closed later is drawn operating;
    the browser swaps in the closed look when t1 <= the last year shown (as print does)."""
    from dashboard.symbology import FORMER_FILL

    closed = [r for r in scene["datasets"]["bases"] if r["t1"] != OPEN_END]
    assert closed
    for row in closed:
        assert row["fill"] == row["line"] and row["closed_fill"] == FORMER_FILL
        assert "Closed or withdrawn" in row["tt_status"]
