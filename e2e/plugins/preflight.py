"""The preflight of each target, plain HTTP, run once per session before its accounts."""

from __future__ import annotations

import pytest

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
        preflights[target.name] = journeys.call(journeys.preflight(target))
        request.config.stash[PREFLIGHTS][target.name] = [
            {"name": c.name, "title": TITLES[c.name], "ok": c.ok, "detail": c.detail}
            for c in preflights[target.name].checks.values()
        ]
    return preflights[target.name]
