"""The static map as a briefer reads it: names that do not collide, names of the map's year,
names kept as text in SVG, region frames, symbols spread apart, the screen's line styles.

Figures are drawn with draw_static_map and measured with matplotlib's own renderer; the
three views a briefer uses most are saved to test-artifacts/ for a person to look at."""

from __future__ import annotations

import io
import itertools
import xml.etree.ElementTree as ET
from pathlib import Path

import matplotlib
import matplotlib.image
import numpy as np
import pytest
import shapely
from conftest import states_to_name
from matplotlib.colors import to_rgba
from matplotlib.transforms import Bbox
from pyproj import Transformer

from dashboard.labels import MAX_ANCHORS, label_anchors, label_point, label_rows, rows_in_year, state_label_id
from dashboard.legend_print import UNNUMBERED_EVENTS
from dashboard.map_frame import conic_crs
from dashboard.name_layout import LABEL_GID
from dashboard.regions import REGIONS
from dashboard.selection import ViewFilter, is_visible
from dashboard.static_map import draw_static_map, render_static_map
from dashboard.symbol_layout import EVENT_NUMBERS, spread
from dashboard.symbology import (
    FORMER_FILL,
    PIPELINE_WIDTHS,
    ROUTE_DASHES,
    SEA_COLOR,
    SYMBOL_RADIUS,
    points,
    rgba,
)
from dashboard.viewstate import DEFAULT_ORGS

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
SVG = "{http://www.w3.org/2000/svg}"
PDF_SIZE = (10.5, 5.7)  # about what the PDF pack asks for: denser than a slide


def draw(catalog, view: ViewFilter, region: str, **options):
    with matplotlib.rc_context({"font.family": "DejaVu Sans"}):
        fig = draw_static_map(catalog, view, region=region, **options)
    fig.canvas.draw()
    return fig


def names(fig) -> dict[str, matplotlib.text.Text]:
    """The map's names by row id."""
    return {
        text.get_gid().removeprefix(LABEL_GID): text
        for text in fig.axes[0].texts
        if (text.get_gid() or "").startswith(LABEL_GID)
    }


def sites(fig) -> dict[str, matplotlib.collections.PathCollection]:
    return {
        c.get_gid().removeprefix("site-"): c for c in fig.axes[0].collections if (c.get_gid() or "").startswith("site-")
    }


def symbol_box(fig, collection) -> Bbox:
    """A site's circle, as a display box: its centre and its marker size (points², the
    diameter squared) with half its outline."""
    x, y = fig.axes[0].transData.transform(collection.get_offsets()[0])
    radius = (np.sqrt(collection.get_sizes()[0]) + collection.get_linewidth()[0]) / 2 * fig.dpi / 72
    return Bbox.from_extents(x - radius, y - radius, x + radius, y + radius)


def overlap(a, b) -> float:
    """Area shared by two display boxes (pixels²); touching is not overlapping."""
    width = min(a.x1, b.x1) - max(a.x0, b.x0)
    height = min(a.y1, b.y1) - max(a.y0, b.y0)
    return max(width, 0) * max(height, 0)


def default_view(catalog) -> ViewFilter:
    """What the dashboard opens on: the latest year, its default organizations, every layer."""
    return ViewFilter.make(year=catalog.latest_year, orgs=DEFAULT_ORGS)


@pytest.mark.parametrize("size", ["slide", "pdf"])
@pytest.mark.parametrize("region", list(REGIONS))
def test_names_of_each_region_view_clear_each_other_the_symbols_and_the_frame(catalog, region, size):
    options = {"size": PDF_SIZE, "titled": False} if size == "pdf" else {}
    fig = draw(catalog, default_view(catalog), region, **options)
    renderer = fig.canvas.get_renderer()
    frame = fig.axes[0].get_window_extent(renderer)
    boxes = {key: text.get_window_extent(renderer) for key, text in names(fig).items()}
    assert len(boxes) >= 5, f"{region}: only {sorted(boxes)}"
    unnamed = set(states_to_name(catalog, region, catalog.latest_year)) - set(boxes)
    assert not unnamed, f"{region}: no name for {sorted(unnamed)}"  # a stranger can tell every state apart
    west, south, east, north = REGIONS[region].bbox
    drawn = set(sites(fig))
    places = {
        row["id"]
        for row in rows_in_year(label_rows(catalog)[0], catalog.latest_year)
        if west <= row["position"][0] <= east
        and south <= row["position"][1] <= north
        and (row["kind"] == "capital" or (row["kind"] == "town" and drawn.intersection(row["hosts"])))
    }
    # Every capital and base town is named; the whole region on the PDF's smaller map may
    # leave out two in its densest clusters (a name is never set far from its point).
    assert len(places - set(boxes)) <= (2 if (region, size) == ("eurasia", "pdf") else 0), sorted(places - set(boxes))
    for (a, box_a), (b, box_b) in itertools.combinations(boxes.items(), 2):
        assert overlap(box_a, box_b) == 0, f"{region}: names {a} and {b} overlap"
    symbols = {key: symbol_box(fig, c) for key, c in sites(fig).items()}
    assert symbols and all(box.width > 5 for box in symbols.values())
    for (name, box), (site, symbol) in itertools.product(boxes.items(), symbols.items()):
        assert overlap(box, symbol) == 0, f"{region}: name {name} covers the symbol of {site}"
    for name, box in boxes.items():
        assert frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1, name


def test_a_countrys_other_places_for_its_name_lie_deep_inside_it_and_in_every_frame_it_reaches(catalog):
    for state in catalog.layer("states"):
        anchors = label_anchors(state.geometry)
        assert anchors[0] == label_point(state.geometry)  # an uncrowded map keeps its usual place
        assert len(anchors) == len({tuple(a) for a in anchors}) <= MAX_ANCHORS
        for lon, lat in anchors:
            assert state.geometry.buffer(1e-3).contains(shapely.Point(lon, lat)), (state.id, lon, lat)
        for region in REGIONS.values():
            if state.geometry.intersection(shapely.box(*region.bbox)).area >= 1.0:
                west, south, east, north = region.bbox
                assert any(west <= lon <= east and south <= lat <= north for lon, lat in anchors), (
                    state.id,
                    region.code,
                )
    armenia = next(s for s in catalog.layer("states") if s.props.iso3 == "ARM")
    assert len(label_anchors(armenia.geometry)) > 3  # a small state still has room to move its name


@pytest.mark.parametrize("region", ["eurasia", "central-asia"])
def test_a_name_written_outside_its_country_has_a_line_to_it(catalog, region):
    fig = draw(catalog, ViewFilter.make(year=2010, orgs=DEFAULT_ORGS), region)
    ax, renderer = fig.axes[0], fig.canvas.get_renderer()
    to_map = Transformer.from_crs("EPSG:4326", conic_crs(REGIONS[region].bbox), always_xy=True)
    ends = [
        ax.transData.transform(segment[-1])
        for c in ax.collections
        if isinstance(c, matplotlib.collections.LineCollection)
        for segment in c.get_segments()
    ]
    outside = []
    for state in catalog.layer("states"):
        text = names(fig).get(state_label_id(state.id))
        if text is None:
            continue
        box = text.get_window_extent(renderer)
        middle = ax.transData.inverted().transform(((box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2))
        shape = shapely.transform(state.geometry, lambda xy: np.column_stack(to_map.transform(xy[:, 0], xy[:, 1])))
        if shape.contains(shapely.Point(middle)):
            continue
        outside.append(state.name)
        assert any(box.x0 - 1 <= x <= box.x1 + 1 and box.y0 - 1 <= y <= box.y1 + 1 for x, y in ends), state.name
    if region == "eurasia":
        assert outside  # the Caucasus is too crowded at this scale: some name is written beside its state


def test_the_names_are_the_canvas_names_of_the_year(catalog):
    view = ViewFilter.make(year=2022, orgs=["CSTO"])
    fig = draw(catalog, view, "central-asia")
    rows, _ = label_rows(catalog)
    canvas_names = {(row["id"], row["text"]) for row in rows_in_year(rows, 2022)}
    written = {(key, text.get_text()) for key, text in names(fig).items() if not key.startswith("label-border")}
    assert written and written <= canvas_names
    shown = {text.get_text() for text in names(fig).values()}
    assert {"Dushanbe", "Bishkek", "Tashkent", "Astana"} <= shown
    border = names(fig)["label-border-kaz-rus"].get_text()
    assert border.startswith("Kazakhstan–Russia border\n") and "km measured" in border


@pytest.mark.parametrize(
    ("year", "capital", "absent"),
    [
        (1996, "Almaty", {"Astana", "Akmola", "Nur-Sultan"}),
        (1998, "Astana", {"Almaty", "Akmola", "Nur-Sultan"}),
        (2020, "Nur-Sultan", {"Astana", "Akmola"}),
        (2023, "Astana", {"Nur-Sultan", "Akmola"}),
    ],
)
def test_kazakhstans_capital_is_named_as_it_was_that_year(catalog, year, capital, absent):
    fig = draw(catalog, ViewFilter.make(year=year, orgs=["CSTO"]), "central-asia")
    capitals = {text.get_text() for key, text in names(fig).items() if key in ("place-astana", "place-almaty")}
    assert capitals == {capital}
    assert not absent & {text.get_text() for text in names(fig).values()}
    # The canvas's rows say the same for that year.
    rows, _ = label_rows(catalog)
    kazakh = {r["text"] for r in rows_in_year(rows, year) if r["id"] in ("place-astana", "place-almaty")}
    assert kazakh == {capital}


@pytest.mark.parametrize(("year", "name"), [(2021, "TURKEY"), (2022, "TÜRKIYE")])
def test_turkey_is_named_as_it_was_that_year(catalog, year, name):
    fig = draw(catalog, ViewFilter.make(year=year, orgs=["CSTO"]), "black-sea")
    assert names(fig)["label-state-tur"].get_text() == name


def test_svg_keeps_names_as_text_with_a_halo_stylesheet(catalog):
    buffer = io.BytesIO()
    render_static_map(catalog, ViewFilter.make(year=2022, orgs=["CSTO"]), buffer, "svg", region="central-asia")
    raw = buffer.getvalue().decode("utf-8")
    root = ET.fromstring(raw)
    groups = {g.get("id"): g for g in root.iter(f"{SVG}g") if (g.get("id") or "").startswith(LABEL_GID)}
    texts = {key: "".join(t.itertext()) for key, g in groups.items() for t in g.iter(f"{SVG}text")}
    assert texts[f"{LABEL_GID}place-dushanbe"] == "Dushanbe"
    assert "Bishkek" in texts.values() and "KAZAKHSTAN" in texts.values()
    style = "".join(s.text or "" for s in root.iter(f"{SVG}style"))
    assert f'g[id^="{LABEL_GID}"] text' in style and "paint-order: stroke" in style
    assert "Central Asia · Organizations: CSTO" in raw


def test_a_region_frames_its_box(catalog):
    """Each frame holds its region's box: a place at the box's middle is inside, one far
    outside is not drawn and is counted in the notes."""
    view = ViewFilter.make(year=1995, orgs=["CSTO"])
    fig = draw(catalog, view, "south-caucasus")
    drawn = set(sites(fig))
    assert {"base-102nd-gyumri", "base-vaziani", "base-batumi"} <= drawn
    assert "base-baikonur" not in drawn and "base-201st-dushanbe" not in drawn
    notes = "\n".join(t.get_text() for t in fig.texts)
    assert "Visible but outside this frame:" in notes and "Russian bases" in notes
    assert "South Caucasus" in notes


def test_every_site_in_the_frame_is_drawn_apart_with_leader_lines(catalog):
    view = ViewFilter.make(year=2010, orgs=["CSTO"])
    fig = draw(catalog, view, "eurasia")
    drawn = sites(fig)
    west, south, east, north = REGIONS["eurasia"].bbox
    in_box = {
        f.id
        for f in catalog.features
        if f.layer in ("bases", "garrisons", "events")
        and is_visible(f, view)
        and west <= f.geometry.x <= east
        and south <= f.geometry.y <= north
    }
    assert in_box <= set(drawn)
    centres = {key: c.get_offsets()[0] for key, c in drawn.items()}
    # Dushanbe's base and the garrisons in the city sit on one spot: spread, each apart.
    boxes = {key: symbol_box(fig, c) for key, c in drawn.items()}
    for (a, box_a), (b, box_b) in itertools.combinations(boxes.items(), 2):
        apart = np.hypot(
            (box_a.x0 + box_a.x1 - box_b.x0 - box_b.x1) / 2, (box_a.y0 + box_a.y1 - box_b.y0 - box_b.y1) / 2
        )
        assert apart >= (box_a.width + box_b.width) / 2 - 1, f"{a} and {b} overlap"
    assert any(c.get_gid() == "leaders" for c in fig.axes[0].collections)
    again = sites(draw(catalog, view, "eurasia"))
    assert all(np.allclose(again[key].get_offsets()[0], xy) for key, xy in centres.items())  # deterministic


def event_numbers(fig) -> dict[str, str]:
    return {
        text.get_gid().removeprefix("symbol-"): text.get_text()
        for text in fig.axes[0].texts
        if (text.get_gid() or "").startswith("symbol-event")
    }


def test_events_are_numbered_in_date_order_and_the_legend_names_each(catalog):
    """Paper has no hover: each event dot carries a number, and the legend gives its name and date."""
    view = ViewFilter.make(year=2008, orgs=["CSTO"])
    fig = draw(catalog, view, "eurasia")
    drawn = [key for key in sites(fig) if key.startswith("event")]
    assert len(drawn) >= 5
    events = sorted((catalog.get(key) for key in drawn), key=lambda f: (f.props.start, f.id))
    assert event_numbers(fig) == {event.id: str(number) for number, event in enumerate(events, start=1)}
    legend = [" ".join(text.get_text().split()) for text in fig.legends[0].get_texts()]
    named = [f"{event.name} ({event.props.start})" for event in events]
    assert [line for line in legend if line in named] == named
    assert UNNUMBERED_EVENTS not in legend


def test_beyond_a_dozen_events_the_rest_are_drawn_plain_and_the_legend_says_so(catalog):
    view = ViewFilter.make(year=1991, until=2025)
    fig = draw(catalog, view, "eurasia")
    drawn = [key for key in sites(fig) if key.startswith("event")]
    assert len(drawn) > EVENT_NUMBERS
    numbers = event_numbers(fig)
    assert sorted(numbers.values(), key=int) == [str(n) for n in range(1, EVENT_NUMBERS + 1)]
    first = sorted((catalog.get(key) for key in drawn), key=lambda f: (f.props.start, f.id))[:EVENT_NUMBERS]
    assert set(numbers) == {event.id for event in first}
    legend = [" ".join(text.get_text().split()) for text in fig.legends[0].get_texts()]
    assert UNNUMBERED_EVENTS in legend


@pytest.mark.parametrize(("region", "lines"), [("central-asia", 5), ("eurasia", 3)])
def test_the_notes_under_a_pack_map_fit_on_the_page_however_many_lines_they_take(catalog, region, lines):
    fig = draw(catalog, ViewFilter.make(year=2022, orgs=["CSTO"]), region, size=PDF_SIZE, titled=False)
    notes = max(fig.texts, key=lambda text: len(text.get_text()))
    assert "Sources: the feature table" in notes.get_text()
    assert len(notes.get_text().splitlines()) == lines  # five: more than the four the layout once assumed
    box = notes.get_window_extent(fig.canvas.get_renderer())
    assert box.y0 >= 0, f"the notes run {-box.y0:.0f} px off the bottom of the figure"
    assert box.y1 <= fig.axes[0].get_window_extent().y0, "the notes overlap the map"


def test_legend_circles_stay_apart_when_a_long_legend_shrinks_its_text(catalog):
    """The whole-region pack map has the longest legend: its font shrinks to fit, and its
    circles must shrink with it rather than overlap the row above."""
    fig = draw(catalog, ViewFilter.make(year=2010, orgs=["CSTO"]), "eurasia", size=PDF_SIZE, titled=False)
    key = fig.legends[0]
    assert key.get_texts()[0].get_fontsize() < 8  # the shrunken case
    renderer = fig.canvas.get_renderer()
    circles = [
        line.get_window_extent(renderer) for line in key.findobj(matplotlib.lines.Line2D) if line.get_marker() == "o"
    ]
    assert len(circles) >= 8
    for a, b in itertools.combinations(circles, 2):
        assert overlap(a, b) == 0, f"legend circles overlap at {a} and {b}"


def test_spread_pushes_overlapping_circles_apart_and_leaves_lone_ones():
    xy = np.array([[0.0, 0.0], [0.0, 0.0], [3.0, 0.0], [100.0, 100.0]])
    radii = np.array([10.0, 10.0, 10.0, 10.0])
    out = spread(xy, radii)
    for i, j in itertools.combinations(range(3), 2):
        assert np.hypot(*(out[i] - out[j])) >= radii[i] + radii[j]
    assert np.allclose(out[3], xy[3], atol=1.0)
    assert np.allclose(out, spread(xy, radii))


def test_pipelines_dash_when_they_bypass_russia_and_thicken_for_oil(catalog):
    fig = draw(catalog, ViewFilter.make(year=2022, layers=["pipelines"]), "south-caucasus")
    lines = {c.get_gid(): c for c in fig.axes[0].collections if (c.get_gid() or "").startswith("line-")}
    btc, gas, through = (
        lines["line-pipeline-btc"],
        lines["line-pipeline-south-caucasus"],
        lines["line-pipeline-baku-novorossiysk"],
    )
    _, dashes = btc.get_dashes()[0]
    assert dashes is not None and len(dashes) == 2
    assert dashes[0] / dashes[1] == pytest.approx(
        ROUTE_DASHES["bypassing_russia"][0] / ROUTE_DASHES["bypassing_russia"][1]
    )
    assert through.get_dashes()[0][1] is None  # solid
    assert btc.get_linewidth()[0] == pytest.approx(points(PIPELINE_WIDTHS["oil"]))
    assert gas.get_linewidth()[0] == pytest.approx(points(PIPELINE_WIDTHS["gas"]))


def test_former_sites_are_white_once_closed_and_approximate_ones_get_a_halo(catalog):
    ranged = draw(catalog, ViewFilter.make(year=1995, until=2010, orgs=["CSTO"]), "south-caucasus")
    vaziani, gudauta = sites(ranged)["base-vaziani"], sites(ranged)["base-gudauta"]
    assert tuple(vaziani.get_facecolor()[0]) == pytest.approx(rgba(FORMER_FILL))
    assert tuple(gudauta.get_facecolor()[0]) != pytest.approx(rgba(FORMER_FILL))
    # In 1995 Vaziani was a working base: not drawn as former.
    single = draw(catalog, ViewFilter.make(year=1995, orgs=["CSTO"]), "south-caucasus")
    assert tuple(sites(single)["base-vaziani"].get_facecolor()[0]) != pytest.approx(rgba(FORMER_FILL))
    halos = next(c for c in single.axes[0].collections if c.get_gid() == "halos")
    assert len(halos.get_paths()) >= 3  # Gyumri, Batumi, Akhalkalaki, Gudauta are placed on the town
    size = sites(single)["base-102nd-gyumri"].get_sizes()[0]
    assert size == pytest.approx((2 * points(SYMBOL_RADIUS["bases"])) ** 2)


def test_legend_lists_what_the_map_drew_with_the_screens_labels(catalog):
    fig = draw(catalog, ViewFilter.make(year=2022, layers=["pipelines"]), "south-caucasus")
    texts = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "Pipeline bypassing Russia, dashed (thick: oil, thin: gas)" in " ".join(texts).replace("\n", " ")
    assert not any("Ground forces" in t for t in texts)
    assert to_rgba(fig.axes[0].get_facecolor()) == pytest.approx(rgba(SEA_COLOR))


@pytest.mark.parametrize(
    ("name", "year", "region"),
    [
        ("whole-region-2010", 2010, "eurasia"),
        ("central-asia-2022", 2022, "central-asia"),
        ("south-caucasus-1995", 1995, "south-caucasus"),
    ],
)
def test_saves_the_briefers_views_for_a_person_to_look_at(catalog, name, year, region):
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"static-{name}.png"
    render_static_map(catalog, ViewFilter.make(year=year, orgs=["CSTO"]), path, region=region)
    image = matplotlib.image.imread(path)
    assert image.shape[1] > 1800 and image[..., :3].std() > 0.1


@pytest.mark.parametrize(
    ("year", "expected", "absent"),
    [
        (2010, {"Abkhazia", "South Ossetia", "Nagorno-Karabakh"}, set()),
        (2025, {"Abkhazia", "South Ossetia"}, {"Nagorno-Karabakh"}),  # dissolved 1 January 2024
    ],
)
def test_disputed_areas_are_named_while_their_layer_is_drawn(catalog, year, expected, absent):
    rows, _ = label_rows(catalog)
    canvas = {r["text"] for r in rows_in_year(rows, year) if r["kind"] == "disputed"}
    assert expected <= canvas and not absent & canvas
    assert all(r["layer"] == "disputed" for r in rows if r["kind"] == "disputed")
    drawn = {
        t.get_text() for t in names(draw(catalog, ViewFilter.make(year=year, orgs=["CSTO"]), "south-caucasus")).values()
    }
    assert expected <= drawn and not absent & drawn
    hidden = ViewFilter.make(year=year, orgs=["CSTO"], layers=["states", "bases"])
    assert not expected & {t.get_text() for t in names(draw(catalog, hidden, "south-caucasus")).values()}


def test_the_regions_own_states_and_capitals_are_named_before_the_rest(catalog):
    """A crowded map drops Kuwait before Georgia: every renderer takes the rows in this order."""
    from dashboard.labels import focus_states

    focus = focus_states(catalog)
    # Post-Soviet states (CIS, GUAM), and hosts of a Russian base abroad far from it.
    assert {"GEO", "TJK", "MDA", "UKR", "KAZ", "SYR", "VNM", "EST"} <= focus
    assert not {"EGY", "KWT", "QAT", "IND", "FRA"} & focus
    ordered = rows_in_year(label_rows(catalog)[0], 2010)
    kinds_first = [row for row in ordered if row["kind"] in ("country", "capital")]
    position = {row["text"]: index for index, row in enumerate(ordered)}
    assert position["GEORGIA"] < position["Cairo"] < position["KUWAIT"]
    assert position["Tbilisi"] < position["GEORGIA"]  # priority still orders within the focus
    in_focus = [row.get("focus", True) for row in kinds_first]
    assert in_focus == sorted(in_focus, reverse=True) and not all(in_focus)
    # The canvas sorts the same way (canvas.js reads the same "focus" flag).
    script = (Path(__file__).parents[1] / "dashboard" / "frontend" / "canvas.js").read_text(encoding="utf-8")
    assert "row.focus === false ? 0 : 1" in script
