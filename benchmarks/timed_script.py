"""Runs the script named by BENCH_TARGET inside Streamlit and records how long the
script itself took, so the figure excludes the AppTest harness around it. The script
is compiled once, as Streamlit's own script cache does."""

import os
import time
from pathlib import Path

import streamlit as st


@st.cache_resource
def compiled(path: str):
    return compile(Path(path).read_text(encoding="utf-8"), path, "exec")


target = os.environ["BENCH_TARGET"]
code = compiled(target)
started = time.perf_counter()
exec(code, {"__name__": "__main__", "__file__": target})
st.session_state.setdefault("_bench_script_ms", []).append((time.perf_counter() - started) * 1000)
