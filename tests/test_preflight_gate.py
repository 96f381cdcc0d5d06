"""Journeys wait for the preflight's hard checks only (the ENT and its CAS answer), not for
its slower checks of PRONOTE.net: one round trip before the first journey instead of three.

A real HTTP server answers the ENT and the CAS at once and holds every PRONOTE.net request
until the test releases it: had the journeys waited for the whole preflight, the hard
verdict could not be heard while PRONOTE.net is held.
"""

from __future__ import annotations

import asyncio
import contextlib
import http.server
import threading
from collections.abc import Iterator

import httpx

from e2e.preflight import PER_HOST, Check, run_preflight
from e2e.runner import JourneyRunner, LaunchOptions
from e2e.settings import Settings
from tests.test_bad_targets import free_ports, target_at

HOLD_S = 20  # how long a held PRONOTE.net request waits at most (the test releases it)


@contextlib.contextmanager
def pronote_held(
    release: threading.Event, log: list[str], connections: set[int] | None = None
) -> Iterator[str]:
    """ENT and CAS answer 200 at once; PRONOTE.net answers 404 once *release* is set. Each
    connection's client port goes into *connections* (kept alive, as real servers keep them)."""

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            if connections is not None:
                connections.add(self.client_address[1])
            if self.path.startswith("/pronote/"):
                released = release.wait(HOLD_S)
                log.append("pronote answered" if released else "pronote timed out")
                status = 404
            else:
                status = 200
            body = b"<html><body>ok</body></html>"
            self.send_response(status)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        release.set()
        server.shutdown()
        server.server_close()


def test_hard_verdict_is_heard_while_pronote_checks_are_under_way() -> None:
    release, log = threading.Event(), []
    heard: list[Check | None] = []

    def hard_known(failure: Check | None) -> None:
        heard.append(failure)
        log.append("hard verdict")
        release.set()  # only now may PRONOTE.net answer

    async def run() -> object:
        async with httpx.AsyncClient(timeout=HOLD_S + 10) as http:
            return await run_preflight(target_at(base), http, retries=0, hard_known=hard_known)

    with pronote_held(release, log) as base:
        preflight = asyncio.run(run())

    assert heard == [None]
    assert log[0] == "hard verdict" and "pronote answered" in log[1:]
    assert "pronote timed out" not in log
    assert preflight.hard_failure is None  # type: ignore[attr-defined]
    assert "HTTP 404" in preflight.checks["pronote_cas_listener"].detail  # type: ignore[attr-defined]


def test_hard_failure_is_heard_with_the_failing_check() -> None:
    (ent,) = free_ports(1)
    release, log = threading.Event(), []
    heard: list[Check | None] = []

    async def run() -> None:
        async with httpx.AsyncClient(timeout=HOLD_S + 10) as http:
            target = target_at(f"http://127.0.0.1:{ent}", cas_url=f"{base}/cas/")
            await run_preflight(target, http, retries=0, hard_known=heard.append)

    with pronote_held(release, log) as base:
        release.set()
        asyncio.run(run())

    assert len(heard) == 1 and heard[0] is not None
    assert (heard[0].name, heard[0].network_error) == ("ent_reachable", "connection_refused")


def test_runner_lets_journeys_go_before_the_preflight_ends() -> None:
    release, log = threading.Event(), []
    runner = JourneyRunner(
        Settings(_env_file=None),  # type: ignore[call-arg]
        probe=True,
        launch=LaunchOptions(),
        context_args={},
    )
    try:
        with pronote_held(release, log) as base:
            target = target_at(base)
            hard = runner.call(runner.hard_failure(target))
            still_running = not runner._preflights[target.name].done()
            log.append("journeys may go")
            release.set()
            preflight = runner.call(runner.preflight(target))
            hard_again = runner.call(runner.hard_failure(target))  # known once, kept
    finally:
        runner.close()

    assert hard is None and still_running
    assert log.index("journeys may go") < log.index("pronote answered")
    assert preflight.hard_failure is None and hard_again is None


def test_an_academies_preflights_share_connections_to_a_host() -> None:
    """30 establishments on one host: their preflights (started at once, as an académie's
    night starts them) reuse at most `PER_HOST` connections to it, not one client and its
    connections each, and wait for a free one rather than time out."""
    connections: set[int] = set()
    release, log = threading.Event(), []
    release.set()
    runner = JourneyRunner(
        Settings(_env_file=None, timeout_s=5),  # type: ignore[call-arg]
        probe=True,
        launch=LaunchOptions(),
        context_args={},
    )
    try:
        with pronote_held(release, log, connections) as base:
            targets = [
                target_at(base, name=f"etab-{n}", pronote_url=f"{base}/pronote/{n}/")
                for n in range(30)
            ]
            runner.start_preflights(targets)
            preflights = [runner.call(runner.preflight(t)) for t in targets]
    finally:
        runner.close()

    assert all(p.hard_failure is None for p in preflights)
    assert all("HTTP 404" in p.checks["pronote_cas_listener"].detail for p in preflights)
    assert 1 <= len(connections) <= PER_HOST, connections
