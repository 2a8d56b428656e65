"""Streamlit dashboard: wires widgets to the pure modules; holds no data logic itself."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dashboard import panels
from dashboard.canvas import Blob, blob, build_user_payload, frame_args, read_canvas_event
from dashboard.canvas_component import map_canvas
from dashboard.dataset import DataSet
from dashboard.loader import BIBLIOGRAPHY_PATH, GEODATA_DIR, Catalog, load_catalog
from dashboard.schema import LAYERS, ORGS
from dashboard.selection import ViewFilter
from dashboard.userlayers import (
    ENV_VAR,
    MAX_FEATURES_PER_LAYER,
    MAX_FILE_BYTES,
    MAX_LAYERS,
    UserLayers,
    is_user_feature_id,
    user_layers_from_env,
)
from dashboard.viewstate import FIRST_YEAR, DashboardState, parse_query

MAP_KEY = "canvas"
SECTIONS = ["Timeline", "Sources", "Downloads"]  # the legend is on the map

st.set_page_config(page_title="CSTO & Kazakhstan–Russia map", page_icon="🗺️", layout="wide")


@st.cache_resource(show_spinner="Loading the sourced layers…")
def load_data_set(data_dir: str, bibliography: str) -> DataSet:
    return DataSet(load_catalog(Path(data_dir), Path(bibliography)))


@st.cache_resource(show_spinner="Loading your layers…")
def folder_user_layers(setting: str) -> tuple[UserLayers | None, Blob | None]:
    """The layers in the folder DASHBOARD_USER_LAYERS names, read once per server."""
    layers = user_layers_from_env({ENV_VAR: setting}) if setting else None
    return layers, user_blob(layers)


def user_blob(layers: UserLayers | None) -> Blob | None:
    return blob(build_user_payload(layers)) if layers is not None and layers.layers else None


def on_uploads() -> None:
    """Your uploads join the folder's layers; parsed once per change, not on every rerun."""
    folder, folder_blob = folder_user_layers(os.environ.get(ENV_VAR, ""))
    uploads = st.session_state.get("uploads") or []
    if not uploads:
        st.session_state.user_layers, st.session_state.user_blob = folder, folder_blob
        return
    layers = UserLayers(
        layers=list(folder.layers) if folder else [],
        problems=list(folder.problems) if folder else [],
        notes=list(folder.notes) if folder else [],
    )
    for upload in uploads:
        layers.add_bytes(upload.name, upload.getvalue())
    st.session_state.user_layers, st.session_state.user_blob = layers, user_blob(layers)


class KnownIds:
    """The feature ids a click may name: the catalog's and the session's own layers'."""

    def __init__(self, ids: frozenset[str], user_layers: UserLayers | None):
        self.ids, self.user_layers = ids, user_layers

    def __contains__(self, feature_id: object) -> bool:
        if feature_id in self.ids:
            return True
        return bool(self.user_layers and isinstance(feature_id, str) and self.user_layers.get(feature_id))


def data_set() -> DataSet:
    """DASHBOARD_DATA_DIR and DASHBOARD_BIBLIOGRAPHY point the app at another data set (tests)."""
    data_dir = os.environ.get("DASHBOARD_DATA_DIR", str(GEODATA_DIR))
    return load_data_set(data_dir, os.environ.get("DASHBOARD_BIBLIOGRAPHY", str(BIBLIOGRAPHY_PATH)))


def init_state(cat: Catalog) -> None:
    if "initialised" in st.session_state:
        return
    state, notes = parse_query(st.query_params.to_dict(), cat.latest_year, {f.id for f in cat.features})
    st.session_state.update(
        year=state.year,
        canvas_year=state.year,
        year_rev=1,
        orgs=state.orgs,
        layers=state.layers,
        selected=state.feature,
        range_mode=state.range is not None,
        range=state.range or (FIRST_YEAR, cat.latest_year),
        compare=state.compare is not None,
        compare_to=state.compare if state.compare is not None else max(FIRST_YEAR, state.year - 10),
        region=state.region,
        url_notes=notes,
        section=None,
        canvas_seq=None,
        canvas_pick_seq=None,
        initialised=True,
    )
    on_uploads()


def sync_from_canvas(data: DataSet) -> None:
    """The browser plays and slides years on its own; it reports the year when playback
    pauses or the slider is released, and every click."""
    event = read_canvas_event(
        st.session_state.get(MAP_KEY),
        st.session_state.canvas_seq,
        st.session_state.canvas_pick_seq,
        FIRST_YEAR,
        data.catalog.latest_year,
        KnownIds(data.feature_ids, st.session_state.user_layers),
    )
    if event is None:
        return
    st.session_state.canvas_seq = event.seq
    st.session_state.canvas_pick_seq = event.pick_seq
    if event.year is not None:
        st.session_state.year = st.session_state.canvas_year = event.year
    if event.picked:
        st.session_state.selected = event.picked
    if event.region:
        st.session_state.region = event.region


def year_revision() -> int:
    """Counts the times Python itself set the year; only then does the browser take it."""
    if st.session_state.year != st.session_state.canvas_year:
        st.session_state.canvas_year = st.session_state.year
        st.session_state.year_rev += 1
    return st.session_state.year_rev


def sidebar(data: DataSet) -> None:
    cat = data.catalog
    with st.sidebar:
        st.toggle("Range mode: anything active between two years", key="range_mode")
        if st.session_state.range_mode:
            st.slider("Active between", FIRST_YEAR, cat.latest_year, key="range")
        st.toggle("Compare with another year", key="compare")
        if st.session_state.compare:
            st.slider("Compare with", FIRST_YEAR, cat.latest_year, key="compare_to")
        st.multiselect("Organizations", list(ORGS), key="orgs", format_func=lambda code: f"{code} – {ORGS[code]}")
        st.multiselect("Layers", list(LAYERS), key="layers")
        st.file_uploader(
            "Your own layers (GeoJSON)",
            type=["geojson", "json"],
            accept_multiple_files=True,
            key="uploads",
            on_change=on_uploads,
            help=f"Each file is one layer named after the file. Every feature needs a name and a geometry; "
            f"start, end (ISO 8601) and sources are optional. At most {MAX_LAYERS} layers, "
            f"{MAX_FEATURES_PER_LAYER:,} features each, {MAX_FILE_BYTES // 2**20} MB a file. "
            "Shown in grey, marked as yours, never mixed with the project's data.",
        )


def current_view() -> ViewFilter:
    orgs = st.session_state.orgs or None
    layers = st.session_state.layers
    if st.session_state.range_mode:
        first, last = st.session_state.range
        return ViewFilter.make(year=first, until=last, orgs=orgs, layers=layers or ["states"])
    return ViewFilter.make(year=st.session_state.year, orgs=orgs, layers=layers or ["states"])


def main() -> None:
    data = data_set()
    cat = data.catalog
    init_state(cat)
    sync_from_canvas(data)
    sidebar(data)

    view = current_view()
    panels.heading(view)
    panels.url_notes(st.session_state.url_notes)

    selected = st.session_state.selected
    compared = None
    if st.session_state.compare:
        year_to = view.until if view.until is not None else view.year
        orgs = tuple(sorted(view.orgs)) if view.orgs else None
        compared = data.comparison(st.session_state.compare_to, year_to, orgs)
    highlight = frozenset(compared.changed_ids()) if compared else frozenset()
    visible_ids = data.visible_ids(view)
    left, right = st.columns([3, 1.25], gap="medium")
    with left:
        frame = frame_args(
            st.session_state.year,
            year_revision(),
            tuple(st.session_state.range) if st.session_state.range_mode else None,
            selected if selected in visible_ids or is_user_feature_id(selected or "") else None,
            highlight & set(visible_ids),
            st.session_state.region,
        )
        layers = frozenset(view.layers) if view.layers else None
        map_canvas(
            data.scene_blob,
            data.view_blob(view.orgs, layers),
            frame,
            (FIRST_YEAR, cat.latest_year),
            key=MAP_KEY,
            user=st.session_state.user_blob,
        )
        # One panel below the map at a time: the others cost nothing on a year change.
        section = st.segmented_control("Below the map", SECTIONS, key="section", label_visibility="collapsed")
        if section == "Timeline":
            panels.timeline(cat, view)
        elif section == "Sources":
            panels.sources(cat, visible_ids)
        elif section == "Downloads":
            panels.downloads(
                cat,
                view,
                visible_ids,
                st.session_state.compare_to if compared else None,
                st.session_state.user_layers,
                st.session_state.region,
            )
    with right:
        if compared is not None:
            panels.comparison(compared)
        user_feature = st.session_state.user_layers.get(selected) if st.session_state.user_layers and selected else None
        if user_feature is not None:
            panels.user_feature_panel(user_feature)
        else:
            panels.feature_panel(cat, cat.get(selected) if selected else None, view)
    panels.problems(cat, st.session_state.user_layers)

    state = DashboardState(
        year=st.session_state.year,
        orgs=list(st.session_state.orgs),
        layers=list(st.session_state.layers),
        feature=selected,
        range=tuple(st.session_state.range) if st.session_state.range_mode else None,
        compare=st.session_state.compare_to if st.session_state.compare else None,
        region=st.session_state.region,
    )
    query = state.to_query()
    if st.query_params.to_dict() != query:
        st.query_params.from_dict(query)


main()
