"""Benchmark against the lab, one run on one machine, printed as a Markdown table. Not a test.

    .venv/bin/python bench/run.py [--quick] [--only NAME[,NAME…]] [--runs 7] [--repeat 3]
        [--json FILE]

Measures (names for `--only`):
- `floor`  the protocol floor: the journey's HTTP requests as bare httpx calls (ENT → WAYF →
           CAS form → POST → portal → shortcut → CAS by SSO → PRONOTE ticket → space page →
           the space's `appelfonction` call), and the HTTP journey (`e2e.runner.run_probe`);
           medians of warm runs;
- `warm`   our browser journey with the browser already started: one account, 7 journeys
           through a `JourneyRunner` at concurrency 1, median wall time (submit → result:
           the wait for the kept context's wipe after the journey before included) and the
           journey's own `total`; the per-step breakdown (`obs.timings`); where the time
           goes inside the steps (every driver, page-object and Playwright call timed,
           nested, own time apart); the CPU each process group spent; the Python hot
           spots (cProfile on the journeys' thread);
- `naive`  `bench/naive_monitor.py` (a new browser per account, networkidle waits) in a
           subprocess on the same lab accounts, its own lab start included;
- `c1`, `c4`, `c8`, `default`, `n2`: `pytest e2e/` in a subprocess, cold (lab and browser
           start included), 40 accounts (`LAB_PER_PROFILE=9`, `LAB_EDUCONNECT_PER_PROFILE=2`:
           36 local, 4 ÉduConnect), at `VERIFIER_CONCURRENCY` 1, 4, 8, the
           default (8 per CPU, at most 16), and `-n 2` (concurrency per worker: the default);
- `lat1`, `lat8`, `lat16`: the same with `LAB_LATENCY=0.3` (per hop) at concurrency 1, 8, 16.
`c4`, `c8`, `default` and `n2` (the 25 s goal's rows) run `--repeat` times (3): the run of
median wall time is kept, with the others' wall times beside it and the highest peaks.
Each subprocess run starts once the machine is idle (90 % over a second, or after a minute
of waiting: nothing left of one row may slow the next) and reports its wall time,
its tests' outcome, the accounts it checked (summary.json) and its peak memory: the sum of
the resident memory (RSS) of the whole process tree (pytest or the monitor, the lab,
Playwright's driver, every Chromium process), sampled every 0.25 s from /proc, with the
proportional set size (PSS, shared pages counted once, sampled every second) beside it.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import functools
import inspect
import io
import itertools
import json
import os
import platform
import pstats
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import httpx
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from e2e.browser_driver import Recording  # noqa: E402
from e2e.runner import Job, JourneyRunner, LaunchOptions, debian_chromium, run_probe  # noqa: E402
from e2e.settings import Settings  # noqa: E402
from e2e.target import targets_from_lab  # noqa: E402
from lab.client import running_lab  # noqa: E402

# The runner's own choice (the headless shell where installed), as pytest e2e/ makes it.
CHROMIUM = Path(debian_chromium(headless=True) or "/usr/bin/chromium")
# The e2e plugin's `browser_context_args` (e2e/plugins/journeys.py): the same contexts.
CONTEXT_ARGS = {
    "locale": "fr-FR",
    "timezone_id": "Europe/Paris",
    "viewport": {"width": 1280, "height": 800},
}
STEPS = ("ent_login_page", "portal", "shortcut", "pronote", "cas_identifier")
PYTEST_RUNS = {
    # name: (label, VERIFIER_CONCURRENCY or None for the default, xdist workers, LAB_LATENCY)
    "c1": ("pytest e2e/, concurrency 1", 1, 0, 0.0),
    "c4": ("pytest e2e/, concurrency 4", 4, 0, 0.0),
    "c8": ("pytest e2e/, concurrency 8", 8, 0, 0.0),
    "default": ("pytest e2e/, default concurrency (8 per CPU, at most 16)", None, 0, 0.0),
    "n2": ("pytest e2e/ -n 2 (concurrency per worker: default)", None, 2, 0.0),
    "lat1": ("pytest e2e/, 0.3 s per hop, concurrency 1", 1, 0, 0.3),
    "lat8": ("pytest e2e/, 0.3 s per hop, concurrency 8", 8, 0, 0.3),
    "lat16": ("pytest e2e/, 0.3 s per hop, concurrency 16", 16, 0, 0.3),
}
NAMES = ("floor", "warm", "naive", *PYTEST_RUNS)
# The rows of the 25 s goal: one cold run is one sample of a machine whose speed drifts by a
# tenth to a quarter over minutes (RESULTS.md); these are run --repeat times, the median kept.
REPEATED = ("c4", "c8", "default", "n2")


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def settle(idle: float = 0.9, longest_s: float = 60) -> float:
    """Wait until the machine is idle (the CPUs at least *idle* idle over a second), at most
    *longest_s*; the idle share last seen. Every subprocess measure starts so: nothing left
    of one row (or of other work on the machine) slows the next."""

    def times() -> tuple[int, int]:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        return fields[3] + fields[4], sum(fields)  # idle + iowait, all

    deadline = time.monotonic() + longest_s
    while True:
        idle_0, all_0 = times()
        time.sleep(1)  # measuring the machine's idleness, not a browser flow
        idle_1, all_1 = times()
        share = (idle_1 - idle_0) / max(all_1 - all_0, 1)
        if share >= idle or time.monotonic() > deadline:
            return share


# -- processes: memory and CPU of a process tree, from /proc ---------------------------------


def _processes() -> dict[int, tuple[int, str, str]]:
    """pid → (parent pid, command name, first argument words) of every process."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        comm = stat[stat.index("(") + 1 : stat.rindex(")")]
        found[int(entry.name)] = (int(stat.rsplit(")", 1)[1].split()[1]), comm, cmdline[:200])
    return found


def tree(root: int) -> list[int]:
    procs = _processes()
    children: dict[int, list[int]] = defaultdict(list)
    for pid, (ppid, _, _) in procs.items():
        children[ppid].append(pid)
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out


def _kb(path: Path, key: str) -> int:
    try:
        match = re.search(rf"^{key}:\s+(\d+) kB", path.read_text(), re.M)
    except OSError:
        return 0
    return int(match.group(1)) * 1024 if match else 0


class TreeMemory:
    """Peak sum of RSS of a process and all its descendants, and their CPU, every 0.25 s; the
    peak sum of their PSS every second (the kernel walks every mapping of every process to
    count it: about 1 ms of CPU per Chromium process, which sampled four times a second slowed
    the measured run by a few percent)."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak_rss, self.peak_pss = pid, 0, 0
        self.pss_by_part: dict[str, int] = {}  # at the peak of the whole tree
        self.cpu: dict[int, float] = {}
        self.tick = os.sysconf("SC_CLK_TCK")
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        for n in itertools.count():
            if self._stop.wait(0.25):
                return
            pids = tree(self.pid)
            rss = sum(_kb(Path(f"/proc/{p}/status"), "VmRSS") for p in pids)
            self.peak_rss = max(self.peak_rss, rss)
            if n % 4 == 3:
                parts = pss_by_part(pids)
                if sum(parts.values()) > self.peak_pss:
                    self.peak_pss, self.pss_by_part = sum(parts.values()), dict(parts)
            for pid in pids:
                with contextlib.suppress(OSError, ValueError):
                    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                    self.cpu[pid] = (int(fields[11]) + int(fields[12])) / self.tick

    @property
    def cpu_s(self) -> float:
        """CPU of every process seen in the tree, each its own last sample (no children's).

        Not getrusage(RUSAGE_CHILDREN): Chromium's processes are not all waited for up the
        chain (a check gave 19 s by getrusage where the tree's own counters showed 34 s).
        A process's last 0.25 s before it exits is missed.
        """
        return sum(self.cpu.values())


def _group(comm: str, cmdline: str) -> str:
    if "chrom" in comm.lower() or "chrom" in cmdline.split(" ")[0].lower():
        # By Chromium process type; renderers that exit are reaped (and counted) by the zygote.
        kind = re.search(r"--type=([\w-]+)", cmdline)
        sub = re.search(r"--utility-sub-type=([\w.]+)", cmdline)
        name = kind.group(1) if kind else "browser"
        if name == "utility" and sub:
            name = f"utility {sub.group(1).split('.')[-1]}"
        if name == "renderer" or name == "zygote":
            name = "renderers (live ones, and the zygote's reaped children)"
        return f"Chromium: {name}"
    if comm == "node" or "playwright" in cmdline.split(" ")[0]:
        return "Playwright driver (node)"
    if "-m lab" in cmdline:
        return "lab (python -m lab)"
    return "this Python (journey script, drivers, parsing)"


def _part(comm: str, cmdline: str) -> str:
    """The coarse part a process belongs to, for memory: the lab, Chromium, the rest."""
    group = _group(comm, cmdline)
    return "Chromium" if group.startswith("Chromium") else group.split(" (")[0]


def pss_by_part(pids: list[int]) -> dict[str, int]:
    """The PSS (KiB) of *pids*, summed by part (`_part`)."""
    procs = _processes()
    parts: dict[str, int] = defaultdict(int)
    for p in pids:
        _, comm, cmdline = procs.get(p, (0, "", ""))
        parts[_part(comm, cmdline)] += _kb(Path(f"/proc/{p}/smaps_rollup"), "Pss")
    return dict(parts)


def cpu_by_group(root: int) -> dict[str, float]:
    """CPU seconds (user + system, reaped children included) of *root*'s tree, by group."""
    procs = _processes()
    tick = os.sysconf("SC_CLK_TCK")
    totals: dict[str, float] = defaultdict(float)
    for pid in tree(root):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # utime, stime, cutime, cstime (fields 14-17 of proc(5); 12-15 after the name).
        seconds = sum(int(v) for v in fields[11:15]) / tick
        if pid == root:
            seconds = sum(int(v) for v in fields[11:13]) / tick  # its children are grouped apart
        _, comm, cmdline = procs.get(pid, (0, "", ""))
        totals[_group(comm, cmdline)] += seconds
    return totals


# -- (a) the protocol floor -----------------------------------------------------------------


def floor_journey(ent_url: str, login: str, password: str) -> float:
    """The journey's requests as bare httpx calls, with the least parsing they need."""
    began = time.perf_counter()
    with httpx.Client(follow_redirects=True, timeout=20) as http:
        wayf = http.get(ent_url)
        form_page = http.get(str(wayf.url.copy_merge_params({"selection": "ATS_parent_eleve"})))
        form = BeautifulSoup(form_page.text, "html.parser").select_one("form.cas__login-form")
        assert form is not None, "no CAS login form"
        fields = {i["name"]: i.get("value", "") for i in form.select("input[name]")}
        fields.update(username=login, password=password)
        portal = http.post(form_page.url.join(form.get("action") or ""), data=fields)
        link = BeautifulSoup(portal.text, "html.parser").find("a", string="Pronote")
        assert link is not None, "no shortcut on the portal"
        space = http.get(portal.url.join(link["href"]))
        start = re.search(r"Start \(\{h:'(\w+)',a:(\d+)", space.text)
        assert start, "the floor journey did not reach the space"
        call = http.post(
            space.url.join(f"appelfonction/{start.group(2)}/{start.group(1)}"),
            json={"nom": "FonctionParametres"},
        )
        assert call.status_code == 200, call.status_code
    return time.perf_counter() - began


def measure_floor(runs: int) -> dict[str, Any]:
    from lab.pronote import BUILD_DELAY_MS

    with running_lab() as lab:
        settings = Settings(_env_file=None)
        target = targets_from_lab(lab.info, settings)[0]
        account = next(a for a in target.accounts if a.route == "local")
        password = account.password.get_secret_value()
        floor_journey(lab.info["ent"], account.login, password)  # warm-up
        floor, probe = [], []
        for _ in range(runs):
            lab.reset()
            floor.append(floor_journey(lab.info["ent"], account.login, password))
        for _ in range(runs):
            lab.reset()
            obs = run_probe(target, account, settings).obs
            assert obs.final_kind == "space", obs.final_kind
            probe.append(obs.timings["total"])
    return {
        "floor_s": statistics.median(floor),
        "probe_s": statistics.median(probe),
        "build_delay_s": BUILD_DELAY_MS / 1000,
        "runs": runs,
    }


# -- (b) our warm journey, and where its time goes -----------------------------------------


class Spans:
    """Wall time of wrapped calls, nested: inclusive, and own (minus wrapped calls inside).

    Valid at concurrency 1: one journey at a time, so the calls nest like a call stack.
    """

    def __init__(self) -> None:
        self.enabled = False
        self.rows: dict[str, list[float]] = defaultdict(lambda: [0, 0.0, 0.0])
        self._stack: list[list[Any]] = []
        self._restore: list[tuple[Any, str, Any]] = []
        self.extra: dict[str, list[float]] = defaultdict(list)
        self.skipped: list[str] = []

    def _enter(self, name: str) -> list[Any]:
        frame = [name, time.perf_counter(), 0.0]
        self._stack.append(frame)
        return frame

    def _leave(self, frame: list[Any]) -> None:
        elapsed = time.perf_counter() - frame[1]
        if frame in self._stack:
            self._stack.remove(frame)
        if self._stack:
            self._stack[-1][2] += elapsed
        row = self.rows[frame[0]]
        row[0] += 1
        row[1] += elapsed
        row[2] += elapsed - frame[2]

    def wrap(self, owner: Any, attr: str, name: str | None = None) -> None:
        if not hasattr(owner, attr):  # the code under measure moves; a renamed call is skipped
            self.skipped.append(f"{getattr(owner, '__name__', owner)}.{attr}")
            return
        original = owner.__dict__[attr] if attr in owner.__dict__ else getattr(owner, attr)
        label = name or f"{getattr(owner, '__name__', owner)}.{attr}"
        spans = self
        if inspect.iscoroutinefunction(original):

            @functools.wraps(original)
            async def wrapper(*args: Any, **kwargs: Any) -> Any:
                if not spans.enabled:
                    return await original(*args, **kwargs)
                frame = spans._enter(label)
                try:
                    return await original(*args, **kwargs)
                finally:
                    spans._leave(frame)

        else:

            @functools.wraps(original)
            def wrapper(*args: Any, **kwargs: Any) -> Any:
                if not spans.enabled:
                    return original(*args, **kwargs)
                frame = spans._enter(label)
                try:
                    return original(*args, **kwargs)
                finally:
                    spans._leave(frame)

        setattr(owner, attr, wrapper)
        self._restore.append((owner, attr, original))

    def restore(self) -> None:
        for owner, attr, original in reversed(self._restore):
            setattr(owner, attr, original)
        self._restore.clear()


def instrument(spans: Spans) -> None:
    """Wrap the journey's layers: runner, step script, driver, page objects, Playwright calls."""
    import playwright.async_api as pw

    import e2e.browser_driver as bd
    import e2e.journey as jn
    import e2e.runner as rn
    import pages.cas
    import pages.choice
    import pages.ent
    import pages.pronote

    spans.wrap(rn.JourneyRunner, "_run", "runner: one journey (slot to result)")
    spans.wrap(jn.Journey, "run", "journey: the step script (obs total)")
    spans.wrap(jn.Journey, "shot", "journey: screenshot step")
    spans.wrap(jn.Journey, "identify", "journey: CAS identifier replay")
    for attr in (
        "start",
        "close",
        "open",
        "current",
        "visible",
        "pick",
        "submit_login",
        "login_done",
        "find_shortcut",
        "settle_portal",
        "follow_shortcut",
        "_settle_pronote",
        "sso_location",
        "_goto",
        "_navigated",
        "_through_auto_posts",
        "_new_context",
    ):
        spans.wrap(bd.BrowserDriver, attr, f"driver.{attr}")
    spans.wrap(bd, "page_kind", "verdict page_kind (BeautifulSoup parse)")
    spans.wrap(pages.cas.CasLoginPage, "log_in", "CasLoginPage.log_in")
    spans.wrap(pages.choice.ChoiceForm, "pick", "ChoiceForm.pick (the WAYF)")
    spans.wrap(pages.ent.EntPortalPage, "open_shortcut", "EntPortalPage.open_shortcut")
    spans.wrap(pages.pronote.PronotePage, "is_application", "PronotePage.is_application")
    spans.wrap(
        pages.pronote.PronotePage, "wait_until_built", "PronotePage.wait_until_built (space JS)"
    )
    spans.wrap(pages.pronote.PronotePage, "user_label_text", "PronotePage.user_label_text")
    for cls, attrs in (
        (pw.Browser, ("new_context",)),
        (pw.BrowserContext, ("new_page", "close", "storage_state")),
        (pw.Page, ("goto", "content", "screenshot", "wait_for_load_state", "wait_for_function")),
        (pw.Frame, ("content", "wait_for_load_state", "wait_for_function")),
        (
            pw.Locator,
            ("is_visible", "count", "click", "fill", "inner_text", "get_attribute", "check", "all"),
        ),
        (pw.APIRequestContext, ("get",)),
    ):
        for attr in attrs:
            spans.wrap(cls, attr, f"playwright {cls.__name__}.{attr}")
    spans.wrap(httpx.AsyncClient, "get", "httpx AsyncClient.get (serviceValidate)")

    # The servers' own time per navigation, as the journey's hop recorder saw it (recorded
    # into the observation when the journey ends).
    import e2e.journey

    original_record = e2e.journey.Journey._record_hops

    def record_hops(self: Any) -> None:
        if spans.enabled:
            spans.extra["server_s"].append(sum(self.hops.hops))
            spans.extra["navigations"].append(len(self.hops.hops))
        original_record(self)

    spans._restore.append((e2e.journey.Journey, "_record_hops", original_record))
    e2e.journey.Journey._record_hops = record_hops


def measure_warm(runs: int, profile_runs: int) -> dict[str, Any]:
    settings = Settings(_env_file=None, concurrency=1)
    spans = Spans()
    instrument(spans)
    try:
        with running_lab() as lab:
            target = targets_from_lab(lab.info, settings)[0]
            account = next(a for a in target.accounts if a.route == "local")
            runner = JourneyRunner(
                settings,
                probe=False,
                launch=LaunchOptions(executable=CHROMIUM if CHROMIUM.exists() else None),
                context_args=CONTEXT_ARGS,
            )
            try:

                def journey(key: str) -> tuple[float, Any]:
                    lab.reset()
                    began = time.perf_counter()
                    runner.submit(key, Job(target, account, Recording()))
                    result = runner.result(key)
                    wall = time.perf_counter() - began
                    assert result.obs.final_kind == "space", (key, result.obs.final_kind)
                    return wall, result

                journey("warm-up")  # the browser starts here, and its first pages load
                journey("warm-up 2")
                cpu_before = cpu_by_group(os.getpid())
                spans.enabled = True
                walls, results = [], []
                for i in range(runs):
                    wall, result = journey(f"run {i}")
                    walls.append(wall)
                    results.append(result)
                spans.enabled = False
                cpu_after = cpu_by_group(os.getpid())

                # Python hot spots: cProfile on the journeys' own thread (extra, untimed runs).
                profiler = cProfile.Profile()

                async def enable() -> None:
                    profiler.enable()

                async def disable() -> None:
                    profiler.disable()

                async def thread_cpu() -> float:
                    return time.thread_time()

                cpu_began = runner.call(thread_cpu())
                runner.call(enable())
                for i in range(profile_runs):
                    journey(f"profiled {i}")
                runner.call(disable())
                thread_cpu_s = (runner.call(thread_cpu()) - cpu_began) / profile_runs
            finally:
                runner.close()
    finally:
        spans.restore()
    stats = pstats.Stats(profiler, stream=io.StringIO())
    # Blocking system calls (the loop's epoll wait, pipe writes) are left out: cProfile's
    # thread-clock readings around them were not trustworthy here (seconds of "CPU" in
    # epoll.poll while the thread's own clock, read directly, moved by ~0.1 s).
    blocking = ("select.epoll", "posix.write", "_socket.socket")
    hot = sorted(
        (
            (v[2], v[3], k)  # tottime, cumtime
            for k, v in stats.stats.items()
            if not any(b in k[2] for b in blocking) and "selectors.py" not in k[0]
        ),
        reverse=True,
    )[:15]
    shots = [png for r in results for s in r.steps for _, png in s.screenshots]
    return {
        "runs": runs,
        "wall_s": statistics.median(walls),
        "walls": walls,
        "total_s": statistics.median(r.obs.timings["total"] for r in results),
        "steps": {
            step: statistics.median(r.obs.timings.get(step, 0.0) for r in results) for step in STEPS
        },
        "hop_median_s": statistics.median(r.obs.timings.get("hop_median", 0.0) for r in results),
        "server_s": statistics.median(spans.extra["server_s"] or [0.0]),
        "navigations": statistics.median(spans.extra["navigations"] or [0]),
        "spans": {
            name: [calls / runs, incl / runs, own / runs]
            for name, (calls, incl, own) in spans.rows.items()
        },
        "cpu": {g: (cpu_after.get(g, 0.0) - cpu_before.get(g, 0.0)) / runs for g in cpu_after},
        "screenshots": len(shots) / runs,
        "screenshot_kb": statistics.mean(len(p) for p in shots) / 1024 if shots else 0,
        "profile_runs": profile_runs,
        "not_found": spans.skipped,
        "python_hot": [
            (tot / profile_runs, cum / profile_runs, f"{Path(k[0]).name}:{k[1]} {k[2]}")
            for tot, cum, k in hot
        ],
        "python_cpu_profiled_s": stats.total_tt / profile_runs,
        "thread_cpu_s": thread_cpu_s,
    }


# -- (c) subprocess runs: naive monitor, pytest e2e/ ---------------------------------------


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VERIFIER_", "LAB_"))}
    env.update(extra)
    return env


def timed_subprocess(command: list[str], env: dict[str, str], timeout: float) -> dict[str, Any]:
    load = loadavg()
    began = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    output: list[str] = []
    reader = threading.Thread(target=lambda: output.extend(process.stdout), daemon=True)
    reader.start()
    with TreeMemory(process.pid) as memory:
        try:
            code = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            code = process.wait()
    wall = time.perf_counter() - began
    reader.join(timeout=10)
    return {
        "wall_s": wall,
        "cpu_s": memory.cpu_s,
        "code": code,
        "peak_rss": memory.peak_rss,
        "peak_pss": memory.peak_pss,
        "pss_by_part": memory.pss_by_part,
        "output": "".join(output),
        "load_before": load,
        "load_after": loadavg(),
    }


def median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run of median wall time (the upper one of an even count), with every run's wall
    time and the highest memory peaks of all; a failed run's outcome wins."""
    ordered = sorted(runs, key=lambda r: r["wall_s"])
    failed = [r for r in runs if r["code"] != 0]
    run = dict(failed[0] if failed else ordered[len(ordered) // 2])
    run["walls"] = [r["wall_s"] for r in runs]
    run["peak_rss"] = max(r["peak_rss"] for r in runs)
    run["peak_pss"] = max(r["peak_pss"] for r in runs)
    return run


def measure_naive(per_profile: int, educonnect: int, latency: float = 0.0) -> dict[str, Any]:
    command = [
        sys.executable,
        str(ROOT / "bench" / "naive_monitor.py"),
        "--per-profile",
        str(per_profile),
        "--educonnect-per-profile",
        str(educonnect),
        "--latency",
        str(latency),
        "--json",
    ]
    run = timed_subprocess(command, clean_env(), timeout=3600)
    lines = [ln for ln in run["output"].splitlines() if ln.startswith("{")]
    summary = json.loads(lines[-1]) if lines else {}
    run.update(summary=summary)
    run["outcome"] = (
        f"{summary.get('passed', '?')}/{summary.get('accounts', '?')} passed"
        if summary
        else f"exit {run['code']}"
    )
    run["accounts"] = summary.get("accounts")
    run["detail"] = (
        f"{summary.get('local')} local + {summary.get('educonnect')} ÉduConnect; "
        f"{summary.get('median_account_s')} s per account (median)"
        if summary
        else run["output"][-400:]
    )
    return run


def measure_pytest(name: str, per_profile: int, educonnect: int) -> dict[str, Any]:
    _, concurrency, workers, latency = PYTEST_RUNS[name]
    with tempfile.TemporaryDirectory(prefix=f"bench-{name}-") as tmp:
        env = clean_env(
            LAB_PER_PROFILE=str(per_profile),
            LAB_EDUCONNECT_PER_PROFILE=str(educonnect),
            LAB_LATENCY=str(latency),
            VERIFIER_REPORT_DIR=tmp,
        )
        if concurrency is not None:
            env["VERIFIER_CONCURRENCY"] = str(concurrency)
        command = [
            sys.executable,
            "-m",
            "pytest",
            "e2e/",
            "-q",
            "-p",
            "no:cacheprovider",
            "--alluredir",
            f"{tmp}/allure-results",
            "--output",
            f"{tmp}/test-results",
        ]
        if workers:
            command += ["-n", str(workers)]
        run = timed_subprocess(command, env, timeout=3600)
        try:
            summary = json.loads(Path(tmp, "summary.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            summary = []
    if isinstance(summary, dict):  # summary.json is an object with `results` since 3a00464
        summary = summary.get("results", [])
    tail = [ln for ln in run["output"].splitlines() if re.search(r"\d+ (passed|failed)", ln)]
    run["outcome"] = tail[-1].strip("= ") if tail else f"exit {run['code']}"
    run["accounts"] = len(summary)
    passed = sum(1 for r in summary if r.get("outcome") == "passed")
    run["detail"] = f"{passed}/{len(summary)} accounts passed"
    if run["code"] != 0:
        run["detail"] += "; output tail: " + " | ".join(run["output"].splitlines()[-6:])
    return run


# -- output ----------------------------------------------------------------------------------


def mib(n: int) -> str:
    return f"{n / 2**20:,.0f} MiB"


def git_state() -> str:
    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=False
        ).stdout.strip()

    dirty = git("status", "--porcelain", "--", "e2e", "pages", "verdict", "lab")
    return f"commit {git('rev-parse', '--short', 'HEAD')}" + (
        " (e2e/pages/verdict/lab with uncommitted changes)" if dirty else ""
    )


def print_report(results: dict[str, Any], args: argparse.Namespace, began: str, code: str) -> None:
    print(
        f"Machine: {platform.platform()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}; code at start: {code}, at end: {git_state()}; "
        f"load average at start {began}, at end {loadavg()}\n"
    )
    print(
        "| measure | wall | CPU (whole tree) | peak memory (RSS sum / PSS sum) | outcome | notes |"
    )
    print("| --- | --- | --- | --- | --- | --- |")
    if "floor" in results:
        f = results["floor"]
        print(
            f"| protocol floor: bare httpx hops, one journey (median of {f['runs']}) "
            f"| {f['floor_s'] * 1000:.0f} ms | | | | + the space's own {f['build_delay_s']:.1f} s "
            "JavaScript build delay = the floor a browser can reach |"
        )
        print(
            f"| HTTP journey, `run_probe` (median of {f['runs']}) | {f['probe_s'] * 1000:.0f} ms "
            "| | | | the step script over httpx + BeautifulSoup, CAS identifier replay included |"
        )
    if "warm" in results:
        w = results["warm"]
        print(
            f"| our warm journey, one account, concurrency 1 (median of {w['runs']}) "
            f"| {w['wall_s']:.2f} s | {sum(w['cpu'].values()):.2f} s | | "
            "| submit → result (a kept context, wiped between journeys); "
            f"the step script's own total {w['total_s']:.2f} s |"
        )
    for name in ("naive", *PYTEST_RUNS):
        if name not in results:
            continue
        r = results[name]
        label = (
            "naive monitor (new browser per account, networkidle), lab start included"
            if name == "naive"
            else PYTEST_RUNS[name][0] + ", cold"
        )
        walls = r.get("walls", [])
        spread = (
            f" (median of {len(walls)}: {min(walls):.1f}–{max(walls):.1f} s)"
            if len(walls) > 1
            else ""
        )
        print(
            f"| {label} | {r['wall_s']:.1f} s{spread} | {r['cpu_s']:.0f} s "
            f"| {mib(r['peak_rss'])} / {mib(r['peak_pss'])} "
            f"| {r['outcome']} | {r['accounts']} accounts: {r['detail']}; "
            f"load {r['load_before']} → {r['load_after']} |"
        )

    print("\n| goal | measured | goal met |\n| --- | --- | --- |")

    def goal(text: str, value: str, ok: bool) -> None:
        print(f"| {text} | {value} | {'yes' if ok else 'no'} |")

    if "naive" in results and "c8" in results:
        ratio = results["naive"]["wall_s"] / results["c8"]["wall_s"]
        goal("ours (concurrency 8) vs naive, ≥ 4×", f"{ratio:.1f}×", ratio >= 4)
    if "naive" in results and "c1" in results:
        ratio = results["naive"]["wall_s"] / results["c1"]["wall_s"]
        goal("ours (concurrency 1) vs naive (for reference)", f"{ratio:.1f}×", ratio >= 4)
    for fast in ("lat8", "lat16"):
        if "lat1" in results and fast in results:
            ratio = results["lat1"]["wall_s"] / results[fast]["wall_s"]
            n = fast.removeprefix("lat")
            goal(f"0.3 s per hop: concurrency {n} vs 1, ≥ 6×", f"{ratio:.1f}×", ratio >= 6)
    if "warm" in results:
        w = results["warm"]["wall_s"]
        goal("warm journey median ≤ 1.0 s", f"{w:.2f} s", w <= 1.0)
    for name in ("c8", "c4", "default", "n2"):
        if name in results:
            wall = results[name]["wall_s"]
            goal(f"40 accounts end to end ≤ 25 s ({name})", f"{wall:.1f} s", wall <= 25)
    for name in ("c8", "c4", "c1", "default", "n2", "lat8", "lat16"):
        if name in results:
            for kind in ("pss", "rss"):
                peak = results[name][f"peak_{kind}"]
                goal(
                    f"peak memory ≤ 1.5 GiB ({name}, {kind.upper()} sum)",
                    mib(peak),
                    peak <= 1.5 * 2**30,
                )

    if "warm" in results:
        print_breakdown(results["warm"])


def print_breakdown(w: dict[str, Any]) -> None:
    print(f"\nWarm journey, per step (`obs.timings`, median of {w['runs']}):\n")
    print("| step | seconds |\n| --- | --- |")
    for step, seconds in w["steps"].items():
        print(f"| {step} | {seconds:.3f} |")
    print(f"| total (step script) | {w['total_s']:.3f} |")
    print(f"| wall, submit → result | {w['wall_s']:.3f} |")
    print(
        f"\nServers' own time for the journey's {w['navigations']:.0f} navigations (response "
        f"start − request start, from the hop recorder): {w['server_s'] * 1000:.0f} ms; "
        f"{w['screenshots']:.0f} screenshots per journey, {w['screenshot_kb']:.0f} KiB each."
    )
    print(
        f"\nWhere the time goes (mean per journey over {w['runs']}; every call of these "
        "layers timed; 'own' = minus the timed calls inside it):\n"
    )
    print("| call | calls | inclusive ms | own ms |\n| --- | --- | --- | --- |")
    for name, (calls, incl, own) in sorted(w["spans"].items(), key=lambda kv: -kv[1][1]):
        if incl < 0.002:
            continue
        print(f"| {name} | {calls:.1f} | {incl * 1000:.0f} | {own * 1000:.0f} |")
    if w.get("not_found"):
        print(f"\n(Calls not found in this version, not timed: {', '.join(w['not_found'])}.)")
    print(f"\nCPU per journey by process group (seconds, mean of {w['runs']}):\n")
    print("| process group | CPU s |\n| --- | --- |")
    for group, seconds in sorted(w["cpu"].items(), key=lambda kv: -kv[1]):
        if seconds >= 0.0005:
            print(f"| {group} | {seconds:.3f} |")
    print(f"| all (the journey's wall time: {w['wall_s']:.3f} s) | {sum(w['cpu'].values()):.3f} |")
    print(
        f"\nPython on the journeys' thread: {w['thread_cpu_s']:.3f} s of CPU per journey (the "
        f"thread's own clock, over {w['profile_runs']} extra journeys under cProfile); hot spots "
        "(cProfile, blocking system calls left out):\n"
    )
    print("| function | own s | cumulative s |\n| --- | --- | --- |")
    for tot, cum, name in w["python_hot"]:
        print(f"| `{name}` | {tot:.4f} | {cum:.4f} |")


def say(name: str, quiet: str = "") -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {name} (load {loadavg()}{quiet})…", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs per median")
    parser.add_argument("--only", help=f"comma-separated measures among: {', '.join(NAMES)}")
    parser.add_argument("--runs", type=int, help="runs per median (floor, warm); default 7")
    parser.add_argument("--per-profile", type=int, default=9, help="LAB_PER_PROFILE (9)")
    parser.add_argument(
        "--educonnect-per-profile",
        type=int,
        default=2,
        help="LAB_EDUCONNECT_PER_PROFILE (2; with 9 per profile: 36 local + 4 ÉduConnect = 40)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help=f"cold runs of each of {', '.join(REPEATED)}, the median kept (3)",
    )
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    args = parser.parse_args(argv)
    only = [n.strip() for n in args.only.split(",")] if args.only else list(NAMES)
    unknown = [n for n in only if n not in NAMES]
    if unknown:
        parser.error(f"unknown measure(s) {', '.join(unknown)}: choose among {', '.join(NAMES)}")
    runs = args.runs or (3 if args.quick else 7)
    if args.repeat < 1:
        parser.error("--repeat must be 1 or more")
    if (ROOT / ".env").exists():
        print("note: a .env exists in the repository; pytest runs will read it", file=sys.stderr)

    began, code = loadavg(), git_state()
    results: dict[str, Any] = {}
    failed: dict[str, str] = {}
    for name in only:
        try:
            if name == "floor":
                say(name)
                results[name] = measure_floor(runs)
            elif name == "warm":
                say(name)
                results[name] = measure_warm(runs, profile_runs=2 if args.quick else 3)
            else:
                times = args.repeat if name in REPEATED else 1
                cold = []
                for _ in range(times):
                    say(name, quiet=f", {settle():.0%} idle")
                    if name == "naive":
                        run = measure_naive(args.per_profile, args.educonnect_per_profile)
                    else:
                        run = measure_pytest(name, args.per_profile, args.educonnect_per_profile)
                    print(f"    {run['wall_s']:.1f} s, {run['outcome']}", file=sys.stderr)
                    cold.append(run)
                results[name] = median_run(cold)
        except Exception as exc:  # one broken measure does not lose the others
            failed[name] = f"{type(exc).__name__}: {exc}"
            print(f"    failed: {failed[name]}", file=sys.stderr)
            continue
        if args.json:  # after each measure, so a crash keeps what was measured
            raw = {k: {f: v for f, v in r.items() if f != "output"} for k, r in results.items()}
            args.json.write_text(json.dumps(raw, indent=1, default=str), encoding="utf-8")
    print_report(results, args, began, code)
    for name, problem in failed.items():
        print(f"\nMeasure {name} failed: {problem}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
