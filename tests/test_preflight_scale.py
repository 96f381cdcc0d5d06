"""The preflight of a whole académie: what establishments share (the ENT, the CAS) is checked
once, and requests to one host are bounded, so that hundreds of establishments make no burst
at one ENT and get no false "injoignable"."""

from __future__ import annotations

import asyncio
import threading
import time
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from e2e.preflight import PER_HOST, SharedHosts, run_preflight
from tests.test_bad_targets import target_at


class _Counting(BaseHTTPRequestHandler):
    """One host serving the ENT, the CAS and every PRONOTE.net: counts each path, and how
    many requests it had at once (each answer takes a moment, as a real host's does)."""

    seen: Counter
    in_flight: list[int]  # [now, most]
    lock: threading.Lock

    def do_GET(self) -> None:
        with self.lock:
            self.seen[
                self.path.split("?")[0] + ("?service" if "service=" in self.path else "")
            ] += 1
            self.in_flight[0] += 1
            self.in_flight[1] = max(self.in_flight)
        time.sleep(0.02)  # the host's own answer time, in the server, not in a client flow
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.wfile.write(b"<html><body>ok</body></html>")
        with self.lock:
            self.in_flight[0] -= 1

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def host() -> Iterator[tuple[str, Counter, list[int]]]:
    seen: Counter = Counter()
    in_flight = [0, 0]
    handler = type(
        "Host", (_Counting,), {"seen": seen, "in_flight": in_flight, "lock": threading.Lock()}
    )
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", seen, in_flight
    server.shutdown()
    server.server_close()


def test_preflight_of_many_establishments_checks_the_shared_ent_and_cas_once(
    host: tuple[str, Counter, list[int]],
) -> None:
    base, seen, in_flight = host
    targets = [
        target_at(base, name=f"03100{n:02d}A", pronote_url=f"{base}/pronote{n}/") for n in range(40)
    ]

    async def all_preflights() -> list:
        shared = SharedHosts()
        async with httpx.AsyncClient(timeout=30) as http:
            return await asyncio.gather(
                *(run_preflight(t, http, retries=0, shared=shared) for t in targets)
            )

    preflights = asyncio.run(all_preflights())
    assert seen["/"] == 1, "the ENT every establishment shares is asked once"
    assert seen["/cas/login"] == 1, "and so is its CAS"
    assert seen["/cas/login?service"] == 40, "each establishment's own service, once each"
    assert in_flight[1] <= PER_HOST, f"{in_flight[1]} requests at once to one host"
    assert all(p.checks["ent_reachable"].ok and p.checks["cas_reachable"].ok for p in preflights)
    assert all(p.hard_failure is None for p in preflights)
