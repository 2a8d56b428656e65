"""Many users: the websocket load client against a real server on loopback, in quick mode
(the full run is `make bench-load`), and proof that what it sends reaches the app."""

from __future__ import annotations

import asyncio
import json
import random
import sys
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from browser_support import Server, free_port
from stream_client import (
    StreamSession,
    Widget,
    select_feature,
    set_layers,
    set_orgs,
    set_year,
    year_bounds,
)
from streamlit.proto.Components_pb2 import ComponentInstance
from streamlit.proto.WidgetStates_pb2 import WidgetState

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from bench_load import ACTIONS, ServerLog, run_load, user

pytestmark = pytest.mark.loopback


@pytest.fixture(scope="module")
def server():
    server = Server()
    ServerLog(server)
    yield server
    server.stop()


def shown(session: StreamSession) -> dict[str, str]:
    """The app's URL state after the last run (what a browser's address bar shows)."""
    return {name: values[0] for name, values in parse_qs(session.query).items()}


def test_quick_load_has_no_errors_and_every_session_got_responses(server):
    report = run_load(server.url, {server.url: server.process.pid}, sessions=3, seconds=5, think=0.3)
    assert report.errors == []
    assert len(report.sessions) == 3
    for session in report.sessions:
        assert session.runs["open"] == 1
        assert all(session.runs[name] >= 1 for name in ACTIONS), session.runs
        assert len(session.seconds) == sum(session.runs.values()) - 1
    assert report.rss_before > 0 and report.rss_peak >= report.rss_after


def test_each_step_reaches_the_app(server):
    """Widget states the client sends are the ones the app reads: the URL it writes follows them."""

    async def steps() -> None:
        rng = random.Random(7)
        async with StreamSession(server.url) as session:
            assert (await session.run()).errors == []
            first, _ = year_bounds(session)
            year = first + 3 if int(shown(session)["year"]) != first + 3 else first + 4
            assert (await session.run(set_year(session, year))).errors == []
            assert shown(session)["year"] == str(year)

            layers = set_layers(session, rng)
            assert (await session.run(layers)).errors == []
            assert set(shown(session)["layers"].split(",")) == set(layers[0].string_array_value.data)

            orgs = set_orgs(session, rng)
            assert (await session.run(orgs)).errors == []
            codes = {label.split(" – ")[0] for label in orgs[0].string_array_value.data}
            assert set(shown(session)["orgs"].split(",")) == codes

            click = select_feature(session, rng)
            picked = json.loads(click[0].json_value)["picked"]
            assert (await session.run(click)).errors == []
            assert shown(session)["feature"] == picked
            assert shown(session)["year"] == str(year)  # earlier changes persist across reruns

    asyncio.run(steps())


def test_an_exception_in_a_run_counts_as_an_error(server):
    async def broken_click() -> list[str]:
        async with StreamSession(server.url) as session:
            await session.run()
            orgs = session.find(kind="multiselect", label="Organizations")
            # Numbers where the multiselect expects option labels make its deserializer raise.
            state = WidgetState(id=orgs.id)
            state.double_array_value.data[:] = [1.5]
            return (await session.run([state])).errors

    errors = asyncio.run(broken_click())
    assert len(errors) == 1 and errors[0].startswith("exception shown")


def test_a_server_that_is_not_there_counts_as_an_error():
    report = asyncio.run(user(f"http://127.0.0.1:{free_port()}", seconds=0, think=0, rng=random.Random(1)))
    assert sum(report.runs.values()) == 0
    assert len(report.errors) == 1 and report.errors[0].startswith("could not connect")


def page_with_canvas() -> StreamSession:
    """A session whose last run showed the canvas (never connected: no server needed)."""
    session = StreamSession("http://127.0.0.1:9")
    session.query = "year=2005&orgs=CSTO"
    session.scene_ids = ["base-kant"]
    canvas = ComponentInstance(id="$$ID-0f-canvas", json_args=json.dumps({"first_year": 1991, "last_year": 2025}))
    session.widgets = {canvas.id: Widget(canvas.id, "canvas", "", "component_instance", canvas)}
    return session


def test_the_canvas_component_takes_the_year_and_the_click():
    session = page_with_canvas()
    assert year_bounds(session) == (1991, 2025)
    (year,) = set_year(session, 2010)
    assert year.id == "$$ID-0f-canvas"
    assert json.loads(year.json_value) == {"year": 2010, "picked": None, "pick_seq": 0, "seq": 1}
    (click,) = select_feature(session, random.Random(1))
    assert json.loads(click.json_value) == {"year": 2005, "picked": "base-kant", "pick_seq": 2, "seq": 2}
