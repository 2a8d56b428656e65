"""What a person sees, in Debian's Chromium driven by playwright.

These tests skip only outside CI when Chromium is missing; with CI=true they must run.
Screenshots land in test-artifacts/ for a person to look at. The map is the canvas
component: an iframe with its own player, year stamp and tooltips.
"""

from __future__ import annotations

import io
import itertools
import json
import math
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_support import (
    CANVAS_IFRAME,
    CHROMIUM,
    LAUNCH_ARGS,
    Server,
    canvas_frame,
    canvas_js,
    open_app,
    settle,
    wait_drawn,
)
from conftest import ROOT, point_feature, read_layer, states_to_name, write_layer

from dashboard.canvas import standalone_map
from dashboard.loader import load_catalog
from dashboard.regions import REGIONS
from dashboard.selection import ViewFilter, is_visible

ARTIFACTS = ROOT / "test-artifacts"
PAYLOAD_NAME = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'

pytestmark = pytest.mark.browser

if not CHROMIUM.exists():
    if os.environ.get("CI") == "true":
        raise RuntimeError("CI=true but /usr/bin/chromium is missing: .ci/run must install Debian's chromium")
    pytest.skip("Debian's chromium is not installed (these tests run in CI)", allow_module_level=True)

from playwright.sync_api import Page, sync_playwright  # noqa: E402
from playwright.sync_api import TimeoutError as PlaywrightTimeout  # noqa: E402


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    running = Server()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield launched
        launched.close()


class Watched:
    """A page that records every request and every console error."""

    def __init__(self, browser):
        self.page: Page = browser.new_page(viewport={"width": 1400, "height": 1000})
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("console", lambda message: self.errors.append(message.text) if message.type == "error" else None)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.sent_to_server: list[int] = []  # websocket messages the page sends (each asks for a rerun)
        self.page.on("websocket", lambda ws: ws.on("framesent", lambda payload: self.sent_to_server.append(1)))

    def open(self, url: str) -> None:
        open_app(self.page, url)

    def settle(self) -> None:
        settle(self.page)

    @property
    def canvas(self):
        return canvas_frame(self.page)

    @property
    def canvas_window(self):
        return canvas_js(self.page)

    def year_stamp(self) -> str:
        return self.canvas.get_by_label("Current year").inner_text()

    def hover(self, lon: float, lat: float) -> tuple[float, float, str]:
        """Move the mouse onto a place; return the screen point and the tooltip's text."""
        x, y = screen_position(self.page, lon, lat)
        self.page.mouse.move(x, y)
        tooltip = self.canvas.locator(".deck-tooltip")
        tooltip.wait_for(state="visible", timeout=10_000)
        return x, y, tooltip.inner_text()

    def click_to_select(self, x: float, y: float):
        """Click a map feature and return the opened side panel. The software renderer can
        be mid-frame when the press lands, so deck.gl's pick finds nothing; a missed click
        leaves no selection (nothing to toggle off), and only then is it repeated."""
        panel = self.page.locator(".st-key-feature_panel")
        for _ in range(3):
            self.page.mouse.click(x, y)
            self.settle()
            try:
                panel.wait_for(timeout=20_000)
                self.page.wait_for_url("**feature=**", timeout=60_000)  # the script ran to its end
                self.settle()
                return panel
            except PlaywrightTimeout:
                assert "feature=" not in self.page.url, "selected, yet no panel"
                self.page.mouse.move(x + 40, y + 40)
                self.page.mouse.move(x, y)
        raise AssertionError("three clicks on the feature opened no panel")

    def outside_requests(self) -> list[str]:
        local = ("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:")
        return [url for url in self.requests if not url.startswith(local)]

    def chart_png(self, name: str | None = None) -> bytes:
        png = self.canvas.locator("#map-frame").screenshot()
        if name:
            ARTIFACTS.mkdir(exist_ok=True)
            (ARTIFACTS / name).write_bytes(png)
        return png


def distinct_colours(png: bytes) -> int:
    import matplotlib.image

    pixels = matplotlib.image.imread(io.BytesIO(png), format="png")
    flat = (pixels[..., :3] * 255).astype("uint8").reshape(-1, 3)
    return len({tuple(p) for p in flat[:: max(1, len(flat) // 20000)]})


def screen_position(page: Page, lon: float, lat: float, frame=None) -> tuple[float, float]:
    """Where the canvas itself projects a place (it frames the region to its own size).
    The map is in the canvas iframe, or (a standalone file) in the page itself."""
    owner = frame if frame is not None else canvas_js(page)
    x, y = owner.evaluate("([lon, lat]) => window.__canvas.project(lon, lat)", [lon, lat])
    box = (frame or page.frame_locator(CANVAS_IFRAME)).locator("#map").bounding_box()
    return box["x"] + x, box["y"] + y


def isolated_base(year: int, catalog=None):
    """The visible base farthest from every other point, so a hover hits only it."""
    catalog = catalog or load_catalog()
    view = ViewFilter.make(year=year, layers=["bases"])
    bases = [
        f for f in catalog.layer("bases") if is_visible(f, view) and 22 < f.geometry.y < 62 and 25 < f.geometry.x < 100
    ]

    def clearance(feature) -> float:
        return min(feature.geometry.distance(other.geometry) for other in bases if other is not feature)

    return max(bases, key=clearance)


def test_page_loads_paints_the_map_and_stays_local(server, browser):
    watched = Watched(browser)
    watched.open(server.url)
    png = watched.chart_png("default-view.png")
    assert distinct_colours(png) > 20, "the map canvas looks blank"
    watched.page.screenshot(path=str(ARTIFACTS / "default-page.png"), full_page=True)
    title = watched.page.get_by_role("heading", name="CSTO and Kazakhstan–Russia military relations").bounding_box()
    assert title["y"] < 60, f"the title starts {title['y']:.0f} px down: Streamlit's toolbar gap is back"
    assert watched.outside_requests() == []
    assert watched.errors == []


def test_moving_the_slider_changes_the_map_and_the_link_on_release(server, browser):
    watched = Watched(browser)
    watched.open(f"{server.url}/?year=2010&orgs=CSTO&layers=states")
    before = watched.chart_png()
    slider = watched.canvas.get_by_label("Year", exact=True)
    slider.focus()
    for _ in range(10):  # 2010 -> 2000: Uzbekistan is no longer a member
        slider.press("ArrowLeft")
    wait_drawn(watched.canvas_window, 2000)
    assert slider.input_value() == "2000"
    assert watched.year_stamp() == "2000"
    watched.page.wait_for_url("**year=2000**", timeout=60_000)  # Python learned the year
    after = watched.chart_png("year-2000.png")
    assert before != after
    assert watched.errors == []


SEA = (0xC9 / 255, 0xD8 / 255, 0xE6 / 255)  # the map frame's background (canvas.css)


def sea_mask(png: bytes):
    """Pixels where no land is drawn: the sea colour shows through."""
    import matplotlib.image
    import numpy

    pixels = matplotlib.image.imread(io.BytesIO(png), format="png")[..., :3]
    return (numpy.abs(pixels - numpy.array(SEA)) < 0.02).all(axis=-1)


def test_the_view_does_not_jump_when_the_year_changes(server, browser):
    watched = Watched(browser)
    watched.open(f"{server.url}/?year=2010&orgs=CSTO&layers=states")
    page = watched.page
    initial = sea_mask(watched.chart_png())
    box = watched.canvas.locator("#map").bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.6)
    page.mouse.wheel(0, -500)
    page.wait_for_timeout(3000)
    zoomed = sea_mask(watched.chart_png())
    assert (initial != zoomed).mean() > 0.05, "the wheel did not zoom the map"
    thumb = watched.canvas.get_by_label("Year", exact=True)
    thumb.focus()
    for _ in range(10):
        thumb.press("ArrowLeft")
    wait_drawn(watched.canvas_window, 2000)
    watched.settle()
    page.wait_for_timeout(1000)
    assert thumb.input_value() == "2000"
    after = sea_mask(watched.chart_png("after-year-change-zoomed.png"))
    assert (zoomed != after).mean() < 0.02, "the view jumped after the year changed"
    assert watched.errors == []


def test_hover_shows_the_tooltip_and_click_opens_the_citations(server, browser):
    base = isolated_base(2010)
    watched = Watched(browser)
    watched.open(f"{server.url}/?year=2010&orgs=CSTO&layers=bases")
    x, y, tooltip = watched.hover(base.geometry.x, base.geometry.y)
    assert base.name in tooltip
    assert "Source:" in tooltip
    panel = watched.click_to_select(x, y)
    text = panel.inner_text()
    assert base.name in text and "Sources" in text
    assert any(ref.locator in text for ref in base.props.sources)
    assert f"feature={base.id}" in watched.page.url
    panel.scroll_into_view_if_needed()
    watched.page.screenshot(path=str(ARTIFACTS / "citation-panel.png"), full_page=True)
    assert watched.outside_requests() == []
    assert watched.errors == []


@pytest.fixture(scope="module")
def payload_server(tmp_path_factory) -> Iterator[tuple[Server, object]]:
    directory = tmp_path_factory.mktemp("payload")
    (directory / "geodata").mkdir()
    for path in (ROOT / "geodata").glob("*.geojson"):
        shutil.copy(path, directory / "geodata" / path.name)
    shutil.copy(ROOT / "sources" / "bibliography.json", directory / "bibliography.json")
    document = read_layer(directory, "bases")
    # A lone site in northern Kazakhstan, far from every other base.
    document["features"].append(
        point_feature("test-payload", 69.0, 53.0, host_iso3="KAZ", name=PAYLOAD_NAME, notes=PAYLOAD_NAME, start="2010")
    )
    write_layer(directory, "bases", document)
    catalog = load_catalog(directory / "geodata", directory / "bibliography.json")
    assert catalog.problems == [], catalog.problems
    running = Server(
        {
            "DASHBOARD_DATA_DIR": str(directory / "geodata"),
            "DASHBOARD_BIBLIOGRAPHY": str(directory / "bibliography.json"),
        }
    )
    yield running, catalog.get("test-payload"), catalog
    running.stop()


def test_html_payload_in_a_name_is_shown_as_text_and_runs_nothing(payload_server, browser):
    server_with_payload, feature, _ = payload_server
    watched = Watched(browser)
    watched.open(f"{server_with_payload.url}/?year=2012&orgs=CSTO&layers=bases")
    x, y, tooltip = watched.hover(feature.geometry.x, feature.geometry.y)
    assert PAYLOAD_NAME in tooltip
    panel = watched.click_to_select(x, y)
    assert PAYLOAD_NAME in panel.inner_text()
    assert watched.page.evaluate("window.__xss") is None
    assert watched.page.locator("img[src=x]").count() == 0
    assert watched.outside_requests() == []


def test_play_advances_the_year_stamp_with_no_rerun_and_pause_holds_it(server, browser):
    watched = Watched(browser)
    watched.open(f"{server.url}/?year=2005&layers=states,bases,pipelines")
    watched.settle()
    sent_before = len(watched.sent_to_server)
    window = watched.canvas_window
    watched.canvas.get_by_role("button", name="Play").click()
    # Poll rather than sleep: a slow machine plays slower, it does not stop playing.
    wait_drawn(window, 2008, timeout=90_000)
    assert len(watched.sent_to_server) == sent_before, "playback asked the server for a rerun"
    watched.canvas.get_by_role("button", name="Pause").click()
    paused_at = int(watched.year_stamp())
    assert paused_at >= 2008
    drawn = [d["year"] for d in window.evaluate("window.__canvasStats.drawn")]
    assert drawn[: drawn.index(2008) + 1] == list(range(2005, 2009)), "every year drawn in turn"
    watched.page.wait_for_url(f"**year={paused_at}**", timeout=60_000)  # Python learned it on Pause
    watched.page.wait_for_timeout(2000)
    assert int(watched.year_stamp()) == paused_at, "the year moved after Pause"
    assert watched.canvas.get_by_role("button", name="Play").is_visible()
    watched.page.screenshot(path=str(ARTIFACTS / "paused.png"), full_page=True)
    assert watched.outside_requests() == []
    assert watched.errors == []


def open_card(page: Page, x: float, y: float) -> None:
    """Click a feature of the standalone map until its citation card opens (the software
    renderer can miss a pick mid-frame; a repeated click on the same feature is harmless)."""
    for _ in range(3):
        page.mouse.click(x, y)
        try:
            page.locator("#card").wait_for(state="visible", timeout=10_000)
            return
        except PlaywrightTimeout:
            continue
    raise AssertionError("three clicks opened no citation card")


def test_standalone_html_opens_from_disk_with_no_request_and_a_working_player(browser, tmp_path):
    catalog = load_catalog()
    path = tmp_path / "map.html"
    path.write_text(standalone_map(catalog, ViewFilter.make(year=2010, orgs=["CSTO"])), encoding="utf-8")
    watched = Watched(browser)
    page = watched.page
    page.goto(path.as_uri())
    wait_drawn(page, 2010)
    assert page.get_by_label("Current year").inner_text() == "2010"
    base = isolated_base(2010, catalog)
    x, y = screen_position(page, base.geometry.x, base.geometry.y, frame=page)
    page.mouse.move(x, y)
    tooltip = page.locator(".deck-tooltip")
    tooltip.wait_for(state="visible", timeout=20_000)
    assert base.name in tooltip.inner_text()
    open_card(page, x, y)
    card = page.locator("#card").inner_text()
    assert base.name in card and "Sources" in card
    page.screenshot(path=str(ARTIFACTS / "standalone.png"))
    page.get_by_role("button", name="Play").click()
    wait_drawn(page, 2012, timeout=90_000)
    page.get_by_role("button", name="Pause").click()
    assert int(page.get_by_label("Current year").inner_text()) >= 2012
    assert [url for url in watched.requests if not url.startswith("file:")] == []
    assert watched.errors == []


def test_standalone_html_shows_a_script_payload_as_text(payload_server, browser, tmp_path):
    _, feature, catalog = payload_server
    path = tmp_path / "payload.html"
    path.write_text(
        standalone_map(catalog, ViewFilter.make(year=2012, orgs=["CSTO"], layers=["bases"])), encoding="utf-8"
    )
    watched = Watched(browser)
    page = watched.page
    page.goto(path.as_uri())
    wait_drawn(page, 2012)
    x, y = screen_position(page, feature.geometry.x, feature.geometry.y, frame=page)
    page.mouse.move(x, y)
    page.locator(".deck-tooltip").wait_for(state="visible", timeout=20_000)
    assert PAYLOAD_NAME in page.locator(".deck-tooltip").inner_text()
    open_card(page, x, y)
    assert PAYLOAD_NAME in page.locator("#card").inner_text()
    assert page.evaluate("window.__xss") is None
    assert page.locator("img[src=x]").count() == 0
    assert [url for url in watched.requests if not url.startswith("file:")] == []


def test_downloads_and_briefing_pack_in_the_browser(server, browser, tmp_path):
    watched = Watched(browser)
    watched.open(f"{server.url}/?year=2000&orgs=CSTO&compare=1998")
    page = watched.page
    assert "3 left (Azerbaijan, Georgia, Uzbekistan)" in page.get_by_text("CSTO: 3 left").inner_text()
    page.get_by_role("radio", name="Downloads").click()
    watched.settle()
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="GeoJSON", exact=True).click()
    collection = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    states = sorted(f["properties"]["iso3"] for f in collection["features"] if f["properties"]["layer"] == "states")
    assert states == ["ARM", "BLR", "KAZ", "KGZ", "RUS", "TJK"]
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="KML (Google Earth)").click()
    assert b"<kml" in Path(download.value.path()).read_bytes()[:500]
    page.get_by_role("button", name="Prepare the briefing pack (PDF)").click()
    page.get_by_role("button", name="Download the briefing pack (PDF)").wait_for(timeout=120_000)
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="Download the briefing pack (PDF)").click()
    pdf = Path(download.value.path())
    from pypdf import PdfReader

    text = "\n".join(p.extract_text() for p in PdfReader(pdf).pages)
    assert "Uzbekistan" in text and "Bayzakova" in text
    page.screenshot(path=str(ARTIFACTS / "compare-and-downloads.png"), full_page=True)
    assert watched.outside_requests() == []
    assert watched.errors == []


BRIEFING_VIEWS = [
    ("eurasia", 2010),
    ("central-asia", 2022),
    ("south-caucasus", 1995),
    ("kaz-rus-border", 2010),
    ("black-sea", 2015),
]


def open_standalone(browser, tmp_path, region: str, year: int, orgs=("CSTO",)) -> Page:
    path = tmp_path / f"{region}-{year}.html"
    path.write_text(
        standalone_map(load_catalog(), ViewFilter.make(year=year, orgs=list(orgs)), region=region), encoding="utf-8"
    )
    page = browser.new_page(viewport={"width": 1200, "height": 800})
    page.goto(path.as_uri())
    wait_drawn(page, year)
    return page


def label_boxes(page: Page) -> list[dict]:
    return page.evaluate("window.__canvas.labelBoxes")


def overlap(a: dict, b: dict) -> bool:
    return a["x0"] < b["x1"] and b["x0"] < a["x1"] and a["y0"] < b["y1"] and b["y0"] < a["y1"]


@pytest.mark.parametrize(("region", "year"), BRIEFING_VIEWS)
def test_region_views_name_places_without_overlap_and_no_symbol_hides_another(browser, tmp_path, region, year):
    page = open_standalone(browser, tmp_path, region, year)
    boxes = label_boxes(page)
    assert len(boxes) >= 8, [b["text"] for b in boxes]
    named = {b["text"] for b in boxes if b["kind"] == "country"}
    assert set(states_to_name(load_catalog(), region, year).values()) - named == set()  # every state in the frame
    west, south, east, north = REGIONS[region].bbox
    unnamed_places = page.evaluate(
        """([year, west, south, east, north]) => {
          const S = window.__canvas;
          const drawn = new Set(S.symbolBoxes.map((b) => b.id));
          const named = new Set(S.labelBoxes.map((b) => b.text));
          return S.scene.datasets.labels
            .filter((r) => r.t0 <= year && r.t1 >= year)
            .filter((r) => r.kind === "capital" || (r.kind === "town" && r.hosts.some((h) => drawn.has(h))))
            .filter((r) => r.position[0] >= west && r.position[0] <= east && r.position[1] >= south && r.position[1] <= north)
            .filter((r) => !named.has(r.text)).map((r) => r.text);
        }""",
        [year, west, south, east, north],
    )
    assert unnamed_places == []  # every capital and base town in the frame is named
    lined_from_afar = page.evaluate(
        """([west, south, east, north]) => {
          const S = window.__canvas;
          const inside = ([x, y]) => x >= west && x <= east && y >= south && y <= north;
          return S.labelBoxes.filter((b) => b.callout).map((b) => b.text).filter((text) => {
            const row = S.scene.datasets.labels.find((r) => r.text === text);
            return row && !row.layer && !(row.anchors || [row.position]).some(inside);
          });
        }""",
        [west, south, east, north],
    )
    assert lined_from_afar == []  # names outside the region's box fill leftover room only, never by a line
    leader_ends = page.evaluate("window.__canvas.layout.leaders.map((l) => window.__canvas.project(l.to[0], l.to[1]))")
    for box in (b for b in boxes if b.get("callout")):  # a name beside its state has a line to it
        assert any(
            box["x0"] - 1 <= x <= box["x1"] + 1 and box["y0"] - 1 <= y <= box["y1"] + 1 for x, y in leader_ends
        ), box["text"]
    for a, b in itertools.combinations(boxes, 2):
        assert not overlap(a, b), (a["text"], b["text"])
    symbols = page.evaluate("window.__canvas.symbolBoxes")
    for a, b in itertools.combinations(symbols, 2):
        assert math.hypot(a["x"] - b["x"], a["y"] - b["y"]) >= a["r"] + b["r"] - 0.5, (a["id"], b["id"])
    for box in boxes:  # names never sit on a symbol
        for s in symbols:
            circle = {"x0": s["x"] - s["r"], "x1": s["x"] + s["r"], "y0": s["y"] - s["r"], "y1": s["y"] + s["r"]}
            assert not overlap(box, circle), (box["text"], s["id"])
    stamp = page.get_by_label("Current year").bounding_box()
    corner = page.locator("#map").bounding_box()
    under_stamp = {
        "x0": stamp["x"] - corner["x"],
        "x1": stamp["x"] + stamp["width"] - corner["x"],
        "y0": stamp["y"] - corner["y"],
        "y1": stamp["y"] + stamp["height"] - corner["y"],
    }
    assert not [b["text"] for b in boxes if overlap(b, under_stamp)]  # the year stamp hides no name
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("#map-frame").screenshot(path=str(ARTIFACTS / f"region-{region}-{year}.png"))
    page.close()


def test_the_capital_of_kazakhstan_carries_its_name_of_the_year(browser, tmp_path):
    page = open_standalone(browser, tmp_path, "central-asia", 1995)
    names = {b["text"] for b in label_boxes(page)}
    assert "Almaty" in names and "Astana" not in names
    for year, expected, gone in (
        (1998, "Astana", "Nur-Sultan"),
        (2020, "Nur-Sultan", "Akmola"),
        (2023, "Astana", "Nur-Sultan"),
    ):
        slider = page.get_by_label("Year", exact=True)
        slider.fill(str(year))
        wait_drawn(page, year)
        names = {b["text"] for b in label_boxes(page)}
        assert expected in names and gone not in names, (year, sorted(names))
    page.close()


def user_layer_file(tmp_path: Path) -> Path:
    """A layer of your own whose one feature is named with a script payload."""
    path = tmp_path / "my-sites.geojson"
    feature = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [69.0, 53.0]},
        "properties": {"name": PAYLOAD_NAME, "start": "2001", "sources": ["javascript:alert(1)", "a report"]},
    }
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}), encoding="utf-8")
    return path


def test_an_uploaded_layer_is_drawn_filtered_and_its_script_payload_is_text(server, browser, tmp_path):
    watched = Watched(browser)
    watched.open(f"{server.url}/?year=2002&orgs=CSTO&layers=states")
    page = watched.page
    page.locator("[data-testid=stFileUploader] input[type=file]").set_input_files(str(user_layer_file(tmp_path)))
    watched.settle()
    window = watched.canvas_window
    window.wait_for_function(
        "() => window.__canvas.user && window.__canvas.user.datasets['user-points'].length === 1", timeout=60_000
    )
    wait_drawn(window)
    page.wait_for_timeout(1000)
    x, y, tooltip = watched.hover(69.0, 53.0)
    assert PAYLOAD_NAME in tooltip and "Your layer: my-sites" in tooltip
    panel = watched.click_to_select(x, y)
    assert PAYLOAD_NAME in panel.inner_text()
    assert "Your layer: my-sites" in watched.canvas.locator("#legend").inner_text()
    assert page.evaluate("window.__xss") is None and window.evaluate("window.__xss") is None
    assert page.locator("img[src=x]").count() == 0 and watched.canvas.locator("img[src=x]").count() == 0
    assert watched.outside_requests() == []


def test_the_standalone_map_carries_your_layer_as_text(browser, tmp_path):
    from dashboard.userlayers import load_user_layers

    layers = load_user_layers([user_layer_file(tmp_path)])
    path = tmp_path / "yours.html"
    path.write_text(
        standalone_map(
            load_catalog(), ViewFilter.make(year=2005, orgs=["CSTO"], layers=["states"]), user_layers=layers
        ),
        encoding="utf-8",
    )
    watched = Watched(browser)
    page = watched.page
    page.goto(path.as_uri())
    wait_drawn(page, 2005)
    x, y = screen_position(page, 69.0, 53.0, frame=page)
    page.mouse.move(x, y)
    page.locator(".deck-tooltip").wait_for(state="visible", timeout=20_000)
    assert PAYLOAD_NAME in page.locator(".deck-tooltip").inner_text()
    open_card(page, x, y)
    card = page.locator("#card")
    assert PAYLOAD_NAME in card.inner_text() and card.locator("a").count() == 0  # no link from javascript:
    assert page.evaluate("window.__xss") is None
    assert [url for url in watched.requests if not url.startswith("file:")] == []


def test_the_online_basemap_toggle_asks_for_tiles_only_when_on(server, browser):
    """No internet here: tile requests are answered by the test with a blank tile."""
    import base64

    blank = base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
    )
    watched = Watched(browser)
    tiles: list[str] = []

    def answer(route) -> None:
        tiles.append(route.request.url)
        route.fulfill(status=200, content_type="image/png", body=blank)

    watched.page.route("https://basemaps.cartocdn.com/**", answer)
    watched.open(f"{server.url}/?year=2010&layers=states")
    assert tiles == [] and watched.outside_requests() == []
    watched.canvas.get_by_label("Online basemap (towns, roads)").check()
    assert watched.canvas.get_by_text("Base map © CARTO").is_visible()
    deadline_ms = 60_000
    while not tiles and deadline_ms > 0:
        watched.page.wait_for_timeout(500)
        deadline_ms -= 500
    assert tiles and all(url.startswith("https://basemaps.cartocdn.com/light_all/") for url in tiles)
    assert watched.errors == []


def test_a_base_is_drawn_closed_only_once_it_has_closed(browser, tmp_path):
    """Vaziani (Georgia) was handed over in 2001: operating on a map of 1995, closed on a
    map of 1995–2005 (range mode), as the static map draws it."""
    from dashboard.symbology import FORMER_FILL

    catalog = load_catalog()
    vaziani = next(f for f in catalog.layer("bases") if "Vaziani" in f.name)
    looks = {}
    for label, view in (("1995", ViewFilter.make(year=1995)), ("1995-2005", ViewFilter.make(year=1995, until=2005))):
        path = tmp_path / f"vaziani-{label}.html"
        path.write_text(standalone_map(catalog, view, region="south-caucasus"), encoding="utf-8")
        page = browser.new_page(viewport={"width": 1000, "height": 700})
        page.goto(path.as_uri())
        page.wait_for_function("() => window.__canvas && window.__canvas.layout.bases")
        looks[label] = page.evaluate(f"window.__canvas.layout.bases.find(r => r.id === '{vaziani.id}').fill")
        page.close()
    assert looks["1995"] != FORMER_FILL
    assert looks["1995-2005"] == FORMER_FILL


def test_find_selects_a_feature_by_name_and_frames_it(browser, tmp_path):
    page = open_standalone(browser, tmp_path, "eurasia", 2010)
    before = page.evaluate("window.__canvas.viewState.zoom")
    find = page.get_by_label("Find", exact=True)
    names = page.evaluate("window.__canvas.scene.find")  # "Name (kind)" -> feature id
    label = next(name for name, fid in names.items() if fid == "base-kant")
    find.fill(label)
    find.dispatch_event("change")
    page.locator("#card").wait_for(state="visible", timeout=20_000)
    assert "Kant Air Base" in page.locator("#card").inner_text()
    assert page.evaluate("window.__canvas.picked") == "base-kant"
    assert page.evaluate("window.__canvas.viewState.zoom") > before  # framed on the feature
    page.close()
