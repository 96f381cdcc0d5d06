"""Real networks: every request of httpx and of Chromium goes through a real forward proxy.

The proxy is a small one of ours on 127.0.0.1 (mitmproxy's pins clash with this project's
cryptography and h11): it forwards absolute-form HTTP requests and opens CONNECT tunnels,
asks for Basic credentials when told to, can re-sign TLS with its own authority like a
school network's filtering proxy, and logs every request it gets. The sites live on
`*.test` names that only the proxy resolves (to 127.0.0.1), so a request that skipped the
proxy could not reach them at all. Test passwords are random and never written to disk.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import secrets
import shutil
import ssl
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import quote, urlsplit

import httpx
import pytest
import trustme
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import async_playwright
from pydantic import SecretStr

from e2e.network import (
    NetworkSettings,
    NetworkSettingsError,
    browser_context_options,
    browser_launch_options,
    httpx_client_kwargs,
    playwright_proxy,
    proxy_error_kind,
    proxy_failure,
    secrets_to_scrub,
)

CHROMIUM = Path("/usr/bin/chromium")
needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is missing")
needs_certutil = pytest.mark.skipif(
    shutil.which("certutil") is None, reason="certutil (libnss3-tools) is missing"
)


# -- the origin: a small site with sub-resources, over HTTP and HTTPS --------------------------


class OriginHandler(BaseHTTPRequestHandler):
    pages: ClassVar[dict[str, tuple[bytes, str]]] = {
        "/": (
            b'<h1>Portail</h1><img src="/pixel.gif"><script src="/app.js"></script>',
            "text/html",
        ),
        "/pixel.gif": (base64.b64decode("R0lGODlhAQABAAAAACw="), "image/gif"),
        "/app.js": (b"document.title = 'charge';", "text/javascript"),
    }

    def do_GET(self) -> None:
        self.server.seen.append((self.path, dict(self.headers)))  # type: ignore[attr-defined]
        if self.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", "/")
            self.end_headers()
            return
        body, kind = self.pages.get(self.path, (b"introuvable", "text/plain"))
        self.send_response(200 if self.path in self.pages else 404)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@contextlib.contextmanager
def origin(tls: ssl.SSLContext | None = None) -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), OriginHandler)
    server.seen = []  # type: ignore[attr-defined]
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


# -- the proxy ------------------------------------------------------------------------------


@dataclass
class ProxyEntry:
    method: str
    target: str
    authorized: bool


@dataclass
class ForwardProxy:
    """An HTTP forward proxy on 127.0.0.1, in its own thread and event loop."""

    credentials: tuple[str, str] | None = None
    resign_ca: trustme.CA | None = None  # re-sign TLS with this authority
    upstream_tls: ssl.SSLContext | None = None  # how the proxy checks the origins it re-signs
    log: list[ProxyEntry] = field(default_factory=list)
    leaves: dict[str, ssl.SSLContext] = field(default_factory=dict)
    port: int = 0

    def __enter__(self) -> ForwardProxy:
        self.loop = asyncio.new_event_loop()
        started = threading.Event()

        async def start() -> None:
            self.server = await asyncio.start_server(self.handle, "127.0.0.1", 0)
            self.port = self.server.sockets[0].getsockname()[1]
            started.set()

        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        asyncio.run_coroutine_threadsafe(start(), self.loop).result(timeout=10)
        started.wait(10)
        return self

    def __exit__(self, *exc: object) -> None:
        async def stop() -> None:
            # Cancel the connections still open and let each one close its sockets before the
            # loop stops: a task dropped pending leaves unclosed transports for the garbage
            # collector, which pytest reports as a failure of whichever test runs then.
            self.server.close()
            pending = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
            await self.server.wait_closed()

        asyncio.run_coroutine_threadsafe(stop(), self.loop).result(timeout=10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def targets(self) -> list[str]:
        return [e.target for e in self.log if e.authorized]

    def _authorized(self, head: str) -> bool:
        if self.credentials is None:
            return True
        expected = base64.b64encode(":".join(self.credentials).encode()).decode()
        for line in head.split("\r\n")[1:]:
            name, _, value = line.partition(":")
            if name.strip().lower() == "proxy-authorization":
                return value.strip() == f"Basic {expected}"
        return False

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
            method, target, _ = head.split("\r\n", 1)[0].split(" ", 2)
            authorized = self._authorized(head)
            self.log.append(ProxyEntry(method, target, authorized))
            if not authorized:
                writer.write(
                    b"HTTP/1.1 407 Proxy Authentication Required\r\n"
                    b'Proxy-Authenticate: Basic realm="reseau-etablissement"\r\n'
                    b"Content-Length: 0\r\nConnection: close\r\n\r\n"
                )
                await writer.drain()
                return
            if method == "CONNECT":
                await self.tunnel(target, reader, writer)
            else:
                await self.forward(method, target, head, reader, writer)
        except (asyncio.IncompleteReadError, ConnectionError, ssl.SSLError, ValueError):
            pass
        finally:
            await self.closed(writer)

    @staticmethod
    async def closed(writer: asyncio.StreamWriter) -> None:
        writer.close()
        with contextlib.suppress(ConnectionError, ssl.SSLError, OSError, asyncio.CancelledError):
            await writer.wait_closed()

    @staticmethod
    def upstream(host: str | None) -> str:
        if not host or not host.endswith(".test"):  # the only names this proxy resolves
            raise ConnectionError(host)
        return "127.0.0.1"

    async def forward(
        self,
        method: str,
        target: str,
        head: str,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> None:
        url = urlsplit(target)
        up_reader, up_writer = await asyncio.open_connection(self.upstream(url.hostname), url.port)
        path = url.path or "/"
        if url.query:
            path += f"?{url.query}"
        kept = [
            line
            for line in head.split("\r\n")[1:]
            if line
            and line.split(":")[0].strip().lower()
            not in {"proxy-authorization", "proxy-connection", "connection"}
        ]
        request = "\r\n".join([f"{method} {path} HTTP/1.1", *kept, "Connection: close"])
        up_writer.write(request.encode("latin-1") + b"\r\n\r\n")
        await self.pipe(reader, writer, up_reader, up_writer)

    async def tunnel(
        self, target: str, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        host, _, port = target.rpartition(":")
        address = self.upstream(host)
        writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        await writer.drain()
        if self.resign_ca is None:
            up_reader, up_writer = await asyncio.open_connection(address, int(port))
        else:  # terminate TLS with a certificate of our own authority, as filtering proxies do
            await writer.start_tls(self.resigned(host))
            up_reader, up_writer = await asyncio.open_connection(
                address, int(port), ssl=self.upstream_tls, server_hostname=host
            )
        await self.pipe(reader, writer, up_reader, up_writer)

    def resigned(self, host: str) -> ssl.SSLContext:
        """One certificate per host, kept, as filtering proxies do (a browser that accepted a
        certificate retries with the same one)."""
        if host not in self.leaves:
            self.leaves[host] = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            assert self.resign_ca is not None
            self.resign_ca.issue_cert(host).configure_cert(self.leaves[host])
        return self.leaves[host]

    @staticmethod
    async def pipe(
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        up_reader: asyncio.StreamReader,
        up_writer: asyncio.StreamWriter,
    ) -> None:
        async def copy(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            with contextlib.suppress(ConnectionError, ssl.SSLError):
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            with contextlib.suppress(ConnectionError, OSError, RuntimeError):
                if sink.can_write_eof():
                    sink.write_eof()

        try:
            await asyncio.gather(copy(reader, up_writer), copy(up_reader, writer))
        finally:
            await ForwardProxy.closed(up_writer)


# -- fixtures -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def origin_ca() -> trustme.CA:
    return trustme.CA(organization_name="Origine de test")


@pytest.fixture(scope="module")
def http_origin() -> Iterator[ThreadingHTTPServer]:
    with origin() as server:
        yield server


@pytest.fixture(scope="module")
def https_origin(origin_ca: trustme.CA) -> Iterator[ThreadingHTTPServer]:
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    origin_ca.issue_cert("ent.test", "secure.ent.test").configure_cert(tls)
    with origin(tls) as server:
        yield server


@pytest.fixture(autouse=True)
def fresh_origins(http_origin: ThreadingHTTPServer, https_origin: ThreadingHTTPServer) -> None:
    http_origin.seen.clear()  # type: ignore[attr-defined]
    https_origin.seen.clear()  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def no_proxy_from_the_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY",
                 "all_proxy", "NO_PROXY", "no_proxy"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def bundle_of(ca: trustme.CA, folder: Path) -> Path:
    path = folder / "autorite.pem"
    ca.cert_pem.write_to_path(str(path))
    return path


def seen_paths(server: ThreadingHTTPServer) -> list[str]:
    return [path for path, _ in server.seen]  # type: ignore[attr-defined]


@dataclass
class Visit:
    """What Chromium got for a page: its title and status, or the error; every status seen."""

    title: str | None
    status: int | None
    error: str
    statuses: list[int]

    @property
    def outcome(self) -> tuple[str | None, int | None, str]:
        return self.title, self.status, self.error


async def open_in_chromium(net: NetworkSettings, url: str, workdir: Path) -> Visit:
    """Open `url` in Chromium launched with the network options."""
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=["--no-sandbox"],
            **browser_launch_options(net, workdir),
        )
        try:
            context = await browser.new_context(**browser_context_options(net))
            page = await context.new_page()
            statuses: list[int] = []
            page.on("response", lambda response: statuses.append(response.status))
            try:
                response = await page.goto(url, timeout=15_000)
                await page.wait_for_load_state("load")
                status = response.status if response else None
                return Visit(await page.title(), status, "", statuses)
            except PlaywrightError as exc:
                return Visit(None, None, str(exc).splitlines()[0], statuses)
        finally:
            await browser.close()


# -- httpx ----------------------------------------------------------------------------------


def test_httpx_every_request_goes_through_the_proxy(
    http_origin: ThreadingHTTPServer,
    https_origin: ThreadingHTTPServer,
    origin_ca: trustme.CA,
    tmp_path: Path,
) -> None:
    http_port, https_port = http_origin.server_port, https_origin.server_port
    with ForwardProxy() as proxy:
        net = NetworkSettings.resolve(proxy=proxy.url, ca_bundle=bundle_of(origin_ca, tmp_path))
        with httpx.Client(**httpx_client_kwargs(net, asynchronous=False)) as client:
            plain = client.get(f"http://ent.test:{http_port}/redirect", follow_redirects=True)
            secure = client.get(f"https://secure.ent.test:{https_port}/app.js")

    assert plain.status_code == secure.status_code == 200
    assert proxy.targets() == [
        f"http://ent.test:{http_port}/redirect",
        f"http://ent.test:{http_port}/",
        f"secure.ent.test:{https_port}",
    ]
    assert seen_paths(http_origin) == ["/redirect", "/"]
    assert seen_paths(https_origin) == ["/app.js"]


@pytest.mark.anyio
async def test_httpx_async_client_goes_through_the_proxy(http_origin: ThreadingHTTPServer) -> None:
    with ForwardProxy() as proxy:
        net = NetworkSettings.resolve(proxy=SecretStr(proxy.url))
        async with httpx.AsyncClient(**httpx_client_kwargs(net)) as client:
            response = await client.get(f"http://ent.test:{http_origin.server_port}/")

    assert response.status_code == 200
    assert proxy.targets() == [f"http://ent.test:{http_origin.server_port}/"]


def test_httpx_loopback_and_no_proxy_hosts_skip_the_proxy(
    http_origin: ThreadingHTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a proxy from the environment and NO_PROXY naming an intranet
    with ForwardProxy() as proxy:
        monkeypatch.setenv("HTTPS_PROXY", proxy.url)
        monkeypatch.setenv("NO_PROXY", "intranet.test")
        net = NetworkSettings.resolve()
        with httpx.Client(**httpx_client_kwargs(net, asynchronous=False)) as client:
            local = client.get(f"http://127.0.0.1:{http_origin.server_port}/")
            proxied = client.get(f"http://ent.test:{http_origin.server_port}/")
            with pytest.raises(httpx.ConnectError):  # NO_PROXY: resolved here, where it is not
                client.get(f"http://intranet.test:{http_origin.server_port}/")

    assert net.proxy is not None and net.proxy.origin == "HTTPS_PROXY"
    assert local.status_code == proxied.status_code == 200
    assert proxy.targets() == [f"http://ent.test:{http_origin.server_port}/"]


# -- Chromium -------------------------------------------------------------------------------


@needs_chromium
@pytest.mark.anyio
async def test_chromium_page_and_its_resources_go_through_the_proxy(
    http_origin: ThreadingHTTPServer, tmp_path: Path
) -> None:
    port = http_origin.server_port
    with ForwardProxy() as proxy:
        net = NetworkSettings.resolve(proxy=proxy.url)
        visit = await open_in_chromium(net, f"http://ent.test:{port}/redirect", tmp_path)

    assert visit.outcome == ("charge", 200, "")  # app.js ran: it came through
    seen = seen_paths(http_origin)
    assert seen[:2] == ["/redirect", "/"]
    assert {"/pixel.gif", "/app.js"} <= set(seen)  # and Chromium's own /favicon.ico
    proxied = proxy.targets()
    for path in seen_paths(http_origin):
        assert f"http://ent.test:{port}{path}" in proxied


@needs_chromium
@needs_certutil
@pytest.mark.anyio
async def test_chromium_https_through_a_tunnel_trusts_the_ca_bundle(
    https_origin: ThreadingHTTPServer, origin_ca: trustme.CA, tmp_path: Path
) -> None:
    url = f"https://secure.ent.test:{https_origin.server_port}/"
    with ForwardProxy() as proxy:
        untrusted = await open_in_chromium(
            NetworkSettings.resolve(proxy=proxy.url), url, tmp_path / "a"
        )
        net = NetworkSettings.resolve(proxy=proxy.url, ca_bundle=bundle_of(origin_ca, tmp_path))
        trusted = await open_in_chromium(net, url, tmp_path / "b")

    assert "ERR_CERT_AUTHORITY_INVALID" in untrusted.error
    assert trusted.outcome == ("charge", 200, "")
    assert f"secure.ent.test:{https_origin.server_port}" in proxy.targets()


# -- proxy authentication -------------------------------------------------------------------


@needs_chromium
@pytest.mark.anyio
async def test_proxy_credentials_are_sent_by_httpx_and_chromium(
    http_origin: ThreadingHTTPServer, tmp_path: Path
) -> None:
    password = secrets.token_urlsafe(12) + ":@/"  # characters a URL must escape
    url = f"http://ent.test:{http_origin.server_port}/"
    with ForwardProxy(credentials=("agent.reseau", password)) as proxy:
        address = f"http://agent.reseau:{quote(password, safe='')}@127.0.0.1:{proxy.port}"
        net = NetworkSettings.resolve(proxy=SecretStr(address))
        async with httpx.AsyncClient(**httpx_client_kwargs(net)) as client:
            response = await client.get(url)
        browser = await open_in_chromium(net, url, tmp_path)

    assert response.status_code == 200
    assert browser.outcome == ("charge", 200, "")
    # httpx sends the credentials up front; Chromium answers the proxy's 407 challenge
    assert [e.authorized for e in proxy.log if e.target == url] in (
        [True, False, True],
        [True, True],
    )
    assert not any("proxy-authorization" in {k.lower() for k in h} for _, h in http_origin.seen)  # type: ignore[attr-defined]
    assert secrets_to_scrub(net) == [password, quote(password, safe="")]
    assert playwright_proxy(net) == {
        "server": f"http://127.0.0.1:{proxy.port}",
        "bypass": "localhost,127.0.0.1,[::1]",
        "username": "agent.reseau",
        "password": password,
    }


@needs_chromium
@pytest.mark.anyio
async def test_wrong_proxy_password_is_named_in_french_without_the_password(
    http_origin: ThreadingHTTPServer, https_origin: ThreadingHTTPServer, tmp_path: Path
) -> None:
    right, wrong = secrets.token_urlsafe(12), secrets.token_urlsafe(12)
    with ForwardProxy(credentials=("agent.reseau", right)) as proxy:
        net = NetworkSettings.resolve(proxy=f"http://agent.reseau:{wrong}@127.0.0.1:{proxy.port}")
        async with httpx.AsyncClient(**httpx_client_kwargs(net)) as client:
            plain = await client.get(f"http://ent.test:{http_origin.server_port}/")
            with pytest.raises(httpx.ProxyError) as tunnel:
                await client.get(f"https://secure.ent.test:{https_origin.server_port}/")
        visit = await open_in_chromium(net, f"http://ent.test:{http_origin.server_port}/", tmp_path)

    lines = [
        proxy_failure(net, status=plain.status_code),
        proxy_failure(net, error=tunnel.value),
        # Chromium fails the page (ERR_HTTP_RESPONSE_CODE_FAILURE) after the proxy's 407,
        # which its response listener sees
        proxy_failure(net, status=visit.statuses[0]),
    ]
    assert visit.error and visit.statuses == [407]
    for line in lines:
        assert line is not None
        assert line.startswith(f"Proxy http://127.0.0.1:{proxy.port} (VERIFIER_PROXY) : ")
        assert "authentification refusée (HTTP 407)" in line
        assert "« agent.reseau »" in line
        assert wrong not in line and right not in line
    assert seen_paths(http_origin) == [] and seen_paths(https_origin) == []


def test_cli_network_wrong_proxy_password_is_one_french_line(
    http_origin: ThreadingHTTPServer,
) -> None:
    right, wrong = secrets.token_urlsafe(12), secrets.token_urlsafe(12)
    with ForwardProxy(credentials=("agent.reseau", right)) as proxy:
        env = {
            "PATH": "/usr/bin:/bin",
            "VERIFIER_PROXY": f"http://agent.reseau:{wrong}@127.0.0.1:{proxy.port}",
        }
        url = f"https://secure.ent.test:{http_origin.server_port}/"
        done = subprocess.run(
            [sys.executable, "-m", "e2e", "network", url],
            capture_output=True, text=True, timeout=60, check=False, env=env,
        )  # fmt: skip
        good = subprocess.run(
            [sys.executable, "-m", "e2e", "network", f"http://ent.test:{http_origin.server_port}/"],
            capture_output=True, text=True, timeout=60, check=False,
            env={**env, "VERIFIER_PROXY": f"http://agent.reseau:{right}@127.0.0.1:{proxy.port}"},
        )  # fmt: skip

    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert "authentification refusée (HTTP 407)" in done.stderr
    assert wrong not in done.stderr + done.stdout
    assert good.returncode == 0, good.stderr
    assert good.stdout.strip().endswith(f"HTTP 200 (via http://127.0.0.1:{proxy.port})")


def test_cli_network_unreachable_proxy_is_one_french_line() -> None:
    with ForwardProxy() as proxy:
        port = proxy.port  # free once the proxy is gone
    done = subprocess.run(
        [sys.executable, "-m", "e2e", "network", "https://ent.test/"],
        capture_output=True, text=True, timeout=60, check=False,
        env={"PATH": "/usr/bin:/bin", "VERIFIER_PROXY": f"http://127.0.0.1:{port}"},
    )  # fmt: skip

    assert done.returncode == 1
    assert (
        done.stderr
        == f"Proxy http://127.0.0.1:{port} (VERIFIER_PROXY) injoignable ; vérifiez son adresse et son port\n"
    )


# -- a proxy that re-signs TLS with its own authority ----------------------------------------


@pytest.fixture
def resigning_proxy(origin_ca: trustme.CA) -> Iterator[tuple[ForwardProxy, trustme.CA]]:
    proxy_ca = trustme.CA(organization_name="Proxy filtrant de test")
    upstream = ssl.create_default_context()
    origin_ca.configure_trust(upstream)
    with ForwardProxy(resign_ca=proxy_ca, upstream_tls=upstream) as proxy:
        yield proxy, proxy_ca


def test_httpx_trusts_a_resigning_proxy_only_with_its_authority(
    https_origin: ThreadingHTTPServer,
    resigning_proxy: tuple[ForwardProxy, trustme.CA],
    origin_ca: trustme.CA,
    tmp_path: Path,
) -> None:
    proxy, proxy_ca = resigning_proxy
    url = f"https://secure.ent.test:{https_origin.server_port}/app.js"

    with_origin_ca = NetworkSettings.resolve(
        proxy=proxy.url, ca_bundle=bundle_of(origin_ca, tmp_path)
    )
    with httpx.Client(**httpx_client_kwargs(with_origin_ca, asynchronous=False)) as client:
        with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
            client.get(url)  # the proxy's certificate, not the origin's

    (tmp_path / "proxy").mkdir()
    net = NetworkSettings.resolve(
        proxy=proxy.url, ca_bundle=bundle_of(proxy_ca, tmp_path / "proxy")
    )
    with httpx.Client(**httpx_client_kwargs(net, asynchronous=False)) as client:
        response = client.get(url)

    assert response.status_code == 200 and response.text == "document.title = 'charge';"
    assert seen_paths(https_origin) == ["/app.js"]


@needs_chromium
@needs_certutil
@pytest.mark.anyio
async def test_chromium_trusts_a_resigning_proxy_with_its_authority(
    https_origin: ThreadingHTTPServer,
    resigning_proxy: tuple[ForwardProxy, trustme.CA],
    tmp_path: Path,
) -> None:
    proxy, proxy_ca = resigning_proxy
    url = f"https://secure.ent.test:{https_origin.server_port}/"
    net = NetworkSettings.resolve(proxy=proxy.url, ca_bundle=bundle_of(proxy_ca, tmp_path))

    visit = await open_in_chromium(net, url, tmp_path / "browser")

    assert visit.outcome == ("charge", 200, "")
    assert {"/", "/pixel.gif", "/app.js"} <= set(seen_paths(https_origin))


@needs_chromium
@pytest.mark.anyio
async def test_chromium_insecure_tls_ignores_the_unknown_authority(
    https_origin: ThreadingHTTPServer,
    resigning_proxy: tuple[ForwardProxy, trustme.CA],
    tmp_path: Path,
) -> None:
    proxy, _ = resigning_proxy
    net = NetworkSettings.resolve(proxy=proxy.url, insecure_tls=True)

    assert browser_launch_options(net, tmp_path).keys() == {"proxy"}
    visit = await open_in_chromium(
        net, f"https://secure.ent.test:{https_origin.server_port}/", tmp_path
    )
    assert visit.outcome == ("charge", 200, ""), visit.error


# -- settings -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "environ",
    [
        pytest.param({"HTTPS_PROXY": "http://proxy.test:3128"}, id="HTTPS_PROXY"),
        pytest.param({"http_proxy": "proxy.test:3128"}, id="http_proxy-without-scheme"),
        pytest.param({"ALL_PROXY": "http://proxy.test:3128"}, id="ALL_PROXY"),
    ],
)
def test_proxy_from_the_usual_environment(environ: dict[str, str]) -> None:
    net = NetworkSettings.resolve(environ=environ)

    assert net.proxy is not None and net.proxy.server == "http://proxy.test:3128"


def test_verifier_proxy_wins_over_the_environment() -> None:
    net = NetworkSettings.resolve(
        proxy="http://mine.test:8080", environ={"HTTPS_PROXY": "http://other.test:3128"}
    )

    assert net.proxy is not None
    assert (net.proxy.server, net.proxy.origin) == ("http://mine.test:8080", "VERIFIER_PROXY")


def test_no_proxy_star_means_no_proxy_at_all() -> None:
    net = NetworkSettings.resolve(environ={"HTTPS_PROXY": "http://p.test:1", "NO_PROXY": "*"})

    assert net.proxy is None
    assert playwright_proxy(net) is None
    assert "mounts" not in httpx_client_kwargs(net)


@pytest.mark.parametrize(
    "address",
    [
        pytest.param("ftp://agent:{secret}@proxy.test:21", id="unknown-scheme"),
        pytest.param("http://agent:{secret}@proxy.test:99999", id="port-out-of-range"),
        pytest.param("http://agent:{secret}@:3128", id="no-host"),
        pytest.param("socks5://agent:{secret}@proxy.test:1080", id="socks5-with-password"),
    ],
)
def test_bad_proxy_address_is_a_french_error_without_the_password(address: str) -> None:
    secret = secrets.token_urlsafe(12)

    with pytest.raises(NetworkSettingsError) as caught:
        NetworkSettings.resolve(proxy=address.format(secret=secret))

    assert str(caught.value).startswith("VERIFIER_PROXY : ")
    assert secret not in str(caught.value)


def test_ca_bundle_missing_or_not_pem_is_a_french_error(tmp_path: Path) -> None:
    with pytest.raises(NetworkSettingsError, match="VERIFIER_CA_BUNDLE : fichier illisible"):
        NetworkSettings.resolve(ca_bundle=tmp_path / "absent.pem")
    not_pem = tmp_path / "autorite.der"
    not_pem.write_bytes(b"\x30\x82\x01\x0a")
    with pytest.raises(NetworkSettingsError, match="ne contient aucun certificat PEM"):
        NetworkSettings.resolve(ca_bundle=not_pem)


def test_no_password_means_nothing_to_scrub() -> None:
    assert secrets_to_scrub(NetworkSettings.resolve(proxy="http://agent@proxy.test:3128")) == []
    assert secrets_to_scrub(NetworkSettings.resolve()) == []


# -- `pytest e2e/` through a proxy that fails -------------------------------------------------


def proxied_target_env(proxy: str) -> dict[str, str]:
    """A target on `*.test` names (only a proxy could reach them), one account per profile
    kind, and *proxy* as `VERIFIER_PROXY`: no lab starts, every request goes to the proxy."""
    return {
        "VERIFIER_PROXY": proxy,
        "VERIFIER_ENT_URL": "https://ent.test/",
        "VERIFIER_CAS_URL": "https://cas.ent.test/",
        "VERIFIER_PRONOTE_URL": "http://pronote.college.test:82/pronote/",
        "VERIFIER_IDENTIFIER_ATTRIBUTE": "ENTPersonIdPronote",
        "VERIFIER_ESTABLISHMENT": "0310001A",
        "PW_PROF": secrets.token_urlsafe(12),
        "PW_ELEVE": secrets.token_urlsafe(12),
        "VERIFIER_ACCOUNTS": json.dumps(
            [
                {"login": "jean.dupont", "profile": "professeur", "password_env": "PW_PROF"},
                {"login": "l.martin7", "profile": "eleve", "password_env": "PW_ELEVE"},
            ]
        ),
    }


def everything_written(out: Path) -> str:
    return "\n".join(
        p.read_bytes().decode("utf-8", "replace") for p in out.rglob("*") if p.is_file()
    )


def assert_named_as_the_proxy(
    run: subprocess.CompletedProcess[str], summary: list[dict[str, Any]], code: str, named: str
) -> None:
    output = run.stdout + run.stderr
    assert run.returncode == 1, output[-3000:]
    assert "Traceback" not in output
    # Every account: not verified, for the proxy, which the details name
    assert {s["account"] for s in summary} == {"jean.dupont", "l.martin7"}
    for entry in summary:
        assert (entry["state"], entry["diagnosis"]) == ("non_verifie", code), entry
        assert f"proxy : {named}" in entry["details"]
    # The preflight's hard checks fail naming the proxy, not the ENT or its CAS
    assert f"ENT joignable : échec — https://ent.test/ : proxy {named}" in run.stdout
    assert f"| {code} | non vérifié" in run.stdout  # the console's summary per account
    assert "PN-ENT-INJOIGNABLE" not in output and "PN-CAS-INJOIGNABLE" not in output


MODES = [pytest.param((), id="browser"), pytest.param(("--probe",), id="probe")]


@pytest.mark.parametrize("mode", MODES)
def test_e2e_unreachable_proxy_is_named_by_the_preflight_and_every_account(
    tmp_path: Path, mode: tuple[str, ...]
) -> None:
    from tests.e2e_runner import run_e2e

    password = secrets.token_urlsafe(12)
    with ForwardProxy() as proxy:
        port = proxy.port  # free once the proxy is gone
    env = proxied_target_env(f"http://agent.reseau:{password}@127.0.0.1:{port}")

    run, summary = run_e2e(tmp_path, *mode, env=env)

    named = f"http://127.0.0.1:{port} (VERIFIER_PROXY)"
    assert_named_as_the_proxy(run, summary, "PN-PROXY-INJOIGNABLE", named)
    written = everything_written(tmp_path)
    # Allure shows each account's French message
    assert "[PN-PROXY-INJOIGNABLE] Proxy du réseau injoignable" in written
    for secret in (password, env["PW_PROF"], env["PW_ELEVE"]):
        assert secret not in run.stdout + run.stderr and secret not in written


@pytest.mark.parametrize("mode", MODES)
def test_e2e_proxy_refusing_the_credentials_is_named_by_the_preflight_and_every_account(
    tmp_path: Path, mode: tuple[str, ...]
) -> None:
    from tests.e2e_runner import run_e2e

    right, wrong = secrets.token_urlsafe(12), secrets.token_urlsafe(12)
    with ForwardProxy(credentials=("agent.reseau", right)) as proxy:
        env = proxied_target_env(f"http://agent.reseau:{wrong}@127.0.0.1:{proxy.port}")
        run, summary = run_e2e(tmp_path, *mode, env=env)

    named = f"http://127.0.0.1:{proxy.port} (VERIFIER_PROXY)"
    assert_named_as_the_proxy(run, summary, "PN-PROXY-AUTHENTIFICATION", named)
    # HTTPS (a refused CONNECT) and plain HTTP (a 407 answer) alike
    assert "https://cas.ent.test/login : proxy " + named + " authentification refusée" in run.stdout
    pronote = "http://pronote.college.test:82/pronote/"
    assert f"{pronote} : proxy {named} authentification refusée (HTTP 407)" in run.stdout
    assert {e.target for e in proxy.log} >= {"ent.test:443", "cas.ent.test:443", pronote}
    assert not any(e.authorized for e in proxy.log)  # nothing got past it
    written = everything_written(tmp_path)
    for secret in (right, wrong, env["PW_PROF"], env["PW_ELEVE"]):
        assert secret not in run.stdout + run.stderr and secret not in written


@pytest.mark.parametrize(
    ("message", "url", "status", "kind"),
    [
        pytest.param("net::ERR_PROXY_CONNECTION_FAILED at https://ent.test/", "https://ent.test/", None, "proxy_unreachable", id="chromium-proxy-down"),
        pytest.param("net::ERR_TUNNEL_CONNECTION_FAILED at https://ent.test/", "https://ent.test/", None, "proxy_unreachable", id="chromium-tunnel-refused"),
        pytest.param("net::ERR_HTTP_RESPONSE_CODE_FAILURE at http://ent.test/", "http://ent.test/", 407, "proxy_auth", id="chromium-407-page"),
        pytest.param("net::ERR_CONNECTION_REFUSED at http://ent.test:4070/", "http://ent.test:4070/", None, None, id="a-407-port-is-not-a-407"),
        pytest.param("net::ERR_PROXY_CONNECTION_FAILED", "http://127.0.0.1:8000/", None, None, id="loopback-bypasses-the-proxy"),
    ],
)  # fmt: skip
def test_proxy_error_kind_names_only_the_proxy_s_own_failures(
    message: str, url: str, status: int | None, kind: str | None
) -> None:
    net = NetworkSettings.resolve(proxy="http://agent:x@proxy.test:3128")

    assert proxy_error_kind(net, error=message, status=status, url=url) == kind
    assert (
        proxy_error_kind(NetworkSettings.resolve(), error=message, status=status, url=url) is None
    )


def test_http_driver_names_a_refused_connection_to_the_proxy_as_the_proxy_s() -> None:
    from e2e.http_driver import network_error_kind

    with ForwardProxy() as proxy:
        port = proxy.port  # free once the proxy is gone
    net = NetworkSettings.resolve(proxy=f"http://127.0.0.1:{port}")
    with httpx.Client(**httpx_client_kwargs(net, asynchronous=False)) as client:
        with pytest.raises(httpx.ConnectError) as refused:
            client.get("https://ent.test/")

    assert network_error_kind(refused.value, net) == "proxy_unreachable"
    assert network_error_kind(refused.value) == "connection_refused"  # without the settings
