"""Progress of a long run (`e2e/plugins/progress.py`), on a small suite that fails and skips
as the verifier's tests do ("[PN-…]" in the failure): in CI logs, a plain line on stderr every
N seconds, the last one complete; on a terminal (a real pseudo-terminal), a live line on the
bottom row inside a scroll region given back at the end; with pytest-xdist, the controller
counts every worker's tests; pytest's own output is the same with or without it."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

SUITE = """
import time
import pytest

@pytest.mark.parametrize("n", range(6))
def test_account(n):
    time.sleep(0.25)  # an account's journey, stood in for
    print("sortie du test", n)
    if n in (1, 4):
        pytest.fail("[PN-RACCOURCI-ABSENT] Raccourci absent", pytrace=False)
    if n == 5:
        pytest.fail("[PN-DNS-ECHEC] Nom inconnu", pytrace=False)

def test_preflight_down():
    pytest.skip("Vérifications préalables en échec : [PN-ENT-INJOIGNABLE] ENT injoignable")
"""
TOTAL = 7


def run_suite(tmp_path: Path, *args: str, env: dict[str, str] | None = None):
    (tmp_path / "test_suite.py").write_text(SUITE, encoding="utf-8")
    command = [sys.executable, "-m", "pytest", "-p", "e2e.plugins.progress", "-p", "no:randomly"]
    command += ["-p", "no:cacheprovider", "test_suite.py", *args]
    child = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run(
        command, cwd=tmp_path, env=child, capture_output=True, text=True, timeout=120
    )


def progress_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("Progression : ")]


def without_timing(text: str) -> str:
    return re.sub(r"in \d+\.\d+s", "in Xs", text)


def test_progress_lines_in_ci_logs_every_n_seconds_on_stderr(tmp_path: Path) -> None:
    run = run_suite(tmp_path, "--progress", "lines", "--progress-every", "0.3", "-rA")
    assert run.returncode == 1
    lines = progress_lines(run.stderr)
    assert len(lines) >= 3, run.stderr  # a run of about two seconds, a line every 0.3 s
    last = lines[-1]
    assert last.startswith(f"Progression : {TOTAL}/{TOTAL} (100 %)")
    assert "échecs 3 (PN-RACCOURCI-ABSENT ×2, PN-DNS-ECHEC ×1)" in last
    assert "ignorés 1" in last and "tests/min" in last
    # Lines along the way say how far and how long is left.
    assert any(re.search(r"\d/7 \(\d+ %\).*reste ~\d+ s", line) for line in lines[:-1])
    # Nothing of it in stdout, nor in a test's own captured output.
    assert "Progression" not in run.stdout


def test_progress_leaves_pytests_own_output_unchanged(tmp_path: Path) -> None:
    with_it = run_suite(tmp_path, "--progress", "lines", "--progress-every", "0.3")
    without = run_suite(tmp_path, "--progress", "off")
    assert without_timing(with_it.stdout) == without_timing(without.stdout)
    assert progress_lines(with_it.stderr) and not progress_lines(without.stderr)


def test_progress_counts_every_worker_under_xdist(tmp_path: Path) -> None:
    run = run_suite(tmp_path, "-n", "2", "--progress", "lines", "--progress-every", "5")
    last = progress_lines(run.stderr)[-1]
    assert last.startswith(f"Progression : {TOTAL}/{TOTAL} (100 %)"), run.stderr
    assert "échecs 3 (PN-RACCOURCI-ABSENT ×2, PN-DNS-ECHEC ×1)" in last


def test_progress_refuses_a_bad_interval_in_one_line(tmp_path: Path) -> None:
    run = run_suite(tmp_path, "--progress", "lines", "--progress-every", "0")
    assert run.returncode == 4 and "Traceback" not in run.stderr
    assert "--progress-every 0 : un nombre de secondes positif." in run.stderr


def test_progress_live_line_on_a_terminal_and_the_screen_given_back(tmp_path: Path) -> None:
    (tmp_path / "test_suite.py").write_text(SUITE, encoding="utf-8")
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 120, 0, 0))
    command = [sys.executable, "-m", "pytest", "-p", "e2e.plugins.progress"]
    command += ["-p", "no:randomly", "-p", "no:cacheprovider", "test_suite.py"]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TERM": "xterm", "COLUMNS": "120"}
    env["LINES"] = "30"
    child = subprocess.Popen(
        command, cwd=tmp_path, env=env, stdin=follower, stdout=follower, stderr=follower
    )
    os.close(follower)
    output = b""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        output += chunk
    os.close(leader)
    assert child.wait(timeout=30) == 1
    text = output.decode("utf-8", "replace")
    # The rows above the last scroll; the last row is drawn in place, then given back.
    assert "\x1b[1;29r" in text
    assert re.search(r"\x1b7\x1b\[30;1H\x1b\[2KProgression : 7/7 \(100 %\)", text), text[-2000:]
    assert text.rfind("\x1b[r") > text.rfind("Progression : ")
    # pytest's own summary comes after, on a whole screen.
    assert text.rfind("\x1b[r") < text.rfind("3 failed")


@pytest.mark.parametrize("mode", ["auto"])
def test_progress_auto_writes_lines_when_stdout_is_not_a_terminal(tmp_path: Path, mode: str):
    run = run_suite(tmp_path, "--progress", mode, "--progress-every", "5")
    assert progress_lines(run.stderr)[-1].startswith(f"Progression : {TOTAL}/{TOTAL}")
    assert "\x1b[" not in run.stderr


def test_progress_is_one_of_the_plugins_of_pytest_e2e() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "pytest", str(ROOT / "e2e"), "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert "--progress={auto,live,lines,off}" in run.stdout and "--progress-every" in run.stdout
