"""Login hygiene: a credential is sent once. Retries are for transient failures of requests
that carry none (a GET); a POST is never sent again, whatever it was answered."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from e2e.hops import HopRecorder
from e2e.http_driver import HttpDriver
from e2e.settings import Settings
from e2e.target import target_from_settings
from verdict.observation import Observation


class _Gateway(BaseHTTPRequestHandler):
    """A load balancer whose backend is down: every request answers 502."""

    seen: list[str]

    def _bad_gateway(self) -> None:
        self.seen.append(self.command)
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        self.send_response(502)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.wfile.write(b"<html><body><h1>502 Bad Gateway</h1></body></html>")

    do_GET = do_POST = _bad_gateway

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def gateway() -> Iterator[tuple[str, list[str]]]:
    seen: list[str] = []
    handler = type("Gateway", (_Gateway,), {"seen": seen})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", seen
    server.shutdown()
    server.server_close()


def probe(url: str, retries: int) -> tuple[HttpDriver, httpx.AsyncClient]:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        ent_url=url,
        cas_url=url,
        pronote_url=f"{url}pronote/",
        retries=retries,
        accounts=[{"login": "a.b", "profile": "professeur", "password": "Mot-de-passe-1"}],
    )
    target = target_from_settings(settings)
    client = httpx.AsyncClient()
    return HttpDriver(
        client, target, HopRecorder(target, Observation(target.name, "a.b", "professeur")), settings
    ), client


@pytest.mark.parametrize("retries", [2, 5])
def test_probe_sends_a_login_post_once_even_on_502(
    gateway: tuple[str, list[str]], retries: int
) -> None:
    url, seen = gateway

    async def post_then_get() -> tuple[int, int]:
        driver, client = probe(url, retries)
        try:
            posted = await driver._send("POST", f"{url}login", {"password": "Mot-de-passe-1"})
            got = await driver._send("GET", url, None)
        finally:
            await client.aclose()
        return posted.status_code, got.status_code

    assert asyncio.run(post_then_get()) == (502, 502)
    assert seen.count("POST") == 1, "a POST that may carry a password is sent once"
    assert seen.count("GET") == 1 + retries, "a GET is retried, as the retry policy says"
