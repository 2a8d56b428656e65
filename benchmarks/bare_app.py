"""The baseline for the year-change budget: a bare Streamlit script that only re-sends
the same precomputed JSON string (a deck with every layer's data inline, as the map
was sent before the canvas), so nothing is serialised in the measured reruns."""

import sys
from pathlib import Path

import pydeck as pdk
import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dashboard.canvas import build_scene, build_view, serialize
from dashboard.layers import INITIAL_VIEW, basemap_collection
from dashboard.loader import load_catalog
from dashboard.selection import ViewFilter


class PrecomputedDeck(pdk.Deck):
    def __init__(self, text: str):
        super().__init__(map_provider=None)
        self.text = text

    def to_json(self) -> str:
        return self.text


@st.cache_resource
def precomputed() -> PrecomputedDeck:
    catalog = load_catalog()
    scene = build_scene(catalog, basemap_collection())
    view = build_view(catalog, ViewFilter.make(orgs=["CSTO"]))
    layers = []
    for spec in view["layers"]:
        name = spec["data"].removeprefix("dataset:")
        layers.append({**spec, "data": view["datasets"].get(name, scene["datasets"].get(name, []))})
    return PrecomputedDeck(serialize({"initialViewState": INITIAL_VIEW, "layers": layers}))


st.slider("Year", 1991, 2025, 2025, key="year")
st.pydeck_chart(precomputed(), height=560)
