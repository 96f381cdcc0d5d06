"""Settings and targets: what `pytest e2e/` checks (the lab by default), one test per account."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from audit import IdentifiersFile, IdentifiersFileError, parse_identifiers
from e2e.ent_catalogue import CatalogueError
from e2e.network import NetworkSettings, NetworkSettingsError
from e2e.plugins import lab
from e2e.plugins.keys import DISCOVERED, IDENTIFIERS, SETTINGS, TARGETS
from e2e.settings import (
    Settings,
    SettingsError,
    env_file_warning,
    load_settings,
    readable_by_others_warning,
)
from e2e.target import Target, TargetsFileError, target_from_settings, targets_from_file
from e2e.zero_config import DiscoveryFailed, complete, needs_discovery
from verdict.shard import ShardError, parse, select_items


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("verifier", "PRONOTE ENT verifier")
    group.addoption(
        "--probe",
        action="store_true",
        default=False,
        help="HTTP-only probe: same journey and diagnoses, no browser evidence",
    )
    group.addoption(
        "--shard",
        default=None,
        metavar="I/N",
        help="check only part I of N of the establishments (CI jobs; merge with "
        "`python -m verdict merge`)",
    )


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    try:
        settings = load_settings()
        NetworkSettings.of(settings)  # the proxy and CA bundle, checked before anything runs
    except (SettingsError, NetworkSettingsError) as exc:
        raise pytest.UsageError(str(exc)) from None
    config.stash[SETTINGS] = settings
    # Before allure-pytest's own pytest_configure, which registers its listener only when a
    # results folder is set: with no --alluredir, the run's results go beside its summary.
    if not config.option.allure_report_dir:
        config.option.allure_report_dir = str(settings.report_dir / "allure-results")
    controller = not hasattr(config, "workerinput")
    warning = env_file_warning()
    if warning and controller:
        sys.stderr.write(warning + "\n")
    if settings.identifiers_file:
        config.stash[IDENTIFIERS] = _read_identifiers(settings.identifiers_file)
    if settings.uses_lab:
        lab.start_lab(config, settings)  # waited for last: the browser starts meanwhile
        return
    if settings.targets_file:
        try:
            targets = targets_from_file(settings.targets_file, settings)
        except TargetsFileError as exc:
            raise pytest.UsageError(str(exc)) from None
        if controller:
            sys.stdout.write(
                f"Cible : {len(targets)} établissement(s) de {settings.targets_file}\n"
            )
    else:
        if needs_discovery(settings):
            settings = _discover_missing(config, settings, controller)
        targets = [target_from_settings(settings)]
        if controller:
            sys.stdout.write(f"Cible : {targets[0].name} ({targets[0].ent_url})\n")
    set_targets(config, targets)


@pytest.hookimpl(trylast=True, specname="pytest_configure")
def pytest_configure_targets_last(config: pytest.Config) -> None:
    """The lab's establishments, once it is up (it starts while the other plugins configure:
    the journeys' browser launches meanwhile)."""
    if TARGETS not in config.stash:
        set_targets(config, lab.lab_targets(config, config.stash[SETTINGS]))


def _discover_missing(config: pytest.Config, settings: Settings, controller: bool) -> Settings:
    """What the user left unset, from PRONOTE.net and its CAS; said on the console."""
    try:
        done = complete(settings)
    except (DiscoveryFailed, CatalogueError, SettingsError) as exc:
        raise pytest.UsageError(str(exc)) from None
    config.stash[SETTINGS] = done.settings
    config.stash[DISCOVERED] = done.record()
    if controller:
        for key, fact in done.discovered.items():
            sys.stdout.write(f"Découvert : {key} = {fact['value']} [{fact['evidence']}]\n")
        for line in done.contradictions:
            sys.stdout.write(f"Contradiction : {line}\n")
        for line in done.warnings:
            sys.stdout.write(f"Attention (découverte) : {line}\n")
    return done.settings


def set_targets(config: pytest.Config, targets: list[Target]) -> None:
    """The targets this process checks: all, or this shard's (`--shard i/n`)."""
    controller = not hasattr(config, "workerinput")
    shard = config.getoption("--shard")
    if shard:
        try:
            index, total = parse(shard)
        except ShardError as exc:
            raise pytest.UsageError(str(exc)) from None
        targets = select_items(targets, index, total, key=lambda t: t.name)
        if controller:
            sys.stdout.write(f"Part {index}/{total} : {len(targets)} établissement(s)\n")
    if controller:
        files = {a.password_file for t in targets for a in t.accounts if a.password_file}
        for path in sorted(files):
            warning = readable_by_others_warning(path)
            if warning:
                sys.stderr.write(warning + "\n")
    config.stash[TARGETS] = targets


def _read_identifiers(path: Path) -> IdentifiersFile:
    try:
        return parse_identifiers(path.read_bytes(), source=str(path))
    except OSError as exc:
        raise pytest.UsageError(
            f"VERIFIER_IDENTIFIERS_FILE : {path} illisible ({exc.strerror})"
        ) from None
    except IdentifiersFileError as exc:
        raise pytest.UsageError(f"VERIFIER_IDENTIFIERS_FILE : {exc}") from None


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    targets = metafunc.config.stash[TARGETS]
    several = len(targets) > 1
    if "account" in metafunc.fixturenames:
        pairs = [(t, a) for t in targets for a in t.accounts]
        ids = [f"{t.uai}-{a.id}" if several else a.id for t, a in pairs]
        metafunc.parametrize(("target", "account"), pairs, ids=ids)
    elif "target" in metafunc.fixturenames:
        metafunc.parametrize("target", targets, ids=[t.uai for t in targets])


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """pytest-xdist (`-n`): the tests of one target go to one process together, as xdist's
    `loadscope` does with a module, so that each verdict is judged on all the target's
    accounts (the judge's evidence); targets are spread over the processes."""
    if config.getvalue("dist") != "load":
        return None
    from xdist.scheduler import LoadScopeScheduling

    uais = [t.uai for t in config.stash[TARGETS]]

    class ByTarget(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            first = nodeid.partition("[")[2].split("-", 1)[0].rstrip("]")
            if first in uais:
                return first
            return uais[0] if len(uais) == 1 else nodeid

    return ByTarget(config, log)


@pytest.fixture(scope="session")
def settings(pytestconfig: pytest.Config) -> Settings:
    return pytestconfig.stash[SETTINGS]


@pytest.fixture(scope="session")
def targets(pytestconfig: pytest.Config) -> list[Target]:
    return pytestconfig.stash[TARGETS]


@pytest.fixture(scope="session")
def identifiers_file(pytestconfig: pytest.Config) -> IdentifiersFile | None:
    """PRONOTE's identifiers export named by VERIFIER_IDENTIFIERS_FILE, parsed once."""
    return pytestconfig.stash.get(IDENTIFIERS, None)


def probe_mode(config: pytest.Config) -> bool:
    return bool(config.getoption("--probe")) or config.stash[SETTINGS].mode == "probe"


@pytest.fixture(scope="session")
def probe(pytestconfig: pytest.Config) -> bool:
    """True for the HTTP-only probe (`--probe`): no browser starts."""
    return probe_mode(pytestconfig)
