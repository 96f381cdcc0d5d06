"""Login hygiene: a credential is sent once. Retries are for transient failures of requests
that carry none (a GET); a POST is never sent again, whatever it was answered."""

from __future__ import annotations

import asyncio
import concurrent.futures
import html
import itertools
import json
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from e2e.browser_driver import Recording
from e2e.hops import HopRecorder
from e2e.http_driver import HttpDriver
from e2e.login_gate import LoginGate
from e2e.runner import Job, JourneyRunner, LaunchOptions
from e2e.settings import Settings
from e2e.target import target_from_settings, targets_from_lab
from lab.client import LabAccount, LabClient, running_lab
from pv import mask_login
from tests import e2e_runner
from tests.test_verifier_e2e import run_e2e
from verdict.record import logins_stopped
from verdict.report_view import readable_parameters


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
    return HttpDriver(client, target, HopRecorder(target), retries=retries), client


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


# -- the run's login gate: a pace per host, a stop per target, shared by processes ----------
def _take_turns(folder: str, host: str, count: int, per_minute: float) -> list[float]:
    """In a process of its own: take *count* login slots; when each one began."""
    gate = LoginGate(Path(folder), per_minute)

    async def turns() -> list[float]:
        slots = []
        for _ in range(count):
            asked = time.time()
            slots.append(asked + await gate.wait_turn(host))
        return slots

    return asyncio.run(turns())


def test_login_gate_spaces_one_hosts_logins_across_processes(tmp_path: Path) -> None:
    per_minute = 600  # one slot every 0.1 s
    with concurrent.futures.ProcessPoolExecutor(2) as workers:
        runs = [
            workers.submit(_take_turns, str(tmp_path), "cas.ent.example", 4, per_minute)
            for _ in range(2)
        ]
        slots = sorted(s for run in runs for s in run.result())
    gaps = [b - a for a, b in itertools.pairwise(slots)]
    assert len(slots) == 8 and min(gaps) >= 0.1 * 0.9, gaps


def test_login_gate_paces_each_host_apart_and_not_at_all_at_zero(tmp_path: Path) -> None:
    gate = LoginGate(tmp_path, 60)  # one a second

    async def first_turns() -> list[float]:
        return [await gate.wait_turn("cas.a.example"), await gate.wait_turn("cas.b.example")]

    assert asyncio.run(first_turns()) == [0.0, 0.0], "another host has its own pace"
    unpaced = LoginGate(tmp_path / "lab", 0)

    async def many() -> list[float]:
        return [await unpaced.wait_turn("127.0.0.1:8080") for _ in range(20)]

    assert asyncio.run(many()) == [0.0] * 20


def _stop(folder: str) -> None:
    LoginGate(Path(folder), 0).stop("0310001A", by="lea.martin")


def test_login_gate_stop_reaches_every_process_and_keeps_the_first_reason(
    tmp_path: Path,
) -> None:
    gate = LoginGate(tmp_path, 0)
    assert gate.stopped("0310001A") is None
    with concurrent.futures.ProcessPoolExecutor(1) as worker:
        worker.submit(_stop, str(tmp_path)).result()
    assert gate.stopped("0310001A") == "lea.martin"
    gate.stop("0310001A", by="hugo.bernard")
    assert gate.stopped("0310001A") == "lea.martin"
    assert gate.stopped("0310002B") is None, "the other targets go on"


# -- one login POST per account, whatever VERIFIER_RETRIES says (browser and probe) ---------
@pytest.fixture(scope="module")
def hygiene_lab() -> Iterator[LabClient]:
    with running_lab() as client:
        yield client


def login_posts(lab: LabClient) -> int:
    """The credential POSTs the lab's ENT login received (Kosmos: the CAS's `/login`)."""
    return sum(n for where, n in lab.posts().items() if where.endswith("/login"))


@pytest.mark.parametrize("mode", ["browser", "probe"])
@pytest.mark.parametrize(
    "faults", ["flaky_network", "flaky_network,ent_login_bad_gateway"], ids=["wrong", "502"]
)
def test_one_login_post_per_account_with_retries_5_on_a_flaky_network(
    hygiene_lab: LabClient, tmp_path: Path, mode: str, faults: str
) -> None:
    """A wrong password on a flaky network, and a 502 answering the login POST itself: the
    ENT receives the credential once."""
    hygiene_lab.set_faults(faults.split(","))
    real = next(a for a in hygiene_lab.accounts if a.route == "local")
    account = (
        real if "bad_gateway" in faults else LabAccount(**{**vars(real), "password": "Faux+42"})
    )
    extra = ("--probe",) if mode == "probe" else ()
    run, summary = run_e2e(
        hygiene_lab,
        tmp_path,
        [account],
        "-k",
        "first_connection",
        *extra,
        env_extra={"VERIFIER_RETRIES": "5"},
    )
    assert run.returncode == 1, run.stdout[-2000:]
    assert [s["outcome"] for s in summary] == ["failed"]
    assert login_posts(hygiene_lab) == 1, hygiene_lab.posts()


def test_the_wait_for_a_login_slot_is_not_counted_in_the_journeys_time_limit(
    hygiene_lab: LabClient, tmp_path: Path
) -> None:
    """A journey whose login waits for its host's pace longer than its own time limit still
    ends: the pace is the run's (`VERIFIER_MAX_LOGINS_PER_MINUTE`), not the journey's
    slowness, and an académie's night waits for it at every login."""
    hygiene_lab.reset()
    settings = Settings(_env_file=None, journey_timeout_s=2)  # type: ignore[call-arg]
    target = targets_from_lab(hygiene_lab.info, settings)[0]
    account = next(a for a in target.accounts if a.route == "local")
    gate = LoginGate(tmp_path, per_minute=15)  # one login to a host every 4 s
    hosts = {urlsplit(target.cas_url).netloc, urlsplit(target.ent_url).netloc}
    waited = asyncio.run(_take_slots(gate, hosts))  # another journey's logins just went
    runner = JourneyRunner(settings, probe=True, launch=LaunchOptions(), context_args={}, gate=gate)
    try:
        began = time.monotonic()
        runner.submit("paced", Job(target, account, Recording()))
        result = runner.result("paced")
        took = time.monotonic() - began
    finally:
        runner.close()
    assert waited == [0.0] * len(hosts)
    assert took >= 3.5, "the login waited for its slot"
    assert not result.obs.timed_out
    assert result.obs.final_kind == "space", result.obs


async def _take_slots(gate: LoginGate, hosts: set[str]) -> list[float]:
    return [await gate.wait_turn(host) for host in sorted(hosts)]


def test_after_a_lock_no_further_login_reaches_that_target_while_others_go_on(
    tmp_path: Path,
) -> None:
    """The first account of the first establishment meets the CAS's lock: its target's other
    accounts are "non vérifié" (no credential sent), the second establishment's all pass."""
    run, summary = e2e_runner.run_e2e(
        tmp_path,
        "-k",
        "first_connection",
        env={
            "LAB_ESTABLISHMENTS": "2",
            "LAB_PER_PROFILE": "1",
            "LAB_EDUCONNECT_PER_PROFILE": "0",
            "LAB_FAULTS": "cas_account_locked",
            "VERIFIER_CONCURRENCY": "1",  # the locked account is the first journey
        },
    )
    assert run.returncode == 1, run.stdout[-2000:]
    first_target, second = sorted({s["target"] for s in summary})
    locked = [s for s in summary if s["target"] == first_target]
    assert [s["outcome"] for s in locked].count("failed") == 1
    assert [s["outcome"] for s in locked].count("skipped") == len(locked) - 1 >= 3
    assert {s["diagnosis"] for s in locked} == {"PN-ENT-COMPTE-VERROUILLE"}
    assert {s["outcome"] for s in summary if s["target"] == second} == {"passed"}
    # Counted apart: summary.json's totals, each account's state and reason.
    not_verified = [s for s in locked if s["outcome"] == "skipped"]
    stopper = next(s["account"] for s in locked if s["outcome"] == "failed")
    totals = json.loads((tmp_path / "summary.json").read_text("utf-8"))["totals"]
    passed = len(summary) - len(locked)
    assert totals == {
        "passed": passed, "failed": 1, "non_verifie": len(not_verified), "total": len(summary)
    }  # fmt: skip
    assert {s["state"] for s in not_verified} == {"non_verifie"}
    assert {s["reason"] for s in not_verified} == {
        logins_stopped("PN-ENT-COMPTE-VERROUILLE", stopper)
    }
    assert f"Total : {passed}/{len(summary)} compte(s) OK · 1 en échec · {len(not_verified)} " in (
        run.stdout
    )
    # Allure: skipped, in the category of its own that comes first, never a failure's.
    statuses = allure_statuses(tmp_path / "allure-results")
    assert sorted(statuses[s["account"]][0] for s in locked) == sorted(
        ["failed"] + ["skipped"] * len(not_verified)
    )
    categories = json.loads((tmp_path / "allure-results" / "categories.json").read_text("utf-8"))
    first = categories[0]
    assert first["name"].startswith("Non vérifié") and first["matchedStatuses"] == ["skipped"]
    for account in not_verified:
        _, message = statuses[account["account"]]
        assert re.search(first["messageRegex"], message), message
    assert not re.search(first["messageRegex"], statuses[stopper][1])
    assert not any("skipped" in c["matchedStatuses"] for c in categories[1:])
    # The PV of the locked establishment: the failure and the accounts not verified apart.
    pv = subprocess.run(
        [sys.executable, "-m", "pv", "--reports", str(tmp_path), "--html-only"],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    uai = next(t["uai"] for t in json.loads((tmp_path / "summary.json").read_text("utf-8"))[
        "targets"] if t["name"] == first_target)  # fmt: skip
    page = html.unescape((tmp_path / "pv" / f"{uai}.html").read_text("utf-8"))
    line = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", page.split('class="verdict', 1)[1]))
    assert f"1 non conforme(s) · {len(not_verified)} non vérifié(s)" in line, pv.stdout
    apart = page.split('<section class="not-verified">', 1)[1].split("</section>", 1)[0]
    assert apart.count("<tr class=") == len(not_verified) and mask_login(stopper) not in apart


def allure_statuses(results: Path) -> dict[str, tuple[str, str]]:
    """Each account test's Allure status and message, by login."""
    found = {}
    for path in results.glob("*-result.json"):
        data = json.loads(path.read_text("utf-8"))
        params = readable_parameters(data)
        if "Compte" in params:
            message = (data.get("statusDetails") or {}).get("message", "")
            found[params["Compte"]] = (data["status"], message)
    return found
