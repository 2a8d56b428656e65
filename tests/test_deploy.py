"""More than one server: Debian's nginx in front of two replicas on loopback (deploy/).

Outside CI these tests skip when nginx is missing; with CI=true they fail instead.
"""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import urllib.error
import urllib.request
from base64 import b64encode
from collections.abc import Iterator
from pathlib import Path

import pytest
from stream_client import StreamSession, set_year, year_bounds
from websockets.exceptions import InvalidStatus

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "deploy"))
from replicas import OPENER, Deployment, max_upload_mb, nginx_binary

pytestmark = pytest.mark.loopback

if nginx_binary() is None:
    if os.environ.get("CI") == "true":
        raise RuntimeError("CI=true but nginx is missing: .ci/run must install Debian's nginx")
    pytest.skip("Debian's nginx is not installed (these tests run in CI)", allow_module_level=True)


@pytest.fixture(scope="module")
def deployment() -> Iterator[Deployment]:
    with Deployment(replicas=2) as running:
        yield running


def get(url: str, headers: dict[str, str] | None = None):
    """One GET through nginx: (status, headers)."""
    try:
        with OPENER.open(urllib.request.Request(url, headers=headers or {}), timeout=30) as response:
            response.read()
            return response.status, response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.headers


def upstreams(deployment: Deployment, route: str) -> set[str]:
    """The replicas (host:port) nginx sent this route's requests to, from its access log."""
    found = set()
    for line in deployment.access_log():
        match = re.search(r"upstream=(.+) route=(\S+)$", line)  # "a, b" when nginx moved on to b
        if match and match.group(2) == route:
            found.update(address.strip() for address in match.group(1).split(","))
    return found


def open_session(url: str, headers: dict[str, str]) -> list[str]:
    """A browser tab through nginx: opens the app and changes the year; the errors it met."""

    async def tab() -> list[str]:
        async with StreamSession(url, headers=headers) as session:
            errors = (await session.run()).errors
            first, _ = year_bounds(session)
            return errors + (await session.run(set_year(session, first + 1))).errors

    return asyncio.run(tab())


def test_a_browser_gets_a_route_cookie_and_its_session_runs_through_nginx(deployment):
    status, headers = get(deployment.url + "/")
    assert status == 200
    cookie = headers["Set-Cookie"]
    route = re.match(r"csto_route=([0-9a-f]{32});", cookie).group(1)
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert open_session(deployment.url, {"Cookie": f"csto_route={route}"}) == []
    # the page, then the websocket: both on one replica
    log = [line for line in deployment.access_log() if f"route={route}" in line]
    assert any('"GET / ' in line for line in log)
    assert any('"GET /_stcore/stream ' in line and '" 101 ' in line for line in log)
    assert len(upstreams(deployment, route)) == 1
    # a browser that has the cookie is not given another
    assert get(deployment.url + "/", {"Cookie": f"csto_route={route}"})[1]["Set-Cookie"] is None


def test_the_route_cookie_keeps_each_browser_on_one_replica_and_spreads_them(deployment):
    routes = [f"browser{n}" for n in range(24)]  # all 24 on one replica: odds about 1 in 10 million
    for route in routes:
        for path in ("/", "/_stcore/health"):
            assert get(deployment.url + path, {"Cookie": f"csto_route={route}"})[0] == 200
    assigned = {route: upstreams(deployment, route) for route in routes}
    assert all(len(replicas) == 1 for replicas in assigned.values()), assigned
    used = set().union(*assigned.values())
    assert used == {f"127.0.0.1:{port}" for port in deployment.replica_ports}


def test_nginx_accepts_uploads_as_large_as_streamlit_does(deployment):
    conf = (deployment.prefix / "nginx.conf").read_text(encoding="utf-8")
    assert f"client_max_body_size {max_upload_mb()}m;" in conf


def test_new_sessions_work_after_the_replica_holding_a_browser_stops():
    with Deployment(replicas=2) as deployment:
        cookie = {"Cookie": "csto_route=analyst"}
        assert open_session(deployment.url, cookie) == []
        (first,) = upstreams(deployment, "analyst")
        deployment.stop_replica([f"127.0.0.1:{port}" for port in deployment.replica_ports].index(first))

        assert open_session(deployment.url, cookie) == []  # the same browser, moved on
        assert open_session(deployment.url, {"Cookie": "csto_route=newcomer"}) == []
        assert open_session(deployment.url, {}) == []
        survivor = {f"127.0.0.1:{port}" for port in deployment.replica_ports} - {first}
        assert survivor <= upstreams(deployment, "analyst")


def test_basic_auth_in_front(tmp_path):
    hashed = subprocess.run(
        ["openssl", "passwd", "-6", "-stdin"], input="correct horse", capture_output=True, text=True, check=True
    ).stdout.strip()
    htpasswd = tmp_path / "htpasswd"
    htpasswd.write_text(f"analyst:{hashed}\n", encoding="utf-8")
    with Deployment(replicas=1, htpasswd=htpasswd) as deployment:
        assert get(deployment.url + "/")[0] == 401
        with pytest.raises(InvalidStatus, match="401"):
            open_session(deployment.url, {})
        wrong = {"Authorization": "Basic " + b64encode(b"analyst:wrong").decode()}
        assert get(deployment.url + "/", wrong)[0] == 401
        right = {"Authorization": "Basic " + b64encode(b"analyst:correct horse").decode()}
        assert get(deployment.url + "/", right)[0] == 200
        assert open_session(deployment.url, right) == []
