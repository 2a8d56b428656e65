"""The hardened .streamlit/config.toml: each setting as written, that Streamlit knows every
name in it, and that a running server applies the ones a browser can feel."""

from __future__ import annotations

import asyncio
import tomllib
import urllib.request
from pathlib import Path

import pytest
from browser_support import Server
from streamlit import config as streamlit_config
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
SERVER = SETTINGS["server"]


def test_every_setting_is_a_streamlit_option_of_the_right_type():
    """A misspelt name would be ignored by Streamlit with no more than a log line."""
    options = streamlit_config.get_config_options()
    for section, values in SETTINGS.items():
        for name, value in values.items():
            option = options.get(f"{section}.{name}")
            assert option is not None, f"{section}.{name} is not a Streamlit 1.67 option"
            expected = list if option.multiple else option.type
            assert isinstance(value, expected), f"{section}.{name}: {value!r} is not {expected.__name__}"


def test_offline_defaults_stay():
    assert SERVER["address"] == "127.0.0.1"
    assert SETTINGS["browser"]["gatherUsageStats"] is False
    assert SERVER["headless"] is True


def test_cross_site_protection_is_on():
    assert SERVER["enableXsrfProtection"] is True
    # enableCORS=true is CORS *protection*; false would allow every origin.
    assert SERVER["enableCORS"] is True
    assert SERVER["corsAllowedOrigins"] == []
    assert set(SERVER["allowedHosts"]) == {"127.0.0.1", "localhost"}


def test_sizes_are_bounded():
    assert SERVER["maxUploadSize"] == 50
    # below Streamlit's 200 MB default, above a layer at the upload limit
    assert SERVER["maxUploadSize"] < SERVER["maxMessageSize"] < 200


def test_no_static_folder_and_no_agent_api():
    assert SERVER["enableStaticServing"] is False
    assert not (ROOT / "dashboard" / "static").exists()
    assert SERVER["enableAgentApi"] is False


def test_no_traceback_reaches_the_browser():
    assert SETTINGS["client"]["showErrorDetails"] == "none"


@pytest.mark.loopback
def test_a_running_server_applies_them():
    server = Server()
    try:
        request = urllib.request.Request(f"{server.url}/_stcore/health", headers={"Origin": "http://elsewhere.example"})
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(request, timeout=10) as response:
            assert response.status == 200
            assert response.headers["Access-Control-Allow-Origin"] is None

        async def websocket_as(host: str) -> None:
            """Connect to 127.0.0.1 while naming `host` in the Host header (as a DNS-rebinding page would)."""
            uri = f"ws://{host}:{server.port}/_stcore/stream"
            async with connect(uri, host="127.0.0.1", port=server.port, proxy=None, subprotocols=["streamlit"]):
                pass

        asyncio.run(websocket_as("localhost"))
        with pytest.raises(InvalidStatus, match="403"):
            asyncio.run(websocket_as("rebound.example"))
    finally:
        server.stop()
