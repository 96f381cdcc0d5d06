"""First connection: ENT → Pronote shortcut → PRONOTE space, and no PRONOTE identifier asked."""

from __future__ import annotations

import allure
import pytest

from e2e.http_journey import ProbeJourney
from e2e.journey import BrowserJourney
from e2e.preflight import Preflight
from e2e.settings import Account
from e2e.target import Target
from verdict.diagnoses import RunContext, check_identifiers_file, diagnose, message
from verdict.identifiers import IdentifiersFile
from verdict.record import AccountResult, RunRecorder


def test_first_connection(
    target: Target,
    account: Account,
    preflight: Preflight,
    journey: BrowserJourney | ProbeJourney,
    run_context: RunContext,
    recorder: RunRecorder,
    identifiers_file: IdentifiersFile | None,
) -> None:
    allure.dynamic.title(f"Première connexion sans identifiant PRONOTE : {account.id}")
    allure.dynamic.parent_suite(target.name)
    allure.dynamic.suite(account.profile)
    allure.dynamic.label("establishment", target.name)
    allure.dynamic.label("profile", account.profile)
    allure.dynamic.tag(account.profile)
    result = AccountResult(
        target=target.name, account=account.login, profile=account.profile, outcome="skipped"
    )
    hard = preflight.hard_failure
    if hard is not None:
        verdict = diagnose(hard.as_observation(target, account), target=target)
        result.diagnosis = verdict.diagnosis.code if verdict.diagnosis else None
        result.message = message(verdict)
        recorder.add(result)
        allure.dynamic.label("diagnosis", result.diagnosis or "")
        pytest.skip(f"Vérifications préalables en échec : {result.message}")

    obs = journey.run(target, account)
    run_context.add(obs)
    verdict = diagnose(obs, target=target, context=run_context)
    if identifiers_file is not None:
        with allure.step("Recherche du compte dans le fichier des identifiants PRONOTE"):
            verdict, row = check_identifiers_file(
                verdict, obs, target, account.display_name, identifiers_file
            )
            found = f"ligne {row.line_no} ({row.profile})" if row else "absent du fichier"
            allure.attach(
                found, name="Fichier des identifiants", attachment_type=allure.attachment_type.TEXT
            )
    validation = obs.cas_validation
    result.outcome = verdict.outcome
    result.diagnosis = verdict.diagnosis.code if verdict.diagnosis else None
    result.warnings = [w.code for w in verdict.warnings] + obs.warnings
    result.cas_user = validation.user if validation and validation.ok else None
    result.identifier_released = (
        target.identifier_attribute in validation.attributes
        if validation and validation.ok
        else None
    )
    result.timings = obs.timings
    result.mode = obs.mode
    if obs.mode == "probe":
        allure.dynamic.label("mode", "sonde HTTP (pas de preuve navigateur)")
        allure.dynamic.title(f"Sonde HTTP (sans navigateur) : {account.id}")
    result.final_url = obs.final_url
    result.message = message(verdict) if verdict.outcome != "passed" else ""
    recorder.add(result)

    allure.dynamic.parameter("URL finale", obs.final_url or "")
    allure.attach(
        "\n".join(f"{step} : {seconds:.2f} s" for step, seconds in obs.timings.items()),
        name="Durées par étape",
        attachment_type=allure.attachment_type.TEXT,
    )
    for warning in result.warnings:
        allure.dynamic.label("warning", warning)
    if result.diagnosis:
        allure.dynamic.label("diagnosis", result.diagnosis)
    if verdict.outcome != "passed":
        pytest.fail(message(verdict), pytrace=False)
