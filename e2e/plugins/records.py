"""The run's records: summary.json, Allure's environment and categories, the console summary,
and the last line of defence against a leaked password (every artifact scanned, scrubbed).
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from audit import audit, audit_to_dict
from e2e.network import secrets_to_scrub
from e2e.plugins.keys import (
    ARTIFACTS_BEFORE,
    DISCOVERED,
    IDENTIFIERS,
    LEAKS,
    LEARNT,
    PREFLIGHTS,
    RECORDER,
    RUNNER,
    SETTINGS,
    STARTED,
    TARGETS,
)
from e2e.zero_config import Learning
from leaks import scrub_paths, snapshot, written_since
from pv import verifier_version
from verdict.catalogue import CATALOGUE
from verdict.record import (
    NOT_VERIFIED,
    AccountResult,
    RunRecorder,
    write_categories,
    write_environment,
)
from verdict.report_view import tidy_results


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    if SETTINGS not in config.stash:
        return
    config.stash[RECORDER] = RunRecorder(config.stash[SETTINGS].report_dir)
    if not hasattr(config, "workerinput"):
        config.stash[ARTIFACTS_BEFORE] = snapshot(_artifact_folders(config))
    config.stash[PREFLIGHTS] = {}
    config.stash[STARTED] = datetime.now(UTC).astimezone().isoformat(timespec="seconds")


@pytest.fixture(scope="session")
def recorder(pytestconfig: pytest.Config) -> RunRecorder:
    return pytestconfig.stash[RECORDER]


def pytest_testnodedown(node: Any, error: Any) -> None:
    """pytest-xdist: gather each worker's account results into the controller's records."""
    recorder = node.config.stash.get(RECORDER, None)
    output = getattr(node, "workeroutput", {})
    for result in output.get("results", []):
        if recorder is not None:
            recorder.add(AccountResult(**result))
    node.config.stash.get(PREFLIGHTS, {}).update(output.get("preflights", {}))
    node.config.stash.setdefault(LEARNT, {}).update(output.get("learnt", {}))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    if RECORDER not in config.stash:
        return
    if hasattr(config, "workerinput"):  # xdist worker: hand results to the controller
        output: dict[str, Any] = config.workeroutput  # type: ignore[attr-defined]  # xdist's
        output["results"] = [asdict(r) for r in config.stash[RECORDER].results]
        output["preflights"] = config.stash[PREFLIGHTS]
        output["learnt"] = config.stash.get(LEARNT, {})
        return
    settings = config.stash[SETTINGS]
    recorder = config.stash[RECORDER]
    recorder.write_summary(_run_record(config))
    # An account not verified (preflight failed hard, logins stopped) proves nothing:
    # skipped in pytest's words, never counted as failed, but the run is not green.
    if session.exitstatus == pytest.ExitCode.OK and any(
        r.state == NOT_VERIFIED for r in recorder.results
    ):
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    results = Path(config.option.allure_report_dir)
    env: dict[str, str] = {}
    targets = config.stash[TARGETS]
    # Prefixed by establishment whenever a targets file is used, so that shards merge cleanly.
    prefixed = len(targets) > 1 or settings.targets_file is not None
    for target in targets:
        prefix = f"{target.uai}." if prefixed else ""
        env.update({f"{prefix}{k}": v for k, v in target.urls().items()})
    env["cible"] = "lab" if settings.uses_lab else "réelle"
    if settings.insecure_tls:
        env["tls"] = "certificat non vérifié (VERIFIER_INSECURE_TLS)"
    write_environment(results, env)
    write_categories(results, CATALOGUE)
    if results.exists():
        tidy_results(results)
    _scrub(session)
    if exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED and config.getoption("--shard"):
        session.exitstatus = pytest.ExitCode.OK  # an empty shard: nothing to check is no failure


def _run_record(config: pytest.Config) -> dict[str, Any]:
    """What `summary.json` says of the run: when, which verifier, each target and its preflight."""
    preflights = config.stash.get(PREFLIGHTS, {})
    identifiers = config.stash.get(IDENTIFIERS, None)
    return {
        "started_at": config.stash.get(STARTED, None),
        "verifier_version": verifier_version(),
        "mode": "probe" if config.getoption("--probe") else config.stash[SETTINGS].mode,
        "browser": getattr(config.stash.get(RUNNER, None), "browser_used", None),
        "targets": [
            {
                "name": t.name,
                "uai": t.uai,
                "ent_url": t.ent_url,
                "cas_url": t.cas_url,
                "pronote_url": t.pronote_url,
                "is_lab": t.is_lab,
                "preflight": preflights.get(t.name, []),
                "discovery": None if t.is_lab else _discovery(config, t.name),
            }
            for t in config.stash[TARGETS]
        ],
        "identifiers_audit": audit_to_dict(audit(identifiers)) if identifiers else None,
    }


def _discovery(config: pytest.Config, target: str) -> dict[str, Any] | None:
    """What the run discovered at start, with what it learnt from the target's good logins."""
    found = config.stash.get(DISCOVERED, None)
    if found is None:
        return None
    learnt = config.stash.get(LEARNT, {}).get(target)
    if not learnt:
        return found
    return {
        "discovered": {**found["discovered"], **learnt["discovered"]},
        "contradictions": [*found["contradictions"], *learnt["contradictions"]],
        "warnings": [*found["warnings"], *learnt["warnings"]],
    }


def secrets_of(config: pytest.Config) -> list[Any]:
    """Every password a run knows: the accounts', and the proxy's."""
    secrets: list[Any] = [
        a.password for t in config.stash[TARGETS] for a in t.accounts if a.password
    ]
    return secrets + list(secrets_to_scrub(config.stash[SETTINGS]))


def _artifact_folders(config: pytest.Config) -> list[Path]:
    """Where a run writes: the report folder, Allure's results, pytest-playwright's output."""
    return [
        config.stash[SETTINGS].report_dir,
        Path(config.option.allure_report_dir),
        Path(config.getoption("--output")),
    ]


def _scrub(session: pytest.Session) -> None:
    """Second line of defence: no password in anything the run wrote, or the run fails.
    Only what the run wrote is read and cleaned: a file it did not write is left as it is."""
    config = session.config
    written = written_since(config.stash[ARTIFACTS_BEFORE], _artifact_folders(config))
    hits = scrub_paths(written, secrets_of(config))
    if hits:
        lines = ["FUITE DE MOT DE PASSE : un mot de passe de compte de test a été retiré de :"]
        lines += [f"  - {hit.describe()}" for hit in hits]
        session.config.stash[LEAKS] = lines
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    for record in config.stash.get(LEARNT, {}).values():
        for line in Learning(**record).console_lines():
            terminalreporter.write_line(line)
    recorder = config.stash.get(RECORDER, None)
    if recorder is None or not recorder.results:
        return
    terminalreporter.section("Résumé par compte")
    for line in recorder.console_lines():
        terminalreporter.write_line(line)
    terminalreporter.write_line(f"Détails : {recorder.report_dir / 'summary.json'}")
    terminalreporter.write_line(recorder.totals_line(), bold=True)
    for line in config.stash.get(LEAKS, []):
        terminalreporter.write_line(line, red=True, bold=True)
