"""Diagnoses: the catalogue, and the rules on observations built the way the journeys build them.

Every case states the protocol evidence (hosts, service, ticket, our own validation,
what was released, what the other accounts got) and, where a page matters, reads a page
of `tests/fixtures/pages` as a journey would. No case feeds the rules a sentence copied
from the rules. The lab fault matrices are `tests/test_fault_matrix.py` (browser) and
the e2e suite; `tests/fault_oracle.py` holds what each fault must be named.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import replace
from pathlib import Path

import pytest

from audit import IdentifiersFile, parse_identifiers
from lab.state import FAULTS
from tests.fault_oracle import FAULT_CODES, FAULT_PAIRS, diagnoses_markdown
from tests.verdict_cases import (
    BANNER,
    CAS,
    DIRECT,
    ENT,
    PRONOTE,
    TARGET,
    at_portal,
    before_login,
    journey,
    landing,
    refused_by_cas,
    retried,
    validation,
)
from verdict.cas import CasValidation
from verdict.docs import readme_with_table, table
from verdict.judge import CATALOGUE, Evidence, judge, message
from verdict.observation import Observation
from verdict.page import page_kind
from verdict.record import AccountResult

ROOT = Path(__file__).resolve().parents[1]


MOVED_LOGIN = "https://auth.nouvel-ent.example/"
PROXY = "http://proxy.academie.example:3128 (VERIFIER_PROXY)"  # as `proxy_named` says it


def codes(diagnoses: list) -> list[str]:
    return [d.code for d in diagnoses]


def prompt(*, identifier: bool | None, account: str = "lea.martin") -> Observation:
    """PRONOTE's 2025 "Identification impossible" form after a ticket."""
    return landing(
        "not_linked/identification_impossible_2025.html",
        PRONOTE + "eleve.html",
        account=account,
        cas_validation=None if identifier is None else validation(identifier=identifier),
    )


def entered(account: str, *, identifier: bool = True) -> Observation:
    return landing(
        "space/banner_eleve.html",
        PRONOTE + "eleve.html",
        account=account,
        cas_validation=validation(identifier=identifier),
    )


def context_with(*others: Observation) -> Evidence:
    return Evidence(observations=others)


# -- one observation per code -------------------------------------------------------------
def rejected_return(*, text: str = "Erreur", **saml: object) -> Observation:
    """An ÉduConnect return the ENT answered with its own page (HTTP 403 at its ACS)."""
    evidence = {
        "readable": True,
        "clock_skew": False,
        "outside_window_s": 0.0,
        "certificate": "valid",
        "certificate_sha256": "ab" * 32,
        "acs": ENT + "saml/acs",
        **saml,
    }
    return before_login(
        login_route="educonnect",
        educonnect_offered=True,
        saml_return_refused=True,
        saml_response=evidence,
        final_url=ENT + "saml/acs",
        final_status=403,
        final_kind="http_error",
        final_text=text,
    )


CASES: dict[str, tuple[Observation, Evidence | None]] = {
    "PN-ENT-IDENTIFIANTS-REFUSES": (
        before_login(
            step="ent_login_page",
            credentials_rejected=True,
            final_url=CAS + "login?service=https%3A%2F%2Fent.example.fr%2F",
            final_status=200,
            final_kind="cas_login",
        ),
        None,
    ),
    "PN-ENT-INJOIGNABLE": (
        before_login(network_error="connection_refused", network_error_url=ENT),
        None,
    ),
    "PN-CAS-INJOIGNABLE": (
        before_login(
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
            cas_validation=None,
            final_url=CAS + "cas/login?service=http%3A%2F%2Fpronote",
            final_status=404,
            final_kind="http_error",
            final_text="Not Found",
        ),
        None,
    ),
    "PN-URL-PUBLIQUE-ERRONEE": (
        refused_by_cas("cas_refused/django_cas_server_fr.html", "http://92.103.71.93:82/pronote/"),
        None,
    ),
    "PN-AUTH-CAS-DESACTIVEE": (
        landing(
            "password/own_login_after_cas.html",
            PRONOTE + "eleve.html",
            pronote_service=None,
            pronote_cas_login_url=None,
            ticket_issued=False,
            cas_validation=None,
        ),
        None,
    ),
    "PN-SITE-INDISPONIBLE": (
        landing(
            "unavailable/http_error_503.html",
            PRONOTE,
            503,
            pronote_service=None,
            pronote_cas_login_url=None,
            ticket_issued=False,
            cas_validation=None,
            retries=[*retried(PRONOTE, "http_503"), *retried(PRONOTE, "http_503")],
        ),
        None,
    ),
    "PN-GESTION-IDENTIFIANTS-DESACTIVEE": (
        prompt(identifier=True),
        context_with(prompt(identifier=True, account="autre.0")),
    ),
    "PN-IDENTIFIANTS-NON-IMPORTES": (
        prompt(identifier=False),
        context_with(prompt(identifier=False, account="autre.0")),
    ),
    "PN-UTILISATEUR-ABSENT-IMPORT": (
        prompt(identifier=False),
        context_with(entered("autre.0"), entered("autre.1")),
    ),
    "PN-RACCOURCI-ABSENT": (at_portal(shortcut_found=False), None),
    "PN-RACCOURCI-URL-DIRECTE": (
        landing(
            "password/own_login_after_cas.html",
            DIRECT,
            shortcut_url=DIRECT,
            pronote_service=None,
            pronote_cas_login_url=None,
            ticket_issued=False,
            cas_validation=None,
        ),
        None,
    ),
    "PN-SERVICE-NON-AUTORISE": (refused_by_cas("cas_refused/apereo.html"), None),
    "PN-UTILISATEUR-INCONNU-PRONOTE": (
        prompt(identifier=True),
        context_with(entered("autre.0")),
    ),
    "PN-ACCES-ESPACE-REFUSE": (
        landing("space_refused/pas_acces_espace.html", PRONOTE + "parent.html"),
        None,
    ),
    "PN-DOUBLE-AUTHENTIFICATION": (
        landing("password/own_login_after_cas.html", PRONOTE + "eleve.html"),
        None,
    ),
    "PN-CAS-REPONSE-ILLISIBLE": (landing("ticket_refused/msxml.html", PRONOTE), None),
    "PN-VALIDATION-TICKET-ECHEC": (
        landing("ticket_refused/unknown_error_no_input.html", PRONOTE),
        None,
    ),
    "PN-BOUCLE-REDIRECTIONS": (
        journey(network_error="redirect_loop", network_error_url=PRONOTE, final_kind=None),
        None,
    ),
    "PN-TLS-CERTIFICAT": (before_login(network_error="tls", network_error_url=ENT), None),
    "PN-DNS-ECHEC": (
        at_portal(network_error="dns", network_error_url="http://pronote.college.exemple.fr/"),
        None,
    ),
    "PN-IP-SUSPENDUE": (landing("lockout/ip_suspendue.html", PRONOTE), None),
    "PN-TROP-ERREURS-AUTH": (landing("lockout/trop_erreurs.html", PRONOTE), None),
    "PN-DELAI-DEPASSE": (
        landing("space/start_only.html", PRONOTE + "eleve.html", timed_out=True, mode="browser"),
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
    # ÉduConnect, as the journey saw it: no choice offered, its own page, its identity check.
    "PN-WAYF-CHOIX-ABSENT": (
        before_login(login_route="educonnect", educonnect_offered=False, final_url=ENT),
        None,
    ),
    "PN-EDUCONNECT-INDISPONIBLE": (
        before_login(
            login_route="educonnect",
            educonnect_offered=True,
            stopped_at_idp=True,
            final_url="https://educonnect.example.fr/idp/profile/SAML2/Redirect/SSO",
            final_status=503,
        ),
        None,
    ),
    "PN-EDUCONNECT-VERIFICATION-IDENTITE": (
        before_login(
            login_route="educonnect", educonnect_offered=True, identity_check_passed=False
        ),
        None,
    ),
    # The ENT answered ÉduConnect's SAMLResponse with a page of its own: the assertion's own
    # dates name the cause first (verdict.saml), then the run, then the ENT's words.
    "PN-SAML-HORLOGE": (rejected_return(clock_skew=True, outside_window_s=900.0), None),
    "PN-EDUCONNECT-CERTIFICAT": (rejected_return(certificate="expired"), None),
    "PN-EDUCONNECT-COMPTE-NON-RATTACHE": (
        rejected_return(text="Votre compte ÉduConnect n'est rattaché à aucun compte de l'ENT"),
        None,
    ),
    "PN-EDUCONNECT-RETOUR-REFUSE": (rejected_return(text="Une erreur est survenue"), None),
    # Edifice's own answers after ÉduConnect, named by its login route (e2e/routes/edifice.py).
    "PN-ENT-COMPTE-BLOQUE": (
        replace(rejected_return(text="a bloqué votre accès"), route_refusal="PN-ENT-COMPTE-BLOQUE"),
        None,
    ),
    "PN-ENT-COMPTES-MULTIPLES": (
        replace(
            rejected_return(text="Choisissez le compte pour vous connecter"),
            route_refusal="PN-ENT-COMPTES-MULTIPLES",
        ),
        None,
    ),
    "PN-RESEAU-LENT": (
        journey(timings={"ent_login_page": 4.0, "portal": 6.0, "pronote": 9.0, "hop_median": 2.1}),
        None,
    ),
    "PN-RESEAU-INSTABLE": (journey(retries=retried(ENT)), None),
    # What the ENT and PRONOTE answer at la rentrée when they protect themselves (issue 23).
    "PN-ENT-MAINTENANCE": (
        before_login(
            final_url=ENT,
            final_status=503,
            final_kind="http_error",
            final_text="Maintenance en cours Votre ENT est en cours de maintenance.",
        ),
        None,
    ),
    "PN-ENT-COMPTE-VERROUILLE": (
        before_login(
            credentials_rejected=True,
            final_url=CAS + "login",
            final_kind="cas_login",
            final_text="Votre compte est temporairement verrouillé suite à de trop nombreuses "
            "tentatives de connexion.",
        ),
        None,
    ),
    "PN-ENT-CAPTCHA": (
        before_login(captcha_asked=True, final_url=CAS + "login", final_kind="cas_login"),
        None,
    ),
    "PN-PRONOTE-CODE-PIN": (
        journey(
            final_url=PRONOTE + "parent.html",
            final_kind="code_prompt",
            final_text="Double authentification Saisissez votre code PIN.",
            display_name_seen=None,
            space_label=None,
        ),
        None,
    ),
    "PN-EDUCONNECT-ETAPE-INCONNUE": (
        before_login(
            login_route="educonnect",
            educonnect_offered=True,
            stopped_at_idp=True,
            idp_unknown_step=True,
            final_url="https://educonnect.example.fr/idp/profile/SAML2/Redirect/SSO",
            final_status=200,
            final_text="Nouvelles conditions générales d'utilisation",
        ),
        None,
    ),
    # The ENT's login answered from a host the settings do not name: passed, with a warning.
    "PN-CONNEXION-ENT-DEPLACEE": (journey(login_moved_to=MOVED_LOGIN), None),
    # A 5xx names the step and the server that answered it (issue 23).
    "PN-ENT-RETOUR-SAML-ERREUR": (
        dataclasses.replace(rejected_return(text="502 Bad Gateway nginx"), final_status=502),
        None,
    ),
    "PN-EDUCONNECT-ERREUR-SERVEUR": (
        before_login(
            login_route="educonnect",
            educonnect_offered=True,
            stopped_at_idp=True,
            idp_password_sent=True,
            final_url="https://educonnect.example.fr/idp/profile/SAML2/POST/SSO",
            final_status=500,
            final_text="Une erreur technique est survenue",
        ),
        None,
    ),
    "PN-PRONOTE-ERREUR-SERVEUR": (
        journey(
            final_status=502,
            final_kind="pronote_unavailable",
            final_text="502 Bad Gateway nginx",
            cas_validation=None,
        ),
        None,
    ),
    "PN-PROXY-INJOIGNABLE": (
        before_login(network_error="proxy_unreachable", network_error_url=ENT, proxy=PROXY),
        None,
    ),
    "PN-PROXY-AUTHENTIFICATION": (
        before_login(network_error="proxy_auth", network_error_url=ENT, proxy=PROXY),
        None,
    ),
}


def test_rejected_educonnect_return_names_the_unmapped_identity_from_the_run() -> None:
    # Given the ENT accepted another account's return signed with the same certificate
    accepted = replace(
        rejected_return(text=""),
        account="autre.eleve",
        saml_return_refused=False,
        reached_portal=True,
    )
    refused = rejected_return(text="Accès impossible : contactez votre établissement")
    context = Evidence(observations=(accepted, refused))
    # When the rules look at the refused one, whose page says nothing they know
    verdict = judge(refused, TARGET, context)
    # Then the signature is not the cause: this identity is
    assert verdict.code == "PN-EDUCONNECT-COMPTE-NON-RATTACHE"
    # while alone, the same page only gets the family, with the three causes
    alone = judge(refused, TARGET)
    assert alone.code == "PN-EDUCONNECT-RETOUR-REFUSE"
    assert codes(alone.alternatives) == [
        "PN-EDUCONNECT-CERTIFICAT",
        "PN-SAML-HORLOGE",
        "PN-EDUCONNECT-COMPTE-NON-RATTACHE",
    ]


def test_cases_cover_every_code() -> None:
    # PN-COMPTE-ABSENT-FICHIER needs an identifiers file, tested below.
    assert set(CASES) | {"PN-COMPTE-ABSENT-FICHIER"} == set(CATALOGUE)


@pytest.mark.parametrize("code", list(CASES))
def test_diagnose_names_each_code(code: str) -> None:
    obs, context = CASES[code]
    verdict = judge(obs, TARGET, context)
    if CATALOGUE[code].warning:
        assert verdict.outcome == "passed", message(verdict)
        assert codes(verdict.warnings) == [code]
    else:
        assert verdict.outcome == "failed"
        assert verdict.code == code, message(verdict)
        assert code not in codes(verdict.alternatives)
        assert verdict.details, "a failing verdict says what was seen"


def in_file(export: IdentifiersFile, name: str | None = None) -> Evidence:
    """The evidence of a run given PRONOTE's export; *name*: the account's expected name."""
    return Evidence(identifiers=export, names={"lea.martin": name} if name else {})


def test_judge_names_an_account_missing_from_the_identifiers_file() -> None:
    export = parse_identifiers(
        "Elèves\tIdentifiant PRONOTE\tIdentifiant CAS\r\nMARTIN Léa\tAZKH9C7WSQ2R54DP\t\r\n".encode(
            "cp1252"
        )
    )
    assert judge(journey(), TARGET).outcome == "passed"
    kept = judge(journey(), TARGET, in_file(export, "Léa MARTIN"))
    assert kept.outcome == "passed" and kept.file_row is not None and kept.file_row.line_no == 2
    # Found by the code the CAS released, whatever the name:
    assert judge(journey(), TARGET, in_file(export, "Hugo BERNARD")).file_row is not None
    other = journey(cas_validation=validation(identifier=False))
    failed = judge(other, TARGET, in_file(export, "Hugo BERNARD"))
    assert failed.file_row is None and failed.file_checked
    assert failed.outcome == "failed" and failed.code == "PN-COMPTE-ABSENT-FICHIER"
    obs = journey(display_name_seen=False, cas_validation=validation(identifier=False))
    broken = judge(obs, TARGET)
    still = judge(obs, TARGET, in_file(export, "Hugo BERNARD"))
    assert still.code == broken.code
    assert "PN-COMPTE-ABSENT-FICHIER" in codes(still.alternatives)


def test_judge_a_released_code_missing_from_the_identifiers_file_is_unknown() -> None:
    # Given an export without the code the CAS releases for this account
    export = parse_identifiers(
        b"Eleves\tIdentifiant PRONOTE\tIdentifiant CAS\r\nPETIT Noe\tT24VU0M333CQCQIY\t\r\n"
    )
    assert judge(prompt(identifier=True), TARGET).code == "PN-GESTION-IDENTIFIANTS-DESACTIVEE"
    # Then PRONOTE cannot know that code: the user is unknown to PRONOTE
    checked = judge(prompt(identifier=True), TARGET, in_file(export))
    assert checked.code == "PN-UTILISATEUR-INCONNU-PRONOTE"
    assert "PN-GESTION-IDENTIFIANTS-DESACTIVEE" in codes(checked.alternatives)


def test_judge_does_not_look_up_an_account_the_preflight_kept_from_being_checked() -> None:
    export = parse_identifiers(
        b"Eleves\tIdentifiant PRONOTE\tIdentifiant CAS\r\nPETIT Noe\tT24VU0M333CQCQIY\t\r\n"
    )
    obs = before_login(mode="preflight", network_error="connection_refused", network_error_url=ENT)
    verdict = judge(obs, TARGET, in_file(export))
    assert verdict.code == "PN-ENT-INJOIGNABLE" and not verdict.file_checked
    assert codes(verdict.alternatives) == []


# -- rules, one behaviour at a time ---------------------------------------------------------
def test_diagnose_passes_a_space_reached_without_prompt() -> None:
    verdict = judge(journey(display_name_seen=True), TARGET)
    assert (verdict.outcome, verdict.diagnosis, verdict.warnings) == ("passed", None, [])


def test_diagnose_a_probe_space_without_a_ticket_is_not_a_pass() -> None:
    obs = landing(
        "space/start_only.html",
        PRONOTE + "eleve.html",
        ticket_issued=False,
        pronote_service=None,
        cas_validation=None,
    )
    assert judge(obs, TARGET).outcome == "failed"
    # The browser proves a space by its banner: no ticket needed in its observation
    assert judge(replace(obs, mode="browser"), TARGET).outcome == "passed"


def test_judge_cas_off_in_the_preflights_info_mobile_app_is_evidence_by_itself() -> None:
    obs = at_portal(final_url=PRONOTE, final_kind="unknown")
    verdict = judge(obs, TARGET, Evidence(pronote_cas_active=False))
    assert verdict.code == "PN-AUTH-CAS-DESACTIVEE"
    assert "CAS.actif" in verdict.details


def test_diagnose_warnings_never_turn_a_pass_into_a_failure() -> None:
    obs = journey(
        retries=retried(ENT),
        timings={"ent_login_page": 9.0, "portal": 9.0, "pronote": 9.0, "total": 70.0},
    )
    verdict = judge(obs, TARGET)
    assert verdict.outcome == "passed"
    assert codes(verdict.warnings) == ["PN-RESEAU-INSTABLE", "PN-RESEAU-LENT"]


def test_diagnose_retries_of_the_failing_page_are_the_failure_not_instability() -> None:
    obs, _ = CASES["PN-SITE-INDISPONIBLE"]
    assert judge(obs, TARGET).warnings == []


def test_diagnose_retries_are_compared_without_their_ticket() -> None:
    # The journey records URLs without tickets; a failure on the same page is the failure.
    obs = landing(
        "unavailable/http_error_503.html",
        PRONOTE + "?ticket=ST-…",
        503,
        retries=retried(PRONOTE + "?ticket=ST-99-abc", "http_503"),
    )
    assert judge(obs, TARGET).warnings == []


def test_diagnose_warnings_accompany_a_failure() -> None:
    obs = replace(prompt(identifier=False), retries=retried(ENT))
    verdict = judge(obs, TARGET)
    assert (verdict.code, codes(verdict.warnings)) == (
        "PN-IDENTIFIANTS-NON-IMPORTES",
        ["PN-RESEAU-INSTABLE"],
    )
    assert "http_502 sur https://ent.example.fr/" in verdict.details


@pytest.mark.parametrize(
    ("mode", "timings", "is_lab", "slow"),
    [
        pytest.param(
            "probe", {"a": 0.7, "b": 1.4, "c": 0.7, "hop_median": 0.34}, True, True, id="lab-slow"
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
        pytest.param("probe", {"a": 0.7, "b": 1.4, "c": 0.7}, True, True, id="lab-steps-only"),
        pytest.param("probe", {"a": 0.9, "b": 0.9}, True, False, id="lab-two-steps-only"),
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
        pytest.param("browser", {"a": 3.0, "b": 3.0, "c": 3.0}, True, False, id="lab-no-hops"),
        pytest.param(
            "probe", {"a": 3.5, "b": 4.0, "c": 3.1, "hop_median": 1.6}, False, True, id="real-slow"
        ),
        pytest.param(
            "probe", {"a": 0.7, "b": 1.4, "c": 0.7, "hop_median": 0.34}, False, False, id="real"
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
    verdict = judge(journey(mode=mode, timings=timings), target)
    assert ("PN-RESEAU-LENT" in codes(verdict.warnings)) is slow


def test_diagnose_slow_threshold_comes_from_the_run_context() -> None:
    obs = journey(timings={"a": 1.0, "b": 1.5, "c": 1.2, "hop_median": 0.8, "total": 3.7})
    assert judge(obs, TARGET).warnings == []
    context = Evidence(slow_hop_s=0.5)
    assert codes(judge(obs, TARGET, context).warnings) == ["PN-RESEAU-LENT"]


def test_diagnose_a_timeout_alone_says_what_the_page_showed() -> None:
    obs, _ = CASES["PN-DELAI-DEPASSE"]
    verdict = judge(obs, TARGET)
    assert verdict.code == "PN-DELAI-DEPASSE"
    assert PRONOTE + "eleve.html" in verdict.details
    assert codes(verdict.alternatives) == ["PN-PRONOTE-INJOIGNABLE", "PN-NOM-NON-AFFICHE"]


def test_diagnose_a_timeout_on_an_unknown_pronote_page_is_not_a_ticket_failure() -> None:
    # A space still loading when time ran out: no input, no space, but no proof either.
    obs = landing(
        "ticket_refused/unknown_error_no_input.html", PRONOTE, timed_out=True, mode="browser"
    )
    verdict = judge(obs, TARGET)
    assert verdict.code == "PN-DELAI-DEPASSE"
    assert "PN-VALIDATION-TICKET-ECHEC" in codes(verdict.alternatives)


def test_diagnose_a_network_timeout_names_the_host_only_as_an_alternative() -> None:
    obs = at_portal(network_error="timeout", network_error_url=PRONOTE, final_url=None)
    verdict = judge(obs, TARGET)
    assert verdict.code == "PN-DELAI-DEPASSE"
    assert codes(verdict.alternatives) == ["PN-PRONOTE-INJOIGNABLE"]


@pytest.mark.parametrize(
    "code",
    ["PN-GESTION-IDENTIFIANTS-DESACTIVEE", "PN-DOUBLE-AUTHENTIFICATION", "PN-SERVICE-NON-AUTORISE"],
)
def test_diagnose_a_timeout_on_a_page_that_proves_its_cause_names_that_cause(code: str) -> None:
    obs, context = CASES[code]
    verdict = judge(replace(obs, timed_out=True), TARGET, context)
    assert verdict.code == code


@pytest.mark.parametrize(
    ("others", "code", "alternatives"),
    [
        pytest.param(
            [], "PN-IDENTIFIANTS-NON-IMPORTES", ["PN-UTILISATEUR-ABSENT-IMPORT"], id="first"
        ),
        pytest.param([False, False, False], "PN-IDENTIFIANTS-NON-IMPORTES", [], id="nobody-had-it"),
        pytest.param([True, False], "PN-UTILISATEUR-ABSENT-IMPORT", [], id="another-had-it"),
    ],
)
def test_diagnose_identifier_absent_depends_on_the_other_accounts(
    others: list[bool], code: str, alternatives: list[str]
) -> None:
    context = context_with(
        *(
            entered(f"autre.{i}") if got else prompt(identifier=False, account=f"autre.{i}")
            for i, got in enumerate(others)
        )
    )
    verdict = judge(prompt(identifier=False), TARGET, context)
    assert (verdict.code, codes(verdict.alternatives)) == (code, alternatives)


def test_diagnose_other_targets_do_not_count() -> None:
    other = entered("autre.0")
    other.target = "0310002B Autre collège"
    verdict = judge(prompt(identifier=False), TARGET, context_with(other))
    assert codes(verdict.alternatives) == ["PN-UTILISATEUR-ABSENT-IMPORT"]


def test_diagnose_identifier_context_leaves_the_account_itself_out() -> None:
    # Given a context holding only this very account (added before diagnosing, as e2e does)
    obs = prompt(identifier=False)
    verdict = judge(obs, TARGET, context_with(obs))
    # Then nothing is known about the others
    assert codes(verdict.alternatives) == ["PN-UTILISATEUR-ABSENT-IMPORT"]


def test_diagnose_identifier_prompt_without_our_own_validation_lists_every_cause() -> None:
    verdict = judge(prompt(identifier=None), TARGET)
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
    verdict = judge(refused_by_cas("cas_refused/apereo.html", service), TARGET)
    assert verdict.code == "PN-SERVICE-NON-AUTORISE"


def test_diagnose_default_port_is_the_same_url() -> None:
    target = replace(TARGET, pronote_url="https://pronote.example.fr/pronote/")
    obs = refused_by_cas("cas_refused/apereo.html", "https://pronote.example.fr:443/pronote/")
    assert judge(obs, target).code == "PN-SERVICE-NON-AUTORISE"


def test_diagnose_wrong_cas_url_wins_over_what_that_cas_then_shows() -> None:
    # A wrong CAS that refuses the service: the cause is the address, not the registration.
    obs, _ = CASES["PN-SERVICE-NON-AUTORISE"]
    obs = replace(obs, pronote_cas_login_url="https://cas.autre-ent.fr/login?service=x")
    assert judge(obs, TARGET).code == "PN-URL-CAS-ERRONEE"


def test_diagnose_wrong_cas_url_on_an_unknown_host_lists_the_dns_failure() -> None:
    obs = at_portal(
        pronote_cas_login_url="https://cas.exemple.fr/login?service=x",
        network_error="dns",
        network_error_url="https://cas.exemple.fr/login?service=x",
    )
    verdict = judge(obs, TARGET)
    assert (verdict.code, codes(verdict.alternatives)) == ("PN-URL-CAS-ERRONEE", ["PN-DNS-ECHEC"])


def test_diagnose_our_own_invalid_service_names_the_public_url() -> None:
    obs = landing(
        "ticket_refused/unknown_error_no_input.html",
        PRONOTE,
        cas_validation=CasValidation(
            "http://92.103.71.93:82/pronote/", failure_code="INVALID_SERVICE"
        ),
    )
    verdict = judge(obs, TARGET)
    assert verdict.code == "PN-URL-PUBLIQUE-ERRONEE"


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
    assert judge(obs, TARGET).code == code


def test_diagnose_ent_and_cas_on_one_host_are_told_apart_by_the_cas_path() -> None:
    target = replace(
        TARGET, ent_url="https://ent.example.fr/", cas_url="https://ent.example.fr/cas/"
    )
    cas = before_login(network_error="connection_refused", network_error_url=target.cas_url)
    ent = before_login(network_error="connection_refused", network_error_url=target.ent_url)
    assert judge(cas, target).code == "PN-CAS-INJOIGNABLE"
    assert judge(ent, target).code == "PN-ENT-INJOIGNABLE"


def test_diagnose_an_educonnect_host_down_before_the_portal_is_educonnect() -> None:
    obs = before_login(
        login_route="educonnect",
        network_error="connection_refused",
        network_error_url="https://educonnect.education.gouv.fr/idp/profile/SAML2/POST/SSO",
    )
    verdict = judge(obs, TARGET)
    assert verdict.code == "PN-EDUCONNECT-INDISPONIBLE"
    assert "connexion par : educonnect" in verdict.details


def test_diagnose_details_never_show_a_ticket() -> None:
    obs = landing(
        "ticket_refused/impossible_afficher_la_page.html",
        PRONOTE + "?ticket=ST-12-secret",
        final_text="Erreur ticket=ST-12-secret refusé",
    )
    verdict = judge(obs, TARGET)
    assert "ST-12-secret" not in verdict.details
    assert "ST-12-secret" not in message(verdict)


def test_message_reads_as_one_french_paragraph() -> None:
    obs, _ = CASES["PN-URL-PUBLIQUE-ERRONEE"]
    verdict = judge(obs, TARGET)
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
    text = message(judge(obs, TARGET))
    assert text.startswith("Réussi")
    assert "[PN-RESEAU-INSTABLE]" in text


def test_verdict_to_dict_gives_codes() -> None:
    obs, _ = CASES["PN-URL-PUBLIQUE-ERRONEE"]
    data = judge(obs, TARGET).to_dict()
    assert data["outcome"] == "failed"
    assert data["diagnosis"]["code"] == "PN-URL-PUBLIQUE-ERRONEE"
    assert data["alternatives"] == ["PN-SERVICE-NON-AUTORISE"]


# -- one definition of "identifier released", and the account's record --------------------
@pytest.mark.parametrize(
    ("validation_", "released"),
    [
        pytest.param(None, None, id="not-validated"),
        pytest.param(CasValidation(PRONOTE, failure_code="INVALID_TICKET"), None, id="failed"),
        pytest.param(validation(identifier=True), True, id="released"),
        pytest.param(validation(identifier=False), False, id="absent"),
        pytest.param(
            CasValidation(PRONOTE, user="NAA30191", attributes={"identifiantPronote": [" "]}),
            False,
            id="empty-value",
        ),
    ],
)
def test_identifier_released_is_one_definition(
    validation_: CasValidation | None, released: bool | None
) -> None:
    obs = journey(cas_validation=validation_)
    assert obs.identifier_released("identifiantPronote") is released
    result = AccountResult.from_verdict(TARGET, "lea.martin", "eleve", judge(obs, TARGET))
    assert result.identifier_released is released
    others, known = context_with(replace(obs, account="autre")).identifier_released(
        TARGET, besides="lea.martin"
    )
    assert (others, known) == (int(bool(released)), int(released is not None))


def test_account_result_from_verdict_of_a_failure() -> None:
    obs = replace(prompt(identifier=False), retries=retried(ENT), warnings=["note"])
    verdict = judge(obs, TARGET)
    result = AccountResult.from_verdict(TARGET, "lea.martin", "eleve", verdict)
    assert result.outcome == "failed"
    assert result.diagnosis == "PN-IDENTIFIANTS-NON-IMPORTES"
    assert result.alternatives == ["PN-UTILISATEUR-ABSENT-IMPORT"]
    assert result.warnings == ["PN-RESEAU-INSTABLE", "note"]
    assert result.cas_user == "NAA30191"
    assert result.retries == [{"url": ENT, "cause": "http_502"}]
    assert result.message == message(verdict)
    assert result.final_url == PRONOTE + "eleve.html" and result.mode == "probe"
    skipped = AccountResult.from_verdict(TARGET, "x", "eleve", verdict, skipped=True)
    assert skipped.outcome == "skipped" and skipped.message


def test_account_result_of_a_pass_has_no_message() -> None:
    obs = journey()
    result = AccountResult.from_verdict(TARGET, "lea.martin", "eleve", judge(obs, TARGET))
    assert (result.outcome, result.diagnosis, result.message) == ("passed", None, "")


# -- the catalogue ----------------------------------------------------------------------
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


def test_catalogue_keeps_every_published_code() -> None:
    # The README's codes are a public contract: a code may be added, never dropped.
    published = {
        "PN-ENT-IDENTIFIANTS-REFUSES", "PN-ENT-INJOIGNABLE", "PN-CAS-INJOIGNABLE",
        "PN-PRONOTE-INJOIGNABLE", "PN-URL-CAS-ERRONEE", "PN-URL-PUBLIQUE-ERRONEE",
        "PN-AUTH-CAS-DESACTIVEE", "PN-SITE-INDISPONIBLE", "PN-GESTION-IDENTIFIANTS-DESACTIVEE",
        "PN-IDENTIFIANTS-NON-IMPORTES", "PN-UTILISATEUR-ABSENT-IMPORT", "PN-RACCOURCI-ABSENT",
        "PN-RACCOURCI-URL-DIRECTE", "PN-SERVICE-NON-AUTORISE", "PN-UTILISATEUR-INCONNU-PRONOTE",
        "PN-DOUBLE-AUTHENTIFICATION", "PN-CAS-REPONSE-ILLISIBLE", "PN-VALIDATION-TICKET-ECHEC",
        "PN-BOUCLE-REDIRECTIONS", "PN-TLS-CERTIFICAT", "PN-DNS-ECHEC", "PN-IP-SUSPENDUE",
        "PN-TROP-ERREURS-AUTH", "PN-DELAI-DEPASSE", "PN-PAGE-INATTENDUE", "PN-NOM-NON-AFFICHE",
        "PN-COMPTE-ABSENT-FICHIER", "PN-RESEAU-LENT", "PN-RESEAU-INSTABLE",
    }  # fmt: skip
    assert published <= set(CATALOGUE)


def test_catalogue_warnings_are_the_network_ones_and_a_moved_login() -> None:
    assert {c for c, d in CATALOGUE.items() if d.warning} == {
        "PN-RESEAU-LENT",
        "PN-RESEAU-INSTABLE",
        "PN-CONNEXION-ENT-DEPLACEE",
    }


@pytest.mark.parametrize("status", [500, 502, 504])
def test_pronote_5xx_on_the_ticket_is_pronote_s_server_error_not_a_ticket_refusal(
    status: int,
) -> None:
    obs = journey(final_status=status, final_kind="unknown", final_text="Internal Server Error")
    verdict = judge(obs, TARGET)
    assert verdict.code == "PN-PRONOTE-ERREUR-SERVEUR", message(verdict)
    assert f"(HTTP {status})" in verdict.details


def test_pronote_503_or_its_unavailable_page_stays_the_site_unavailable() -> None:
    # Before a ticket, or PRONOTE's own "site indisponible": the publication, not a crash.
    assert judge(journey(final_status=503, final_kind="pronote_unavailable"), TARGET).code == (
        "PN-SITE-INDISPONIBLE"
    )
    unavailable = journey(
        final_status=502, final_kind="unknown", final_text="Le site n'est pas disponible"
    )
    assert judge(unavailable, TARGET).code == "PN-SITE-INDISPONIBLE"


def test_educonnect_5xx_before_the_password_is_unavailability_after_it_a_server_error() -> None:
    idp = "https://educonnect.example.fr/idp/profile/SAML2/POST/SSO"
    common = dict(login_route="educonnect", educonnect_offered=True, stopped_at_idp=True)
    before = before_login(final_url=idp, final_status=503, **common)
    after = before_login(final_url=idp, final_status=500, idp_password_sent=True, **common)
    assert judge(before, TARGET).code == "PN-EDUCONNECT-INDISPONIBLE"
    assert judge(after, TARGET).code == "PN-EDUCONNECT-ERREUR-SERVEUR"


def test_moved_login_warning_names_the_new_host() -> None:
    verdict = judge(journey(login_moved_to=MOVED_LOGIN), TARGET)
    assert verdict.outcome == "passed"
    assert f"connexion de l'ENT déplacée vers : {MOVED_LOGIN}" in verdict.details
    assert "[PN-CONNEXION-ENT-DEPLACEE]" in message(verdict)
    # A journey that stayed on the configured hosts carries no such warning.
    assert codes(judge(journey(), TARGET).warnings) == []


def test_every_lab_fault_maps_to_a_code() -> None:
    assert set(FAULT_CODES) == set(FAULTS)
    assert set(FAULT_CODES.values()) <= set(CATALOGUE)
    assert "PN-PAGE-INATTENDUE" not in FAULT_CODES.values()


def test_fault_pairs_name_known_faults_and_codes() -> None:
    for pair in FAULT_PAIRS:
        assert set(pair.faults) <= set(FAULTS)
        assert {pair.code, *pair.alternatives, *pair.warnings} <= set(CATALOGUE)


def test_docs_diagnoses_is_up_to_date() -> None:
    doc = (ROOT / "docs" / "diagnoses.md").read_text(encoding="utf-8")
    assert doc == diagnoses_markdown(), (
        "docs/diagnoses.md is stale: python -m tests.fault_oracle > docs/diagnoses.md"
    )


def test_docs_table_has_one_row_per_code() -> None:
    rows = [line for line in table() if line.startswith("| `PN-")]
    assert [row.split("`")[1] for row in rows] == list(CATALOGUE)


def test_readme_table_is_as_generated() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme_with_table(readme) == readme, (
        "README.md's diagnoses table is stale: python -m verdict.docs --readme README.md"
    )


@pytest.mark.parametrize(
    ("inputs", "kind"),
    [
        ('<input type="password" id="id_41">', "code_prompt"),
        ('<input type="text" id="id_40"><input type="password" id="id_41">', "password_prompt"),
    ],
    ids=["a-code-alone", "login-and-password"],
)
def test_pronote_page_asking_a_secret_alone_is_a_code_not_its_own_login(
    inputs: str, kind: str
) -> None:
    """After single sign-on, PRONOTE 2024's PIN step asks a code alone; its own login (the
    double authentication recognition mode) asks an identifier and a password."""
    html = f'<html><body id="id_body"><div id="div"><form>{inputs}</form></div></body></html>'
    found_kind = page_kind(
        PRONOTE + "parent.html",
        200,
        html,
        pronote_hosts=TARGET.pronote_hosts,
        cas_url=CAS,
        banner=BANNER,
    )
    assert found_kind == kind


def test_an_account_not_tried_is_named_by_what_stopped_its_establishments_logins() -> None:
    """The journey records who stopped the logins; the judge names the cause from that
    account's observation, as it named that account's own."""
    locked = CASES["PN-ENT-COMPTE-VERROUILLE"][0]
    waiting = replace(before_login(), account="autre.0", not_tried=locked.account)
    assert judge(waiting, TARGET, Evidence(observations=(locked, waiting))).code == (
        "PN-ENT-COMPTE-VERROUILLE"
    )
    # Without the stopping account's observation, nothing is proven.
    assert judge(waiting, TARGET, Evidence(observations=(waiting,))).code == "PN-PAGE-INATTENDUE"


@pytest.mark.parametrize(
    ("kind", "code", "said"),
    [
        pytest.param("proxy_unreachable", "PN-PROXY-INJOIGNABLE", "proxy injoignable", id="down"),
        pytest.param(
            "proxy_auth",
            "PN-PROXY-AUTHENTIFICATION",
            "authentification refusée par le proxy (HTTP 407)",
            id="407",
        ),
    ],
)
@pytest.mark.parametrize(
    "obs",
    [
        pytest.param(before_login(mode="preflight", network_error_url=ENT), id="preflight-ent"),
        pytest.param(before_login(network_error_url=CAS + "login"), id="cas-login"),
        pytest.param(at_portal(network_error_url=PRONOTE), id="shortcut-to-pronote"),
    ],
)
def test_a_failing_proxy_is_named_as_the_proxy_not_as_the_host_behind_it(
    obs: Observation, kind: str, code: str, said: str
) -> None:
    # Given the request for the ENT, its CAS or PRONOTE.net failed at the proxy
    failed = replace(obs, network_error=kind, proxy=PROXY)
    # When the judge names it
    verdict = judge(failed, TARGET)
    # Then the proxy is the cause, named with its address, and no server behind it is blamed
    assert (verdict.code, codes(verdict.alternatives)) == (code, [])
    assert f"proxy : {PROXY}" in verdict.details and said in verdict.details
    assert f"[{code}]" in message(verdict)
    # while the same refusal without a proxy stays the host's
    direct = judge(replace(obs, network_error="connection_refused"), TARGET)
    assert direct.code in {"PN-ENT-INJOIGNABLE", "PN-CAS-INJOIGNABLE", "PN-PRONOTE-INJOIGNABLE"}
    assert "proxy :" not in direct.details


def test_a_failing_proxy_names_its_fix_not_the_ent_s() -> None:
    assert "VERIFIER_PROXY" in CATALOGUE["PN-PROXY-INJOIGNABLE"].fix
    assert "HTTPS_PROXY" in CATALOGUE["PN-PROXY-INJOIGNABLE"].fix
    assert "407" in CATALOGUE["PN-PROXY-AUTHENTIFICATION"].explanation
    assert "compte du proxy" in CATALOGUE["PN-PROXY-AUTHENTIFICATION"].fix
