"""A browser-less Streamlit client: speaks the app's websocket protocol (/_stcore/stream,
protobuf BackMsg/ForwardMsg) so that many sessions fit on two cores. Shared by
benchmarks/bench_load.py, tests/test_load.py and tests/test_deploy.py.

Widgets are found in the deltas each run sends (id, user key, label, element type), never
by hard-coded ids. What a user does is one small function each, below the client:
`set_year`, `set_orgs`, `set_layers`, `select_feature` (and `year_bounds`). Each returns the
widget states to send with the next rerun. The year and clicks go through the map canvas
(the component keyed "canvas"), as its browser code reports them: a JSON value
{"year", "picked", "pick_seq", "seq"}; its features come from the scene payload the
component's page would fetch.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
import urllib.request
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from google.protobuf.message import Message
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from streamlit.runtime.state.common import user_key_from_element_id
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import WebSocketException

CANVAS_KEY = "canvas"  # the map canvas component: it owns the year and the picked feature
CANVAS_DATA = "/component/dashboard.canvas_component.canvas/data/"
RUN_TIMEOUT = 60.0  # seconds a rerun may take before it counts as failed
MAX_MESSAGE = 64 * 1024 * 1024  # server.maxMessageSize in .streamlit/config.toml
CACHED_MESSAGES = 32  # large messages kept per session, as the browser's cache does
FINISHED_EARLY = ForwardMsg.ScriptFinishedStatus.FINISHED_EARLY_FOR_RERUN
COMPILE_ERROR = ForwardMsg.ScriptFinishedStatus.FINISHED_WITH_COMPILE_ERROR


@dataclass
class Widget:
    id: str
    key: str | None
    label: str
    kind: str  # the Element field: "slider", "multiselect", "deck_gl_json_chart", "component_instance", …
    proto: Any


@dataclass
class RunResult:
    seconds: float  # from sending the rerun to the script-finished message
    errors: list[str] = field(default_factory=list)


class StreamSession:
    """One browser tab: a websocket, the widgets of the last run, the URL it would show."""

    def __init__(self, base_url: str, *, headers: dict[str, str] | None = None, query: str = ""):
        self.base_url = base_url.rstrip("/")
        self.headers = headers or {}  # e.g. Cookie or Authorization, as a browser would send them
        self.query = query  # the query string the app last wrote (a browser's address bar)
        self.widgets: dict[str, Widget] = {}
        self.scene_ids: list[str] | None = None  # feature ids of the scene the canvas shows
        self.reports = 0  # the canvas's report counter ("seq")
        self._states: dict[str, WidgetState] = {}  # what this client has set, re-sent each run
        self._cache: OrderedDict[str, ForwardMsg] = OrderedDict()
        self._page_script_hash = ""
        self._socket: ClientConnection | None = None
        self.broken = False  # the socket failed or a run never finished: no further run can be trusted

    async def __aenter__(self) -> StreamSession:
        self._socket = await connect(
            self.base_url.replace("http", "ws", 1) + "/_stcore/stream",
            origin=self.base_url,  # a browser's page and websocket share an origin
            subprotocols=["streamlit"],
            additional_headers=self.headers,
            compression=None,
            max_size=MAX_MESSAGE,
            proxy=None,  # loopback only: never through a proxy from the environment
            open_timeout=RUN_TIMEOUT,
        )
        return self

    async def __aexit__(self, *exc) -> None:
        if self._socket is not None:
            await self._socket.close()

    def widget(self, *, key: str | None = None, label: str | None = None, kind: str | None = None) -> Widget | None:
        """The first widget of the last run matching every given field."""
        wanted = {"key": key, "label": label, "kind": kind}
        for found in self.widgets.values():
            if all(value is None or getattr(found, name) == value for name, value in wanted.items()):
                return found
        return None

    def find(self, **wanted: str) -> Widget:
        """Like `widget`, for a widget the page must show."""
        found = self.widget(**wanted)
        if found is None:
            raise LookupError(f"the last run showed no widget with {wanted}")
        return found

    def sent_json(self, widget: Widget) -> dict:
        """The JSON value this client last sent for a widget ({} before any)."""
        state = self._states.get(widget.id)
        return json.loads(state.json_value) if state is not None and state.json_value else {}

    async def run(self, states: Iterable[WidgetState] = ()) -> RunResult:
        """Rerun the script with these widget states changed; wait until it has finished."""
        for state in states:
            self._states[state.id] = state
        message = BackMsg()
        client = message.rerun_script
        client.query_string = self.query
        client.page_script_hash = self._page_script_hash
        client.widget_states.widgets.extend(self._states.values())
        client.cached_message_hashes.extend(self._cache)
        started = time.perf_counter()
        errors: list[str] = []
        try:
            await self._socket.send(message.SerializeToString())
            await asyncio.wait_for(self._receive_run(errors), RUN_TIMEOUT)
        except TimeoutError:
            self.broken = True
            errors.append(f"no script-finished message within {RUN_TIMEOUT:.0f} s")
        except (OSError, WebSocketException) as error:
            self.broken = True
            errors.append(f"socket failed: {type(error).__name__}: {error}")
        return RunResult(time.perf_counter() - started, errors)

    async def _receive_run(self, errors: list[str]) -> None:
        seen: dict[str, Widget] = {}
        while True:
            message = ForwardMsg()
            message.ParseFromString(await self._socket.recv())
            kind = message.WhichOneof("type")
            if kind == "ref_hash":
                message = self._cached(message, errors)
                kind = message.WhichOneof("type") if message else None
            if kind == "new_session":
                self._page_script_hash = message.new_session.page_script_hash
            elif kind == "delta":
                self._remember(message)
                self._read_delta(message, seen, errors)
            elif kind == "page_info_changed":
                self.query = message.page_info_changed.query_string
            elif kind == "session_event" and message.session_event.HasField("script_compilation_exception"):
                errors.append(f"compile error: {message.session_event.script_compilation_exception.message}")
            elif kind == "script_finished":
                if message.script_finished == COMPILE_ERROR:
                    errors.append("script finished with a compile error")
                if message.script_finished != FINISHED_EARLY:
                    break
        self.widgets = seen
        self._states = {wid: state for wid, state in self._states.items() if wid in seen}

    def _cached(self, reference: ForwardMsg, errors: list[str]) -> ForwardMsg | None:
        original = self._cache.get(reference.ref_hash)
        if original is None:
            errors.append(f"server referred to a message this client never cached ({reference.ref_hash})")
        return original

    def _remember(self, message: ForwardMsg) -> None:
        if message.metadata.cacheable and message.hash:
            self._cache[message.hash] = message
            self._cache.move_to_end(message.hash)
            while len(self._cache) > CACHED_MESSAGES:
                self._cache.popitem(last=False)

    def _read_delta(self, message: ForwardMsg, seen: dict[str, Widget], errors: list[str]) -> None:
        if message.delta.WhichOneof("type") != "new_element":
            return
        element = message.delta.new_element
        kind = element.WhichOneof("type")
        proto: Message = getattr(element, kind)
        if kind == "exception" and not proto.is_warning:
            errors.append(" ".join(filter(None, ["exception shown:", proto.type, proto.message])))
        element_id = getattr(proto, "id", "")
        if element_id:
            label = getattr(proto, "label", "")
            seen[element_id] = Widget(element_id, user_key_from_element_id(element_id), label, kind, proto)


def canvas_state(session: StreamSession, **changes: Any) -> WidgetState:
    """A report of the canvas, as its browser code sends it: the year shown, the last click."""
    canvas = session.find(key=CANVAS_KEY)
    shown = parse_qs(session.query).get("year")
    session.reports += 1
    value = {"year": int(shown[0]) if shown else None, "picked": None, "pick_seq": 0}
    value.update({**session.sent_json(canvas), **changes, "seq": session.reports})
    return WidgetState(id=canvas.id, json_value=json.dumps(value))


def canvas_arguments(session: StreamSession) -> dict:
    return json.loads(session.find(key=CANVAS_KEY).proto.json_args)


def year_bounds(session: StreamSession) -> tuple[int, int]:
    """First and last year the canvas's slider offers."""
    arguments = canvas_arguments(session)
    return int(arguments["first_year"]), int(arguments["last_year"])


def set_year(session: StreamSession, year: int) -> list[WidgetState]:
    """The slider released (or playback paused) on a year."""
    return [canvas_state(session, year=year)]


def set_multiselect(session: StreamSession, label: str, rng: random.Random) -> list[WidgetState]:
    """Pick one to three of a multiselect's options (as the browser sends them: formatted)."""
    widget = session.find(kind="multiselect", label=label)
    options = list(widget.proto.options)
    state = WidgetState(id=widget.id)
    state.string_array_value.data[:] = rng.sample(options, rng.randint(1, min(3, len(options))))
    return [state]


def set_orgs(session: StreamSession, rng: random.Random) -> list[WidgetState]:
    return set_multiselect(session, "Organizations", rng)


def set_layers(session: StreamSession, rng: random.Random) -> list[WidgetState]:
    return set_multiselect(session, "Layers", rng)


def scene_ids(session: StreamSession) -> list[str]:
    """Every feature the canvas can show, from the scene it fetched (once per session, as a page does)."""
    if session.scene_ids is None:
        url = session.base_url + CANVAS_DATA + canvas_arguments(session)["scene"]
        request = urllib.request.Request(url, headers=session.headers)
        with urllib.request.urlopen(request, timeout=30) as response:
            session.scene_ids = sorted(json.loads(response.read())["geometries"])
    return session.scene_ids


def select_feature(session: StreamSession, rng: random.Random) -> list[WidgetState]:
    """A click on a random feature of the map."""
    picked = rng.choice(scene_ids(session))
    return [canvas_state(session, picked=picked, pick_seq=session.reports + 1)]
