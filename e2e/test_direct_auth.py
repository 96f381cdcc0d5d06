"""Direct authentication (seed II.7): the direct URL shows PRONOTE's own login form."""

from __future__ import annotations

import allure
import pytest
from playwright.sync_api import Page, expect

from e2e.settings import Settings
from e2e.target import Target
from pages.pronote import PronoteDirectLoginPage


def test_direct_authentication(
    target: Target, settings: Settings, probe: bool, request: pytest.FixtureRequest
) -> None:
    allure.dynamic.title("Authentification directe : formulaire PRONOTE")
    allure.dynamic.parent_suite(target.name)
    allure.dynamic.suite("Authentification directe")
    if not target.pronote_direct_url:
        pytest.skip(
            "VERIFIER_PRONOTE_DIRECT_URL non configurée : authentification directe non attendue"
        )
    if probe:
        pytest.skip("sonde HTTP : pas de navigateur pour ce contrôle")
    page: Page = request.getfixturevalue("page")
    direct = PronoteDirectLoginPage(page, settings.locators)
    with allure.step("Ouverture de l'URL d'authentification directe"):
        direct.open(target.pronote_direct_url, settings.timeout_s * 1000)
        allure.attach(
            page.screenshot(),
            name="Authentification directe",
            attachment_type=allure.attachment_type.PNG,
        )
    expect(
        direct.password_field,
        "PRONOTE n'affiche pas son propre formulaire de connexion "
        "sur l'URL d'authentification directe (procédure II.7)",
    ).to_be_visible(timeout=settings.timeout_s * 1000)
    expect(direct.login_field).to_be_visible()
