"""Progress of a long `pytest e2e/`: tests done out of the total, failures so far by diagnosis
code, the rate and the time left.

On a terminal, one live line on its bottom row: the rows above are made a scroll region (as
apt's progress bar does), so pytest's own output scrolls above it unchanged. Elsewhere (CI
logs), one plain line on stderr every `--progress-every` seconds, so that stdout (kept as
`console.txt` by the CI recipes) is pytest's alone. Only the controller reports: pytest-xdist
hands it every worker's results.
"""

from __future__ import annotations

import os
import re
import shutil
import threading
import time
from collections import Counter
from typing import Any

import pytest

CODE = re.compile(r"\[(PN-[A-Z0-9-]+)\]")
DEFAULT_EVERY_S = 30.0
LIVE_EVERY_S = 1.0
PROGRESS = pytest.StashKey["Progress"]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("verifier", "PRONOTE ENT verifier")
    group.addoption(
        "--progress",
        choices=("auto", "live", "lines", "off"),
        default="auto",
        help="progression : ligne vivante sur un terminal, ligne simple sinon (auto)",
    )
    group.addoption(
        "--progress-every",
        type=float,
        default=DEFAULT_EVERY_S,
        metavar="SECONDES",
        help=f"hors terminal, une ligne de progression toutes les N secondes ({DEFAULT_EVERY_S:g})",
    )


class Progress:
    """Counts what finished and writes the progress line, from pytest's thread and a timer's."""

    def __init__(self, out_fd: int, *, live: bool, every_s: float) -> None:
        self.fd = out_fd
        self.live = live
        self.every_s = LIVE_EVERY_S if live else every_s
        self.total: int | None = None
        self.done = 0
        self.failed: Counter[str] = Counter()
        self.skipped = 0
        self.started = time.monotonic()
        self.lock = threading.Lock()
        self.stopped = threading.Event()
        self.rows = 0
        self.thread = threading.Thread(target=self._tick, name="progress", daemon=True)

    # -- counting ---------------------------------------------------------------------------
    def finished(self, report: pytest.TestReport) -> None:
        """A test is done once its call is reported, or its setup failed or skipped it."""
        if report.when != "call" and (report.when != "setup" or report.passed):
            return
        with self.lock:
            self.done += 1
            if report.failed:
                found = CODE.search(report.longreprtext or "")
                self.failed[found.group(1) if found else "autre"] += 1
            elif report.skipped:
                self.skipped += 1
        if self.live:
            self.draw()

    def line(self) -> str:
        with self.lock:
            done, total = self.done, self.total
            failed, skipped = Counter(self.failed), self.skipped
        elapsed = time.monotonic() - self.started
        parts = [f"{done}/{total}" if total else f"{done}/?"]
        if total:
            parts[0] += f" ({100 * done // total} %)"
        if failed:
            causes = ", ".join(f"{code} ×{n}" for code, n in failed.most_common())
            parts.append(f"échecs {sum(failed.values())} ({causes})")
        else:
            parts.append("échecs 0")
        if skipped:
            parts.append(f"ignorés {skipped}")
        rate = done / elapsed * 60 if elapsed > 0 else 0.0
        parts.append(f"{rate:.1f} tests/min".replace(".", ","))
        if total and done and done < total:
            parts.append(f"reste ~{_duration((total - done) / (done / elapsed))}")
        parts.append(f"écoulé {_duration(elapsed)}")
        return "Progression : " + " · ".join(parts)

    # -- writing ----------------------------------------------------------------------------
    def start(self) -> None:
        if self.live:
            self.rows = shutil.get_terminal_size().lines
            # A scroll region above the last row: pytest's lines scroll there, ours stays.
            self._write(f"\n\x1b7\x1b[1;{self.rows - 1}r\x1b8\x1b[1A")
        self.thread.start()

    def draw(self) -> None:
        text = self.line()
        if self.live:
            width = shutil.get_terminal_size().columns
            self._write(f"\x1b7\x1b[{self.rows};1H\x1b[2K{text[: width - 1]}\x1b8")
        else:
            self._write(text + "\n")

    def stop(self) -> None:
        if self.stopped.is_set():
            return
        self.stopped.set()
        if not self.thread.is_alive():  # never started: nothing was drawn
            os.close(self.fd)
            return
        self.thread.join(timeout=5)
        if self.live:
            # The whole screen scrolls again; the last row is cleared for pytest's summary.
            self._write(f"\x1b7\x1b[r\x1b[{self.rows};1H\x1b[2K\x1b8")
        else:
            self.draw()
        os.close(self.fd)

    def _tick(self) -> None:
        while not self.stopped.wait(self.every_s):
            self.draw()

    def _write(self, text: str) -> None:
        data = text.encode("utf-8", "replace")
        with self.lock:
            try:
                os.write(self.fd, data)
            except OSError:
                self.stopped.set()  # the terminal is gone: nothing more to say


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds} s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min {seconds % 60:02d} s"
    return f"{minutes // 60} h {minutes % 60:02d} min"


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    mode = config.getoption("--progress")
    if mode == "off" or hasattr(config, "workerinput") or config.option.collectonly:
        return
    every = config.getoption("--progress-every")
    if every <= 0:
        raise pytest.UsageError(f"--progress-every {every:g} : un nombre de secondes positif.")
    # Our own copy of the terminal's descriptor, taken before any test's output capture: a
    # line written while a test runs reaches the terminal, not that test's captured output.
    live = mode == "live" or (mode == "auto" and os.isatty(1) and os.environ.get("TERM") != "dumb")
    progress = Progress(os.dup(1 if live else 2), live=live, every_s=every)
    config.pluginmanager.register(ProgressPlugin(progress), "verifier-progress-line")


class ProgressPlugin:
    """The hooks that feed one Progress: the total once collected, each test as it ends."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.xdist = False

    @pytest.hookimpl(trylast=True)  # after pytest's "collected N items" line
    def pytest_collection_finish(self, session: pytest.Session) -> None:
        if session.config.pluginmanager.hasplugin("dsession"):
            self.xdist = True  # the workers collect: the total comes from them
            return
        self.progress.total = len(session.items)
        self.progress.start()

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node: Any, ids: list[str]) -> None:
        if self.progress.total is None:
            self.progress.total = len(ids)
            self.progress.start()

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        self.progress.finished(report)

    @pytest.hookimpl(tryfirst=True)  # the screen whole again before pytest's summary
    def pytest_sessionfinish(self) -> None:
        self.progress.stop()
