"""Diagnoses: the catalogue, the rules on hand-built observations, and the probe against the lab.

The unit cases stand for a real set-up as the seed describes it: PRONOTE.net with a
classic listener (port 80) and a CAS listener (port 82), the ENT and its CAS apart.
The probe fault matrix runs the plain-HTTP journey against a lab of its own with
each fault switched on, and checks that the verdict names it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from e2e.http_journey import HttpJourney
from e2e.settings import Account, Settings
from e2e.target import Target, targets_from_lab
from lab.client import LabClient, running_lab
from lab.state import FAULTS
from verdict.cas import CasValidation
from verdict.diagnoses import (
    CATALOGUE,
    FAULT_CODES,
    FAULT_PAIRS,
    RunContext,
    Verdict,
    catalogue_markdown,
    diagnose,
    message,
)
from verdict.observation import Observation

ROOT = Path(__file__).resolve().parents[1]

ENT = "https://ent.example.fr/"
CAS = "https://cas.example.fr/"
PRONOTE = "http://pronote.college.example.fr:82/pronote/"  # the CAS listener (seed: port 82)
CLASSIC = "http://pronote.college.example.fr/pronote/"
DIRECT = "http://pronote.college.example.fr/pronote/eleve.html?login=true"
CODE = "AZKH9C7WSQ2R54DP"  # an identifiant PRONOTE from the seed's export

TARGET = Target(
    name="0310001A Collège Test",
    ent_url=ENT,
    cas_url=CAS,
    pronote_url=PRONOTE,
    shortcut_label="Pronote",
    identifier_attribute="identifiantPronote",
    pronote_classic_url=CLASSIC,
    pronote_direct_url=DIRECT,
)


def validation(*, identifier: bool = True, service: str = PRONOTE) -> CasValidation:
    attributes = {"nom": ["MARTIN"], "prenom": ["Léa"]}
    if identifier:
        attributes["identifiantPronote"] = [CODE]
    return CasValidation(service, user="NAA30191", attributes=attributes)


def journey(**changes: Any) -> Observation:
    """A journey that reached the PRONOTE space through the CAS, changed by *changes*."""
    values: dict[str, Any] = dict(
        target=TARGET.name,
        account="lea.martin",
        profile="eleve",
        mode="probe",
        step="pronote",
        reached_ent=True,
        reached_cas_login=True,
        reached_portal=True,
        shortcut_found=True,
        shortcut_url=PRONOTE,
        pronote_service=PRONOTE,
        pronote_cas_login_url=f"{CAS}login?service=http%3A%2F%2Fpronote.college.example.fr",
        ticket_issued=True,
        final_url=PRONOTE + "eleve.html",
        final_status=200,
        final_kind="space",
        final_text="PRONOTE · Collège Test Chargement de PRONOTE…",
        cas_validation=validation(),
        urls=[ENT, CAS + "login", ENT + "portail", PRONOTE, CAS + "login", PRONOTE + "eleve.html"],
        timings={"ent_login_page": 0.2, "portal": 0.3, "pronote": 0.4, "total": 1.0},
    )
    values.update(changes)
    return Observation(**values)


def at_portal(**changes: Any) -> Observation:
    """A journey that logged into the ENT and stopped on the portal."""
    values: dict[str, Any] = dict(
        step="portal",
        pronote_service=None,
        pronote_cas_login_url=None,
        ticket_issued=False,
        cas_validation=None,
        final_url=ENT + "portail",
        final_kind="unknown",
        final_text="Mon espace Bonjour Léa, bienvenue sur votre ENT. Mes services",
    )
    return journey(**{**values, **changes})


def before_login(**changes: Any) -> Observation:
    """A journey that never got past the ENT's login."""
    values: dict[str, Any] = dict(
        step="start",
        reached_ent=False,
        reached_cas_login=False,
        reached_portal=False,
        shortcut_found=None,
        shortcut_url=None,
        final_url=None,
        final_status=None,
        final_kind=None,
        final_text="",
    )
    return at_portal(**{**values, **changes})


def prompt(*, identifier: bool | None) -> Observation:
    """PRONOTE's first-connection page asking for the identifiant PRONOTE ENT."""
    return journey(
        final_url=PRONOTE + "?ticket=ST-…",
        final_kind="identifier_prompt",
        final_text="Première connexion Saisissez votre identifiant PRONOTE ENT",
        cas_validation=None if identifier is None else validation(identifier=identifier),
    )


def context_with(*released: bool, target: Target = TARGET) -> RunContext:
    """A run where other accounts got (True) or did not get (False) the identifier."""
    context = RunContext()
    for index, got in enumerate(released):
        context.add(
            journey(
                target=target.name,
                account=f"autre.{index}",
                cas_validation=validation(identifier=got),
            )
        )
    return context


def codes(diagnoses: list) -> list[str]:
    return [d.code for d in diagnoses]


# -- (a) one hand-built observation per code -------------------------------------------
CASES: dict[str, tuple[Observation, RunContext | None]] = {
    "PN-ENT-IDENTIFIANTS-REFUSES": (
        before_login(
            step="ent_login_page",
            reached_ent=True,
            reached_cas_login=True,
            credentials_rejected=True,
            final_url=CAS + "login?service=https%3A%2F%2Fent.example.fr%2F",
            final_status=200,
            final_kind="cas_login",
            final_text="Service Central d'Authentification Identifiant Mot de passe",
        ),
        None,
    ),
    "PN-ENT-INJOIGNABLE": (
        before_login(network_error="connection_refused", network_error_url=ENT),
        None,
    ),
    "PN-CAS-INJOIGNABLE": (
        before_login(
            reached_ent=True,
            network_error="connection_reset",
            network_error_url=CAS + "login?service=https%3A%2F%2Fent.example.fr%2F",
        ),
        None,
    ),
    "PN-PRONOTE-INJOIGNABLE": (
        at_portal(network_error="connection_refused", network_error_url=PRONOTE),
        None,
    ),
    "PN-URL-CAS-ERRONEE": (
        journey(
            pronote_cas_login_url=CAS + "cas/login?service=http%3A%2F%2Fpronote",
            ticket_issued=False,
            final_url=CAS + "cas/login?service=http%3A%2F%2Fpronote",
            final_status=404,
            final_kind="http_error",
            final_text="Not Found",
        ),
        None,
    ),
    "PN-URL-PUBLIQUE-ERRONEE": (
        journey(
            pronote_service="http://92.103.71.93:82/pronote/",  # the seed's own example
            ticket_issued=False,
            cas_validation=None,
            final_url=CAS + "login?service=http%3A%2F%2F92.103.71.93%3A82%2Fpronote%2F",
            final_kind="cas_service_refused",
            final_text="le service http://92.103.71.93:82/pronote/ n'est pas autorisé.",
        ),
        None,
    ),
    "PN-AUTH-CAS-DESACTIVEE": (
        journey(
            pronote_service=None,
            pronote_cas_login_url=None,
            ticket_issued=False,
            cas_validation=None,
            final_url=PRONOTE,
            final_kind="password_prompt",
            final_text="Connexion à PRONOTE Saisissez votre identifiant et votre mot de passe.",
        ),
        None,
    ),
    "PN-SITE-INDISPONIBLE": (
        journey(
            pronote_service=None,
            pronote_cas_login_url=None,
            ticket_issued=False,
            cas_validation=None,
            final_url=PRONOTE,
            final_status=503,
            final_kind="pronote_unavailable",
            final_text="Le site n'est pas disponible",
            warnings=[
                f"retry 1 after HTTP 503 at {PRONOTE}",
                f"retry 2 after HTTP 503 at {PRONOTE}",
            ],
        ),
        None,
    ),
    "PN-GESTION-IDENTIFIANTS-DESACTIVEE": (prompt(identifier=True), None),
    "PN-IDENTIFIANTS-NON-IMPORTES": (prompt(identifier=False), context_with(False, False)),
    "PN-UTILISATEUR-ABSENT-IMPORT": (prompt(identifier=False), context_with(True, True)),
    "PN-RACCOURCI-ABSENT": (at_portal(shortcut_found=False), None),
    "PN-RACCOURCI-URL-DIRECTE": (
        journey(
            shortcut_url=DIRECT,
            pronote_service=None,
            pronote_cas_login_url=None,
            ticket_issued=False,
            cas_validation=None,
            final_url=DIRECT,
            final_kind="password_prompt",
            final_text="Connexion à PRONOTE Identifiant Mot de passe",
        ),
        None,
    ),
    "PN-SERVICE-NON-AUTORISE": (
        journey(
            ticket_issued=False,
            cas_validation=None,
            final_url=CAS + "login?service=http%3A%2F%2Fpronote.college.example.fr%3A82",
            final_kind="cas_service_refused",
            final_text=f"Application Not Authorized to Use CAS : le service {PRONOTE}",
        ),
        None,
    ),
    "PN-UTILISATEUR-INCONNU-PRONOTE": (
        journey(
            final_url=PRONOTE + "?ticket=ST-…",
            final_kind="pronote_error",
            final_text=(
                "Impossible d'afficher la page Vous n'êtes pas autorisé à vous connecter : "
                "votre compte ENT n'est associé à aucun utilisateur de la base PRONOTE"
            ),
        ),
        None,
    ),
    "PN-DOUBLE-AUTHENTIFICATION": (
        journey(
            final_url=PRONOTE + "?ticket=ST-…",
            final_kind="password_prompt",
            final_text=(
                "Première connexion Pour cette première connexion depuis l'ENT, saisissez vos "
                "identifiant et mot de passe PRONOTE."
            ),
        ),
        None,
    ),
    "PN-CAS-REPONSE-ILLISIBLE": (
        journey(
            final_url=PRONOTE + "?ticket=ST-…",
            final_kind="pronote_error",
            final_text=(
                "Erreur lors de l'authentification CAS : réponse du serveur CAS illisible."
            ),
        ),
        None,
    ),
    "PN-VALIDATION-TICKET-ECHEC": (
        journey(
            final_url=PRONOTE + "?ticket=ST-…",
            final_kind="pronote_error",
            final_text="L'authentification CAS a été refusée. Veuillez vous reconnecter.",
        ),
        None,
    ),
    "PN-BOUCLE-REDIRECTIONS": (
        journey(network_error="redirect_loop", network_error_url=PRONOTE, final_kind=None),
        None,
    ),
    "PN-TLS-CERTIFICAT": (
        before_login(network_error="tls", network_error_url=ENT),
        None,
    ),
    "PN-DNS-ECHEC": (
        at_portal(network_error="dns", network_error_url="http://pronote.college.exemple.fr/"),
        None,
    ),
    "PN-IP-SUSPENDUE": (
        journey(
            final_kind="pronote_unavailable",
            final_text="Votre adresse IP est provisoirement suspendue",
        ),
        None,
    ),
    "PN-TROP-ERREURS-AUTH": (
        journey(
            final_kind="pronote_unavailable",
            final_text="Vous avez dépassé le nombre d'erreurs d'authentification autorisées.",
        ),
        None,
    ),
    "PN-DELAI-DEPASSE": (
        journey(timed_out=True, final_kind="unknown", final_text="Chargement de PRONOTE…"),
        None,
    ),
    "PN-PAGE-INATTENDUE": (
        journey(
            ticket_issued=False,
            cas_validation=None,
            final_url=ENT + "accueil",
            final_kind="unknown",
            final_text="Bienvenue sur l'ENT",
        ),
        None,
    ),
    "PN-NOM-NON-AFFICHE": (journey(display_name_seen=False), None),
    "PN-RESEAU-LENT": (
        journey(timings={"ent_login_page": 4.0, "portal": 6.0, "pronote": 9.0, "hop_median": 2.1}),
        None,
    ),
    "PN-RESEAU-INSTABLE": (journey(warnings=[f"retry 1 after HTTP 502 at {ENT}"]), None),
}


def test_cases_cover_every_code() -> None:
    # PN-COMPTE-ABSENT-FICHIER comes from check_identifiers_file, tested below.
    assert set(CASES) | {"PN-COMPTE-ABSENT-FICHIER"} == set(CATALOGUE)


def test_check_identifiers_file_names_a_missing_account() -> None:
    from verdict.diagnoses import check_identifiers_file
    from verdict.identifiers import parse_identifiers

    export = parse_identifiers(
        "Elèves\tIdentifiant PRONOTE\tIdentifiant CAS\r\nMARTIN Léa\tAZKH9C7WSQ2R54DP\t\r\n".encode(
            "cp1252"
        )
    )
    passed = diagnose(journey(), target=TARGET)
    assert passed.outcome == "passed"
    kept, row = check_identifiers_file(passed, journey(), TARGET, "Léa MARTIN", export)
    assert kept.outcome == "passed" and row is not None and row.line_no == 2
    # Found by the code the CAS released, whatever the name:
    assert check_identifiers_file(passed, journey(), TARGET, "Hugo BERNARD", export)[1] is not None
    other = journey(cas_validation=validation(identifier=False))
    failed, row = check_identifiers_file(passed, other, TARGET, "Hugo BERNARD", export)
    assert row is None
    assert failed.outcome == "failed" and failed.code == "PN-COMPTE-ABSENT-FICHIER"
    obs = journey(display_name_seen=False, cas_validation=validation(identifier=False))
    broken = diagnose(obs, target=TARGET)
    still, _ = check_identifiers_file(broken, obs, TARGET, "Hugo BERNARD", export)
    assert still.code == broken.code
    assert "PN-COMPTE-ABSENT-FICHIER" in codes(still.alternatives)


@pytest.mark.parametrize("code", list(CASES))
def test_diagnose_names_each_code(code: str) -> None:
    obs, context = CASES[code]
    verdict = diagnose(obs, target=TARGET, context=context)
    if CATALOGUE[code].warning:
        assert verdict.outcome == "passed", message(verdict)
        assert codes(verdict.warnings) == [code]
    else:
        assert verdict.outcome == "failed"
        assert verdict.code == code, message(verdict)
        assert code not in codes(verdict.alternatives)
        assert verdict.details, "a failing verdict says what was seen"


# -- rules, one behaviour at a time ---------------------------------------------------------
def test_diagnose_passes_a_space_reached_without_prompt() -> None:
    verdict = diagnose(journey(display_name_seen=True), target=TARGET)
    assert (verdict.outcome, verdict.diagnosis, verdict.warnings) == ("passed", None, [])


def test_diagnose_warnings_never_turn_a_pass_into_a_failure() -> None:
    obs = journey(
        warnings=[f"retry 1 after HTTP 502 at {ENT}", "slow hop at CAS"],
        timings={"ent_login_page": 9.0, "portal": 9.0, "pronote": 9.0, "total": 70.0},
    )
    verdict = diagnose(obs, target=TARGET)
    assert verdict.outcome == "passed"
    assert codes(verdict.warnings) == ["PN-RESEAU-INSTABLE", "PN-RESEAU-LENT"]


def test_diagnose_retries_of_the_failing_page_are_the_failure_not_instability() -> None:
    obs, _ = CASES["PN-SITE-INDISPONIBLE"]
    assert diagnose(obs, target=TARGET).warnings == []


def test_diagnose_warnings_accompany_a_failure() -> None:
    obs = replace(prompt(identifier=False), warnings=[f"retry 1 after HTTP 502 at {ENT}"])
    verdict = diagnose(obs, target=TARGET)
    assert (verdict.code, codes(verdict.warnings)) == (
        "PN-IDENTIFIANTS-NON-IMPORTES",
        ["PN-RESEAU-INSTABLE"],
    )


@pytest.mark.parametrize(
    ("mode", "timings", "is_lab", "slow"),
    [
        pytest.param(
            "probe",
            {"a": 0.7, "b": 1.4, "c": 0.7, "hop_median": 0.34},
            True,
            True,
            id="lab-probe-slow",
        ),
        pytest.param(
            "probe",
            {"a": 0.3, "b": 1.4, "c": 0.7, "hop_median": 0.34},
            True,
            False,
            id="lab-probe-one-fast-step",
        ),
        pytest.param(
            "probe",
            {"a": 0.7, "b": 1.4, "c": 0.7, "hop_median": 0.05},
            True,
            False,
            id="lab-probe-fast-hops",
        ),
        pytest.param(
            "probe", {"a": 0.7, "b": 1.4, "c": 0.7}, True, True, id="lab-probe-steps-only"
        ),
        pytest.param("probe", {"a": 0.9, "b": 0.9}, True, False, id="lab-probe-two-steps-only"),
        pytest.param(
            "browser",
            {"a": 0.1, "b": 0.1, "c": 0.1, "hop_median": 0.34},
            True,
            True,
            id="lab-browser-slow-hops",
        ),
        pytest.param(
            "browser",
            {"a": 3.0, "b": 3.0, "c": 3.0, "hop_median": 0.02},
            True,
            False,
            id="lab-browser-slow-pages",
        ),
        pytest.param(
            "browser", {"a": 3.0, "b": 3.0, "c": 3.0}, True, False, id="lab-browser-no-hops"
        ),
        pytest.param(
            "probe", {"a": 3.5, "b": 4.0, "c": 3.1, "hop_median": 1.6}, False, True, id="real-slow"
        ),
        pytest.param(
            "probe",
            {"a": 0.7, "b": 1.4, "c": 0.7, "hop_median": 0.34},
            False,
            False,
            id="real-fast",
        ),
        pytest.param(
            "browser", {"a": 1.0, "hop_median": 0.1, "total": 61.0}, False, True, id="real-long"
        ),
    ],
)
def test_diagnose_slow_network_is_judged_on_server_time_and_steps(
    mode: str, timings: dict[str, float], is_lab: bool, slow: bool
) -> None:
    target = replace(TARGET, is_lab=is_lab)
    verdict = diagnose(journey(mode=mode, timings=timings), target=target)
    assert ("PN-RESEAU-LENT" in codes(verdict.warnings)) is slow


def test_diagnose_slow_threshold_comes_from_the_run_context() -> None:
    obs = journey(timings={"a": 1.0, "b": 1.5, "c": 1.2, "hop_median": 0.8, "total": 3.7})
    assert diagnose(obs, target=TARGET).warnings == []
    context = RunContext(slow_hop_s=0.5)
    assert codes(diagnose(obs, target=TARGET, context=context).warnings) == ["PN-RESEAU-LENT"]


def test_diagnose_a_timeout_alone_says_what_the_page_showed() -> None:
    obs = journey(
        timed_out=True,
        final_url=PRONOTE + "eleve.html",
        final_kind="unknown",
        final_text="Chargement de PRONOTE…",
    )
    verdict = diagnose(obs, target=TARGET)
    assert verdict.code == "PN-DELAI-DEPASSE"
    assert PRONOTE + "eleve.html" in verdict.details
    assert "Chargement de PRONOTE" in verdict.details
    assert codes(verdict.alternatives) == ["PN-PRONOTE-INJOIGNABLE"]


def test_diagnose_a_network_timeout_names_the_host_only_as_an_alternative() -> None:
    obs = at_portal(network_error="timeout", network_error_url=PRONOTE, final_url=None)
    verdict = diagnose(obs, target=TARGET)
    assert verdict.code == "PN-DELAI-DEPASSE"
    assert codes(verdict.alternatives) == ["PN-PRONOTE-INJOIGNABLE"]


@pytest.mark.parametrize(
    "code",
    ["PN-GESTION-IDENTIFIANTS-DESACTIVEE", "PN-DOUBLE-AUTHENTIFICATION", "PN-SERVICE-NON-AUTORISE"],
)
def test_diagnose_a_timeout_on_a_page_that_proves_its_cause_names_that_cause(code: str) -> None:
    obs, context = CASES[code]
    verdict = diagnose(replace(obs, timed_out=True), target=TARGET, context=context)
    assert verdict.code == code


def test_diagnose_a_space_that_never_finished_building_is_a_timeout() -> None:
    obs = journey(timed_out=True, display_name_seen=None)
    verdict = diagnose(obs, target=TARGET)
    assert verdict.outcome == "failed"
    assert verdict.code == "PN-DELAI-DEPASSE"
    assert "PN-NOM-NON-AFFICHE" in codes(verdict.alternatives)


@pytest.mark.parametrize(
    ("context", "code", "alternatives"),
    [
        pytest.param(
            None,
            "PN-IDENTIFIANTS-NON-IMPORTES",
            ["PN-UTILISATEUR-ABSENT-IMPORT"],
            id="first-account-of-the-run",
        ),
        pytest.param(
            context_with(False, False, False),
            "PN-IDENTIFIANTS-NON-IMPORTES",
            [],
            id="nobody-had-it",
        ),
        pytest.param(
            context_with(True, False), "PN-UTILISATEUR-ABSENT-IMPORT", [], id="another-had-it"
        ),
        pytest.param(
            context_with(True, True, target=replace(TARGET, name="0310002B Autre collège")),
            "PN-IDENTIFIANTS-NON-IMPORTES",
            ["PN-UTILISATEUR-ABSENT-IMPORT"],
            id="other-targets-do-not-count",
        ),
    ],
)
def test_diagnose_identifier_absent_depends_on_the_other_accounts(
    context: RunContext | None, code: str, alternatives: list[str]
) -> None:
    verdict = diagnose(prompt(identifier=False), target=TARGET, context=context)
    assert (verdict.code, codes(verdict.alternatives)) == (code, alternatives)


def test_diagnose_identifier_context_leaves_the_account_itself_out() -> None:
    # Given a context holding only this very account (added before diagnosing, as e2e does)
    obs = prompt(identifier=False)
    context = RunContext.from_observations([obs])
    # Then nothing is known about the others
    verdict = diagnose(obs, target=TARGET, context=context)
    assert codes(verdict.alternatives) == ["PN-UTILISATEUR-ABSENT-IMPORT"]


def test_diagnose_identifier_prompt_without_our_own_validation_lists_every_cause() -> None:
    verdict = diagnose(prompt(identifier=None), target=TARGET)
    assert verdict.code == "PN-IDENTIFIANTS-NON-IMPORTES"
    assert codes(verdict.alternatives) == [
        "PN-UTILISATEUR-ABSENT-IMPORT",
        "PN-GESTION-IDENTIFIANTS-DESACTIVEE",
    ]


@pytest.mark.parametrize(
    "service",
    [
        pytest.param(PRONOTE + "eleve.html", id="a-space-page"),
        pytest.param("HTTP://Pronote.College.Example.fr:82/pronote/", id="case-of-the-host"),
    ],
)
def test_diagnose_service_under_the_public_url_is_not_a_wrong_public_url(service: str) -> None:
    obs, _ = CASES["PN-SERVICE-NON-AUTORISE"]
    verdict = diagnose(replace(obs, pronote_service=service), target=TARGET)
    assert verdict.code == "PN-SERVICE-NON-AUTORISE"


def test_diagnose_default_port_is_the_same_url() -> None:
    target = replace(TARGET, pronote_url="https://pronote.example.fr/pronote/")
    obs, _ = CASES["PN-SERVICE-NON-AUTORISE"]
    obs = replace(obs, pronote_service="https://pronote.example.fr:443/pronote/")
    assert diagnose(obs, target=target).code == "PN-SERVICE-NON-AUTORISE"


def test_diagnose_wrong_cas_url_wins_over_what_that_cas_then_shows() -> None:
    # A wrong CAS that refuses the service: the cause is the address, not the registration.
    obs, _ = CASES["PN-SERVICE-NON-AUTORISE"]
    obs = replace(obs, pronote_cas_login_url="https://cas.autre-ent.fr/login?service=x")
    assert diagnose(obs, target=TARGET).code == "PN-URL-CAS-ERRONEE"


def test_diagnose_wrong_cas_url_on_an_unknown_host_lists_the_dns_failure() -> None:
    obs = at_portal(
        pronote_cas_login_url="https://cas.exemple.fr/login?service=x",
        network_error="dns",
        network_error_url="https://cas.exemple.fr/login?service=x",
    )
    verdict = diagnose(obs, target=TARGET)
    assert (verdict.code, codes(verdict.alternatives)) == ("PN-URL-CAS-ERRONEE", ["PN-DNS-ECHEC"])


def test_diagnose_unreadable_answer_is_the_cas_when_it_answers_us_badly_too() -> None:
    obs, _ = CASES["PN-CAS-REPONSE-ILLISIBLE"]
    broken = CasValidation(PRONOTE, failure_code="INVALID_RESPONSE")
    verdict = diagnose(replace(obs, cas_validation=broken), target=TARGET)
    assert verdict.code == "PN-VALIDATION-TICKET-ECHEC"
    assert codes(verdict.alternatives) == ["PN-CAS-REPONSE-ILLISIBLE"]


def test_diagnose_our_own_failed_validation_names_a_ticket_failure() -> None:
    obs = journey(
        final_url=PRONOTE + "?ticket=ST-…",
        final_kind="unknown",
        final_text="",
        cas_validation=CasValidation(PRONOTE, failure_code="INVALID_TICKET"),
    )
    verdict = diagnose(obs, target=TARGET)
    assert verdict.code == "PN-VALIDATION-TICKET-ECHEC"
    assert "INVALID_TICKET" in verdict.details


@pytest.mark.parametrize(
    ("url", "code"),
    [
        pytest.param(ENT, "PN-ENT-INJOIGNABLE", id="ent"),
        pytest.param(CAS, "PN-CAS-INJOIGNABLE", id="cas"),
    ],
)
def test_diagnose_preflight_failures_name_the_host(url: str, code: str) -> None:
    # The preflight's hard failures come as an observation with network_error "http_error".
    obs = Observation(
        target=TARGET.name,
        account="lea.martin",
        profile="eleve",
        mode="preflight",
        network_error="http_error",
        network_error_url=url,
        final_url=url,
        final_text=f"{url} : HTTP 503",
    )
    assert diagnose(obs, target=TARGET).code == code


def test_diagnose_ent_and_cas_on_one_host_are_told_apart_by_the_cas_path() -> None:
    target = replace(
        TARGET, ent_url="https://ent.example.fr/", cas_url="https://ent.example.fr/cas/"
    )
    cas = before_login(network_error="connection_refused", network_error_url=target.cas_url)
    ent = before_login(network_error="connection_refused", network_error_url=target.ent_url)
    assert diagnose(cas, target=target).code == "PN-CAS-INJOIGNABLE"
    assert diagnose(ent, target=target).code == "PN-ENT-INJOIGNABLE"


def test_diagnose_details_never_show_a_ticket() -> None:
    obs = journey(
        final_url=PRONOTE + "?ticket=ST-12-secret",
        final_kind="pronote_error",
        final_text="Erreur ticket=ST-12-secret refusé par l'authentification CAS",
    )
    verdict = diagnose(obs, target=TARGET)
    assert "ST-12-secret" not in verdict.details
    assert "ST-12-secret" not in message(verdict)


def test_message_reads_as_one_french_paragraph() -> None:
    obs, _ = CASES["PN-URL-PUBLIQUE-ERRONEE"]
    verdict = diagnose(obs, target=TARGET)
    text = message(verdict)
    d = CATALOGUE["PN-URL-PUBLIQUE-ERRONEE"]
    assert text.startswith(f"[{d.code}] {d.title} — {d.explanation}")
    assert "À corriger : dans PRONOTE.net, bouton « ENT »" in text
    assert f"(procédure : {d.step})." in text
    assert "Autres causes possibles : [PN-SERVICE-NON-AUTORISE]" in text
    assert "Constaté : " in text and "service annoncé : http://92.103.71.93:82/pronote/" in text
    assert "\n" not in text


def test_message_of_a_pass_names_its_warnings() -> None:
    obs, _ = CASES["PN-RESEAU-INSTABLE"]
    text = message(diagnose(obs, target=TARGET))
    assert text.startswith("Réussi")
    assert "[PN-RESEAU-INSTABLE]" in text


def test_verdict_to_dict_gives_codes() -> None:
    obs, _ = CASES["PN-URL-PUBLIQUE-ERRONEE"]
    data = diagnose(obs, target=TARGET).to_dict()
    assert data["outcome"] == "failed"
    assert data["diagnosis"]["code"] == "PN-URL-PUBLIQUE-ERRONEE"
    assert data["alternatives"] == ["PN-SERVICE-NON-AUTORISE"]


# -- (c) the catalogue ----------------------------------------------------------------------
FRENCH_WORDS = re.compile(r"\b(le|la|les|de|du|des|et|à|l'|d'|un|une|pas|ne)\b", re.I)


@pytest.mark.parametrize("code", list(CATALOGUE))
def test_catalogue_entry_is_complete_and_french(code: str) -> None:
    d = CATALOGUE[code]
    assert d.code == code
    assert re.fullmatch(r"PN(-[A-Z0-9]+)+", code), "stable codes: PN- then uppercase ASCII"
    for name in ("title", "explanation", "fix", "step", "evidence"):
        assert getattr(d, name).strip(), f"{code}.{name} is empty"
    for name in ("explanation", "fix", "evidence"):
        assert FRENCH_WORDS.search(getattr(d, name)), f"{code}.{name} does not read as French"


def test_catalogue_warnings_are_the_network_ones() -> None:
    assert {c for c, d in CATALOGUE.items() if d.warning} == {
        "PN-RESEAU-LENT",
        "PN-RESEAU-INSTABLE",
    }


def test_every_lab_fault_maps_to_a_code() -> None:
    assert set(FAULT_CODES) == set(FAULTS)
    assert set(FAULT_CODES.values()) <= set(CATALOGUE)
    assert FAULT_CODES["slow_network"] == "PN-RESEAU-LENT"
    assert FAULT_CODES["flaky_network"] == "PN-RESEAU-INSTABLE"


def test_fault_pairs_name_known_faults_and_codes() -> None:
    for pair in FAULT_PAIRS:
        assert set(pair.faults) <= set(FAULTS)
        assert {pair.code, *pair.alternatives, *pair.warnings} <= set(CATALOGUE)


def test_docs_diagnoses_is_up_to_date() -> None:
    doc = (ROOT / "docs" / "diagnoses.md").read_text(encoding="utf-8")
    assert doc == catalogue_markdown(), (
        "docs/diagnoses.md is stale: python -m verdict.diagnoses > docs/diagnoses.md"
    )


def test_catalogue_markdown_has_one_row_per_code() -> None:
    rows = [line for line in catalogue_markdown().splitlines() if line.startswith("| `PN-")]
    assert [row.split("`")[1] for row in rows] == list(CATALOGUE)


# -- (b) the probe against the lab's faults ------------------------------------------------
# The per-user faults hit one account (`lab.affected`), and what the other accounts got
# decides between the identifier diagnoses: those faults run the affected account plus
# one account per profile, so the run's context is realistic.


@pytest.fixture(scope="module")
def probe_lab() -> Iterator[LabClient]:
    """A lab of its own: these tests switch faults on, and no other test sees them."""
    with running_lab() as lab:
        yield lab


@pytest.fixture
def lab_target(probe_lab: LabClient) -> Target:
    return targets_from_lab(probe_lab.info, Settings(_env_file=None))[0]


def accounts_for(faults: list[str], target: Target, affected: str | None = None) -> list[Account]:
    if faults == ["slow_network"]:
        return target.accounts[:1]  # every request is slowed: one journey shows it
    chosen: dict[str, Account] = {}
    for account in target.accounts:
        chosen.setdefault(account.profile, account)
    extra = [a for a in target.accounts if a.login == affected and a not in chosen.values()]
    return [*chosen.values(), *extra]


def probe(target: Target, accounts: list[Account]) -> list[tuple[Observation, Verdict]]:
    """Run the plain-HTTP journey for each account, then diagnose each with the run's context."""
    observations = []
    for account in accounts:
        http = HttpJourney(target, timeout_s=15)
        try:
            observations.append(http.run(account))
        finally:
            http.close()
    context = RunContext.from_observations(observations)
    return [(obs, diagnose(obs, target=target, context=context)) for obs in observations]


@pytest.mark.parametrize("fault", list(FAULTS))
def test_probe_names_each_lab_fault(fault: str, probe_lab: LabClient, lab_target: Target) -> None:
    # Given the lab with this one fault
    probe_lab.set_faults([fault])
    affected = probe_lab.affected(fault)
    expected = CATALOGUE[FAULT_CODES[fault]]
    # When the probe checks the accounts
    results = probe(lab_target, accounts_for([fault], lab_target, affected))
    # Then the affected accounts get the fault's code, and only a warning ever passes
    assert affected is None or affected in {obs.account for obs, _ in results}
    assert len(results) > (affected is not None)  # the others show the fault is theirs alone
    for obs, verdict in results:
        if affected is not None and obs.account != affected:
            assert verdict.outcome == "passed", f"{obs.account}: {message(verdict)}"
        elif expected.warning:
            assert verdict.outcome == "passed", f"{obs.account}: {message(verdict)}"
            assert expected.code in codes(verdict.warnings), f"{obs.account}: {message(verdict)}"
        else:
            assert verdict.outcome == "failed", f"{obs.account}: {message(verdict)}"
            assert verdict.code == expected.code, f"{obs.account}: {message(verdict)}"


def test_probe_passes_the_healthy_lab(probe_lab: LabClient, lab_target: Target) -> None:
    probe_lab.set_faults([])
    for obs, verdict in probe(lab_target, accounts_for([], lab_target)):
        assert verdict.outcome == "passed", f"{obs.account}: {message(verdict)}"
        assert "PN-RESEAU-INSTABLE" not in codes(verdict.warnings)


def test_probe_names_a_wrong_ent_password(probe_lab: LabClient, lab_target: Target) -> None:
    probe_lab.set_faults([])
    first = lab_target.accounts[0]
    wrong = Account(login=first.login, profile=first.profile, password="pas-le-bon")
    [(obs, verdict)] = probe(lab_target, [wrong])
    assert obs.credentials_rejected
    assert verdict.code == "PN-ENT-IDENTIFIANTS-REFUSES", message(verdict)


@pytest.mark.parametrize("pair", FAULT_PAIRS, ids=lambda p: "+".join(p.faults))
def test_probe_names_the_first_of_two_faults(
    pair: Any, probe_lab: LabClient, lab_target: Target
) -> None:
    probe_lab.set_faults(list(pair.faults))
    for obs, verdict in probe(lab_target, accounts_for(list(pair.faults), lab_target)):
        assert verdict.code == pair.code, f"{obs.account}: {message(verdict)}"
        assert codes(verdict.alternatives) == list(pair.alternatives)
        assert set(pair.warnings) <= set(codes(verdict.warnings))


def test_readme_table_lists_every_code_as_generated() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    rows = [line for line in catalogue_markdown().splitlines() if line.startswith("| `PN-")]
    assert len(rows) == len(CATALOGUE)
    missing = [row.split("|")[1].strip() for row in rows if row not in readme]
    assert not missing, f"README.md table is stale for {missing}: paste python -m verdict.diagnoses"
