"""Results that survive the run: each account appended to `reports/results.jsonl` as soon as
it is judged (`verdict.journal`), `summary.json` rebuilt from it at the end; SIGTERM (what
`timeout` and a cancelled CI job send) ends the run once the account being judged is done,
with a partial summary that says it was interrupted; `--resume` continues an interrupted run
without judging again the accounts its journal holds. At the start, `summary.json` is
rewritten as "en cours": a previous run's is never left to look like this one's.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

import pytest

from e2e.plugins.journeys import run_folder
from e2e.plugins.keys import RECORDER, SETTINGS
from e2e.plugins.records import _run_record
from verdict.journal import (
    COMPLETE,
    INTERRUPTED,
    JOURNAL_FILE,
    Journal,
    JournaledRecorder,
    JournalError,
    read_journal,
)
from verdict.record import NOT_REACHED_PREFIX, AccountResult, write_not_reached

JUDGED = pytest.StashKey[set[tuple[str, str]]]()
# Every account test the run selected, as (target, account, profile): what an interrupted
# run lists as "non vérifié" when it never reached it. Under pytest-xdist each worker
# collects and hands its own over.
PLANNED = pytest.StashKey[dict[tuple[str, str], str]]()
PREVIOUS_SIGTERM = pytest.StashKey[Any]()
STOPPED = "SIGTERM : vérification interrompue"
STOP_FILE = "stop"  # in the run folder, once SIGTERM reached the xdist controller


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("verifier", "PRONOTE ENT verifier")
    group.addoption(
        "--resume",
        action="store_true",
        default=False,
        help="reprendre une vérification interrompue : les comptes déjà jugés "
        f"(RAPPORTS/{JOURNAL_FILE}) ne sont pas refaits",
    )


def _controller(config: pytest.Config) -> bool:
    return not hasattr(config, "workerinput")


def _stop_on_sigterm(session: pytest.Session) -> Callable[[int, FrameType | None], None]:
    """SIGTERM once: the account being judged is finished, then the run stops, as pytest does
    after `-x` (an exception raised wherever the signal lands could be taken for a test's
    error). SIGTERM twice: stop now, as Ctrl-C."""

    asked: list[int] = []

    def stop(signum: int, frame: FrameType | None) -> None:
        if asked:
            raise KeyboardInterrupt("SIGTERM")
        asked.append(signum)
        session.shouldstop = STOPPED
        dsession = session.config.pluginmanager.getplugin("dsession")
        if dsession is not None:  # pytest-xdist's controller: it hands out no more tests,
            dsession.shouldstop = session.shouldstop
            # and its workers, which the signal did not reach (`timeout` signals one
            # process), stop after their test too instead of going through their queue.
            (run_folder(session.config) / STOP_FILE).touch()

    return stop


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Any:
    """An xdist worker, after each test: has the controller been asked to stop?"""
    try:
        return (yield)
    finally:
        config = item.config
        if not _controller(config) and (run_folder(config) / STOP_FILE).exists():
            item.session.shouldstop = STOPPED


def pytest_unconfigure(config: pytest.Config) -> None:
    previous = config.stash.get(PREVIOUS_SIGTERM, None)
    if previous is not None:
        signal.signal(signal.SIGTERM, previous)


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    config = session.config
    if RECORDER not in config.stash or config.option.collectonly:
        return
    if threading.current_thread() is threading.main_thread():
        config.stash[PREVIOUS_SIGTERM] = signal.signal(signal.SIGTERM, _stop_on_sigterm(session))
    report_dir = config.stash[SETTINGS].report_dir
    journal = Journal(report_dir / JOURNAL_FILE)
    xdist_controller = _controller(config) and config.pluginmanager.hasplugin("dsession")
    # Under pytest-xdist the workers judge, so they journal; the controller only reads.
    recorder = JournaledRecorder(report_dir, None if xdist_controller else journal)
    config.stash[RECORDER] = recorder
    resume = config.getoption("--resume")
    if resume:
        if not journal.path.exists():
            raise pytest.UsageError(
                f"--resume : {journal.path} introuvable, aucune vérification à reprendre."
            )
        try:
            run, results = read_journal(journal.path)
        except JournalError as exc:
            raise pytest.UsageError(f"--resume : {exc}") from None
        config.stash[JUDGED] = {(r.target, r.account) for r in results}
        if _controller(config):
            recorder.first_started_at = run.get("started_at")
            recorder.adopt(results)
    if not _controller(config):
        return
    if resume:  # the accounts an interruption listed as not reached are judged now
        allure_dir = getattr(config.option, "allure_report_dir", None)
        for stale in Path(allure_dir).glob(f"{NOT_REACHED_PREFIX}*") if allure_dir else ():
            stale.unlink()
    else:
        journal.start(_run_record(config))
    recorder.write_summary(_run_record(config))  # "en cours": not the previous run's any more


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """--resume: the accounts already judged are deselected, so no journey is queued for them."""
    judged = config.stash.get(JUDGED, set())
    if not judged:
        return
    kept: list[pytest.Item] = []
    done: list[pytest.Item] = []
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        target, account = params.get("target"), params.get("account")
        key = (getattr(target, "name", None), getattr(account, "login", None))
        (done if key in judged else kept).append(item)
    if done:
        config.hook.pytest_deselected(items=done)
        items[:] = kept


@pytest.hookimpl(trylast=True)  # after --resume's deselection
def pytest_collection_finish(session: pytest.Session) -> None:
    planned = session.config.stash.setdefault(PLANNED, {})
    for item in session.items:
        if getattr(item, "originalname", None) != "test_first_connection":
            continue
        params = getattr(getattr(item, "callspec", None), "params", {})
        target, account = params.get("target"), params.get("account")
        if target is not None and account is not None:
            planned[(target.name, account.login)] = account.profile


def pytest_testnodedown(node: Any, error: Any) -> None:
    """pytest-xdist: each worker's selected accounts, for an interrupted run's summary."""
    planned = node.config.stash.setdefault(PLANNED, {})
    for target, account, profile in getattr(node, "workeroutput", {}).get("planned", []):
        planned[(target, account)] = profile


@pytest.hookimpl(tryfirst=True)  # before `records` writes summary.json
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    recorder = config.stash.get(RECORDER, None)
    if not _controller(config):  # xdist worker: hand its selected accounts to the controller
        output: dict[str, Any] = config.workeroutput  # type: ignore[attr-defined]  # xdist's
        output["planned"] = [[t, a, p] for (t, a), p in config.stash.get(PLANNED, {}).items()]
        return
    if not isinstance(recorder, JournaledRecorder):
        return
    interrupted = exitstatus == pytest.ExitCode.INTERRUPTED
    recorder.status = INTERRUPTED if interrupted else COMPLETE
    # What the journal holds and memory does not: a worker's accounts when it was stopped.
    path = config.stash[SETTINGS].report_dir / JOURNAL_FILE
    if path.exists():
        try:
            _, results = read_journal(path)
        except JournalError:
            return
        known = {(r.target, r.account) for r in recorder.results}
        recorder.adopt([r for r in results if (r.target, r.account) not in known])
    if interrupted:
        _list_not_reached(config, recorder)


def _list_not_reached(config: pytest.Config, recorder: JournaledRecorder) -> None:
    """The accounts the run ended before: "non vérifié" (la fin du run) in summary.json and
    in Allure. Never journaled: `--resume` judges them."""
    known = {(r.target, r.account) for r in recorder.results}
    missing = [
        AccountResult.not_reached(target, account, profile)
        for (target, account), profile in config.stash.get(PLANNED, {}).items()
        if (target, account) not in known
    ]
    recorder.adopt(missing)
    allure_dir = getattr(config.option, "allure_report_dir", None)
    if missing and allure_dir:
        write_not_reached(Path(allure_dir), missing)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    recorder = config.stash.get(RECORDER, None)
    if isinstance(recorder, JournaledRecorder) and recorder.status == INTERRUPTED:
        terminalreporter.write_line(
            f"Vérification interrompue : {len(recorder.results)} compte(s) jugé(s), "
            "résumé partiel écrit. Reprendre avec : pytest e2e/ --resume",
            yellow=True,
            bold=True,
        )
