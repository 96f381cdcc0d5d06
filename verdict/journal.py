"""The run's journal, `reports/results.jsonl`: what survives a crash.

One JSON object per line, appended and flushed to disk as the run goes: first
`{"run": {...}}`, what `summary.json` says of the run (start, version, targets), then one
`{"result": {...}}` per account as soon as it is judged (an AccountResult, as in
`summary.json`). `summary.json` is rebuilt from it at the end, by `python -m verdict summary`
after a crash, and `pytest e2e/ --resume` reads it to skip the accounts already judged.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

from verdict.record import AccountResult, RunRecorder

JOURNAL_FILE = "results.jsonl"
SUMMARY_FILE = "summary.json"
# What summary.json says of how the run ended.
RUNNING, COMPLETE, INTERRUPTED = "en cours", "terminé", "interrompu"
RESULT_FIELDS = {f.name for f in fields(AccountResult)}


class JournalError(Exception):
    """A journal that cannot be read: one French line says which and why."""


class Journal:
    """Appends to `results.jsonl`; each line is one write of a file opened for appending, so
    that pytest-xdist's workers may share it."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def start(self, run: dict[str, Any]) -> None:
        """A new journal for a new run (the previous run's is replaced)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text("", encoding="utf-8")
        self._append({"run": run})

    def append(self, result: AccountResult) -> None:
        self._append({"result": {k: v for k, v in asdict(result).items() if k != "message"}})

    def _append(self, entry: dict[str, Any]) -> None:
        line = (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8")
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line)
            os.fsync(fd)
        finally:
            os.close(fd)


def read_journal(path: Path) -> tuple[dict[str, Any], list[AccountResult]]:
    """The run record and the accounts judged, the last record of an account winning. A last
    line cut short by a crash is ignored; any other unreadable line is an error."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise JournalError(f"{path} : fichier introuvable (aucun compte jugé).") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise JournalError(f"{path} : fichier illisible ({exc.__class__.__name__}).") from None
    run: dict[str, Any] = {}
    results: dict[tuple[str, str], AccountResult] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
            if "run" in entry:
                run = run or dict(entry["run"])  # a resumed run keeps its first start
            else:
                data = {k: v for k, v in entry["result"].items() if k in RESULT_FIELDS}
                result = AccountResult(**data)
                results[(result.target, result.account)] = result
        except (json.JSONDecodeError, KeyError, TypeError, AttributeError):
            if number == len(lines):
                break  # the line being written when the run was killed
            raise JournalError(f"{path}, ligne {number} : ligne illisible.") from None
    return run, list(results.values())


class JournaledRecorder(RunRecorder):
    """A RunRecorder that appends each account to the journal as soon as it is added, and
    whose summary says how the run ended."""

    def __init__(self, report_dir: Path, journal: Journal | None) -> None:
        super().__init__(report_dir)
        self.journal = journal
        self.status = RUNNING
        self.first_started_at: str | None = None  # a resumed run's original start

    def add(self, result: AccountResult) -> None:
        super().add(result)
        if self.journal is not None:
            self.journal.append(result)

    def adopt(self, results: list[AccountResult]) -> None:
        """Accounts judged elsewhere (a resumed run, a worker): kept, not journaled again."""
        for result in results:
            RunRecorder.add(self, result)

    def write_summary(self, run: dict[str, Any] | None = None) -> Path:
        record = dict(run or {})
        if self.first_started_at:
            record["started_at"] = self.first_started_at
        record["status"] = self.status
        record["interrupted"] = self.status != COMPLETE
        return super().write_summary(record)


def rebuild_summary(reports: Path) -> tuple[Path, int]:
    """`summary.json` from the journal of *reports*, for a run that ended without writing it
    (killed): said interrupted. Returns its path and the number of accounts."""
    run, results = read_journal(reports / JOURNAL_FILE)
    recorder = JournaledRecorder(reports, None)
    recorder.adopt(results)
    recorder.status = INTERRUPTED
    return recorder.write_summary(run), len(results)
