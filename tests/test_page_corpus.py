"""Pages we did not write (tests/fixtures/pages): what they are, and what the rules conclude.

Each observation is built as the journeys build it (page_kind and visible_text over the
page, at the address it would be served from), with the protocol evidence varied:
ticket issued or not, our own validation ok or failed, identifier released or not.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.verdict_cases import (
    BANNER,
    CAS,
    PAGES,
    PRONOTE,
    TARGET,
    landing,
    refused_by_cas,
    validation,
)
from verdict.cas import CasValidation
from verdict.judge import Evidence, judge, message
from verdict.page import page_kind
from verdict.wording import Wording

SPACE_URL = PRONOTE + "eleve.html?identifiant=AZKH9C7WSQ2R54DP"
LOGIN_URL = f"{CAS}login?service=http%3A%2F%2Fpronote.college.example.fr%3A82%2Fpronote%2F"

# (page, where it is served, status, the kind it is)
KINDS = [
    ("space/banner_eleve.html", SPACE_URL, 200, "space"),
    ("space/banner_parent.html", PRONOTE + "parent.html", 200, "space"),
    ("space/banner_professeur.html", PRONOTE + "professeur.html", 200, "space"),
    ("space/start_only.html", PRONOTE + "eleve.html", 200, "space"),
    ("not_linked/identification_impossible_2025.html", PRONOTE, 200, "identifier_prompt"),
    ("not_linked/identifiant_pronote_ent_2011.html", PRONOTE, 200, "identifier_prompt"),
    ("not_linked/unknown_wording_text_input.html", PRONOTE, 200, "identifier_prompt"),
    ("password/own_login_after_cas.html", PRONOTE, 200, "password_prompt"),
    ("cas_refused/django_cas_server_fr.html", LOGIN_URL, 200, "cas_service_refused"),
    ("cas_refused/django_cas_server_en.html", LOGIN_URL, 200, "cas_service_refused"),
    ("cas_refused/apereo.html", LOGIN_URL, 403, "cas_service_refused"),
    ("cas_refused/kosmos_unknown_wording.html", LOGIN_URL, 200, "unknown"),
    ("ticket_refused/impossible_afficher_la_page.html", PRONOTE, 200, "pronote_error"),
    ("ticket_refused/acces_refuse.html", PRONOTE, 200, "pronote_error"),
    ("ticket_refused/msxml.html", PRONOTE, 200, "pronote_error"),
    ("ticket_refused/unknown_error_no_input.html", PRONOTE, 200, "unknown"),
    ("unavailable/site_pas_disponible.html", PRONOTE, 200, "pronote_unavailable"),
    ("unavailable/momentanement_indisponible.html", PRONOTE, 200, "pronote_unavailable"),
    ("unavailable/http_error_503.html", PRONOTE, 503, "pronote_unavailable"),
    ("unavailable/maintenance_unknown_wording.html", PRONOTE, 503, "pronote_unavailable"),
    ("space_refused/pas_acces_espace.html", PRONOTE, 200, "pronote_error"),
    ("lockout/ip_suspendue.html", PRONOTE, 200, "pronote_unavailable"),
    ("lockout/trop_erreurs.html", PRONOTE, 200, "pronote_unavailable"),
]


def kind_of(page: str, url: str, status: int, wording: Wording | None = None) -> str:
    html = (PAGES / page).read_text(encoding="utf-8")
    return page_kind(
        url,
        status,
        html,
        pronote_hosts=TARGET.pronote_hosts,
        cas_url=CAS,
        banner=BANNER,
        wording=wording,
    )


def test_corpus_every_page_is_classified_and_cites_its_fact() -> None:
    listed = {page for page, *_ in KINDS}
    on_disk = {str(p.relative_to(PAGES)) for p in PAGES.rglob("*.html")}
    assert listed == on_disk
    for page in on_disk:
        assert (PAGES / page).read_text(encoding="utf-8").startswith("<!-- fact: "), page


@pytest.mark.parametrize(("page", "url", "status", "kind"), KINDS, ids=[k[0] for k in KINDS])
def test_page_kind_names_each_real_page(page: str, url: str, status: int, kind: str) -> None:
    assert kind_of(page, url, status) == kind


def test_page_kind_id_body_alone_on_a_login_screen_is_not_a_space() -> None:
    # PRONOTE's own login screen has #id_body and Start ( too, but asks for a password.
    assert kind_of("password/own_login_after_cas.html", PRONOTE, 200) == "password_prompt"


def test_page_kind_the_same_banner_elsewhere_is_no_pronote_space() -> None:
    assert kind_of("space/banner_eleve.html", "https://ent.example.fr/portail", 200) == "unknown"


def test_page_kind_an_empty_banner_is_no_proof() -> None:
    html = (PAGES / "space/banner_eleve.html").read_text(encoding="utf-8")
    empty = html.replace("Espace Élèves - CHAMPION HAJJI Mathis (1GB)", " ")
    kind = page_kind(
        PRONOTE,
        200,
        empty.replace("onload=", "data-x="),
        pronote_hosts=TARGET.pronote_hosts,
        cas_url=CAS,
        banner=BANNER,
    )
    assert kind == "unknown"


def test_page_kind_takes_the_wording_it_is_given() -> None:
    # Given a CAS that words its refusal in a way the defaults do not know
    page, url = "cas_refused/kosmos_unknown_wording.html", LOGIN_URL
    custom = Wording(cas_refused=["ne peut pas être ouvert depuis votre ENT"])
    # Then the phrase set in the settings names it
    assert kind_of(page, url, 200) == "unknown"
    assert kind_of(page, url, 200, custom) == "cas_service_refused"


# -- the rules over the corpus, evidence varied ------------------------------------------
SPACES = [k[0] for k in KINDS if k[0].startswith("space/")]


@pytest.mark.parametrize("page", SPACES)
def test_rules_pass_a_space_reached_with_a_ticket(page: str) -> None:
    verdict = judge(landing(page, SPACE_URL), TARGET)
    assert verdict.outcome == "passed", message(verdict)


def test_rules_a_started_page_without_any_cas_ticket_is_pronote_own_login() -> None:
    # HTTP cannot tell PRONOTE's own login screen from a space: no ticket, no space.
    obs = landing(
        "space/start_only.html",
        PRONOTE + "eleve.html",
        ticket_issued=False,
        pronote_service=None,
        pronote_cas_login_url=None,
        cas_validation=None,
    )
    assert judge(obs, TARGET).code == "PN-AUTH-CAS-DESACTIVEE"


NOT_LINKED = [k[0] for k in KINDS if k[0].startswith("not_linked/")]


@pytest.mark.parametrize("page", NOT_LINKED)
@pytest.mark.parametrize(
    ("released", "others", "code"),
    [
        pytest.param(False, [False, False], "PN-IDENTIFIANTS-NON-IMPORTES", id="nobody-gets-it"),
        pytest.param(False, [True, True], "PN-UTILISATEUR-ABSENT-IMPORT", id="others-get-it"),
        pytest.param(True, [], "PN-GESTION-IDENTIFIANTS-DESACTIVEE", id="released-alone"),
        pytest.param(True, ["entered"], "PN-UTILISATEUR-INCONNU-PRONOTE", id="others-enter"),
        pytest.param(True, [True], "PN-GESTION-IDENTIFIANTS-DESACTIVEE", id="nobody-enters"),
    ],
)
def test_rules_a_page_asking_input_after_a_ticket_is_not_linked(
    page: str, released: bool, others: list[bool | str], code: str
) -> None:
    # Given other accounts of the run: prompted with or without the identifier, or entered
    seen = []
    for i, other in enumerate(others):
        got = other is not False
        obs = (
            landing("space/banner_eleve.html", SPACE_URL)
            if other == "entered"
            else landing(page, PRONOTE)
        )
        obs.account, obs.cas_validation = f"autre.{i}", validation(identifier=got)
        seen.append(obs)
    context = Evidence(observations=tuple(seen))
    # When this account lands on the page with the identifier released or not
    obs = landing(page, PRONOTE, cas_validation=validation(identifier=released))
    verdict = judge(obs, TARGET, context)
    # Then the not-linked family, the step from the evidence, whatever the words
    assert verdict.code == code, message(verdict)


def test_rules_a_page_asking_a_password_after_a_ticket_is_double_authentication() -> None:
    obs = landing("password/own_login_after_cas.html", PRONOTE)
    assert judge(obs, TARGET).code == "PN-DOUBLE-AUTHENTIFICATION"


def test_rules_pronote_own_login_without_a_ticket_is_cas_off() -> None:
    obs = landing(
        "password/own_login_after_cas.html",
        PRONOTE,
        ticket_issued=False,
        pronote_service=None,
        pronote_cas_login_url=None,
        cas_validation=None,
    )
    assert judge(obs, TARGET).code == "PN-AUTH-CAS-DESACTIVEE"


REFUSALS = [k[0] for k in KINDS if k[0].startswith("cas_refused/")]


@pytest.mark.parametrize("page", REFUSALS)
@pytest.mark.parametrize(
    ("service", "code"),
    [
        pytest.param(PRONOTE + "eleve.html", "PN-SERVICE-NON-AUTORISE", id="announced-right"),
        pytest.param("http://92.103.71.93:82/pronote/", "PN-URL-PUBLIQUE-ERRONEE", id="seed-ip"),
    ],
)
def test_rules_the_cas_giving_no_ticket_refuses_the_service(
    page: str, service: str, code: str
) -> None:
    verdict = judge(refused_by_cas(page, service), TARGET)
    assert verdict.code == code, message(verdict)


def test_rules_a_cas_login_form_for_pronote_is_not_a_refusal() -> None:
    # Given the CAS asking to log in again (no SSO session): not a refused service
    html_page = "cas_refused/django_cas_server_fr.html"
    obs = refused_by_cas(html_page, final_kind="cas_login", final_text="Identifiant Mot de passe")
    assert judge(obs, TARGET).code != "PN-SERVICE-NON-AUTORISE"


TICKET = [k[0] for k in KINDS if k[0].startswith("ticket_refused/") and "msxml" not in k[0]]


@pytest.mark.parametrize("page", TICKET)
def test_rules_an_error_after_a_valid_ticket_is_pronote_refusing_it(page: str) -> None:
    verdict = judge(landing(page, PRONOTE + "?ticket=ST-1"), TARGET)
    assert verdict.code == "PN-VALIDATION-TICKET-ECHEC", message(verdict)
    assert [d.code for d in verdict.alternatives] == ["PN-CAS-REPONSE-ILLISIBLE"]


@pytest.mark.parametrize(
    ("ours", "code", "alternatives"),
    [
        pytest.param(validation(), "PN-CAS-REPONSE-ILLISIBLE", [], id="cas-answers-us-well"),
        pytest.param(
            CasValidation(PRONOTE, failure_code="INVALID_RESPONSE"),
            "PN-VALIDATION-TICKET-ECHEC",
            ["PN-CAS-REPONSE-ILLISIBLE"],
            id="cas-answers-us-badly-too",
        ),
    ],
)
def test_rules_msxml_named_by_the_page_only_when_the_cas_answers_us_well(
    ours: CasValidation, code: str, alternatives: list[str]
) -> None:
    obs = landing("ticket_refused/msxml.html", PRONOTE, cas_validation=ours)
    verdict = judge(obs, TARGET)
    assert (verdict.code, [d.code for d in verdict.alternatives]) == (code, alternatives)


def test_rules_our_own_failed_validation_names_the_cas_code() -> None:
    obs = landing(
        "ticket_refused/unknown_error_no_input.html",
        PRONOTE,
        cas_validation=CasValidation(PRONOTE, failure_code="INVALID_TICKET"),
    )
    verdict = judge(obs, TARGET)
    assert verdict.code == "PN-VALIDATION-TICKET-ECHEC"
    assert "INVALID_TICKET" in verdict.details


UNAVAILABLE = [(k[0], k[2]) for k in KINDS if k[0].startswith("unavailable/")]


@pytest.mark.parametrize("ticket", [True, False], ids=["after-ticket", "before-cas"])
@pytest.mark.parametrize(("page", "status"), UNAVAILABLE, ids=[u[0] for u in UNAVAILABLE])
def test_rules_an_unavailable_site_is_named_whatever_came_before(
    page: str, status: int, ticket: bool
) -> None:
    obs = landing(page, PRONOTE, status, ticket_issued=ticket)
    assert judge(obs, TARGET).code == "PN-SITE-INDISPONIBLE"


def test_rules_a_space_refused_to_a_known_user() -> None:
    obs = landing("space_refused/pas_acces_espace.html", PRONOTE + "parent.html")
    assert judge(obs, TARGET).code == "PN-ACCES-ESPACE-REFUSE"


@pytest.mark.parametrize(
    ("page", "code"),
    [
        ("lockout/ip_suspendue.html", "PN-IP-SUSPENDUE"),
        ("lockout/trop_erreurs.html", "PN-TROP-ERREURS-AUTH"),
    ],
)
def test_rules_lockouts_name_themselves(page: str, code: str) -> None:
    assert judge(landing(page, PRONOTE), TARGET).code == code


def test_corpus_has_three_wordings_per_family() -> None:
    families = {"space", "not_linked", "cas_refused", "ticket_refused", "unavailable"}
    for family in families:
        assert len(list(Path(PAGES, family).glob("*.html"))) >= 3, family
