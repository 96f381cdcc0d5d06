"""Direct authentication (seed II.7): the direct URL shows PRONOTE's own login form."""

from __future__ import annotations

import allure
import pytest

from e2e.runner import BrowserUnavailable, JourneyRunner
from e2e.target import Target


def test_direct_authentication(target: Target, probe: bool, journeys: JourneyRunner) -> None:
    allure.dynamic.title("Authentification directe : formulaire PRONOTE")
    allure.dynamic.parent_suite(target.name)
    allure.dynamic.suite("Authentification directe")
    if not target.pronote_direct_url:
        pytest.skip(
            "VERIFIER_PRONOTE_DIRECT_URL non configurée : authentification directe non attendue"
        )
    if probe:
        pytest.skip("sonde HTTP : pas de navigateur pour ce contrôle")
    with allure.step("Ouverture de l'URL d'authentification directe"):
        try:
            shown, detail, image = journeys.call(journeys.direct_login_form(target))
        except BrowserUnavailable as exc:
            pytest.fail(str(exc), pytrace=False)
        if image:
            allure.attach(
                image, name="Authentification directe", attachment_type=allure.attachment_type.JPG
            )
    assert shown, (
        "PRONOTE n'affiche pas son propre formulaire de connexion sur l'URL d'authentification "
        f"directe (procédure II.7) : {detail}"
    )
