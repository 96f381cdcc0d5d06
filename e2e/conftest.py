"""`pytest e2e/`: its plugins, one job each (`e2e/plugins/`), registered here.

- `targets`: settings, the targets (the lab by default), one test per account, `--shard`;
- `lab`: the lab, started once by the controller and shared with xdist workers;
- `journeys`: the journeys, concurrent in one browser, and pytest-playwright's artifacts;
- `preflight`: the plain-HTTP checks before any browser;
- `records`: summary.json, Allure environment and categories, console, secrets scan;
- `progress`: done/total, failures by code, rate and time left, as the run goes;
- `survival`: each account journaled as judged, SIGTERM as Ctrl-C, `--resume`.
"""

from __future__ import annotations

import pytest

from e2e.plugins import journeys, lab, preflight, progress, records, survival, targets

PLUGINS = (targets, lab, journeys, preflight, records, progress, survival)


def pytest_addoption(parser: pytest.Parser, pluginmanager: pytest.PytestPluginManager) -> None:
    for plugin in PLUGINS:
        if not pluginmanager.is_registered(plugin):
            pluginmanager.register(plugin, f"verifier-{plugin.__name__.rsplit('.', 1)[-1]}")
