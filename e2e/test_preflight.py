"""Preflight, plain HTTP: ENT, CAS and PRONOTE.net reachable and pointing at each other."""

from __future__ import annotations

import allure
import pytest

from e2e.preflight import CHECKS, TITLES, Preflight


@pytest.mark.parametrize("check", CHECKS)
def test_preflight(check: str, preflight: Preflight) -> None:
    allure.dynamic.title(TITLES[check])
    allure.dynamic.parent_suite(preflight.target)
    allure.dynamic.suite("Vérifications préalables (HTTP)")
    result = preflight.checks.get(check)
    if result is None or result.ok is None:
        pytest.skip(f"{TITLES[check]} : {result.detail if result else 'non applicable'}")
    allure.attach(result.detail, name="Constaté", attachment_type=allure.attachment_type.TEXT)
    assert result.ok, f"{TITLES[check]} : échec — {result.detail}"
