"""The lab ENT's login routes over real HTTP: WAYF, local forms, ÉduConnect (SAML), Open ENT NG.

Each test follows the pages as a browser without JavaScript would: a cookie jar,
the forms the pages show (a tiny form reader below), the auto-posted SAML forms,
and ends on a CAS ticket for PRONOTE that `p3/serviceValidate` checks.
"""

from __future__ import annotations

import base64
import html
import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import httpx
import pytest

from lab.client import LabAccount, LabClient, running_lab

TIMEOUT_S = 15.0
CAS_NS = {"cas": "http://www.yale.edu/tp/cas"}


# -- a tiny form follower ------------------------------------------------------------


@dataclass
class Form:
    action: str
    method: str
    attrs: dict[str, str]
    fields: dict[str, str] = field(default_factory=dict)  # hidden and filled inputs
    inputs: list[dict[str, str]] = field(default_factory=list)
    buttons: list[dict[str, str]] = field(default_factory=list)


class _FormReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self.elements: list[dict[str, str]] = []  # every start tag's attributes, with its tag

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self.elements.append({"_tag": tag, **a})
        if tag == "form":
            self.forms.append(Form(a.get("action", ""), a.get("method", "get").lower(), a))
        elif tag == "input" and self.forms:
            self.forms[-1].inputs.append(a)
            kind = a.get("type", "text")
            if kind == "radio" and "checked" not in a:
                return
            if kind not in ("submit", "button") and a.get("name"):
                self.forms[-1].fields[a["name"]] = a.get("value", "")
        elif tag == "button" and self.forms:
            self.forms[-1].buttons.append(a)


def read_page(html: str) -> _FormReader:
    reader = _FormReader()
    reader.feed(html)
    return reader


def element(html: str, **wanted: str) -> dict[str, str] | None:
    """The first element whose attributes contain *wanted* (class matched word by word)."""
    for attrs in read_page(html).elements:
        ok = True
        for key, value in wanted.items():
            key = key.rstrip("_")
            if key == "class":
                ok = ok and value in attrs.get("class", "").split()
            else:
                ok = ok and attrs.get(key) == value
        if ok:
            return attrs
    return None


def find_form(response: httpx.Response, **wanted: str) -> Form:
    for form in read_page(response.text).forms:
        if all(
            (value in form.attrs.get("class", "").split())
            if key.rstrip("_") == "class"
            else form.attrs.get(key.rstrip("_")) == value
            for key, value in wanted.items()
        ):
            return form
    raise AssertionError(f"no form {wanted} on {response.url}:\n{response.text[:1500]}")


def submit(
    client: httpx.Client,
    response: httpx.Response,
    form: Form,
    values: dict[str, str] | None = None,
    button: dict[str, str] | None = None,
) -> httpx.Response:
    data = {**form.fields, **(values or {})}
    if button and button.get("name"):
        data[button["name"]] = button.get("value", "")
    target = urljoin(str(response.url), form.action or str(response.url))
    if form.method == "post":
        return client.post(target, data=data)
    return client.get(target.split("?")[0], params=data)


def go_on(client: httpx.Client, response: httpx.Response, service: str) -> httpx.Response:
    """Follow redirects and auto-posted SAML forms; stop at a page asking for input,
    or at the redirect to *service* (its `ticket` is then in the Location)."""
    for _ in range(20):
        if response.is_redirect:
            location = urljoin(str(response.url), response.headers["location"])
            if location.startswith(service):
                return response
            response = client.get(location)
            continue
        forms = read_page(response.text).forms if response.status_code == 200 else []
        saml = [f for f in forms if {"SAMLRequest", "SAMLResponse"} & set(f.fields)]
        if not saml:
            return response
        response = submit(client, response, saml[0])
    raise AssertionError("more than 20 hops")


def ticket_of(response: httpx.Response) -> str:
    assert response.is_redirect, f"no redirect to the service: HTTP {response.status_code}"
    ticket = parse_qs(urlsplit(response.headers["location"]).query).get("ticket", [""])[0]
    assert ticket.startswith("ST-"), response.headers["location"]
    return ticket


def cas_user(lab: LabClient, service: str, ticket: str) -> str:
    answer = httpx.get(
        urljoin(lab.info["cas"], "p3/serviceValidate"),
        params={"service": service, "ticket": ticket},
        timeout=TIMEOUT_S,
    )
    root = ET.fromstring(answer.text)
    user = root.find("cas:authenticationSuccess/cas:user", CAS_NS)
    assert user is not None, answer.text
    return user.text or ""


def shown(response: httpx.Response) -> str:
    """The page's text as a reader sees it (entities decoded)."""
    return html.unescape(response.text)


def browser() -> httpx.Client:
    return httpx.Client(timeout=TIMEOUT_S, follow_redirects=False)


def pronote_service(lab: LabClient) -> str:
    return lab.info["establishments"][0]["pronote"] + "eleve.html"


def account(lab: LabClient, *, profile: str, route: str) -> LabAccount:
    return next(a for a in lab.accounts if a.profile == profile and a.route == route)


# -- steps of the routes --------------------------------------------------------------


def open_cas_login(client: httpx.Client, lab: LabClient, service: str) -> httpx.Response:
    return client.get(urljoin(lab.info["cas"], "login"), params={"service": service})


def choose(client: httpx.Client, wayf: httpx.Response, selection: str) -> httpx.Response:
    form = find_form(wayf, class_="cas__wayf-form")
    radio = f"idp-{selection}"
    assert any(i.get("id") == radio for i in form.inputs), f"no #{radio} in the WAYF"
    return submit(client, wayf, form, {"selection": selection})


def educonnect_log_in(
    client: httpx.Client, page: httpx.Response, who: LabAccount, *, password: str | None = None
) -> httpx.Response:
    """ÉduConnect's two steps: the profile, then the login form in #div_connexion."""
    form = read_page(page.text).forms[0]
    if not form.fields.get("profil"):  # no profile chosen yet: the login block waits
        assert element(page.text, id="div_connexion", hidden="") is not None, "login block shown"
    button = element(page.text, id=f"bouton_{who.educonnect_profile}")
    assert button is not None, "no profile button"
    assert "csrf_token" in form.fields
    values = {
        "profil": button["data-profil"],  # what the button's click puts in the form
        "j_username": who.login,
        "j_password": who.password if password is None else password,
    }
    proceed = next(b for b in form.buttons if b.get("id") == "bouton_valider")
    return submit(client, page, form, values, proceed)


def educonnect_route(
    client: httpx.Client, lab: LabClient, who: LabAccount, service: str
) -> httpx.Response:
    wayf = open_cas_login(client, lab, service)
    page = go_on(client, choose(client, wayf, "EDU_parent_eleve"), service)
    assert urlsplit(str(page.url)).path == "/idp/profile/SAML2/POST/SSO"
    return go_on(client, educonnect_log_in(client, page, who), service)


@pytest.fixture(scope="module")
def lab() -> Iterator[LabClient]:
    with running_lab() as lab:
        yield lab


@pytest.fixture
def healthy(lab: LabClient) -> Iterator[LabClient]:
    yield lab
    lab.reset()


# -- Kosmos: local staff ----------------------------------------------------------------


def test_kosmos_staff_logs_in_through_the_wayf_and_the_local_form(healthy: LabClient) -> None:
    lab, service = healthy, pronote_service(healthy)
    who = account(lab, profile="professeur", route="local")
    with browser() as client:
        wayf = open_cas_login(client, lab, service)
        assert element(wayf.text, class_="js-wayftoggle") is not None
        page = choose(client, wayf, "ATS_parent_eleve")
        form = find_form(page, class_="cas__login-form")
        assert {"lt", "service", "csrfmiddlewaretoken"} <= set(form.fields)
        answer = submit(client, page, form, {"username": who.login, "password": who.password})
        assert cas_user(lab, service, ticket_of(answer)) == who.uid


def test_kosmos_bad_password_shows_the_error_and_the_same_form(healthy: LabClient) -> None:
    lab, service = healthy, pronote_service(healthy)
    who = account(lab, profile="personnel", route="local")
    with browser() as client:
        page = choose(client, open_cas_login(client, lab, service), "ATS_parent_eleve")
        form = find_form(page, class_="cas__login-form")
        answer = submit(client, page, form, {"username": who.login, "password": "pas-le-bon"})
        assert not answer.is_redirect
        assert element(answer.text, class_="msg--error") is not None
        again = find_form(answer, class_="cas__login-form")
        retry = submit(client, answer, again, {"username": who.login, "password": who.password})
        assert cas_user(lab, service, ticket_of(retry)) == who.uid


def test_selection_in_the_url_skips_the_wayf(healthy: LabClient) -> None:
    service = pronote_service(healthy)
    with browser() as client:
        page = client.get(
            urljoin(healthy.info["cas"], "login"),
            params={"selection": "ATS_parent_eleve", "service": service},
        )
        find_form(page, class_="cas__login-form")
        assert element(page.text, class_="cas__wayf-form") is None


def test_an_educonnect_account_has_no_ent_password(healthy: LabClient) -> None:
    lab, service = healthy, pronote_service(healthy)
    who = account(lab, profile="eleve", route="educonnect")
    with browser() as client:
        page = choose(client, open_cas_login(client, lab, service), "ATS_parent_eleve")
        form = find_form(page, class_="cas__login-form")
        answer = submit(client, page, form, {"username": who.login, "password": who.password})
        assert element(answer.text, class_="msg--error") is not None


# -- ÉduConnect ----------------------------------------------------------------------------


@pytest.mark.parametrize("profile", ["eleve", "parent"], ids=["eleve", "parent"])
def test_educonnect_round_trip_gives_pronote_a_ticket_for_the_ent_account(
    healthy: LabClient, profile: str
) -> None:
    lab, service = healthy, pronote_service(healthy)
    who = account(lab, profile=profile, route="educonnect")
    with browser() as client:
        answer = educonnect_route(client, lab, who, service)
        assert cas_user(lab, service, ticket_of(answer)) == who.uid
        # The CAS session is open: PRONOTE's next login is single sign-on.
        again = open_cas_login(client, lab, service)
        assert cas_user(lab, service, ticket_of(again)) == who.uid


def test_educonnect_refuses_a_wrong_password_or_profile(healthy: LabClient) -> None:
    lab, service = healthy, pronote_service(healthy)
    pupil = account(lab, profile="eleve", route="educonnect")
    with browser() as client:
        wayf = open_cas_login(client, lab, service)
        page = go_on(client, choose(client, wayf, "EDU_parent_eleve"), service)
        refused = educonnect_log_in(client, page, pupil, password="pas-le-bon")
        assert refused.status_code == 401
        assert "incorrects" in refused.text
        parent = account(lab, profile="parent", route="educonnect")
        wrong_profile = LabAccount(**{**vars(parent), "educonnect_profile": "eleve"})
        refused = educonnect_log_in(client, refused, wrong_profile)
        assert refused.status_code == 401


def saml_response_page(client: httpx.Client, lab: LabClient, who: LabAccount) -> httpx.Response:
    """Up to ÉduConnect's auto-posted SAMLResponse, not sent yet."""
    service = pronote_service(lab)
    wayf = open_cas_login(client, lab, service)
    page = go_on(client, choose(client, wayf, "EDU_parent_eleve"), service)
    answer = educonnect_log_in(client, page, who)
    assert "SAMLResponse" in find_form(answer).fields
    return answer


def test_a_tampered_saml_response_is_refused(healthy: LabClient) -> None:
    lab, service = healthy, pronote_service(healthy)
    who = account(lab, profile="eleve", route="educonnect")
    with browser() as client:
        answer = saml_response_page(client, lab, who)
        form = find_form(answer)
        xml = bytearray(base64.b64decode(form.fields["SAMLResponse"]))
        at = xml.index(b"FrEduCtId") + 40  # inside the signed assertion's attributes
        xml[at] = ord("0") if xml[at] != ord("0") else ord("1")
        tampered = base64.b64encode(bytes(xml)).decode()
        refused = submit(client, answer, form, {"SAMLResponse": tampered})
        assert refused.status_code == 403
        assert "Erreur d'authentification" in shown(refused)
        # Untouched, the same response would have opened the session: nothing else is wrong.
        accepted = go_on(client, submit(client, answer, form), service)
        assert cas_user(lab, service, ticket_of(accepted)) == who.uid


# -- faults --------------------------------------------------------------------------------


def test_wayf_choice_missing_hides_educonnect(healthy: LabClient) -> None:
    lab, service = healthy, pronote_service(healthy)
    lab.set_faults(["wayf_choice_missing"])
    with browser() as client:
        wayf = open_cas_login(client, lab, service)
        assert element(wayf.text, id="idp-EDU_parent_eleve") is None
        assert element(wayf.text, id="idp-ATS_parent_eleve") is not None
        skipped = client.get(
            urljoin(lab.info["cas"], "login"),
            params={"selection": "EDU_parent_eleve", "service": service},
        )
        assert element(skipped.text, class_="cas__wayf-form") is not None
        assert "SAMLRequest" not in skipped.text


def test_educonnect_unavailable_shows_its_maintenance_page(healthy: LabClient) -> None:
    lab, service = healthy, pronote_service(healthy)
    lab.set_faults(["educonnect_unavailable"])
    with browser() as client:
        wayf = open_cas_login(client, lab, service)
        page = go_on(client, choose(client, wayf, "EDU_parent_eleve"), service)
        assert page.status_code == 503
        assert "maintenance" in page.text
        assert "educonnect_unavailable" not in page.text


@pytest.mark.parametrize(
    "fault", ["educonnect_certificate_expired", "saml_clock_skew"], ids=["certificate", "clock"]
)
def test_the_ent_refuses_the_assertion(healthy: LabClient, fault: str) -> None:
    lab, service = healthy, pronote_service(healthy)
    lab.set_faults([fault])
    who = account(lab, profile="eleve", route="educonnect")
    with browser() as client:
        answer = educonnect_route(client, lab, who, service)
        assert answer.status_code == 403
        assert "Erreur d'authentification" in shown(answer)
        assert fault not in answer.text
        # No CAS session was opened: the CAS asks again.
        assert not open_cas_login(client, lab, service).is_redirect


def test_an_unmapped_educonnect_identity_gets_the_ents_page(healthy: LabClient) -> None:
    lab, service = healthy, pronote_service(healthy)
    lab.set_faults(["educonnect_identity_unmapped"])
    hit = lab.affected("educonnect_identity_unmapped")
    who = next(a for a in lab.accounts if a.login == hit)
    assert who.route == "educonnect"
    with browser() as client:
        answer = educonnect_route(client, lab, who, service)
        assert answer.status_code == 403
        assert "rattaché à aucun compte ENT" in answer.text
        assert not open_cas_login(client, lab, service).is_redirect
    other = next(a for a in lab.accounts if a.route == "educonnect" and a.login != hit)
    with browser() as client:  # the others are linked
        assert cas_user(lab, service, ticket_of(educonnect_route(client, lab, other, service)))


@pytest.mark.parametrize("right", [True, False], ids=["right_date", "wrong_date"])
def test_identity_check_passes_only_with_the_right_birth_date(
    healthy: LabClient, right: bool
) -> None:
    lab, service = healthy, pronote_service(healthy)
    lab.set_faults(["educonnect_identity_check"])
    who = account(lab, profile="eleve", route="educonnect")
    assert who.birth_date
    year, month, day = who.birth_date.split("-")
    if not right:
        year = str(int(year) - 1)
    with browser() as client:
        check = educonnect_route(client, lab, who, service)
        form = find_form(check, id="theForm")
        assert {"jour", "mois", "annee"} <= {i.get("id") for i in form.inputs}
        button = next(b for b in form.buttons if b.get("id") == "submit-button")
        typed = {"jour": day, "mois": month, "annee": year}
        answer = go_on(client, submit(client, check, form, typed, button), service)
        if right:
            assert cas_user(lab, service, ticket_of(answer)) == who.uid
        else:
            assert answer.status_code == 401
            find_form(answer, id="theForm")
            assert not open_cas_login(client, lab, service).is_redirect


def test_identity_check_stops_the_account_whose_birth_date_is_unknown(
    healthy: LabClient,
) -> None:
    lab, service = healthy, pronote_service(healthy)
    lab.set_faults(["educonnect_identity_check"])
    who = next(a for a in lab.accounts if a.login == lab.affected("educonnect_identity_check"))
    assert who.route == "educonnect" and who.birth_date is None
    with browser() as client:
        check = educonnect_route(client, lab, who, service)
        find_form(check, id="theForm")
        assert not check.is_redirect


@pytest.mark.parametrize("accept", [True, False], ids=["accepted", "left"])
def test_educonnect_new_step_stops_until_its_terms_are_accepted(
    healthy: LabClient, accept: bool
) -> None:
    """A step ÉduConnect added after the password: its new terms of use; accepted, the
    journey goes on to the ENT; left as it is, nothing reaches the ENT."""
    lab, service = healthy, pronote_service(healthy)
    lab.set_faults(["educonnect_new_step"])
    who = account(lab, profile="eleve", route="educonnect")
    with browser() as client:
        step = educonnect_route(client, lab, who, service)
        form = find_form(step, id="cguForm")
        assert "conditions" in step.text and not step.is_redirect
        button = next(b for b in form.buttons if b.get("id") == "cgu-accept")
        typed = {"cgu": "oui" if accept else ""}  # the box ticked, or left as it is
        answer = go_on(client, submit(client, step, form, typed, button), service)
        if accept:
            assert cas_user(lab, service, ticket_of(answer)) == who.uid
        else:
            find_form(answer, id="cguForm")
            assert not open_cas_login(client, lab, service).is_redirect


# -- the Apereo variant and the Open ENT NG family -------------------------------------------


def test_alt_wording_shows_apereos_form_and_refusal_page() -> None:
    with running_lab(wording="alt", faults=["service_not_registered"]) as lab:
        service = pronote_service(lab)
        who = account(lab, profile="professeur", route="local")
        with browser() as client:
            page = choose(client, open_cas_login(client, lab, service), "ATS_parent_eleve")
            form = find_form(page, id="fm1")
            assert {"lt", "execution", "_eventId"} <= set(form.fields)
            assert form.fields["_eventId"] == "submit"
            button = next(b for b in form.buttons if b.get("name") == "submit")
            answer = submit(
                client, page, form, {"username": who.login, "password": who.password}, button
            )
            assert "Application Not Authorized to Use CAS" in answer.text
        lab.reset()
        with browser() as client:
            page = choose(client, open_cas_login(client, lab, service), "ATS_parent_eleve")
            form = find_form(page, id="fm1")
            answer = submit(client, page, form, {"username": who.login, "password": who.password})
            assert cas_user(lab, service, ticket_of(answer)) == who.uid


@pytest.fixture(scope="module")
def ng_lab() -> Iterator[LabClient]:
    with running_lab(ent_family="opentent") as lab:
        yield lab


def test_open_ent_ng_is_its_own_cas_and_logs_staff_in(ng_lab: LabClient) -> None:
    lab, service = ng_lab, pronote_service(ng_lab)
    assert lab.info["ent_family"] == "opentent"
    assert lab.info["cas"] == lab.info["ent"] + "cas/"
    who = account(lab, profile="professeur", route="local")
    with browser() as client:
        wayf = go_on(client, open_cas_login(client, lab, service), service)
        domino = element(wayf.text, class_="enseignant")
        assert domino is not None and "domino" in domino["class"].split()
        page = client.get(urljoin(str(wayf.url), domino["href"]))
        form = find_form(page, action="/auth/login")
        assert element(page.text, id="email", name="email") is not None
        toggle, connect = form.buttons
        assert toggle.get("type") == "button" and "type" not in connect
        bad = submit(client, page, form, {"email": who.login, "password": "pas-le-bon"})
        assert element(bad.text, class_="warning") is not None
        form = find_form(bad, action="/auth/login")
        answer = go_on(
            client,
            submit(client, bad, form, {"email": who.login, "password": who.password}),
            service,
        )
        assert cas_user(lab, service, ticket_of(answer)) == who.uid
        apps = client.get(lab.info["ent"] + "welcome/applications")
        tile = element(apps.text, class_="pronote")
        assert tile is not None and tile["target"] == "_blank"
        # The tile leads to the user's own space page, as the Kosmos-like portal does.
        space = {"professeur": "professeur.html", "personnel": "viescolaire.html"}
        assert tile["href"] == lab.info["establishments"][0]["pronote"] + space[who.profile]


def test_open_ent_ng_sends_eleves_through_educonnect(ng_lab: LabClient) -> None:
    lab, service = ng_lab, pronote_service(ng_lab)
    who = account(lab, profile="eleve", route="educonnect")
    with browser() as client:
        wayf = go_on(client, open_cas_login(client, lab, service), service)
        domino = element(wayf.text, class_="eleve")
        assert domino is not None
        page = go_on(client, client.get(urljoin(str(wayf.url), domino["href"])), service)
        answer = go_on(client, educonnect_log_in(client, page, who), service)
        assert cas_user(lab, service, ticket_of(answer)) == who.uid


def test_urls_file_names_routes_and_family(lab: LabClient) -> None:
    assert lab.info["ent_family"] == "kosmos"
    routes = {(a.profile, a.route) for a in lab.accounts}
    assert {("eleve", "educonnect"), ("parent", "educonnect"), ("professeur", "local")} <= routes
    for a in lab.accounts:
        if a.route == "educonnect":
            assert a.educonnect_profile in ("eleve", "responsable")
            if a.profile == "eleve":
                assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", a.birth_date or "")


# -- in a real browser: the WAYF toggle and ÉduConnect's hidden login block -------------------

CHROMIUM = "/usr/bin/chromium"


@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed")
def test_browser_wayf_toggle_and_educonnect_steps_reach_pronote(healthy: LabClient) -> None:
    from playwright.sync_api import expect, sync_playwright

    lab, service = healthy, pronote_service(healthy)
    who = account(lab, profile="parent", route="educonnect")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.goto(f"{lab.info['cas']}login?{urlencode({'service': service})}")
            educonnect = page.locator("#idp-EDU_parent_eleve")
            expect(educonnect).to_be_hidden()  # behind the "Élève ou parent" toggle
            page.locator("button.js-wayftoggle").click()
            expect(educonnect).to_be_visible()
            page.locator("label[for='idp-EDU_parent_eleve']").click()
            page.locator("#button-submit").click()
            login_block = page.locator("#div_connexion")
            expect(page.locator("#bouton_responsable")).to_be_visible()
            expect(login_block).to_be_hidden()
            page.locator("#bouton_responsable").click()
            expect(login_block).to_be_visible()
            page.locator("#username").fill(who.login)
            page.locator("#password").fill(who.password)
            with page.expect_request(lambda r: r.url.startswith(service + "?ticket=")):
                page.locator("#bouton_valider").click()
            # PRONOTE used that ticket; the browser's CAS session gives a fresh one (SSO).
            again = page.context.request.get(
                f"{lab.info['cas']}login?{urlencode({'service': service})}", max_redirects=0
            )
            ticket = parse_qs(urlsplit(again.headers["location"]).query)["ticket"][0]
        finally:
            browser.close()
    assert cas_user(lab, service, ticket) == who.uid


def test_open_ent_ng_without_the_educonnect_choice_shows_staff_dominos_only(
    ng_lab: LabClient,
) -> None:
    lab, service = ng_lab, pronote_service(ng_lab)
    lab.set_faults(["wayf_choice_missing"])
    try:
        with browser() as client:
            wayf = go_on(client, open_cas_login(client, lab, service), service)
            assert element(wayf.text, class_="enseignant") is not None
            assert element(wayf.text, class_="eleve") is None
            assert element(wayf.text, class_="parent") is None
    finally:
        lab.reset()


# -- the federation, built in a thread --------------------------------------------------------
# pysaml2 imports a cipher mode that cryptography has deprecated (its own import, not ours).
@pytest.mark.filterwarnings("ignore:CFB has been moved")
def test_pending_federation_builds_in_a_thread_and_hands_on_its_failure(tmp_path) -> None:
    from lab.saml import PendingFederation

    # Given a federation whose keys go to a folder that does not exist
    pending = PendingFederation(
        tmp_path / "absent",
        idp_base="http://127.0.0.1:1",
        sp_entity_id="http://127.0.0.1:2/",
        acs_url="http://127.0.0.1:2/saml/acs",
    )
    # Then its entity ids are known before it starts, and nothing is built until then
    assert pending.idp_entity_id == "http://127.0.0.1:1/idp/shibboleth"
    assert pending.sp_entity_id == "http://127.0.0.1:2/"
    with pytest.raises(TimeoutError):
        pending.result(timeout=0.05)
    # When it starts, its first use gets the build's own error
    pending.start()
    with pytest.raises(FileNotFoundError):
        _ = pending.idp
    assert pending.seconds is None

    # And a good one is built, timed, and usable
    good = PendingFederation(
        tmp_path,
        idp_base="http://127.0.0.1:1",
        sp_entity_id="http://127.0.0.1:2/",
        acs_url="http://127.0.0.1:2/saml/acs",
    )
    good.start()
    assert good.sp.config.entityid == "http://127.0.0.1:2/"
    assert good.idp.config.entityid == good.idp_entity_id
    assert good.seconds is not None and good.seconds > 0
