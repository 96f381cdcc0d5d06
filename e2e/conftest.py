"""`pytest e2e/`: settings, the target (the lab by default), the browser, and the run's records."""

from __future__ import annotations

import contextlib
import os
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest

from e2e.http_journey import ProbeJourney
from e2e.journey import BrowserJourney
from e2e.preflight import Preflight, run_preflight
from e2e.settings import Settings, SettingsError, env_file_warning, load_settings
from e2e.target import (
    Target,
    TargetsFileError,
    target_from_settings,
    targets_from_file,
    targets_from_lab,
)
from verdict.diagnoses import CATALOGUE, RunContext
from verdict.identifiers import IdentifiersFile, IdentifiersFileError, parse_identifiers
from verdict.record import AccountResult, RunRecorder, write_categories, write_environment
from verdict.secrets import scrub_paths

DEBIAN_CHROMIUM = ("/usr/lib/chromium/chromium", "/usr/bin/chromium")


# -- configuration, before any browser ---------------------------------------
@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    try:
        settings = load_settings()
    except SettingsError as exc:
        raise pytest.UsageError(str(exc)) from None
    config.stash[SETTINGS] = settings
    warning = env_file_warning()
    if warning and not hasattr(config, "workerinput"):
        sys.stderr.write(warning + "\n")
    stack = contextlib.ExitStack()
    config.stash[EXIT] = stack
    if settings.uses_lab:
        info = getattr(config, "workerinput", {}).get("lab_info")
        if info is None:
            from lab.client import LabError, running_lab

            faults = settings.lab_fault_list()
            try:
                lab = stack.enter_context(
                    running_lab(
                        faults=faults,
                        establishments=settings.lab_establishments,
                        per_profile=settings.lab_per_profile,
                    )
                )
            except (LabError, ValueError) as exc:
                raise pytest.UsageError(f"Le lab n'a pas pu démarrer : {exc}") from None
            info = lab.info
            config.stash[LAB] = lab
            faults_text = ", ".join(faults) if faults else "aucune"
            sys.stdout.write(
                f"Cible : le lab (ENT de démonstration local, {info['ent']}) — "
                f"aucune VERIFIER_ENT_URL configurée ; pannes simulées : {faults_text}\n"
            )
        config.stash[LAB_INFO] = info
        targets = targets_from_lab(info, settings)
    elif settings.targets_file:
        try:
            targets = targets_from_file(settings.targets_file, settings)
        except TargetsFileError as exc:
            raise pytest.UsageError(str(exc)) from None
        if not hasattr(config, "workerinput"):
            sys.stdout.write(
                f"Cible : {len(targets)} établissement(s) de {settings.targets_file}\n"
            )
    else:
        targets = [target_from_settings(settings)]
        if not hasattr(config, "workerinput"):
            sys.stdout.write(f"Cible : {targets[0].name} ({targets[0].ent_url})\n")
    config.stash[TARGETS] = targets
    if settings.identifiers_file:
        config.stash[IDENTIFIERS] = _read_identifiers(settings.identifiers_file)
    results = settings.report_dir / "allure-results"
    if not config.option.allure_report_dir:
        config.option.allure_report_dir = str(results)
    config.stash[RECORDER] = RunRecorder(settings.report_dir)


def _read_identifiers(path: Path) -> IdentifiersFile:
    try:
        return parse_identifiers(path.read_bytes(), source=str(path))
    except OSError as exc:
        raise pytest.UsageError(
            f"VERIFIER_IDENTIFIERS_FILE : {path} illisible ({exc.strerror})"
        ) from None
    except IdentifiersFileError as exc:
        raise pytest.UsageError(f"VERIFIER_IDENTIFIERS_FILE : {exc}") from None


def pytest_configure_node(node: Any) -> None:
    """pytest-xdist: workers share the controller's lab instead of starting their own."""
    info = node.config.stash.get(LAB_INFO, None)
    if info is not None:
        node.workerinput["lab_info"] = info


def pytest_testnodedown(node: Any, error: Any) -> None:
    """pytest-xdist: gather each worker's account results into the controller's records."""
    recorder = node.config.stash.get(RECORDER, None)
    for result in getattr(node, "workeroutput", {}).get("results", []):
        if recorder is not None:
            recorder.add(AccountResult(**result))


def pytest_unconfigure(config: pytest.Config) -> None:
    stack = config.stash.get(EXIT, None)
    if stack is not None:
        stack.close()


SETTINGS = pytest.StashKey[Settings]()
TARGETS = pytest.StashKey[list[Target]]()
LAB = pytest.StashKey[Any]()
LAB_INFO = pytest.StashKey[dict]()
EXIT = pytest.StashKey[contextlib.ExitStack]()
RECORDER = pytest.StashKey[RunRecorder]()
LEAKS = pytest.StashKey[list[str]]()
IDENTIFIERS = pytest.StashKey[IdentifiersFile]()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    targets = metafunc.config.stash[TARGETS]
    several = len(targets) > 1
    if "account" in metafunc.fixturenames:
        pairs = [(t, a) for t in targets for a in t.accounts]
        ids = [f"{t.name.split()[0]}-{a.id}" if several else a.id for t, a in pairs]
        metafunc.parametrize(("target", "account"), pairs, ids=ids)
    elif "target" in metafunc.fixturenames:
        metafunc.parametrize("target", targets, ids=[t.name.split()[0] for t in targets])


# -- fixtures ------------------------------------------------------------------
@pytest.fixture(scope="session")
def settings(pytestconfig: pytest.Config) -> Settings:
    return pytestconfig.stash[SETTINGS]


@pytest.fixture(scope="session")
def identifiers_file(pytestconfig: pytest.Config) -> IdentifiersFile | None:
    """PRONOTE's identifiers export named by VERIFIER_IDENTIFIERS_FILE, parsed once."""
    return pytestconfig.stash.get(IDENTIFIERS, None)


@pytest.fixture(scope="session")
def recorder(pytestconfig: pytest.Config) -> RunRecorder:
    return pytestconfig.stash[RECORDER]


@pytest.fixture(scope="session")
def preflights() -> dict[str, Preflight]:
    """Preflight of each target, run once per session (plain HTTP)."""
    return {}


@pytest.fixture
def preflight(target: Target, preflights: dict[str, Preflight], settings: Settings) -> Preflight:
    if target.name not in preflights:
        preflights[target.name] = run_preflight(
            target, timeout_s=settings.timeout_s, retries=settings.retries
        )
    return preflights[target.name]


@pytest.fixture(scope="session")
def run_context(settings: Settings) -> RunContext:
    """Facts gathered across the accounts of this run (e.g. who got the identifier)."""
    return RunContext(slow_hop_s=settings.slow_hop_s)


@pytest.fixture
def journey(
    request: pytest.FixtureRequest, settings: Settings, pytestconfig: pytest.Config
) -> BrowserJourney | ProbeJourney:
    """The browser journey, or the HTTP probe with `--probe` (then no browser starts at all)."""
    if probe_mode(pytestconfig):
        return ProbeJourney(settings.timeout_s, settings.retries)
    return BrowserJourney(
        request.getfixturevalue("browser"),
        request.getfixturevalue("new_context"),
        request.getfixturevalue("browser_context_args"),
        settings,
    )


def probe_mode(config: pytest.Config) -> bool:
    return bool(config.getoption("--probe")) or config.stash[SETTINGS].mode == "probe"


@pytest.fixture(scope="session")
def probe(pytestconfig: pytest.Config) -> bool:
    """True for the HTTP-only probe (`--probe`): no browser starts."""
    return probe_mode(pytestconfig)


@pytest.fixture(scope="session")
def browser(launch_browser: Any, settings: Settings) -> Any:
    """pytest-playwright's browser, with a clear message when it cannot start or be reached."""
    from playwright.sync_api import Error as PlaywrightError

    try:
        launched = launch_browser()
        problem = None
    except PlaywrightError as exc:
        problem = next((line for line in str(exc).splitlines() if line.strip()), "")
    if problem is not None:
        where = (
            f"le serveur de navigateur {settings.browser_ws_endpoint} (VERIFIER_BROWSER_WS_ENDPOINT)"
            if settings.browser_ws_endpoint
            else "Chromium (VERIFIER_BROWSER_EXECUTABLE, ou `playwright install chromium`)"
        )
        pytest.fail(
            f"Navigateur indisponible : impossible de joindre {where} — {problem}", pytrace=False
        )
    yield launched
    launched.close()


@pytest.fixture(scope="session")
def connect_options(settings: Settings) -> dict | None:
    """A remote Playwright browser server (launch-server, run-server or a grid) when set."""
    if settings.browser_ws_endpoint:
        return {"endpoint": settings.browser_ws_endpoint, "timeout": settings.timeout_s * 1000}
    return None


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("verifier", "PRONOTE ENT verifier")
    group.addoption(
        "--probe",
        action="store_true",
        default=False,
        help="HTTP-only probe: same journey and diagnoses, no browser evidence",
    )


@pytest.fixture(scope="session")
def browser_type_launch_args(
    browser_type_launch_args: dict, settings: Settings, browser_name: str, playwright: Any
) -> dict:
    """Playwright's own Chromium when installed, else Debian's; headless from settings."""
    args = {**browser_type_launch_args}
    if "headless" not in args or args["headless"] is True:
        args["headless"] = settings.headless
    if browser_name != "chromium" or args.get("executable_path") or args.get("channel"):
        return args
    if settings.browser_ws_endpoint:  # the remote server has its own browser
        return args
    if settings.browser_executable:
        if not settings.browser_executable.exists():
            pytest.exit(
                f"VERIFIER_BROWSER_EXECUTABLE : {settings.browser_executable} n'existe pas.",
                returncode=4,
            )
        args["executable_path"] = str(settings.browser_executable)
        return args
    if Path(playwright.chromium.executable_path).exists():
        return args
    for candidate in DEBIAN_CHROMIUM:
        if os.access(candidate, os.X_OK):
            args["executable_path"] = candidate
            return args
    pytest.exit(
        "Aucun navigateur Chromium trouvé. Installez-le : `playwright install chromium` "
        "(ou, sous Debian/Ubuntu, `apt-get install chromium`), ou indiquez son chemin dans "
        "VERIFIER_BROWSER_EXECUTABLE.",
        returncode=4,
    )


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict, settings: Settings) -> dict:
    return {
        **browser_context_args,
        "locale": "fr-FR",
        "timezone_id": "Europe/Paris",
        "viewport": {"width": 1280, "height": 800},
        "ignore_https_errors": settings.insecure_tls,
    }


# -- the run's records ---------------------------------------------------------
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
    for target in config.stash[TARGETS]:
        prefix = "" if len(config.stash[TARGETS]) == 1 else f"{target.name.split()[0]}."
        env.update({f"{prefix}{k}": v for k, v in target.urls().items()})
    env["cible"] = "lab" if settings.uses_lab else "réelle"
    if settings.insecure_tls:
        env["tls"] = "certificat non vérifié (VERIFIER_INSECURE_TLS)"
    write_environment(results, env)
    write_categories(results, CATALOGUE)
    _scrub(session, settings, results)


def _scrub(session: pytest.Session, settings: Settings, results: Path) -> None:
    """Second line of defence: no password in anything the run wrote, or the run fails."""
    passwords = [
        a.password for t in session.config.stash[TARGETS] for a in t.accounts if a.password
    ]
    folders = [settings.report_dir, results, Path(session.config.getoption("--output"))]
    hits = scrub_paths([f for f in dict.fromkeys(folders) if f.exists()], passwords)
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
