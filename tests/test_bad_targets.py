"""Bad targets get a clear diagnosis, never a traceback or a hang: a port that refuses, a
server that never answers, an untrusted TLS certificate, a name that does not resolve."""

from __future__ import annotations

import contextlib
import http.server
import json
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from e2e.http_driver import network_error_kind
from e2e.preflight import preflight_now
from e2e.settings import Settings
from e2e.target import Target, build_target
from tests.test_verifier_e2e import run_e2e
from verdict.judge import judge
from verdict.observation import Observation


def free_ports(count: int) -> list[int]:
    """Distinct ports nobody listens on (held open together so they differ)."""
    with contextlib.ExitStack() as stack:
        socks = [stack.enter_context(socket.socket()) for _ in range(count)]
        for sock in socks:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in socks]


def target_at(base: str, *, insecure_tls: bool = False, **changes: object) -> Target:
    """A target at *base*, built as the settings build one (no .env read)."""
    settings = Settings(_env_file=None, insecure_tls=insecure_tls)  # type: ignore[call-arg]
    values: dict[str, object] = {
        "name": "test",
        "ent_url": f"{base}/",
        "cas_url": f"{base}/cas/",
        "pronote_url": f"{base}/pronote/",
        **changes,
    }
    return build_target(settings, accounts=[], **values)  # type: ignore[arg-type]


@contextlib.contextmanager
def silent_server() -> Iterator[int]:
    """Accepts TCP connections (the kernel does) and never answers a byte."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    try:
        yield sock.getsockname()[1]
    finally:
        sock.close()


@contextlib.contextmanager
def https_server(tmp: Path) -> Iterator[int]:
    """A local HTTPS server with a self-signed certificate (a staging ENT's)."""
    cert, key = tmp / "cert.pem", tmp / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )

    class Ok(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = b"<html><body>ENT de recette</body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Ok)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def test_preflight_refused_port_is_named(tmp_path: Path) -> None:
    ent, cas, pronote = free_ports(3)
    target = target_at(
        f"http://127.0.0.1:{ent}",
        cas_url=f"http://127.0.0.1:{cas}/cas/",
        pronote_url=f"http://127.0.0.1:{pronote}/pronote/",
    )
    preflight = preflight_now(target, timeout_s=5, retries=0)
    hard = preflight.hard_failure
    assert hard is not None and hard.name == "ent_reachable"
    assert hard.network_error == "connection_refused"
    account = type("A", (), {"login": "x", "profile": "eleve"})()
    verdict = judge(hard.as_observation(target, account), target)
    assert verdict.code == "PN-ENT-INJOIGNABLE"


def test_preflight_silent_server_times_out_within_the_setting() -> None:
    with silent_server() as port:
        target = target_at(f"http://127.0.0.1:{port}")
        began = time.monotonic()
        preflight = preflight_now(target, timeout_s=1, retries=0)
        elapsed = time.monotonic() - began
    # Slow is not down: a host that does not answer in time is "non concluant", not a hard
    # failure (under load an ENT answers late; the journeys then say what they meet).
    check = preflight.checks["ent_reachable"]
    assert check.ok is None and "lent" in check.detail and preflight.hard_failure is None
    assert elapsed < 15  # bounded: each request gives up after the 1 s timeout


def test_preflight_untrusted_certificate_refused_by_default(tmp_path: Path) -> None:
    with https_server(tmp_path) as port:
        base = f"https://127.0.0.1:{port}"
        refused = preflight_now(target_at(base), timeout_s=5, retries=0)
        accepted = preflight_now(target_at(base, insecure_tls=True), timeout_s=5, retries=0)
    assert refused.checks["ent_reachable"].network_error == "tls"
    assert accepted.checks["ent_reachable"].ok is True
    obs = Observation(
        target="t", account="x", profile="eleve", network_error="tls", network_error_url=f"{base}/"
    )
    assert judge(obs, target_at(base)).code == "PN-TLS-CERTIFICAT"


def test_e2e_untrusted_certificate_accepted_only_when_set_and_said(tmp_path: Path) -> None:
    with https_server(tmp_path) as port:
        base = f"https://127.0.0.1:{port}"
        env = {
            "VERIFIER_ENT_URL": f"{base}/",
            "VERIFIER_CAS_URL": f"{base}/cas/",
            "VERIFIER_PRONOTE_URL": f"{base}/pronote/",
            "VERIFIER_ACCOUNTS": json.dumps(
                [{"login": "x", "profile": "eleve", "password": "pw-123456"}]
            ),
            "VERIFIER_INSECURE_TLS": "true",
        }
        run, _ = run_e2e(
            None, tmp_path / "out", None, "-k", "preflight and ent_reachable", env_extra=env
        )
    assert run.returncode == 0, run.stdout[-2000:]
    properties = (tmp_path / "out" / "allure-results" / "environment.properties").read_text()
    assert "certificat\\ non\\ vérifié" in properties


def test_e2e_refused_ent_skips_browser_checks_with_the_diagnosis(tmp_path: Path) -> None:
    ent, cas, pronote = free_ports(3)
    env = {
        "VERIFIER_ENT_URL": f"http://127.0.0.1:{ent}/",
        "VERIFIER_CAS_URL": f"http://127.0.0.1:{cas}/cas/",
        "VERIFIER_PRONOTE_URL": f"http://127.0.0.1:{pronote}/pronote/",
        "VERIFIER_ACCOUNTS": json.dumps(
            [{"login": "x", "profile": "eleve", "password": "pw-123456"}]
        ),
        "VERIFIER_TIMEOUT_S": "3",
    }
    began = time.monotonic()
    run, summary = run_e2e(None, tmp_path / "out", None, env_extra=env)
    assert time.monotonic() - began < 120
    assert run.returncode == 1
    assert "Traceback" not in run.stdout + run.stderr
    assert summary == [{**summary[0], "outcome": "skipped", "diagnosis": "PN-ENT-INJOIGNABLE"}]


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (httpx.ConnectError("[Errno -2] Name or service not known"), "dns"),
        (httpx.ConnectError("[Errno 111] Connection refused"), "connection_refused"),
        (httpx.ReadTimeout("timed out"), "timeout"),
        (httpx.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed"), "tls"),
    ],
    ids=["dns", "refused", "timeout", "tls"],
)
def test_network_errors_are_named(error: Exception, kind: str) -> None:
    # Name resolution is not exercised for real: this machine must send no DNS query out.
    assert network_error_kind(error) == kind
