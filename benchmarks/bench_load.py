"""Many users at once (make bench-load): concurrent sessions against one app server on loopback.

Each session opens the app, then until the time is up changes the year, the organizations,
the layers, and clicks a feature on the map, in turn, pausing like a person between steps
(--think seconds, ±50 %). Every step is a rerun sent over the websocket; its response time
runs from sending it to the script-finished message. A session speaks Streamlit's protocol
itself (tests/stream_client.py): twenty browsers would not fit on two cores.

Prints the median and 95th percentile of the response times, the errors (exceptions shown,
compile errors, runs that never finished, socket failures; exit status 1 if any), and the
server's memory per session: its RSS growth, after a warm-up session has filled the shared
caches, divided by the number of sessions.

--replicas N sends the same load through deploy/'s nginx to N replicas (memory and CPU summed).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from browser_support import Server  # noqa: E402
from stream_client import (  # noqa: E402
    StreamSession,
    select_feature,
    set_layers,
    set_orgs,
    set_year,
    year_bounds,
)
from websockets.exceptions import WebSocketException  # noqa: E402

ACTIONS = {
    "year": lambda session, rng: set_year(session, rng.randint(*year_bounds(session))),
    "orgs": set_orgs,
    "layers": set_layers,
    "select": select_feature,
}


@dataclass
class SessionReport:
    runs: Counter = field(default_factory=Counter)  # responses by action ("open" is the first page load)
    seconds: list[float] = field(default_factory=list)  # response times of the actions, not of "open"
    errors: list[str] = field(default_factory=list)


@dataclass
class LoadReport:
    sessions: list[SessionReport]
    rss_before: int
    rss_after: int
    rss_peak: int
    wall_seconds: float
    server_cpu: float  # CPU seconds the server spent during the load
    client_cpu: float  # and this process, all sessions together

    @property
    def errors(self) -> list[str]:
        return [error for session in self.sessions for error in session.errors]

    @property
    def seconds(self) -> list[float]:
        return [value for session in self.sessions for value in session.seconds]


class ServerLog:
    """Drains the server's output so that its pipe never fills (a full pipe stalls the server);
    keeps the last lines to show with errors."""

    def __init__(self, server: Server):
        self.lines: deque[str] = deque(maxlen=40)
        threading.Thread(target=self._read, args=(server.process.stdout,), daemon=True).start()

    def _read(self, stream) -> None:
        for line in stream:
            self.lines.append(line.decode(errors="replace").rstrip())


async def user(url: str, seconds: float, think: float, rng: random.Random) -> SessionReport:
    """One person: opens the app, then steps through ACTIONS until the time is up (one round at least)."""
    report = SessionReport()
    try:
        async with StreamSession(url) as session:
            opened = await session.run()
            report.runs["open"] += 1
            report.errors += opened.errors
            deadline = time.monotonic() + seconds
            step = 0
            while not session.broken and (time.monotonic() < deadline or step < len(ACTIONS)):
                name = list(ACTIONS)[step % len(ACTIONS)]
                step += 1
                try:
                    states = ACTIONS[name](session, rng)
                except Exception as error:  # a widget the action needs is missing: the page is broken
                    report.errors.append(f"{name}: cannot act: {type(error).__name__}: {error}")
                    break
                result = await session.run(states)
                report.runs[name] += 1
                report.seconds.append(result.seconds)
                report.errors += [f"{name}: {error}" for error in result.errors]
                await asyncio.sleep(rng.uniform(0.5 * think, 1.5 * think))
    except (OSError, WebSocketException, TimeoutError) as error:
        report.errors.append(f"could not connect: {type(error).__name__}: {error}")
    return report


def usage(processes: list[psutil.Process]) -> tuple[int, float]:
    """RSS (bytes) and CPU seconds, summed over the server processes."""
    return sum(p.memory_info().rss for p in processes), sum(sum(p.cpu_times()[:2]) for p in processes)


async def _load(
    url: str, servers: dict[str, int], sessions: int, seconds: float, think: float, seed: int
) -> LoadReport:
    processes = [psutil.Process(pid) for pid in servers.values()]
    for direct in servers:  # warm-up: the catalog and first decks enter each server's shared caches
        await user(direct, 0, 0, random.Random(seed))
    (rss_before, server_cpu), client_cpu = usage(processes), time.process_time()
    peak, started = rss_before, time.monotonic()
    tasks = [asyncio.create_task(user(url, seconds, think, random.Random(seed + n + 1))) for n in range(sessions)]
    while not all(task.done() for task in tasks):
        peak = max(peak, usage(processes)[0])
        await asyncio.wait(tasks, timeout=0.5)
    rss_after, server_cpu_after = usage(processes)  # Streamlit keeps closed sessions' state for a while
    return LoadReport(
        [task.result() for task in tasks],
        rss_before,
        rss_after,
        peak,
        time.monotonic() - started,
        server_cpu_after - server_cpu,
        time.process_time() - client_cpu,
    )


def run_load(
    url: str, servers: dict[str, int], sessions: int, seconds: float, think: float = 1.0, seed: int = 1
) -> LoadReport:
    """Drive `sessions` concurrent users at `url` for `seconds`; `servers` maps each server's own URL
    to its process id (one server, or the replicas behind nginx)."""
    return asyncio.run(_load(url, servers, sessions, seconds, think, seed))


def describe(report: LoadReport, sessions: int) -> str:
    times = sorted(report.seconds)
    if not times:
        return f"no session got a response; errors: {len(report.errors)}\n" + "\n".join(report.errors[:20])
    p95 = statistics.quantiles(times, n=20, method="inclusive")[18] if len(times) > 1 else times[0]
    runs = sum((session.runs for session in report.sessions), Counter())
    mib = 1024 * 1024
    return "\n".join(
        [
            f"{sessions} sessions for {report.wall_seconds:.0f} s: {runs.pop('open', 0)} page opens, then {len(times)} "
            f"steps ({', '.join(f'{name} {count}' for name, count in runs.items())}), {len(times) / report.wall_seconds:.1f}/s",
            f"response time (rerun sent → script finished): median {statistics.median(times) * 1000:.0f} ms, "
            f"95th percentile {p95 * 1000:.0f} ms, max {times[-1] * 1000:.0f} ms",
            f"CPU: server {report.server_cpu:.0f} s, load client {report.client_cpu:.0f} s "
            f"(2 cores shared with other work: {2 * report.wall_seconds:.0f} core-seconds at most)",
            f"errors: {len(report.errors)}",
            *(f"  {error}" for error in report.errors[:20]),
            f"server RSS: {report.rss_before / mib:.0f} MiB after warm-up, peak {report.rss_peak / mib:.0f} MiB, "
            f"{report.rss_after / mib:.0f} MiB at the end: "
            f"{(report.rss_after - report.rss_before) / sessions / mib:.1f} MiB per session",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--think", type=float, default=1.0, help="mean pause between a session's steps (s)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--replicas", type=int, default=0, help="run that many replicas behind nginx (deploy/)")
    args = parser.parse_args(argv)
    if args.replicas:
        return through_nginx(args)
    server = Server()
    log = ServerLog(server)
    try:
        report = run_load(
            server.url, {server.url: server.process.pid}, args.sessions, args.seconds, args.think, args.seed
        )
    finally:
        server.stop()
    print(describe(report, args.sessions))
    if report.errors:
        print("server log, last lines:", *log.lines, sep="\n")
    return 1 if report.errors else 0


def through_nginx(args: argparse.Namespace) -> int:
    """The same load through deploy/'s nginx, spread over replicas by the route cookie."""
    sys.path.insert(0, str(ROOT / "deploy"))
    from replicas import Deployment

    with Deployment(replicas=args.replicas) as deployment:
        report = run_load(deployment.url, deployment.replica_pids(), args.sessions, args.seconds, args.think, args.seed)
    print(f"through nginx, {args.replicas} replicas (RSS and CPU summed over them)")
    print(describe(report, args.sessions))
    return 1 if report.errors else 0


if __name__ == "__main__":
    sys.exit(main())
