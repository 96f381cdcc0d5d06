"""First connection: ENT → Pronote shortcut → PRONOTE space, and no PRONOTE identifier asked."""

from __future__ import annotations

import allure
import pytest

from e2e.evidence import attach_journey, keep_screenshots
from e2e.journey import JourneyResult
from e2e.plugins.journeys import keep_artifacts
from e2e.preflight import Preflight
from e2e.runner import JourneyRunner
from e2e.settings import Account, Settings
from e2e.target import Target
from verdict.context import RunContext
from verdict.diagnoses import check_identifiers_file, diagnose, message
from verdict.identifiers import IdentifiersFile
from verdict.record import AccountResult, RunRecorder
from verdict.report_view import present_account, show_diagnosis


@pytest.fixture(scope="session")
def run_context(settings: Settings) -> RunContext:
    """Facts gathered across the accounts of this run (e.g. who got the identifier)."""
    return RunContext(slow_hop_s=settings.slow_hop_s)


def test_first_connection(
    request: pytest.FixtureRequest,
    target: Target,
    account: Account,
    settings: Settings,
    preflight: Preflight,
    journeys: JourneyRunner,
    run_context: RunContext,
    recorder: RunRecorder,
    identifiers_file: IdentifiersFile | None,
) -> None:
    allure.dynamic.title(f"Première connexion sans identifiant PRONOTE : {account.id}")
    present_account(target.name, account.login, account.profile)
    allure.dynamic.label("establishment", target.name)
    hard = preflight.hard_failure
    if hard is not None:
        obs = hard.as_observation(target, account)
        verdict = diagnose(obs, target=target, wording=settings.wording)
        recorder.add(
            AccountResult.from_verdict(
                target, account.login, account.profile, obs, verdict, skipped=True
            )
        )
        allure.dynamic.label("diagnosis", verdict.code or "")
        pytest.skip(f"Vérifications préalables en échec : {message(verdict)}")

    result: JourneyResult = request.getfixturevalue("journey")
    obs = result.obs
    # What every journey finished so far shows (concurrent ones included) tells this one.
    for other in journeys.finished():
        run_context.add(other.obs)
    run_context.add(obs)
    verdict = diagnose(obs, target=target, context=run_context, wording=settings.wording)
    if identifiers_file is not None:
        with allure.step("Recherche du compte dans le fichier des identifiants PRONOTE"):
            verdict, row = check_identifiers_file(
                verdict, obs, target, account.display_name, identifiers_file
            )
            found = f"ligne {row.line_no} ({row.profile})" if row else "absent du fichier"
            allure.attach(
                found, name="Fichier des identifiants", attachment_type=allure.attachment_type.TEXT
            )
    record = AccountResult.from_verdict(target, account.login, account.profile, obs, verdict)
    record.steps = keep_screenshots(result, settings.report_dir, request.node.nodeid)
    recorder.add(record)
    kept = keep_artifacts(request.config, request.node.nodeid, result, verdict.outcome != "passed")
    attach_journey(result, kept)
    if verdict.diagnosis is not None:
        show_diagnosis(verdict.diagnosis, verdict.details)
    if obs.mode == "probe":
        allure.dynamic.label("mode", "sonde HTTP (pas de preuve navigateur)")
        allure.dynamic.title(f"Sonde HTTP (sans navigateur) : {account.id}")
    allure.dynamic.parameter("URL finale", obs.final_url or "")
    for warning in record.warnings:
        allure.dynamic.label("warning", warning)
    if record.diagnosis:
        allure.dynamic.label("diagnosis", record.diagnosis)
    if verdict.outcome != "passed":
        pytest.fail(message(verdict), pytrace=False)
