"""A browser-less Streamlit client: speaks the app's websocket protocol (/_stcore/stream,
protobuf BackMsg/ForwardMsg) so that many sessions fit on two cores. Shared by
benchmarks/bench_load.py, tests/test_load.py and tests/test_deploy.py.

Widgets are found in the deltas each run sends (id, user key, label, element type), never
by hard-coded ids. What a user does is one small function each, below the client:
`set_year`, `set_orgs`, `set_layers`, `select_feature` (and `year_bounds`). Each returns the
widget states to send with the next rerun; when the app's controls move (the year slider
into the "canvas" component), only these functions change. They already try a widget keyed
"canvas" first (its value a JSON dict {"year", "playing", "picked"}); two guesses to check
when it lands: its year range as arguments `first_year`/`last_year`, and its features, which
`select_feature` reads today from st.pydeck_chart's deck (`deck_json`).
"""

from __future__ import annotations

import asyncio
import json
import random
import time
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

CANVAS_KEY = "canvas"  # the custom map component that will own the year and the picked feature
MAP_KEY = "map"  # today's st.pydeck_chart
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
        self.deck_json: str | None = None
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
        if kind == "deck_gl_json_chart":
            self.deck_json = proto.json
        element_id = getattr(proto, "id", "")
        if element_id:
            label = getattr(proto, "label", "")
            seen[element_id] = Widget(element_id, user_key_from_element_id(element_id), label, kind, proto)


def canvas_state(session: StreamSession, canvas: Widget, **changes: Any) -> WidgetState:
    """The component's whole value, as it would send it, with some fields changed."""
    shown = parse_qs(session.query).get("year")
    value = {"year": int(shown[0]) if shown else None, "playing": False, "picked": None}
    return WidgetState(id=canvas.id, json_value=json.dumps({**value, **session.sent_json(canvas), **changes}))


def year_bounds(session: StreamSession) -> tuple[int, int]:
    """First and last year the year control offers."""
    canvas = session.widget(key=CANVAS_KEY)
    if canvas is not None:  # assumption until the component lands: it receives its range as arguments
        arguments = json.loads(getattr(canvas.proto, "json_args", "") or "{}")
        return int(arguments["first_year"]), int(arguments["last_year"])
    slider = session.find(kind="slider", label="Year")
    return int(slider.proto.min), int(slider.proto.max)


def set_year(session: StreamSession, year: int) -> list[WidgetState]:
    """The canvas component's value {"year", "playing", "picked"} when present, else the Year slider."""
    canvas = session.widget(key=CANVAS_KEY)
    if canvas is not None:
        return [canvas_state(session, canvas, year=year)]
    slider = session.find(kind="slider", label="Year")
    state = WidgetState(id=slider.id)
    state.double_array_value.data[:] = [year]
    return [state]


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


def pickable_objects(deck_json: str) -> list[tuple[str, int, dict]]:
    """(layer id, index, object) for every object with a feature id in the deck's pickable layers."""
    found = []
    for layer in json.loads(deck_json).get("layers", []):
        data = layer.get("data")
        rows = data.get("features", []) if isinstance(data, dict) else data
        if not layer.get("pickable") or not isinstance(rows, list):
            continue
        for index, row in enumerate(rows):
            if isinstance(row, dict) and (row.get("id") or (row.get("properties") or {}).get("id")):
                found.append((layer["id"], index, row))
    return found


def feature_id(row: dict) -> str:
    return row.get("id") or row["properties"]["id"]


def select_feature(session: StreamSession, rng: random.Random) -> list[WidgetState]:
    """Click a random feature on the map (or the empty map when it shows none): the canvas's
    "picked", else the chart's selection."""
    candidates = pickable_objects(session.deck_json or "{}")
    layer_id, index, row = rng.choice(candidates) if candidates else (None, None, None)
    canvas = session.widget(key=CANVAS_KEY)
    if canvas is not None:
        return [canvas_state(session, canvas, picked=feature_id(row) if row else None)]
    chart = session.find(key=MAP_KEY)
    picked = {"indices": {layer_id: [index]}, "objects": {layer_id: [row]}} if row else {"indices": {}, "objects": {}}
    # st.pydeck_chart's state is a JSON string (string_value), not a JSON value.
    return [WidgetState(id=chart.id, string_value=json.dumps({"selection": picked}))]
