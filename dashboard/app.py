"""Streamlit dashboard: wires widgets to the pure modules; holds no data logic itself."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dashboard import panels, playback
from dashboard.compare import compare_years
from dashboard.layers import basemap_collection, build_deck
from dashboard.loader import BIBLIOGRAPHY_PATH, GEODATA_DIR, Catalog, load_catalog
from dashboard.schema import LAYERS, ORGS
from dashboard.selection import ViewFilter
from dashboard.viewstate import FIRST_YEAR, DashboardState, parse_query

SPEEDS = {"Slow (2 s per year)": 2.0, "Normal (1 s per year)": 1.0, "Fast (0.5 s per year)": 0.5}
MAP_KEY = "map"
SECTIONS = ["Legend", "Timeline", "Sources", "Downloads"]

st.set_page_config(page_title="CSTO & Kazakhstan–Russia map", page_icon="🗺️", layout="wide")


@st.cache_resource(show_spinner="Loading the sourced layers…")
def load_cached(data_dir: str, bibliography: str) -> Catalog:
    return load_catalog(Path(data_dir), Path(bibliography))


def catalog() -> Catalog:
    """DASHBOARD_DATA_DIR and DASHBOARD_BIBLIOGRAPHY point the app at another data set (tests)."""
    data_dir = os.environ.get("DASHBOARD_DATA_DIR", str(GEODATA_DIR))
    return load_cached(data_dir, os.environ.get("DASHBOARD_BIBLIOGRAPHY", str(BIBLIOGRAPHY_PATH)))


@st.cache_resource
def basemap() -> dict:
    return basemap_collection()


# The catalog cannot be hashed; its id (one per loaded data set) stands in for it.
@st.cache_resource(max_entries=256)
def cached_deck(
    _catalog: Catalog,
    catalog_id: int,
    view: ViewFilter,
    selected: str | None,
    highlight: frozenset[str],
    online_basemap: bool = False,
):
    """Decks depend only on the view; replaying a year (or the slider) reuses them."""
    return build_deck(_catalog, view, selected, basemap(), highlight, online_basemap)


@st.cache_resource(max_entries=64)
def cached_comparison(_catalog: Catalog, catalog_id: int, year_from: int, year_to: int, orgs: tuple[str, ...] | None):
    return compare_years(_catalog, year_from, year_to, orgs)


@st.cache_resource
def feature_labels(_catalog: Catalog, catalog_id: int) -> dict[str, str]:
    """'Name (layer)' for the find box, sorted by label; built once per data set."""
    labels = {f.id: f"{f.name} ({f.layer})" for f in _catalog.features}
    return dict(sorted(labels.items(), key=lambda item: item[1]))


def init_state(cat: Catalog) -> None:
    if "initialised" in st.session_state:
        return
    state, notes = parse_query(st.query_params.to_dict(), cat.latest_year, {f.id for f in cat.features})
    st.session_state.update(
        year=state.year,
        orgs=state.orgs,
        layers=state.layers,
        selected=state.feature,
        range_mode=state.range is not None,
        range=state.range or (FIRST_YEAR, cat.latest_year),
        compare=state.compare is not None,
        compare_to=state.compare if state.compare is not None else max(FIRST_YEAR, state.year - 10),
        url_notes=notes,
        section="Legend",
        online_basemap=False,
        player=playback.Player(playing=False, year=state.year, last_step=0.0),
        last_map_pick=None,
        initialised=True,
    )


def picked_feature_id() -> str | None:
    """The id of the feature clicked on the map, from the chart's selection state."""
    selection = (st.session_state.get(MAP_KEY) or {}).get("selection") or {}
    for objects in (selection.get("objects") or {}).values():
        for obj in objects or ():
            found = obj.get("id") or (obj.get("properties") or {}).get("id")
            if found:
                return found
    return None


def toggle_play() -> None:
    player = st.session_state.player
    if player.playing:
        player = playback.pause(player, st.session_state.year)
    else:
        player = playback.start(st.session_state.year, FIRST_YEAR, catalog().latest_year, time.monotonic())
    st.session_state.player = player
    st.session_state.next_year = player.year


def on_find() -> None:
    if st.session_state.find:
        st.session_state.selected = st.session_state.find


def sidebar(cat: Catalog) -> None:
    with st.sidebar:
        st.header("Filters")
        playing = st.session_state.player.playing
        st.slider("Year", FIRST_YEAR, cat.latest_year, key="year", disabled=st.session_state.range_mode or playing)
        play, speed = st.columns([1, 2])
        play.button("⏸ Pause" if playing else "▶ Play", key="play", on_click=toggle_play)
        speed.selectbox("Speed", list(SPEEDS), index=1, key="speed", label_visibility="collapsed")
        st.toggle("Range mode: anything active between two years", key="range_mode")
        if st.session_state.range_mode:
            st.slider("Active between", FIRST_YEAR, cat.latest_year, key="range")
        st.toggle("Compare with another year", key="compare")
        if st.session_state.compare:
            st.slider("Compare with", FIRST_YEAR, cat.latest_year, key="compare_to")
        st.multiselect("Organizations", list(ORGS), key="orgs", format_func=lambda code: f"{code} – {ORGS[code]}")
        st.multiselect("Layers", list(LAYERS), key="layers")
        st.toggle(
            "Online basemap (towns, roads)",
            key="online_basemap",
            help="Loads map tiles from CARTO (basemaps.cartocdn.com, OpenStreetMap data). Off by default: "
            "the map then needs no internet and the browser requests nothing outside this machine.",
        )
        names = feature_labels(cat, id(cat))
        st.selectbox(
            "Find a feature by name",
            [None, *names],
            format_func=lambda fid: "—" if fid is None else names[fid],
            key="find",
            on_change=on_find,
        )


def playback_clock(last_year: int, interval: float) -> None:
    """Advances the year while playing; the whole app then reruns to redraw."""
    before = st.session_state.player
    after = playback.step(before, time.monotonic(), interval, last_year)
    if after != before:
        st.session_state.player = after
        st.session_state.next_year = after.year
        st.rerun()


def current_view() -> ViewFilter:
    orgs = st.session_state.orgs or None
    layers = st.session_state.layers
    if st.session_state.range_mode:
        first, last = st.session_state.range
        return ViewFilter.make(year=first, until=last, orgs=orgs, layers=layers or ["states"])
    return ViewFilter.make(year=st.session_state.year, orgs=orgs, layers=layers or ["states"])


def main() -> None:
    cat = catalog()
    init_state(cat)
    if "next_year" in st.session_state:
        st.session_state.year = st.session_state.pop("next_year")
    if st.session_state.player.playing:
        # The browser may still report the year before last; the player knows better.
        st.session_state.year = st.session_state.player.year

    picked = picked_feature_id()
    if picked and picked != st.session_state.last_map_pick:
        st.session_state.selected = picked
    st.session_state.last_map_pick = picked

    sidebar(cat)
    if st.session_state.player.playing:
        # One tick per step: every fragment run costs the browser work, so no idle polling.
        interval = SPEEDS.get(st.session_state.get("speed"), 1.0)
        st.fragment(playback_clock, run_every=interval)(cat.latest_year, interval)

    st.title("CSTO and Kazakhstan–Russia military relations since 1991")
    panels.url_notes(st.session_state.url_notes)
    view = current_view()
    panels.view_caption(view)

    selected = st.session_state.selected
    compared = None
    if st.session_state.compare:
        year_to = view.until if view.until is not None else view.year
        orgs = tuple(sorted(view.orgs)) if view.orgs else None
        compared = cached_comparison(cat, id(cat), st.session_state.compare_to, year_to, orgs)
    highlight = frozenset(compared.changed_ids()) if compared else frozenset()
    map_view = cached_deck(cat, id(cat), view, selected, highlight, st.session_state.online_basemap)
    left, right = st.columns([3, 1.25], gap="medium")
    with left:
        st.pydeck_chart(map_view.deck, on_select="rerun", selection_mode="single-object", key=MAP_KEY, height=560)
        if st.session_state.online_basemap:
            st.caption("Base map: © CARTO, © OpenStreetMap contributors, loaded from basemaps.cartocdn.com.")
        # One panel below the map at a time: the others cost nothing on a year change.
        section = st.segmented_control("Below the map", SECTIONS, key="section", label_visibility="collapsed")
        if section == "Legend":
            panels.legend()
        elif section == "Timeline":
            panels.timeline(cat, view)
        elif section == "Sources":
            panels.sources(cat, map_view.visible_ids)
        elif section == "Downloads":
            panels.downloads(cat, view, map_view.visible_ids, st.session_state.compare_to if compared else None)
    with right:
        if compared is not None:
            panels.comparison(compared)
        panels.feature_panel(cat, cat.get(selected) if selected else None, view)
    panels.problems(cat)

    state = DashboardState(
        year=st.session_state.year,
        orgs=list(st.session_state.orgs),
        layers=list(st.session_state.layers),
        feature=selected,
        range=tuple(st.session_state.range) if st.session_state.range_mode else None,
        compare=st.session_state.compare_to if st.session_state.compare else None,
    )
    query = state.to_query()
    if st.query_params.to_dict() != query:
        st.query_params.from_dict(query)


main()
