"""The preflight of each target, plain HTTP, run once per session before its accounts."""

from __future__ import annotations

import pytest

from e2e.plugins.journeys import upcoming
from e2e.plugins.keys import PREFLIGHTS
from e2e.preflight import TITLES, Preflight
from e2e.runner import JourneyRunner
from e2e.target import Target


@pytest.fixture(scope="session")
def preflights() -> dict[str, Preflight]:
    return {}


@pytest.fixture
def preflight(
    request: pytest.FixtureRequest,
    target: Target,
    preflights: dict[str, Preflight],
    journeys: JourneyRunner,
) -> Preflight:
    """The target's preflight: the one its journeys waited for (the runner runs it once)."""
    if target.name not in preflights:
        # Every target this process has yet to check starts now: establishments wait on their
        # own hosts at once, each host bounded (`SharedHosts`), not one establishment at a time.
        journeys.start_preflights(
            spec.params["target"]
            for item in upcoming(request.node)
            if (spec := getattr(item, "callspec", None)) is not None and "target" in spec.params
        )
        preflights[target.name] = journeys.call(journeys.preflight(target))
        request.config.stash[PREFLIGHTS][target.name] = [
            {"name": c.name, "title": TITLES[c.name], "ok": c.ok, "detail": c.detail}
            for c in preflights[target.name].checks.values()
        ]
    return preflights[target.name]
