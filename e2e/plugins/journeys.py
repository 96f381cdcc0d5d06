"""The journeys: one runner per pytest process drives them concurrently in one browser.

Each test asks for its own account's journey (`journey` fixture); the first one hands
the runner every journey this process will run, so they overlap, and each test then
waits only for its own. pytest-playwright's options keep their meaning: `--headed`,
`--browser-channel`, `--slowmo`, `--tracing`, `--video`, `--screenshot`, `--output`
(artifacts in one folder per test, as pytest-playwright names them).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from slugify import slugify

from audit import IdentifiersFile
from e2e.browser_driver import Recording
from e2e.journey import JourneyResult
from e2e.login_gate import LoginGate
from e2e.network import NetworkSettingsError
from e2e.plugins.keys import DISCOVERED, LEARNT, RUN_FOLDER, RUNNER, SETTINGS
from e2e.plugins.targets import probe_mode
from e2e.preflight import Preflight
from e2e.runner import BrowserUnavailable, Job, JourneyRunner, LaunchOptions, launch_options
from e2e.settings import Account, Settings
from e2e.target import Target
from e2e.video import ensure_ffmpeg
from e2e.zero_config import learn
from verdict.judge import Evidence
from verdict.learn import seen


@pytest.fixture(scope="session")
def browser_context_args(settings: Settings) -> dict[str, Any]:
    """Options of every journey's browser context; override this fixture to change them."""
    return {
        "locale": "fr-FR",
        "timezone_id": "Europe/Paris",
        "viewport": {"width": 1280, "height": 800},
    }


def pytest_configure(config: pytest.Config) -> None:
    """Start the browser now, while the lab starts (the targets plugin waits for it last)."""
    if config.option.collectonly or probe_mode(config) or _xdist_controller(config):
        return
    with contextlib.suppress(NetworkSettingsError):  # said by the `journeys` fixture
        options = launch_options(config.stash[SETTINGS], config, _workdir(config))
        runner(config, options).start_browser()


def _xdist_controller(config: pytest.Config) -> bool:
    """pytest-xdist's controller runs no test: its workers start their own browsers."""
    return bool(getattr(config.option, "numprocesses", None)) and not hasattr(config, "workerinput")


def _workdir(config: pytest.Config) -> Path:
    """A folder for the browser's files (an NSS database for a CA bundle), removed at the end."""
    workdir = Path(tempfile.mkdtemp(prefix="verifier-browser-"))
    config.add_cleanup(lambda: shutil.rmtree(workdir, ignore_errors=True))
    return workdir


def run_folder(config: pytest.Config) -> Path:
    """What the processes of one run share: the login gate's state (`e2e/login_gate.py`) and
    the stop SIGTERM asks for (`e2e/plugins/survival.py`). Made by the controller, handed to
    every xdist worker, removed when the run ends."""
    given = getattr(config, "workerinput", {}).get("run_folder")
    if given:
        return Path(given)
    if RUN_FOLDER not in config.stash:
        folder = tempfile.mkdtemp(prefix="pronote-run-")
        config.stash[RUN_FOLDER] = folder
        config.add_cleanup(lambda: shutil.rmtree(folder, ignore_errors=True))
    return Path(config.stash[RUN_FOLDER])


def pytest_configure_node(node: Any) -> None:
    """pytest-xdist: every worker shares the controller's run folder."""
    node.workerinput["run_folder"] = str(run_folder(node.config))


def runner(config: pytest.Config, launch: LaunchOptions) -> JourneyRunner:
    """This process's runner (made once), closed when pytest ends at the latest."""
    if RUNNER not in config.stash:
        settings = config.stash[SETTINGS]
        gate = LoginGate(run_folder(config), settings.logins_per_minute)
        config.stash[RUNNER] = JourneyRunner(
            settings, probe=probe_mode(config), launch=launch, context_args={}, gate=gate
        )
        config.add_cleanup(config.stash[RUNNER].close)
    return config.stash[RUNNER]


@pytest.fixture(scope="session")
def journeys(
    request: pytest.FixtureRequest,
    pytestconfig: pytest.Config,
    settings: Settings,
    browser_context_args: dict[str, Any],
) -> Any:
    """The runner of this process's journeys (no browser starts in probe mode); the journeys
    of the account tests this process will run start now, before the first such test."""
    if pytestconfig.getoption("--video", "off") != "off" and not probe_mode(pytestconfig):
        problem = ensure_ffmpeg()
        if problem:
            pytest.exit(problem, returncode=4)
    journeys = pytestconfig.stash.get(RUNNER, None) or runner(
        pytestconfig, launch(settings, pytestconfig, _workdir(pytestconfig))
    )
    journeys.context_args = browser_context_args
    if not hasattr(pytestconfig, "workerinput"):  # a worker's queue is known test by test
        submit_upcoming(request.session.items, pytestconfig, journeys)
    yield journeys
    journeys.close_soon()  # waited for when pytest ends (the runner's cleanup)


def launch(settings: Settings, config: pytest.Config, workdir: Path) -> LaunchOptions:
    try:
        return launch_options(settings, config, workdir)
    except NetworkSettingsError as exc:
        pytest.exit(str(exc), returncode=4)


def output_folder(config: pytest.Config, nodeid: str) -> Path:
    """pytest-playwright's artifact folder for a test: `--output`/<slugified node id>."""
    name = slugify(nodeid)
    if len(name) >= 256:
        import hashlib

        name = f"{name[:100]}-{hashlib.sha256(name.encode()).hexdigest()[:7]}-{name[-100:]}"
    return Path(config.getoption("--output")).absolute() / name


def _recording(config: pytest.Config, nodeid: str) -> Recording:
    tracing = config.getoption("--tracing", "off") != "off"
    video = config.getoption("--video", "off") != "off"
    folder = output_folder(config, nodeid) if (tracing or video) else None
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
    return Recording(tracing=tracing, video=video, folder=folder)


def upcoming(item: pytest.Item) -> list[pytest.Item]:
    """The tests this process will run from *item* on (all, or xdist's queue)."""
    session = item.session
    worker = next((p for p in item.config.pluginmanager.get_plugins() if hasattr(p, "torun")), None)
    if worker is None:
        index = session.items.index(item)
        return session.items[index:]
    with contextlib.suppress(Exception), worker.torun.lock() as queue:
        indices = [i for i in queue if isinstance(i, int)]
        return [item, *(session.items[i] for i in indices)]
    return [item]


def submit_upcoming(items: list[pytest.Item], config: pytest.Config, runner: JourneyRunner) -> None:
    """Queue the journeys of *items*' account tests, the longest first (ÉduConnect: a WAYF,
    the IdP's pages and two SAML posts more), so that no long journey runs alone at the end
    while the other slots stay empty. Tests still take their results in pytest's order.
    Journeys already queued are skipped before their job is made (its recording folder)."""
    with_specs = [(item, getattr(item, "callspec", None)) for item in items]
    jobs = [
        (i, spec)
        for i, spec in with_specs
        if spec is not None and "account" in spec.params and i.nodeid not in runner.futures
    ]
    jobs.sort(key=lambda job: job[1].params["account"].route != "educonnect")
    for item, spec in jobs:
        runner.submit(
            item.nodeid,
            Job(spec.params["target"], spec.params["account"], _recording(config, item.nodeid)),
        )


def queue_rest(request: pytest.FixtureRequest, journeys: JourneyRunner) -> None:
    """On an xdist worker, queue the journeys of the tests it has been handed since (its queue
    grows test by test). A single process queued the whole session when its runner started:
    going over the rest of the session again at every test would cost an académie's night
    (7,200 tests) some 26 million item checks."""
    if hasattr(request.config, "workerinput"):
        submit_upcoming(upcoming(request.node), request.config, journeys)


@pytest.fixture(scope="session")
def evidences() -> dict[str, Evidence]:
    """Each target's evidence, gathered once."""
    return {}


@pytest.fixture
def evidence(
    request: pytest.FixtureRequest,
    journeys: JourneyRunner,
    target: Target,
    settings: Settings,
    preflight: Preflight,
    identifiers_file: IdentifiersFile | None,
    evidences: dict[str, Evidence],
) -> Evidence:
    """What the judge knows of this account's target: every journey of the target this process
    runs, once all have ended (so no verdict depends on which ended first), the identifiers
    file, what the preflight read, and in a zero-configuration run what the target's good
    logins teach (learnt here, once: the judge reads the identifier attribute learnt)."""
    if target.name not in evidences:
        queue_rest(request, journeys)
        observations = tuple(r.obs for r in journeys.results_of(target))
        learnt = None
        if DISCOVERED in request.config.stash and not target.is_lab:
            codes = (
                {row.pronote_id for row in identifiers_file.rows()} if identifiers_file else None
            )
            logins = [seen(obs) for obs in observations]
            learning = learn(settings, logins, target.pronote_hosts, codes)
            request.config.stash.setdefault(LEARNT, {})[target.name] = learning.record()
            learnt = learning.discovered.get("identifier_attribute", {}).get("value")
        evidences[target.name] = Evidence(
            observations=observations,
            identifier_attribute=learnt,
            identifiers=identifiers_file,
            names={a.login: a.display_name for a in target.accounts if a.display_name},
            pronote_cas_active=preflight.cas_active,
            wording=target.wording,
            slow_hop_s=settings.slow_hop_s,
        )
    return evidences[target.name]


@pytest.fixture
def journey(
    request: pytest.FixtureRequest, journeys: JourneyRunner, target: Target, account: Account
) -> Iterator[JourneyResult]:
    """This account's journey, driven (with the others) by the runner; waits for its end."""
    queue_rest(request, journeys)
    try:
        result = journeys.result(request.node.nodeid)
    except BrowserUnavailable as exc:
        pytest.fail(str(exc), pytrace=False)
    yield result
    # Judged and reported: its screenshots are on disk and in the report. The run keeps only
    # what other verdicts read (the observation), or an académie's night would hold every
    # account's images until the end.
    result.drop_images()


def keep_artifacts(
    config: pytest.Config, nodeid: str, result: JourneyResult, failed: bool
) -> list[Path]:
    """pytest-playwright's artifact policy: keep traces and videos `on`, or on failure only."""
    folder = output_folder(config, nodeid)
    kept: list[Path] = []
    for option, paths in (
        ("--tracing", [folder / "trace.zip"]),
        ("--video", list(result.videos)),
    ):
        mode = config.getoption(option, "off")
        for n, path in enumerate(p for p in paths if p.exists()):
            if mode == "on" or (mode == "retain-on-failure" and failed):
                if option == "--video":
                    target = folder / f"video{'-' + str(n + 1) if n else ''}.webm"
                    shutil.move(path, target)
                    path = target
                kept.append(path)
            else:
                path.unlink(missing_ok=True)
    screenshot = config.getoption("--screenshot", "off")
    shots = [png for step in result.steps for _, png in step.screenshots]
    if shots and (screenshot == "on" or (screenshot == "only-on-failure" and failed)):
        folder.mkdir(parents=True, exist_ok=True)
        name = "test-failed-1.jpeg" if failed else "test-finished-1.jpeg"
        (folder / name).write_bytes(shots[-1])
        kept.append(folder / name)
    if folder.exists() and not any(folder.iterdir()):
        with contextlib.suppress(OSError):
            os.rmdir(folder)
    return kept
