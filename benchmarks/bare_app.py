"""The baseline for the year-change budget: a bare Streamlit script that only re-sends
the same precomputed deck (built once, outside the measured reruns)."""

import sys
from pathlib import Path

import streamlit as st

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dashboard.layers import basemap_collection, build_deck
from dashboard.loader import load_catalog
from dashboard.selection import ViewFilter


@st.cache_resource
def precomputed():
    catalog = load_catalog()
    return build_deck(
        catalog, ViewFilter.make(year=catalog.latest_year, orgs=["CSTO"]), None, basemap_collection()
    ).deck


st.slider("Year", 1991, 2025, 2025, key="year")
st.pydeck_chart(precomputed(), on_select="rerun", selection_mode="single-object", key="map", height=560)
