"""First connection: ENT → Pronote shortcut → PRONOTE space, and no PRONOTE identifier asked."""

from __future__ import annotations

import allure
import pytest

from e2e.evidence import attach_journey, keep_screenshots
from e2e.journey import JourneyResult
from e2e.plugins.journeys import keep_artifacts
from e2e.preflight import Preflight
from e2e.settings import Account, Settings
from e2e.target import Target
from verdict.judge import Evidence, judge, message
from verdict.record import (
    AccountResult,
    RunRecorder,
    logins_stopped,
    not_verified_message,
    preflight_stopped,
)
from verdict.report_view import present_account, show_diagnosis


def test_first_connection(
    request: pytest.FixtureRequest,
    target: Target,
    account: Account,
    settings: Settings,
    preflight: Preflight,
    recorder: RunRecorder,
) -> None:
    allure.dynamic.title(f"Première connexion sans identifiant PRONOTE : {account.id}")
    present_account(target.name, account.login, account.profile)
    allure.dynamic.label("establishment", target.name)
    hard = preflight.hard_failure
    evidence: Evidence = request.getfixturevalue("evidence")
    if hard is not None:
        verdict = judge(hard.as_observation(target, account), target, evidence)
        reason = preflight_stopped(verdict.code)
        recorder.add(
            AccountResult.from_verdict(
                target, account.login, account.profile, verdict, skipped=True, reason=reason
            )
        )
        allure.dynamic.label("diagnosis", verdict.code or "")
        pytest.skip(not_verified_message(reason, message(verdict)))

    result: JourneyResult = request.getfixturevalue("journey")
    verdict = judge(result.obs, target, evidence)
    if result.obs.not_tried:
        # Logins to this target stopped earlier in the run: "non vérifié", not failed.
        reason = logins_stopped(verdict.code, result.obs.not_tried)
        recorder.add(
            AccountResult.from_verdict(
                target, account.login, account.profile, verdict, skipped=True, reason=reason
            )
        )
        allure.dynamic.label("diagnosis", verdict.code or "")
        pytest.skip(not_verified_message(reason, message(verdict)))
    if verdict.file_checked:
        with allure.step("Recherche du compte dans le fichier des identifiants PRONOTE"):
            row = verdict.file_row
            found = f"ligne {row.line_no} ({row.profile})" if row else "absent du fichier"
            allure.attach(
                found, name="Fichier des identifiants", attachment_type=allure.attachment_type.TEXT
            )
    record = AccountResult.from_verdict(target, account.login, account.profile, verdict)
    record.steps = keep_screenshots(result, settings.report_dir, request.node.nodeid)
    recorder.add(record)
    kept = keep_artifacts(request.config, request.node.nodeid, result, verdict.outcome != "passed")
    attach_journey(result, kept, evidence.attribute(target), verdict.identifier_released)
    if verdict.diagnosis is not None:
        show_diagnosis(verdict.diagnosis, verdict.details)
    if record.mode == "probe":
        allure.dynamic.label("mode", "sonde HTTP (pas de preuve navigateur)")
        allure.dynamic.title(f"Sonde HTTP (sans navigateur) : {account.id}")
    allure.dynamic.parameter("URL finale", record.final_url or "")
    for warning in record.warnings:
        allure.dynamic.label("warning", warning)
    if verdict.outcome == "passed" and verdict.warnings:
        allure.attach(
            record.message, name="Avertissements", attachment_type=allure.attachment_type.TEXT
        )
    if record.diagnosis:
        allure.dynamic.label("diagnosis", record.diagnosis)
    if verdict.outcome != "passed":
        pytest.fail(message(verdict), pytrace=False)
