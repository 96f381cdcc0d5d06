"""Results that survive (`e2e/plugins/survival.py`, `verdict/journal.py`), on the real
`pytest e2e/` against the lab: SIGTERM half way ends the run cleanly once the account being
judged is done (its processes gone, a partial summary.json that says it was interrupted,
exit code 2); SIGKILL half way leaves a
summary.json that says "en cours" (never the previous run's), `python -m verdict summary`
rebuilds it from the journal, and `--resume` finishes the run: every account judged exactly
once, the final summary.json equal, but for timings and the lab's ports, to an uninterrupted
run's."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.e2e_runner import PROCESSES, user_env
from verdict.record import RUN_END

ROOT = Path(__file__).resolve().parent.parent
ACCOUNTS = 12  # 3 establishments, one account per profile
LAB = {
    "LAB_ESTABLISHMENTS": "3",
    "LAB_PER_PROFILE": "1",
    "LAB_EDUCONNECT_PER_PROFILE": "0",
    "LAB_LATENCY": "0.1",
    "VERIFIER_CONCURRENCY": "2",
    # A slow-network warning depends on the machine's load, like timings: out of the comparison.
    "VERIFIER_SLOW_HOP_S": "30",
}
RUN_TIMEOUT_S = 600


def start(reports: Path, *args: str) -> subprocess.Popen:
    env = user_env(**LAB, VERIFIER_REPORT_DIR=str(reports))
    command = [sys.executable, "-m", "pytest", str(ROOT / "e2e"), "-q", "-p", "no:randomly"]
    command += ["--alluredir", str(reports / "allure-results"), "-k", "first_connection"]
    command += ["--progress", "off", *args]
    reports.mkdir(parents=True, exist_ok=True)
    # From the reports' folder, so that no developer's .env is read.
    with (reports.parent / f"{reports.name}-console.txt").open("a", encoding="utf-8") as log:
        return subprocess.Popen(command, cwd=reports.parent, env=env, stdout=log, stderr=log)


def journal(reports: Path) -> list[dict[str, Any]]:
    path = reports / "results.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def journaled(reports: Path) -> list[dict[str, Any]]:
    return [line["result"] for line in journal(reports) if "result" in line]


def wait_for_half(run: subprocess.Popen, reports: Path, after: str | None = None) -> None:
    """Until the run's own journal (not one left by a run started at *after*) holds half the
    accounts."""
    deadline = time.monotonic() + RUN_TIMEOUT_S

    def own() -> bool:
        lines = journal(reports)
        return bool(lines) and lines[0].get("run", {}).get("started_at") != after

    while not own() or len(journaled(reports)) < ACCOUNTS // 2:
        assert run.poll() is None, "the run ended before half way"
        assert time.monotonic() < deadline
        time.sleep(0.1)  # polling a file another process writes, not a browser flow


def descendants(pid: int) -> set[int]:
    """Every process below *pid* (children of children…), from /proc."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {p for p, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def alive(pids: set[int]) -> set[int]:
    living = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            living.add(pid)
    return living


def gone_within(pids: set[int], seconds: float) -> set[int]:
    deadline = time.monotonic() + seconds
    while alive(pids) and time.monotonic() < deadline:
        time.sleep(0.2)
    return alive(pids)


def summary(reports: Path) -> dict[str, Any]:
    return json.loads((reports / "summary.json").read_text(encoding="utf-8"))


def comparable(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The accounts of a summary, less what differs between any two runs: timings, the lab's
    ports and PRONOTE's session number in the final URL."""
    text = re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:PORT", json.dumps(data["results"]))
    text = re.sub(r"identifiant=[0-9A-Z]+", "identifiant=SESSION", text)
    results = json.loads(text)
    for result in results:
        result.pop("timings")
        for step in result.get("steps", []):
            step.pop("seconds", None)
    return results


@pytest.mark.parametrize("processes_flag", PROCESSES)
def test_sigterm_half_way_ends_cleanly_with_an_interrupted_summary(
    tmp_path: Path, processes_flag: tuple[str, ...]
) -> None:
    """As the README says it, with and without `-n 2`: with two workers, each finishes the
    account it is judging, and the controller lists what neither reached."""
    reports = tmp_path / "reports"
    run = start(reports, *processes_flag)
    wait_for_half(run, reports)
    processes = descendants(run.pid)
    assert processes, "the run has its lab and browser below it"
    run.send_signal(signal.SIGTERM)
    status = run.wait(timeout=120)

    console = (tmp_path / "reports-console.txt").read_text(encoding="utf-8")
    assert status == 2, console[-3000:]  # pytest's "interrupted"
    data = summary(reports)
    assert data["status"] == "interrompu" and data["interrupted"] is True
    judged = journaled(reports)
    # Every account of the run is listed: the judged ones, the journal's, no more, no fewer,
    # and the others "non vérifié" for the run's end, never counted as failed.
    assert len(data["results"]) == ACCOUNTS
    reached = [r for r in data["results"] if r["reason"] != RUN_END]
    not_reached = [r for r in data["results"] if r["reason"] == RUN_END]
    assert ACCOUNTS // 2 <= len(reached) < ACCOUNTS
    assert sorted((r["target"], r["account"]) for r in reached) == sorted(
        (r["target"], r["account"]) for r in judged
    )
    assert {(r["state"], r["outcome"]) for r in not_reached} == {("non_verifie", "skipped")}
    assert {r["state"] for r in reached} == {"passed"}
    assert data["totals"] == {
        "passed": len(reached), "failed": 0, "non_verifie": len(not_reached), "total": ACCOUNTS
    }  # fmt: skip
    # Allure shows them too, skipped, with the reason as their message.
    shown = {}
    for path in (reports / "allure-results").glob("*-result.json"):
        result = json.loads(path.read_text(encoding="utf-8"))
        params = {p["name"]: p["value"] for p in result.get("parameters", [])}
        if "Compte" in params:
            shown[params["Compte"]] = (
                result["status"],
                result.get("statusDetails", {}).get("message", ""),
            )
    assert len(shown) == ACCOUNTS
    for r in not_reached:
        assert shown[r["account"]][0] == "skipped"
        assert RUN_END in shown[r["account"]][1]
    assert f"{len(not_reached)} non vérifié(s)" in console
    assert "Vérification interrompue" in console and "--resume" in console
    # Browsers, lab servers: every process the run started is gone.
    assert gone_within(processes, 30) == set()


def test_sigkill_half_way_then_resume_judges_every_account_once(tmp_path: Path) -> None:
    # An uninterrupted run first, in the same folder: its summary is the one not to leave.
    reports = tmp_path / "reports"
    whole = start(reports)
    assert whole.wait(timeout=RUN_TIMEOUT_S) == 0
    reference = summary(reports)
    assert reference["status"] == "terminé" and len(reference["results"]) == ACCOUNTS

    # Killed half way: nothing can run at its end.
    killed = start(reports)
    wait_for_half(killed, reports, after=reference["started_at"])
    processes = descendants(killed.pid)
    killed.send_signal(signal.SIGKILL)
    killed.wait(timeout=60)
    left = summary(reports)
    assert left["status"] == "en cours" and left["started_at"] != reference["started_at"]
    assert left["interrupted"] is True
    assert gone_within(processes, 60) == set(), "processes outlived a killed run"

    # Rebuilt from the journal, as after a crash.
    rebuilt = subprocess.run(
        [sys.executable, "-m", "verdict", "summary", "--reports", str(reports)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert rebuilt.returncode == 0, rebuilt.stderr
    partial = summary(reports)
    judged_before = len(journaled(reports))
    assert partial["status"] == "interrompu" and len(partial["results"]) == judged_before
    assert ACCOUNTS // 2 <= judged_before < ACCOUNTS

    # Resumed: only the accounts not judged yet.
    resumed = start(reports, "--resume")
    assert resumed.wait(timeout=RUN_TIMEOUT_S) == 0
    counts = Counter((r["target"], r["account"]) for r in journaled(reports))
    assert len(counts) == ACCOUNTS and set(counts.values()) == {1}
    final = summary(reports)
    assert final["status"] == "terminé" and final["interrupted"] is False
    assert final["started_at"] == left["started_at"]  # one run, begun when it began
    differences = {
        (a["account"], key)
        for a, b in zip(comparable(final), comparable(reference), strict=True)
        for key in a
        if a[key] != b[key]
    }
    assert comparable(final) == comparable(reference), sorted(differences)


def test_resume_without_a_journal_is_one_line(tmp_path: Path) -> None:
    run = start(tmp_path / "reports", "--resume")
    assert run.wait(timeout=120) == 4
    console = (tmp_path / "reports-console.txt").read_text(encoding="utf-8")
    assert "--resume : " in console and "introuvable" in console
    assert "Traceback" not in console


def test_summary_command_without_a_journal_is_one_line(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "verdict", "summary", "--reports", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 2
    assert run.stderr.startswith("erreur : ") and len(run.stderr.splitlines()) == 1
