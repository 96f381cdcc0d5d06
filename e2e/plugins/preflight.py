"""The preflight of each target, plain HTTP, run once per session before its accounts."""

from __future__ import annotations

import httpx
import pytest

from e2e.network import httpx_client_kwargs
from e2e.plugins.keys import PREFLIGHTS
from e2e.preflight import TITLES, Preflight, run_preflight
from e2e.runner import JourneyRunner
from e2e.settings import Settings
from e2e.target import Target


@pytest.fixture(scope="session")
def preflights() -> dict[str, Preflight]:
    return {}


@pytest.fixture
def preflight(
    request: pytest.FixtureRequest,
    target: Target,
    preflights: dict[str, Preflight],
    settings: Settings,
    journeys: JourneyRunner,
) -> Preflight:
    if target.name not in preflights:

        async def run() -> Preflight:
            async with httpx.AsyncClient(
                **httpx_client_kwargs(settings, insecure_tls=target.insecure_tls),
                follow_redirects=False,
                timeout=settings.timeout_s,
            ) as http:
                return await run_preflight(
                    target, http, wording=settings.wording, retries=settings.retries
                )

        preflights[target.name] = journeys.call(run())
        request.config.stash[PREFLIGHTS][target.name] = [
            {"name": c.name, "title": TITLES[c.name], "ok": c.ok, "detail": c.detail}
            for c in preflights[target.name].checks.values()
        ]
    return preflights[target.name]
