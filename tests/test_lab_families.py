"""The lab's other ENT login families over real HTTP (lab.families): Apereo CAS (Atrium),
Edifice with its SAML WAYF, a discovery WAYF in front of ÉduConnect (e-lyco, Toutatice).

Each walk follows the pages as a browser without JavaScript would (the form follower of
tests/test_lab_login_routes.py) and ends on a CAS ticket for PRONOTE that
`p3/serviceValidate` checks, or on the page the family shows when something is wrong.
The verifier does not walk these families yet: these tests judge the lab alone.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import httpx
import pytest

from lab.client import LabAccount, LabClient, running_lab
from tests.test_lab_login_routes import (
    account,
    browser,
    cas_user,
    educonnect_log_in,
    element,
    find_form,
    go_on,
    open_cas_login,
    pronote_service,
    read_page,
    shown,
    submit,
    ticket_of,
)

# -- Apereo CAS (Atrium) --------------------------------------------------------------


@pytest.fixture(scope="module", params=["default", "alt"])
def apereo(request: pytest.FixtureRequest) -> Iterator[LabClient]:
    with running_lab(ent_family="apereo", wording=request.param) as lab:
        yield lab
        lab.reset()


def test_apereo_shows_its_form_with_execution_and_logs_in(apereo: LabClient) -> None:
    lab, service = apereo, pronote_service(apereo)
    who = account(lab, profile="professeur", route="local")
    with browser() as client:
        page = open_cas_login(client, lab, service)
        form = find_form(page, id="fm1")
        assert form.fields["_eventId"] == "submit" and form.fields["execution"]
        button = next(b for b in form.buttons if b.get("name") == "submit")
        bad = submit(client, page, form, {"username": who.login, "password": "pas-le-bon"}, button)
        assert element(bad.text, id="loginErrorsPanel") is not None
        again = find_form(bad, id="fm1")
        assert again.fields["execution"] != form.fields["execution"]  # a new step of the flow
        values = {"username": who.login, "password": who.password}
        answer = submit(client, bad, again, values, button)
        assert cas_user(lab, service, ticket_of(answer)) == who.uid


def test_apereo_refuses_a_post_without_the_flows_execution(apereo: LabClient) -> None:
    lab, service = apereo, pronote_service(apereo)
    who = account(lab, profile="personnel", route="local")
    with browser() as client:
        page = open_cas_login(client, lab, service)
        form = find_form(page, id="fm1")
        values = {"username": who.login, "password": who.password, "execution": "e1s1"}
        answer = submit(client, page, form, values)
        assert answer.is_redirect and "ticket=" not in answer.headers["location"]
        assert find_form(go_on(client, answer, service), id="fm1").fields["execution"]


def test_apereo_family_has_local_accounts_only(apereo: LabClient) -> None:
    assert apereo.info["ent_family"] == "apereo"
    assert {a.route for a in apereo.accounts} == {"local"}
    assert apereo.info["cas"] != apereo.info["ent"]  # the CAS on its own host


def test_apereo_unknown_service_gets_apereos_refusal(apereo: LabClient) -> None:
    lab, service = apereo, pronote_service(apereo)
    who = account(lab, profile="professeur", route="local")
    lab.set_faults(["service_not_registered"])
    try:
        with browser() as client:
            page = open_cas_login(client, lab, service)
            form = find_form(page, id="fm1")
            answer = submit(client, page, form, {"username": who.login, "password": who.password})
            assert "Application Not Authorized to Use CAS" in answer.text
    finally:
        lab.reset()


# -- a discovery WAYF in front of ÉduConnect (e-lyco, Toutatice) -------------------------


@pytest.fixture(scope="module", params=["default", "alt"])
def discovery(request: pytest.FixtureRequest) -> Iterator[LabClient]:
    with running_lab(ent_family="discovery", wording=request.param) as lab:
        yield lab


def _wayf_page(
    client: httpx.Client, lab: LabClient, service: str
) -> tuple[httpx.Response, dict[str, list[str]]]:
    start = open_cas_login(client, lab, service)
    assert start.is_redirect
    location = urljoin(str(start.url), start.headers["location"])
    parts = urlsplit(location)
    assert parts.path == "/discovery/WAYF"
    query = parse_qs(parts.query)
    assert query["returnIDParam"] == ["entityID"] and query["action"] == ["selection"]
    return client.get(location), query


def test_discovery_lists_the_providers_and_sends_eleves_to_educonnect(
    discovery: LabClient,
) -> None:
    lab, service = discovery, pronote_service(discovery)
    who = account(lab, profile="eleve", route="educonnect")
    with browser() as client:
        wayf, _ = _wayf_page(client, lab, service)
        idps = [e for e in read_page(wayf.text).elements if "idp" in e.get("class", "").split()]
        assert len(idps) == 2
        educonnect = next(e for e in idps if e["data-entity-id"].endswith("/idp/shibboleth"))
        page = go_on(client, client.get(urljoin(str(wayf.url), educonnect["href"])), service)
        assert urlsplit(str(page.url)).path == "/idp/profile/SAML2/POST/SSO"
        answer = go_on(client, educonnect_log_in(client, page, who), service)
        assert cas_user(lab, service, ticket_of(answer)) == who.uid


def test_discovery_origin_skips_the_list(discovery: LabClient) -> None:
    lab, service = discovery, pronote_service(discovery)
    who = account(lab, profile="parent", route="educonnect")
    with browser() as client:
        wayf, _ = _wayf_page(client, lab, service)
        entity = next(
            e["data-entity-id"]
            for e in read_page(wayf.text).elements
            if e.get("data-entity-id", "").endswith("/idp/shibboleth")
        )
        straight = client.get(f"{wayf.url}&{urlencode({'origin': entity})}")
        assert straight.is_redirect
        page = go_on(client, straight, service)
        answer = go_on(client, educonnect_log_in(client, page, who), service)
        assert cas_user(lab, service, ticket_of(answer)) == who.uid


def test_discovery_local_provider_gives_the_cas_form(discovery: LabClient) -> None:
    lab, service = discovery, pronote_service(discovery)
    who = account(lab, profile="professeur", route="local")
    with browser() as client:
        wayf, _ = _wayf_page(client, lab, service)
        local = next(
            e
            for e in read_page(wayf.text).elements
            if e.get("data-entity-id", "").startswith("urn:")
        )
        page = go_on(client, client.get(urljoin(str(wayf.url), local["href"])), service)
        # The CAS's own form: Kosmos-like, or Apereo's #fm1 under the alt wording.
        form = next(
            f
            for f in read_page(page.text).forms
            if any(i.get("type") == "password" for i in f.inputs)
        )
        assert form.attrs.get("id") == "fm1" or "cas__login-form" in form.attrs.get("class", "")
        answer = submit(client, page, form, {"username": who.login, "password": who.password})
        assert cas_user(lab, service, ticket_of(answer)) == who.uid


def test_discovery_without_educonnect_refuses_its_origin(discovery: LabClient) -> None:
    lab, service = discovery, pronote_service(discovery)
    lab.set_faults(["wayf_choice_missing"])
    try:
        with browser() as client:
            wayf, _ = _wayf_page(client, lab, service)
            entities = [e.get("data-entity-id", "") for e in read_page(wayf.text).elements]
            assert not any(e.endswith("/idp/shibboleth") for e in entities)
            origin = lab.info["educonnect"] + "idp/shibboleth"
            refused = client.get(f"{wayf.url}&{urlencode({'origin': origin})}")
            assert refused.status_code == 404
            assert element(refused.text, class_="msg--error") is not None
    finally:
        lab.reset()


def test_discovery_refuses_a_foreign_return_address(discovery: LabClient) -> None:
    with browser() as client:
        answer = client.get(
            discovery.info["cas"] + "discovery/WAYF",
            params={"return": "https://ailleurs.example/", "origin": "x"},
        )
    assert answer.status_code == 400


# -- Edifice with its SAML WAYF ----------------------------------------------------------


@pytest.fixture(scope="module", params=["default", "alt"])
def edifice(request: pytest.FixtureRequest) -> Iterator[LabClient]:
    with running_lab(ent_family="edifice", wording=request.param) as lab:
        yield lab


def _edifice_wayf(client: httpx.Client, lab: LabClient, service: str) -> httpx.Response:
    start = open_cas_login(client, lab, service)
    assert start.is_redirect
    login = urljoin(str(start.url), start.headers["location"])
    assert urlsplit(login).path == "/auth/login"
    callback = parse_qs(urlsplit(login).query)["callback"][0]
    assert callback.startswith("/cas/login?service=")
    page = client.get(login)
    assert find_form(page, action="/auth/login").fields["callBack"] == callback
    link = next(e for e in read_page(page.text).elements if "/auth/saml/wayf" in e.get("href", ""))
    return client.get(urljoin(login, link["href"]))


def _domino(wayf: httpx.Response, key: str) -> dict[str, str]:
    domino = element(wayf.text, class_=key)
    assert domino is not None and {"centered-text", "domino"} <= set(domino["class"].split())
    return domino


def _edifice_educonnect(
    client: httpx.Client, lab: LabClient, who: LabAccount, service: str
) -> httpx.Response:
    wayf = _edifice_wayf(client, lab, service)
    href = _domino(wayf, "educonnect")["href"]
    assert urlsplit(href).path == "/auth/saml/authn/educonnect"
    page = go_on(client, client.get(urljoin(str(wayf.url), href)), service)
    return go_on(client, educonnect_log_in(client, page, who), service)


def test_edifice_sends_eleves_through_its_wayf_to_educonnect(edifice: LabClient) -> None:
    lab, service = edifice, pronote_service(edifice)
    assert lab.info["cas"] == lab.info["ent"] + "cas/"
    who = account(lab, profile="eleve", route="educonnect")
    with browser() as client:
        answer = _edifice_educonnect(client, lab, who, service)
        assert cas_user(lab, service, ticket_of(answer)) == who.uid


def test_edifice_staff_domino_leads_to_its_login_form(edifice: LabClient) -> None:
    lab, service = edifice, pronote_service(edifice)
    who = account(lab, profile="professeur", route="local")
    with browser() as client:
        wayf = _edifice_wayf(client, lab, service)
        href = _domino(wayf, "login-ent")["href"]
        page = client.get(urljoin(str(wayf.url), href))
        form = find_form(page, action="/auth/login")
        answer = go_on(
            client,
            submit(client, page, form, {"email": who.login, "password": who.password}),
            service,
        )
        assert cas_user(lab, service, ticket_of(answer)) == who.uid


# What each error says, per wording: entcore's own French (lab/login_edifice.py cites it).
EDIFICE_ERRORS = {
    ("edifice_user_not_found", "default"): "Merci de vous connecter avec vos identifiants ENT",
    ("edifice_user_not_found", "alt"): "contactez votre administrateur",
    ("edifice_blocked_user", "default"): "L'administrateur de votre établissement a bloqué",
    ("edifice_blocked_user", "alt"): "Votre administrateur ENT a bloqué votre accès",
}


@pytest.mark.parametrize(
    ("fault", "profile"),
    [("edifice_user_not_found", "parent"), ("edifice_blocked_user", "eleve")],
    ids=["user-not-found", "blocked-user"],
)
def test_edifice_acs_errors_show_its_login_page_with_the_reason(
    edifice: LabClient, fault: str, profile: str
) -> None:
    lab, service = edifice, pronote_service(edifice)
    words = EDIFICE_ERRORS[fault, lab.info["wording"]]
    lab.set_faults([fault])
    try:
        who = account(lab, profile=profile, route="educonnect")
        assert lab.affected(fault) == who.login
        with browser() as client:
            answer = _edifice_educonnect(client, lab, who, service)
            assert not answer.is_redirect
            assert urlsplit(str(answer.url)).path == "/auth/saml/acs"
            assert words in shown(answer)
            assert element(answer.text, class_="warning") is not None
            find_form(answer, action="/auth/login")
    finally:
        lab.reset()


def test_edifice_several_accounts_ask_which_one_and_the_choice_logs_in(
    edifice: LabClient,
) -> None:
    lab, service = edifice, pronote_service(edifice)
    lab.set_faults(["edifice_several_accounts"])
    try:
        who = account(lab, profile="eleve", route="educonnect")
        with browser() as client:
            page = _edifice_educonnect(client, lab, who, service)
            forms = [f for f in read_page(page.text).forms if f.action == "/auth/saml/selectUser"]
            assert len(forms) == 2
            tampered = {"key": "0" * 64}
            refused = submit(client, page, forms[0], tampered)
            assert refused.is_redirect and refused.headers["location"] == "/auth/login"
            mine = next(
                f
                for f in forms
                if lab.affected("edifice_several_accounts") != ""
                and lab.pronote_users()
                and f.fields["login"] == _ent_login(lab, who.uid)
            )
            answer = go_on(client, submit(client, page, mine), service)
            assert cas_user(lab, service, ticket_of(answer)) == who.uid
    finally:
        lab.reset()


def _ent_login(lab: LabClient, uid: str) -> str:
    return next(u["login"] for u in lab.pronote_users() if u["uid"] == uid)


def test_edifice_faults_are_not_in_the_verifiers_fault_list() -> None:
    from lab.state import ALL_FAULTS, FAMILY_FAULTS, FAULTS

    assert set(FAMILY_FAULTS["edifice"]) <= set(ALL_FAULTS) - set(FAULTS)
