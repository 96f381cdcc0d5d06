"""Benchmark against the lab; prints a table (Markdown) of medians. Not a test.

    .venv/bin/python bench/run.py [--runs 5] [--skip-pytest] [--big 40]

(a) protocol floor: the journey's requests as bare HTTP (no parsing beyond the login form);
(b) one account's browser journey with a warm browser (new contexts, browser kept);
(c) the fast probe (HttpJourney: same journey, diagnoses' evidence, no browser);
(d) `pytest e2e/` wall time for 1, 4 and N accounts, sequential and with `-n 2`,
    with the peak memory of the whole process tree (lab, pytest, browsers).
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urljoin

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from e2e.http_journey import HttpJourney  # noqa: E402
from e2e.journey import BrowserJourney  # noqa: E402
from e2e.settings import Settings  # noqa: E402
from e2e.target import targets_from_lab  # noqa: E402
from lab.client import running_lab  # noqa: E402

CHROMIUM = "/usr/lib/chromium/chromium"


def floor_journey(info: dict, account) -> float:
    """The same hops as bare requests: what the protocol itself costs on this machine."""
    began = time.perf_counter()
    with httpx.Client(follow_redirects=True, timeout=20) as http:
        login = http.get(info["ent"])
        fields = dict(
            re.findall(r'name="(csrfmiddlewaretoken|lt|service)" value="([^"]*)"', login.text)
        )
        portal = http.post(
            str(login.url), data={**fields, "username": account.login, "password": account.password}
        )
        shortcut = re.search(r'<a href="([^"]+)"[^>]*>Pronote</a>', portal.text)
        assert shortcut, "no shortcut on the portal"
        space = http.get(urljoin(str(portal.url), shortcut.group(1)))
        assert 'id="id_body"' in space.text, "the floor journey did not reach the space"
    return time.perf_counter() - began


def median_of(samples: list[float]) -> float:
    return statistics.median(samples)


class TreeMemory:
    """Peak resident memory of a process and all its descendants, sampled every 0.2 s."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak, self._stop = pid, 0, threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        while not self._stop.wait(0.2):
            self.peak = max(self.peak, _tree_rss(self.pid))


def _tree_rss(root: int) -> int:
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            status = (entry / "status").read_text()
        except OSError:
            continue
        pid, ppid = int(entry.name), int(stat[1])
        children.setdefault(ppid, []).append(pid)
        match = re.search(r"VmRSS:\s+(\d+) kB", status)
        rss[pid] = int(match.group(1)) * 1024 if match else 0
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo.extend(children.get(pid, []))
    return total


def pytest_run(accounts: int, workers: int, out: Path) -> tuple[float, int, int]:
    """Wall time, peak tree memory and exit code of one `pytest e2e/` run on its own lab."""
    per_profile = max(1, accounts // 4)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VERIFIER_", "LAB_"))}
    env.update({"LAB_PER_PROFILE": str(per_profile), "VERIFIER_REPORT_DIR": str(out)})
    command = [
        sys.executable,
        "-m",
        "pytest",
        "e2e/",
        "-q",
        "-p",
        "no:randomly",
        "-k",
        "first_connection",
        "--alluredir",
        str(out / "allure-results"),
    ]
    if accounts == 1:
        command[-3] = "first_connection and eleve and not hugo"
    if workers > 1:
        command += ["-n", str(workers)]
    began = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    with TreeMemory(process.pid) as memory:
        code = process.wait(timeout=3600)
    return time.perf_counter() - began, memory.peak, code


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per median (a, b, c)")
    parser.add_argument("--pytest-runs", type=int, default=3, help="runs per median (d, small)")
    parser.add_argument("--big", type=int, default=40, help="accounts of the large pytest run")
    parser.add_argument("--skip-pytest", action="store_true")
    args = parser.parse_args()

    rows: list[tuple[str, str]] = []
    started = time.perf_counter()
    with running_lab() as lab:
        lab_start = time.perf_counter() - started
        rows.append(("lab cold start (running_lab, ready)", f"{lab_start:.2f} s"))
        settings = Settings(_env_file=None)
        target = targets_from_lab(lab.info, settings)[0]
        account = target.accounts[0]
        lab_account = lab.accounts[0]
        floor = []
        for _ in range(args.runs):
            lab.reset()
            floor.append(floor_journey(lab.info, lab_account))
        probe = []
        for _ in range(args.runs):
            lab.reset()
            journey = HttpJourney(target)
            obs = journey.run(account)
            journey.close()
            assert obs.final_kind == "space", obs
            probe.append(obs.timings["total"])
        from playwright.sync_api import sync_playwright

        with sync_playwright() as pw:
            options = (
                {"executable_path": CHROMIUM}
                if not Path(pw.chromium.executable_path).exists()
                else {}
            )
            browser = pw.chromium.launch(**options)
            journey = BrowserJourney(browser, lambda **kw: browser.new_context(**kw), {}, settings)
            lab.reset()
            journey.run(target, account)  # warm-up: first page loads of the browser
            browser_times = []
            for _ in range(args.runs):
                lab.reset()
                obs = journey.run(target, account)
                assert obs.final_kind == "space", obs
                browser_times.append(obs.timings["total"])
            browser.close()
    f, p, b = median_of(floor), median_of(probe), median_of(browser_times)
    rows += [
        ("(a) protocol floor, one journey (median)", f"{f * 1000:.0f} ms"),
        ("(b) browser journey, warm browser (median)", f"{b:.2f} s"),
        ("(c) fast probe, one account (median)", f"{p * 1000:.0f} ms"),
        ("ratio browser / floor", f"{b / f:.0f}×"),
        ("ratio probe / floor", f"{p / f:.1f}×"),
    ]
    if not args.skip_pytest:
        import tempfile

        for accounts, workers, runs in (
            (1, 1, args.pytest_runs),
            (4, 1, args.pytest_runs),
            (4, 2, args.pytest_runs),
            (args.big, 1, 1),
            (args.big, 2, 1),
        ):
            walls, peaks = [], []
            for _ in range(runs):
                with tempfile.TemporaryDirectory() as tmp:
                    wall, peak, code = pytest_run(accounts, workers, Path(tmp))
                if code != 0:
                    raise SystemExit(f"pytest e2e/ failed ({accounts} accounts, -n {workers})")
                walls.append(wall)
                peaks.append(peak)
            label = f"(d) pytest e2e/, {accounts} account(s), " + (
                "sequential" if workers == 1 else f"-n {workers}"
            )
            runs_note = f" (median of {runs})" if runs > 1 else " (1 run)"
            rows.append(
                (label + runs_note, f"{median_of(walls):.1f} s, peak {max(peaks) / 2**20:.0f} MiB")
            )
    print(
        f"Machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    print(f"Samples: {args.runs} per median for (a), (b), (c)\n")
    print("| measure | value |\n| --- | --- |")
    for name, value in rows:
        print(f"| {name} | {value} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
