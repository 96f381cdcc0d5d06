"""The run's records: summary.json, Allure's environment and categories, the console summary,
and the last line of defence against a leaked password (every artifact scanned, scrubbed).
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest

from e2e.plugins.keys import LEAKS, RECORDER, SETTINGS, TARGETS
from verdict.catalogue import CATALOGUE
from verdict.record import AccountResult, RunRecorder, write_categories, write_environment
from verdict.secrets import scrub_paths


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    if SETTINGS not in config.stash:
        return
    settings = config.stash[SETTINGS]
    if not config.option.allure_report_dir:
        config.option.allure_report_dir = str(settings.report_dir / "allure-results")
    config.stash[RECORDER] = RunRecorder(settings.report_dir)


@pytest.fixture(scope="session")
def recorder(pytestconfig: pytest.Config) -> RunRecorder:
    return pytestconfig.stash[RECORDER]


def pytest_testnodedown(node: Any, error: Any) -> None:
    """pytest-xdist: gather each worker's account results into the controller's records."""
    recorder = node.config.stash.get(RECORDER, None)
    for result in getattr(node, "workeroutput", {}).get("results", []):
        if recorder is not None:
            recorder.add(AccountResult(**result))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    if RECORDER not in config.stash:
        return
    if hasattr(config, "workerinput"):  # xdist worker: hand results to the controller
        config.workeroutput["results"] = [asdict(r) for r in config.stash[RECORDER].results]
        return
    settings = config.stash[SETTINGS]
    recorder = config.stash[RECORDER]
    recorder.write_summary()
    results = Path(config.option.allure_report_dir)
    env: dict[str, str] = {}
    targets = config.stash[TARGETS]
    for target in targets:
        prefix = "" if len(targets) == 1 else f"{target.name.split()[0]}."
        env.update({f"{prefix}{k}": v for k, v in target.urls().items()})
    env["cible"] = "lab" if settings.uses_lab else "réelle"
    if settings.insecure_tls:
        env["tls"] = "certificat non vérifié (VERIFIER_INSECURE_TLS)"
    write_environment(results, env)
    write_categories(results, CATALOGUE)
    _scrub(session, results)


def secrets_of(config: pytest.Config) -> list[Any]:
    settings = config.stash[SETTINGS]
    secrets = [a.password for t in config.stash[TARGETS] for a in t.accounts if a.password]
    if settings.proxy is not None:
        secrets.append(settings.proxy)
    return secrets


def _scrub(session: pytest.Session, results: Path) -> None:
    """Second line of defence: no password in anything the run wrote, or the run fails."""
    settings = session.config.stash[SETTINGS]
    folders = [settings.report_dir, results, Path(session.config.getoption("--output"))]
    hits = scrub_paths(
        [f for f in dict.fromkeys(folders) if f.exists()], secrets_of(session.config)
    )
    if hits:
        lines = ["FUITE DE MOT DE PASSE : un mot de passe de compte de test a été retiré de :"]
        lines += [f"  - {hit.describe()}" for hit in hits]
        session.config.stash[LEAKS] = lines
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    recorder = config.stash.get(RECORDER, None)
    if recorder is None or not recorder.results:
        return
    terminalreporter.section("Résumé par compte")
    for line in recorder.console_lines():
        terminalreporter.write_line(line)
    terminalreporter.write_line(f"Détails : {recorder.report_dir / 'summary.json'}")
    for line in config.stash.get(LEAKS, []):
        terminalreporter.write_line(line, red=True, bold=True)
