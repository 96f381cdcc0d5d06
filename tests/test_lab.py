"""The lab's own tests: over real HTTP, it behaves like the ENT, CAS and PRONOTE.net it stands for.

The lab is judged on the facts of the real products (DOMAIN.md): markup,
status codes, the CAS protocol, the texts Index Éducation documents. These
tests import only `lab` and `tests.labkit`, never the verifier.

One lab serves the whole session (`lab`); `clean_lab` resets it before a test.
Labs with other start options (wording, PRONOTE generation, latency, faults at
start, three establishments, the CLI) are started by the tests that need them.
"""

from __future__ import annotations

import ast
import re
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from lab.client import LabClient, LabError, running_lab
from lab.directory import CATEGORIES, PROFILES, SPACE_PAGES
from lab.state import FAULTS
from lab.wording import PRODUCT_TEXTS, texts
from tests.labkit import (
    ACCOUNT_KEYS,
    URLS_FILE_KEYS,
    EntAdmin,
    PageLog,
    Walk,
    account,
    cas_login,
    cpu_seconds,
    ent_service,
    export_with_only,
    first_of_profile,
    http_client,
    info_mobile_app,
    lab_command,
    lab_env,
    lab_process,
    listener_pid,
    listening_addresses,
    local_accounts,
    pronote_row,
    pronote_service,
    read_html,
    refuses_connections,
    service_ticket,
    uid_of,
    validate,
    visible_text,
    walk,
)

ROOT = Path(__file__).resolve().parents[1]
SLOW_NETWORK_DELAY_S = 0.3  # `python -m lab --slow-network-delay` default
HEADERS_ONLY_EXPORT = "Elèves\tIdentifiant PRONOTE\tIdentifiant CAS\r\n".encode("cp1252")
BINARY_FILE = b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(range(256))
NOT_AN_EXPORT = "nom;prenom;classe\r\nMARTIN;Léa;4B\r\n".encode("cp1252")
# "Espace Élèves - NOM Prénom (CLASSE)", "Espace Parents - NOM Prénom", ... (DOMAIN.md).
BANNER_RE = {
    "eleve": r"Espace Élèves - [A-Z][A-Z0-9-]+ [A-ZÉ][a-zéèç]+ \([0-9A-Z]+\)",
    "parent": r"Espace Parents - [A-Z][A-Z0-9-]+ [A-ZÉ][a-zéèç]+",
    "professeur": r"Espace Professeurs - [A-Z][A-Z0-9-]+ [A-ZÉ][a-zéèç]+",
    "personnel": r"Espace Vie scolaire - [A-Z][A-Z0-9-]+ [A-ZÉ][a-zéèç]+",
}


def words(lab: LabClient) -> dict[str, str]:
    return texts(lab.info["wording"])


def generation(lab: LabClient) -> str:
    return lab.info["establishments"][0]["pronote_generation"]


def space_page(lab: LabClient, profile: str, site: int = 0) -> str:
    return lab.info["establishments"][site]["pronote"] + SPACE_PAGES[profile]


# --------------------------------------------------------------------------- CAS protocol


def test_cas_round_trip_releases_identity_and_identifier_to_pronote(clean_lab: LabClient) -> None:
    lab = clean_lab
    who = local_accounts(lab)[0]
    service = pronote_service(lab)
    with http_client() as client:
        # Given the CAS login page for PRONOTE's service
        # (the Kosmos CAS's WAYF choice for the ENT's own accounts, DOMAIN.md)
        params = {"service": service, "selection": "ATS_parent_eleve"}
        page = client.get(lab.info["cas"] + "login", params=params)
        assert page.status_code == 200
        fields = set(re.findall(r'name="(\w+)"', page.text))
        assert {"csrfmiddlewaretoken", "lt", "service", "username", "password"} <= fields
        # When the user posts the form
        answer = cas_login(client, lab.info["cas"], service, who.login, who.password)
    # Then the CAS sends the browser back to the service with a service ticket
    assert answer.status_code == 302
    location = answer.headers["location"]
    assert location.startswith(service + "?ticket=ST-")
    validation = validate(lab, service, location.split("ticket=")[1])
    # And the validation names the ENT uid, not the login, with PRONOTE's attributes
    assert validation.user == who.uid != who.login
    row = pronote_row(lab, who.login)
    attribute = lab.info["identifier_attribute"]
    assert validation.attribute("uid") == who.uid
    assert f"{validation.attribute('prenom')} {validation.attribute('nom').upper()}" == (
        who.display_name
    )
    assert re.fullmatch(r"\d\d/\d\d/\d{4}", validation.attribute("dateNaissance") or "")
    assert validation.attribute("categories") == CATEGORIES[who.profile]
    assert validation.attribute(attribute) == row["id_pronote_ent"]
    assert re.fullmatch(r"[A-Z0-9]{16}", validation.attribute(attribute) or "")


def test_cas_ent_service_gets_no_birth_date_nor_identifier(clean_lab: LabClient) -> None:
    lab = clean_lab
    ticket = service_ticket(lab, ent_service(lab))

    validation = validate(lab, ent_service(lab), ticket)

    # The ENT knows its users by login: its service pattern has no user_field.
    assert validation.user == local_accounts(lab)[0].login
    assert {"uid", "nom", "prenom", "categories"} <= validation.attributes.keys()
    assert "dateNaissance" not in validation.attributes
    assert lab.info["identifier_attribute"] not in validation.attributes


def test_cas_replayed_ticket_is_refused(clean_lab: LabClient) -> None:
    lab = clean_lab
    service = pronote_service(lab)
    ticket = service_ticket(lab, service)

    first, replay = validate(lab, service, ticket), validate(lab, service, ticket)

    assert first.ok
    assert (replay.ok, replay.failure_code) == (False, "INVALID_TICKET")


def test_cas_ticket_validated_for_another_service_is_refused(clean_lab: LabClient) -> None:
    lab = clean_lab
    service = pronote_service(lab)
    ticket = service_ticket(lab, service)

    elsewhere = validate(lab, ent_service(lab), ticket)
    afterwards = validate(lab, service, ticket)

    assert (elsewhere.ok, elsewhere.failure_code) == (False, "INVALID_SERVICE")
    # A failed validation consumes the ticket too (CAS 3.0, section 3.1.1).
    assert (afterwards.ok, afterwards.failure_code) == (False, "INVALID_TICKET")


def test_cas_expired_ticket_is_refused() -> None:
    validity_s = 3  # long enough for a fresh ticket to be validated on a loaded machine
    with running_lab(ticket_validity_s=validity_s) as lab:
        service = pronote_service(lab)
        stale = service_ticket(lab, service)
        issued = time.monotonic()
        fresh = service_ticket(lab, service)
        assert validate(lab, service, fresh).ok
        # The behaviour under test is time passing: until the first ticket is past its validity.
        time.sleep(max(0.0, validity_s - (time.monotonic() - issued)) + 0.5)
        expired = validate(lab, service, stale)
    assert (expired.ok, expired.failure_code) == (False, "INVALID_TICKET")


def test_cas_wrong_password_shows_the_form_again_without_ticket(clean_lab: LabClient) -> None:
    lab = clean_lab
    service = pronote_service(lab)
    with http_client() as client:
        answer = cas_login(
            client, lab.info["cas"], service, local_accounts(lab)[0].login, "pas-le-bon"
        )

    assert answer.status_code == 200
    assert "location" not in answer.headers
    assert 'type="password"' in answer.text
    assert re.search(r'class="[^"]*\b(msg--error|alert-danger)\b', answer.text)
    assert "ST-" not in answer.text


@pytest.mark.parametrize(
    ("key", "where", "status"),
    [
        pytest.param("service", "https://evil.example/", 400, id="unregistered-service"),
        pytest.param("url", "https://evil.example/", 400, id="unregistered-url"),
        pytest.param("service", "ent", 302, id="registered-ent"),
        pytest.param("url", "pronote", 302, id="registered-pronote"),
    ],
)
def test_cas_logout_redirects_only_to_registered_services(
    clean_lab: LabClient, key: str, where: str, status: int
) -> None:
    lab = clean_lab
    target = lab.info.get(where, where)  # "ent" and "pronote" are the lab's own URLs
    with http_client() as client:
        response = client.get(lab.info["cas"] + "logout", params={key: target})

    assert response.status_code == status
    if status == 302:
        assert response.headers["location"] == target
    else:
        assert "location" not in response.headers
        assert "Adresse de retour non autorisée" in response.text


# --------------------------------------------------------------------------- journeys


@pytest.mark.parametrize("profile", PROFILES)
def test_journey_shortcut_leads_through_cas_to_the_pronote_space(
    clean_lab: LabClient, profile: str
) -> None:
    lab = clean_lab
    who = first_of_profile(lab, profile)

    trip = walk(lab, who)

    assert trip.ticket_issued and trip.shortcut_url == space_page(lab, profile)
    assert trip.final.is_pronote_app and trip.final.status == 200
    # After SSO the space URL carries ?identifiant=<16 characters> (identité PRONOTE).
    url = urlsplit(trip.final.url)
    assert url._replace(query="").geturl() == space_page(lab, profile)
    assert re.fullmatch(r"[A-Z0-9]{16}", parse_qs(url.query)["identifiant"][0])
    assert trip.banner is not None and re.fullmatch(BANNER_RE[profile], trip.banner["libelle"])
    assert trip.sso_check is not None and trip.sso_check.user == uid_of(lab, who.login)


def test_space_html_has_no_ginterface_element_and_no_user_name(clean_lab: LabClient) -> None:
    lab = clean_lab
    who = first_of_profile(lab, "eleve")

    trip = walk(lab, who)

    html = trip.final.html
    assert '<div id="div">' in html
    assert not re.search(r"""id=["']?GInterface["'\s>]""", html)
    # The name comes only from the server's answer to the space's script, as in PRONOTE.
    assert who.display_name.split()[-1] not in html
    assert trip.banner is not None
    assert trip.banner["etablissement"] == lab.info["establishments"][0]["name"]


def test_space_banner_of_a_parent_names_the_child_with_class(clean_lab: LabClient) -> None:
    lab = clean_lab
    trip = walk(lab, first_of_profile(lab, "parent"))

    assert trip.banner is not None
    assert re.fullmatch(BANNER_RE["parent"], trip.banner["libelle"])
    assert "(" not in trip.banner["libelle"]  # the class only for élèves
    assert re.fullmatch(r"[A-Z][A-Z0-9-]+ [A-ZÉ][a-zéèç]+ \([0-9A-Z]+\)", trip.banner["membre"])


def test_space_parameters_refuse_an_anonymous_caller(clean_lab: LabClient) -> None:
    with http_client() as client:
        answer = client.post(clean_lab.info["pronote"] + "appelfonction/3/1234567")

    assert answer.status_code == 403
    assert "libelle" not in answer.text


def test_pronote_root_serves_a_page_and_spaces_redirect_to_the_cas(clean_lab: LabClient) -> None:
    lab = clean_lab
    with http_client() as client:
        root = client.get(lab.info["pronote"])
        space = client.get(space_page(lab, "eleve"))

    assert root.status_code == 200
    assert 'href="eleve.html"' in root.text and 'href="parent.html"' in root.text
    assert space.status_code == 302
    assert space.headers["location"].startswith(lab.info["cas"] + "login?service=")


@pytest.mark.parametrize("spelling", ["infoMobileApp.json", "InfoMobileApp.json"])
def test_info_mobile_app_has_the_real_keys_and_a_bare_cas_root(
    clean_lab: LabClient, spelling: str
) -> None:
    lab = clean_lab
    with http_client() as client:
        info = info_mobile_app(client, lab.info["pronote"], spelling)
        without_id = client.get(lab.info["pronote"] + spelling)

    assert {"modeModif", "version", "date", "CAS", "espaces", "nomEtab"} <= info.keys()
    assert set(info["CAS"]) == {"actif", "casURL", "jetonCAS"}
    assert info["CAS"]["actif"] is True
    # The CAS root without /login and without trailing slash.
    assert info["CAS"]["casURL"] == lab.info["cas"].rstrip("/")
    assert isinstance(info["version"], list) and info["version"][0] == 2025
    assert all(isinstance(n, int) for n in info["version"])
    for space in info["espaces"]:
        assert set(space) == {"nom", "URL", "genreEspace", "avecDelegation", "protocole"}
        assert re.fullmatch(r"mobile\.[a-z]+\.html", space["URL"])
    assert "mobile.eleve.html" in {s["URL"] for s in info["espaces"]}
    assert info["nomEtab"] == lab.info["establishments"][0]["name"]
    assert without_id.status_code == 404


def test_pronote_login_inputs_have_no_name_and_generated_ids(clean_lab: LabClient) -> None:
    lab = clean_lab
    with http_client() as client:
        page = client.get(lab.info["pronote_direct"])

    form = next(f for f in read_html(page.text).forms if f.has_password)
    visible = form.visible_inputs()
    assert len(visible) == 2
    assert all("name" not in i and re.fullmatch(r"id_\d+", i["id"]) for i in visible)
    assert '<body id="id_body"' in page.text


def test_pronote_direct_login_refuses_a_wrong_password_with_the_form_again(
    clean_lab: LabClient,
) -> None:
    lab = clean_lab
    row = next(u for u in lab.pronote_users() if u["profile"] == "eleve")
    # The form's script posts its unnamed inputs' values in order, in one hidden field.
    with http_client() as client:
        answer = client.post(
            lab.info["pronote_direct"], data={"champs": f'["{row["id_connexion"]}", "non"]'}
        )

    assert answer.status_code == 200
    assert "location" not in answer.headers
    assert words(lab)["pn_login_bad"] in visible_text(answer.text)
    assert any(f.has_password for f in read_html(answer.text).forms)


def test_first_connection_fills_id_cas_and_later_ones_need_no_import(
    clean_lab: LabClient,
) -> None:
    lab = clean_lab
    who, other = local_accounts(lab)[0], local_accounts(lab)[1]
    assert pronote_row(lab, who.login)["id_cas"] is None

    first = walk(lab, who)

    assert first.banner is not None
    assert pronote_row(lab, who.login)["id_cas"] == uid_of(lab, who.login)

    # Given the ENT's import emptied, a second connection goes through Id. CAS alone
    assert lab.import_identifiers(HEADERS_ONLY_EXPORT, full=True)["imported"] == 0
    second = walk(lab, who)
    assert second.banner is not None, second.final.text
    assert second.sso_check is not None
    assert lab.info["identifier_attribute"] not in second.sso_check.attributes
    # while someone never connected before cannot be linked
    assert words(lab)["pn_unlinked_title"] in walk(lab, other).final.text


# --------------------------------------------------------------------------- identifiers import


def _import_with_control_api(lab: LabClient, data: bytes, *, full: bool) -> tuple[int, str]:
    """POST the file to the control API; returns (status, message)."""
    uai = lab.info["establishments"][0]["uai"]
    with http_client(headers={"X-Lab-Token": lab.info["token"]}) as client:
        response = client.post(
            f"{lab.info['control']}ent/{uai}/import",
            params={"type": "complet" if full else "partiel"},
            content=data,
        )
    return response.status_code, response.json().get("error", "")


def _import_with_admin_page(lab: LabClient, data: bytes, *, full: bool) -> tuple[int, str]:
    """Upload the file on the ENT's /admin/import page as the ENT admin; returns (status, text)."""
    with EntAdmin.logged_in(lab) as admin:
        response = admin.import_identifiers(data, full=full)
    return response.status_code, visible_text(response.text)


Importer = Callable[..., tuple[int, str]]
IMPORTERS = [
    pytest.param(_import_with_control_api, id="control-api"),
    pytest.param(_import_with_admin_page, id="admin-page"),
]


def _imported_count(lab: LabClient) -> int:
    return lab.state()["sites"][0]["imported"]


@pytest.mark.parametrize("importer", IMPORTERS)
def test_import_full_of_the_export_restores_identifier_release(
    clean_lab: LabClient, importer: Importer
) -> None:
    lab = clean_lab
    lab.set_faults(["identifiers_not_imported"])
    who = local_accounts(lab)[0]
    before = walk(lab, who)
    assert before.banner is None and before.ticket_issued

    status, _ = importer(lab, lab.export_identifiers(), full=True)

    assert status == 200
    assert _imported_count(lab) == len(lab.pronote_users())
    after = walk(lab, who)
    assert after.banner is not None, after.final.text
    assert after.sso_check is not None
    released = after.sso_check.attribute(lab.info["identifier_attribute"])
    assert released == pronote_row(lab, who.login)["id_pronote_ent"]


@pytest.mark.parametrize("importer", IMPORTERS)
def test_import_partial_of_one_user_adds_them_and_keeps_the_others(
    clean_lab: LabClient, importer: Importer
) -> None:
    lab = clean_lab
    lab.set_faults(["user_missing_from_import"])
    late = lab.affected("user_missing_from_import")
    assert late is not None
    everyone = len(lab.pronote_users())
    assert _imported_count(lab) == everyone - 1
    code = pronote_row(lab, late)["id_pronote_ent"]
    one_user = export_with_only(lab.export_identifiers(), {code})

    status, _ = importer(lab, one_user, full=False)

    assert status == 200
    assert _imported_count(lab) == everyone
    assert walk(lab, account(lab, late)).banner is not None
    assert walk(lab, local_accounts(lab)[0]).banner is not None
    # The same file imported in full would have replaced everything (the contrast).
    status, _ = importer(lab, one_user, full=True)
    assert (status, _imported_count(lab)) == (200, 1)


@pytest.mark.parametrize("importer", IMPORTERS)
@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(BINARY_FILE, "n'est pas un fichier texte", id="binary"),
        pytest.param(NOT_AN_EXPORT, "n'est pas un export des identifiants PRONOTE", id="csv"),
    ],
)
def test_import_bad_file_is_refused_in_french_with_400(
    clean_lab: LabClient, importer: Importer, data: bytes, message: str
) -> None:
    lab = clean_lab
    before = _imported_count(lab)

    status, body = importer(lab, data, full=True)

    assert status == 400
    assert message in body
    assert _imported_count(lab) == before


def test_import_admin_page_shows_the_outcome_in_french(clean_lab: LabClient) -> None:
    lab = clean_lab
    everyone = len(lab.pronote_users())
    with EntAdmin.logged_in(lab) as admin:
        done = admin.import_identifiers(lab.export_identifiers(), full=True)
        refused = admin.import_identifiers(BINARY_FILE, full=False)

    assert f"Import complet terminé : {everyone} identifiant(s) associé(s)." in done.text
    assert "Import refusé." in refused.text
    assert f"{everyone} identifiant(s) PRONOTE actuellement importé(s)" in refused.text


# --------------------------------------------------------------------------- faults
# Each check states what the real system would show; no page may name the fault.


def _not_linked_page(lab: LabClient, trip: Walk) -> None:
    """The generation's page for an ENT user PRONOTE cannot link, after a valid ticket."""
    w, page = words(lab), trip.final
    assert trip.ticket_issued and trip.banner is None
    assert page.status == 200 and page.is_pronote_app
    form = next(f for f in read_html(page.html).forms)
    assert form.visible_inputs() and not form.has_password
    assert all("name" not in i for i in form.visible_inputs())
    if generation(lab) == "2011":
        assert w["pn_prompt_title"] in page.text and w["pn_prompt_field"] in page.text
    else:
        assert w["pn_unlinked_title"] in page.text and w["pn_unlinked_text"] in page.text
    assert pronote_row(lab, trip_login(lab, trip))["id_cas"] is None


def trip_login(lab: LabClient, trip: Walk) -> str:
    assert trip.sso_check is not None and trip.sso_check.user
    return next(a.login for a in lab.accounts if a.uid == trip.sso_check.user)


def _check_msxml_outdated(lab: LabClient, trip: Walk) -> None:
    assert trip.ticket_issued and trip.banner is None
    assert trip.final.status == 200 and not trip.final.is_pronote_app
    assert words(lab)["pn_cas_unreadable"] in trip.final.text
    # The ticket was good: the CAS validates a fresh one for the same service.
    assert trip.sso_check is not None and trip.sso_check.ok


def _check_cas_port_blocked(lab: LabClient, trip: Walk) -> None:
    assert trip.network_error == "connection_refused"
    assert refuses_connections(lab.info["pronote"])
    assert not refuses_connections(lab.info["pronote_classic"])  # only the CAS listener is cut


def _check_wrong_public_url(lab: LabClient, trip: Walk) -> None:
    assert not trip.ticket_issued
    assert (trip.pronote_service or "").endswith("/pronote.net/cas/eleve.html")
    assert trip.final.url.startswith(lab.info["cas"])


def _check_wrong_cas_url(lab: LabClient, trip: Walk) -> None:
    with http_client() as client:
        cas = info_mobile_app(client, lab.info["pronote"])["CAS"]
    assert cas["actif"] is True and cas["casURL"] != lab.info["cas"].rstrip("/")
    assert trip.final.status == 404
    assert trip.final.url.startswith(cas["casURL"] + "/login")


def _check_cas_auth_disabled(lab: LabClient, trip: Walk) -> None:
    with http_client() as client:
        cas = info_mobile_app(client, lab.info["pronote"])["CAS"]
    assert (cas["actif"], cas["casURL"]) == (False, "")
    assert not trip.ticket_issued and trip.final.is_pronote_app
    assert any(f.has_password for f in read_html(trip.final.html).forms)


def _check_not_published(lab: LabClient, trip: Walk) -> None:
    assert trip.final.status == 503
    assert words(lab)["pn_unavailable_title"] in trip.final.text


def _check_identifier_management_off(lab: LabClient, trip: Walk) -> None:
    _not_linked_page(lab, trip)
    # The CAS did hand the identifier over: PRONOTE is the one not using it.
    assert trip.sso_check is not None
    code = trip.sso_check.attribute(lab.info["identifier_attribute"])
    assert code == pronote_row(lab, trip_login(lab, trip))["id_pronote_ent"]


def _check_identifiers_not_imported(lab: LabClient, trip: Walk) -> None:
    _not_linked_page(lab, trip)
    assert trip.sso_check is not None and trip.sso_check.ok
    assert lab.info["identifier_attribute"] not in trip.sso_check.attributes


def _check_user_missing_from_import(lab: LabClient, trip: Walk) -> None:
    _check_identifiers_not_imported(lab, trip)
    late = trip_login(lab, trip)
    other = next(
        a for a in local_accounts(lab) if a.login != late and a.uai == local_accounts(lab)[0].uai
    )
    assert walk(lab, other).banner is not None


def _check_shortcut_missing(lab: LabClient, trip: Walk) -> None:
    assert trip.shortcut_url is None and trip.pronote_service is None
    assert trip.final.url.startswith(lab.info["ent"]) and trip.final.status == 200


def _check_shortcut_direct_url(lab: LabClient, trip: Walk) -> None:
    assert trip.shortcut_url == lab.info["pronote_direct"]
    assert not trip.ticket_issued
    assert any(f.has_password for f in read_html(trip.final.html).forms)


def _check_service_not_registered(lab: LabClient, trip: Walk) -> None:
    assert not trip.ticket_issued
    assert trip.pronote_service == space_page(lab, "eleve")
    assert trip.final.url.startswith(lab.info["cas"])


def _check_user_unknown_to_pronote(lab: LabClient, trip: Walk) -> None:
    # PRONOTE gets a valid ticket and an identifier matching nobody: it cannot link the user.
    assert trip.sso_check is not None and trip.sso_check.attribute(lab.info["identifier_attribute"])
    login = trip_login(lab, trip)
    assert login not in {u["login"] for u in lab.pronote_users()}
    w, page = words(lab), trip.final
    assert trip.banner is None and page.is_pronote_app
    title = w["pn_prompt_title"] if generation(lab) == "2011" else w["pn_unlinked_title"]
    assert title in page.text


def _check_double_authentication(lab: LabClient, trip: Walk) -> None:
    assert trip.ticket_issued and trip.banner is None
    assert words(lab)["pn_double_title"] in trip.final.text
    form = next(f for f in read_html(trip.final.html).forms if f.has_password)
    assert all("name" not in i for i in form.visible_inputs())


def _check_pronote_ip_suspended(lab: LabClient, trip: Walk) -> None:
    # Single sign-on worked up to PRONOTE.net, which answers with its suspension message.
    assert trip.banner is None and trip.final.status == 200
    assert words(lab)["pn_ip_suspended"] in trip.final.text


def _check_pronote_too_many_errors(lab: LabClient, trip: Walk) -> None:
    # PRONOTE got a valid ticket for this user and refuses it with its lock-out message.
    assert trip.ticket_issued and trip.banner is None
    assert words(lab)["pn_too_many_errors"] in trip.final.text


def _check_space_access_denied(lab: LabClient, trip: Walk) -> None:
    assert trip.ticket_issued and trip.banner is None
    # The space of the account's profile, in PRONOTE's words; the account is not linked.
    assert re.search(r"Vous n'avez pas accès à l'Espace [A-Z]\w+", trip.final.text)
    login = trip_login(lab, trip)
    assert all(u["id_cas"] is None for u in lab.pronote_users() if u["login"] == login)


def _check_pronote_second_factor(lab: LabClient, trip: Walk) -> None:
    # Single sign-on done and the user linked; PRONOTE's page asks for a code, no space.
    w = words(lab)
    assert trip.ticket_issued and trip.banner is None
    assert w["pn_pin_title"] in trip.final.text and w["pn_pin_intro"] in trip.final.text
    login = trip_login(lab, trip)
    assert any(u["id_cas"] for u in lab.pronote_users() if u["login"] == login)


def _check_slow_network(lab: LabClient, trip: Walk) -> None:
    assert trip.banner is not None
    # Every hop through a lab listener waits the slow_network delay.
    assert trip.seconds >= SLOW_NETWORK_DELAY_S * trip.requests


def _check_flaky_network(lab: LabClient, trip: Walk) -> None:
    assert trip.pages[0].status == 502 and trip.pages[1].status == 302
    assert trip.banner is not None


def _check_pronote_server_error(lab: LabClient, trip: Walk) -> None:
    # The request carrying the ticket gets the server's own 500 page: no space is built.
    assert trip.ticket_issued and trip.final.status == 500
    assert trip.banner is None


def _check_pronote_bad_gateway(lab: LabClient, trip: Walk) -> None:
    # The proxy in front of PRONOTE.net answers the ticket request with its 502 page.
    assert trip.ticket_issued and trip.final.status == 502 and "Bad Gateway" in trip.final.html
    assert trip.banner is None


SYMPTOMS: dict[str, Callable[[LabClient, Walk], None]] = {
    "msxml_outdated": _check_msxml_outdated,
    "cas_port_blocked": _check_cas_port_blocked,
    "wrong_public_url": _check_wrong_public_url,
    "wrong_cas_url": _check_wrong_cas_url,
    "cas_auth_disabled": _check_cas_auth_disabled,
    "not_published": _check_not_published,
    "identifier_management_off": _check_identifier_management_off,
    "identifiers_not_imported": _check_identifiers_not_imported,
    "user_missing_from_import": _check_user_missing_from_import,
    "shortcut_missing": _check_shortcut_missing,
    "shortcut_direct_url": _check_shortcut_direct_url,
    "service_not_registered": _check_service_not_registered,
    "user_unknown_to_pronote": _check_user_unknown_to_pronote,
    "double_authentication": _check_double_authentication,
    "slow_network": _check_slow_network,
    "flaky_network": _check_flaky_network,
    "pronote_ip_suspended": _check_pronote_ip_suspended,
    "pronote_too_many_errors": _check_pronote_too_many_errors,
    "space_access_denied": _check_space_access_denied,
    "pronote_second_factor": _check_pronote_second_factor,
    "pronote_server_error": _check_pronote_server_error,
    "pronote_bad_gateway": _check_pronote_bad_gateway,
}

VARIANTS = [
    pytest.param(("default", "2025"), id="default-2025"),
    pytest.param(("alt", "2011"), id="alt-2011"),
    pytest.param(("alt", "2025"), id="alt-2025"),
    pytest.param(("default", "2011"), id="default-2011"),
]


@pytest.fixture(scope="module", params=VARIANTS)
def variant_lab(request: pytest.FixtureRequest, lab: LabClient) -> Iterator[LabClient]:
    """The lab under each wording and PRONOTE generation (the session's lab is default-2025)."""
    wording, pronote_generation = request.param
    if (wording, pronote_generation) == ("default", "2025"):
        yield lab
        return
    with running_lab(wording=wording, pronote_generation=pronote_generation) as other:
        yield other


def test_faults_each_have_a_symptom_check() -> None:
    # The ÉduConnect/WAYF faults act before the ENT login: the login-route tests check them.
    login_route = [f for f in FAULTS if re.search("educonnect|saml|wayf", f)]
    login_route += [*LOGIN_TIME_FAULTS, "ent_login_bad_gateway", "ent_login_moved"]
    assert sorted(SYMPTOMS) == sorted(f for f in FAULTS if f not in login_route)


@pytest.mark.parametrize("fault", list(SYMPTOMS))
def test_fault_shows_its_symptom_and_no_page_names_it(variant_lab: LabClient, fault: str) -> None:
    lab = variant_lab
    lab.set_faults([fault])
    affected = lab.affected(fault)
    who = account(lab, affected) if affected else local_accounts(lab)[0]
    log = PageLog()

    trip = walk(lab, who, log)

    SYMPTOMS[fault](lab, trip)
    assert log.pages
    assert log.naming(fault) == []
    assert log.naming(fault.replace("_", " ")) == []


def test_ent_login_bad_gateway_fails_the_login_post_once_and_counts_it(
    clean_lab: LabClient,
) -> None:
    """The load balancer fails the login POST itself: the CAS's form is served, its POST
    answers nginx's 502; the lab counts each POST, so a verifier that sent it twice is seen."""
    clean_lab.set_faults(["ent_login_bad_gateway"])
    who = local_accounts(clean_lab)[0]
    with http_client() as client:
        answer = cas_login(
            client, clean_lab.info["cas"], ent_service(clean_lab), who.login, who.password
        )
    assert answer.status_code == 502 and "Bad Gateway" in answer.text
    assert clean_lab.posts() == {"cas /login": 1}
    clean_lab.reset()
    assert clean_lab.posts() == {}


def test_ent_login_moved_answers_301_then_302_to_a_new_host_serving_the_same_cas(
    worded_lab: LabClient,
) -> None:
    """An ENT that moved (DOMAIN.md: ENT hosts move): its old login address answers a redirect
    chain to the new host, where a user logs in; the old host still validates the ticket."""
    lab = worded_lab
    lab.set_faults(["ent_login_moved"])
    old, new, service = lab.info["cas"], lab.info["login_moved_to"], ent_service(lab)
    assert urlsplit(old).netloc != urlsplit(new).netloc
    who = local_accounts(lab)[0]
    with http_client() as client:
        first = client.get(f"{old}login", params={"service": service})
        assert first.status_code == 301
        second = client.get(str(first.url.join(first.headers["location"])))
        assert second.status_code == 302
        assert urlsplit(second.headers["location"]).netloc == urlsplit(new).netloc
        assert "moved" not in first.text + second.text
        answer = cas_login(client, new, service, who.login, who.password)
    assert answer.status_code == 302
    ticket = parse_qs(urlsplit(answer.headers["location"]).query)["ticket"][0]
    assert validate(lab, service, ticket).user == who.login


LOGIN_TIME_FAULTS = ("ent_maintenance", "ent_maintenance_503", "cas_account_locked", "cas_captcha")


@pytest.fixture(scope="module", params=["default", "alt"])
def worded_lab(request: pytest.FixtureRequest, lab: LabClient) -> Iterator[LabClient]:
    """The lab under each wording (the session's lab is the default one)."""
    if request.param == "default":
        yield lab
        lab.reset()
        return
    with running_lab(wording="alt") as other:
        yield other


@pytest.mark.parametrize("fault", LOGIN_TIME_FAULTS)
def test_login_time_fault_shows_its_page_and_no_page_names_it(
    worded_lab: LabClient, fault: str
) -> None:
    """Faults met before the portal: the ENT's maintenance page (200, 503), the CAS's lock of
    one account (its right password refused, once), a captcha in the CAS's form."""
    lab = worded_lab
    lab.set_faults([fault])
    w = texts(lab.info.get("wording", "default"))
    with http_client() as client:
        if fault.startswith("ent_maintenance"):
            page = client.get(lab.info["ent"])
            assert page.status_code == (503 if fault.endswith("503") else 200)
            assert w["ent_maintenance_title"] in page.text and fault not in page.text
            return
        affected = lab.affected(fault)
        who = account(lab, affected) if affected else local_accounts(lab)[0]
        answer = cas_login(client, lab.info["cas"], ent_service(lab), who.login, who.password)
    assert answer.status_code == 200, "refused: the form again, no session"
    form = next(f for f in read_html(answer.text).forms if f.has_password)
    if fault == "cas_captcha":
        assert any(i.get("name") == "captcha" for i in form.inputs)
    else:
        assert re.search("verrouillé|bloqué", answer.text)
    assert lab.posts() == {"cas /login": 1}
    assert fault not in answer.text


def test_faults_combine(clean_lab: LabClient) -> None:
    lab = clean_lab
    state = lab.set_faults(["identifiers_not_imported", "slow_network"])

    trip = walk(lab, local_accounts(lab)[0])

    assert state["faults"] == ["identifiers_not_imported", "slow_network"]
    assert words(lab)["pn_unlinked_title"] in trip.final.text
    assert trip.seconds >= SLOW_NETWORK_DELAY_S * trip.requests


def test_faults_change_at_run_time(clean_lab: LabClient) -> None:
    lab = clean_lab
    who = local_accounts(lab)[0]

    lab.set_faults(["not_published"])
    assert walk(lab, who).final.status == 503
    lab.set_faults(["shortcut_missing"])
    assert walk(lab, who).shortcut_url is None
    with http_client() as client:
        assert client.get(lab.info["pronote"]).status_code == 200  # published again
    lab.set_faults([])
    assert walk(lab, who).banner is not None


def test_faults_set_at_start_with_running_lab() -> None:
    with running_lab(faults=["not_published", "shortcut_direct_url"]) as lab:
        state = lab.state()
        with http_client() as client:
            unpublished = client.get(lab.info["pronote"] + "eleve.html")

    assert state["faults"] == ["not_published", "shortcut_direct_url"]
    assert state["sites"][0]["shortcut"]["url"] == lab.info["pronote_direct"]
    assert unpublished.status_code == 503


def test_faults_unknown_name_is_refused_by_the_control_api(clean_lab: LabClient) -> None:
    lab = clean_lab
    lab.set_faults(["slow_network"])
    with http_client(headers={"X-Lab-Token": lab.info["token"]}) as client:
        response = client.post(lab.info["control"] + "faults", json={"faults": ["no_such_fault"]})

    assert response.status_code == 400
    error = response.json()["error"]
    assert "unknown fault(s): no_such_fault" in error
    assert "slow_network" in error  # the known names are listed
    assert lab.state()["faults"] == ["slow_network"]  # nothing changed
    with pytest.raises(LabError, match="400"):
        lab.set_faults(["no_such_fault"])


@pytest.mark.parametrize(
    ("args", "env"),
    [
        pytest.param(("--faults", "slow_network,no_such_fault"), {}, id="faults-option"),
        pytest.param((), {"LAB_FAULTS": "no_such_fault"}, id="lab-faults-env"),
    ],
)
def test_cli_unknown_fault_exits_2_with_a_clear_error(
    args: tuple[str, ...], env: dict[str, str]
) -> None:
    done = subprocess.run(
        lab_command(*args),
        cwd=ROOT,
        env=lab_env(**env),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert done.returncode == 2
    assert "panne(s) inconnue(s) : no_such_fault" in done.stderr
    assert "connues : msxml_outdated" in done.stderr


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        pytest.param(("--wording", "autre"), {}, "--wording", id="wording-option"),
        pytest.param(
            (), {"LAB_WORDING": "autre"}, "--wording : « autre » inconnu", id="lab-wording-env"
        ),
        pytest.param(
            ("--pronote-generation", "2025,2019"),
            {},
            "--pronote-generation : 2019",
            id="generation",
        ),
        pytest.param(("--latency", "-1"), {}, "--latency", id="negative-latency"),
        pytest.param(
            ("--educonnect-per-profile", "-1"),
            {},
            "--educonnect-per-profile : doit valoir de 0 à 100",
            id="negative-educonnect",
        ),
    ],
)
def test_cli_bad_start_option_exits_2_with_a_clear_error(
    args: tuple[str, ...], env: dict[str, str], message: str
) -> None:
    done = subprocess.run(
        lab_command(*args),
        cwd=ROOT,
        env=lab_env(**env),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_cli_environment_sets_wording_generation_and_latency(tmp_path: Path) -> None:
    env = lab_env(LAB_WORDING="alt", LAB_PRONOTE_GENERATION="2011", LAB_LATENCY="0.05")
    with lab_process(tmp_path / "lab.json", env=env) as (process, info):
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0

    assert (info["wording"], info["latency"]) == ("alt", 0.05)
    assert info["establishments"][0]["pronote_generation"] == "2011"


def test_cli_account_mix_per_profile_and_educonnect(tmp_path: Path) -> None:
    """36 local accounts and 4 ÉduConnect ones: the benchmark's 40 (bench/run.py)."""
    args = ("--per-profile", "9", "--educonnect-per-profile", "2")
    with lab_process(tmp_path / "lab.json", *args, env=lab_env()) as (process, info):
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0

    routes = Counter((a["route"], a["profile"]) for a in info["accounts"])
    assert routes == {
        ("local", "eleve"): 9,
        ("local", "parent"): 9,
        ("local", "professeur"): 9,
        ("local", "personnel"): 9,
        ("educonnect", "eleve"): 2,
        ("educonnect", "parent"): 2,
    }


# --------------------------------------------------------------------------- control and network


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="no-token"),
        pytest.param({"X-Lab-Token": "wrong"}, id="wrong-token"),
        pytest.param({"X-Lab-Token": ""}, id="empty-token"),
    ],
)
@pytest.mark.parametrize(("method", "path"), [("GET", "state"), ("POST", "reset")])
def test_control_refuses_calls_without_the_token(
    lab: LabClient, headers: dict[str, str], method: str, path: str
) -> None:
    with http_client(headers=headers) as client:
        response = client.request(method, lab.info["control"] + path)

    assert response.status_code == 401
    assert "X-Lab-Token" in response.json()["error"]


def test_control_accepts_calls_with_the_token(lab: LabClient) -> None:
    with http_client(headers={"X-Lab-Token": lab.info["token"]}) as client:
        response = client.get(lab.info["control"] + "state")

    assert response.status_code == 200
    assert "faults" in response.json()


def test_listeners_bind_to_loopback_only(clean_lab: LabClient) -> None:
    lab = clean_lab
    urls = [lab.info[k] for k in ("cas", "ent", "control", "pronote", "pronote_classic")]
    ports = {urlsplit(u).port for u in urls}
    assert {urlsplit(u).hostname for u in urls} == {"127.0.0.1"}
    assert len(ports) == len(urls)

    for url in urls:
        port = urlsplit(url).port
        assert port is not None
        assert listening_addresses(port) == {"127.0.0.1"}, url
        # Another loopback address reaches a wildcard bind, never a 127.0.0.1 one.
        assert refuses_connections(url, host="127.0.0.2"), url


def test_lab_idles_without_burning_cpu(lab: LabClient) -> None:
    pid = listener_pid(lab.info["control"])
    before = cpu_seconds(pid)
    time.sleep(2)  # measuring what an idle lab costs needs it to be idle for a while

    used = cpu_seconds(pid) - before

    # A few wake-ups per second cost microseconds; a busy loop costs a large share of a core.
    assert used < 0.1, f"an idle lab used {used:.2f} s of CPU in 2 s"


def test_reset_restores_tables_imports_and_shortcut(clean_lab: LabClient) -> None:
    lab = clean_lab
    baseline = lab.state()
    lab.set_faults(["user_missing_from_import", "user_unknown_to_pronote"])
    assert walk(lab, local_accounts(lab)[0]).banner is not None
    lab.import_identifiers(HEADERS_ONLY_EXPORT, full=True)
    with EntAdmin.logged_in(lab) as admin:
        admin.save_shortcut(url="https://ailleurs.example/", code="X", intitule="Autre", actif="1")
    changed = lab.state()
    assert changed != baseline
    assert changed["sites"][0]["shortcut"]["url"] == "https://ailleurs.example/"

    restored = lab.reset()

    assert restored == baseline
    assert restored["faults"] == []
    assert {u["id_cas"] for u in restored["sites"][0]["users"]} == {None}
    assert restored["sites"][0]["imported"] == len(restored["sites"][0]["users"])


def test_reset_reopens_the_port_and_registers_the_service_again(clean_lab: LabClient) -> None:
    lab = clean_lab
    lab.set_faults(["cas_port_blocked", "service_not_registered"])
    assert refuses_connections(lab.info["pronote"])

    lab.reset()

    assert walk(lab, local_accounts(lab)[0]).banner is not None


# --------------------------------------------------------------------------- python -m lab


def test_cli_writes_the_urls_file_and_stops_when_stdin_closes(tmp_path: Path) -> None:
    urls_file = tmp_path / "lab.json"
    with lab_process(urls_file, "--stop-on-stdin-eof") as (process, info):
        assert set(URLS_FILE_KEYS) <= info.keys()
        assert info["accounts"] and all(set(ACCOUNT_KEYS) <= a.keys() for a in info["accounts"])
        assert {a["profile"] for a in info["accounts"]} == set(PROFILES)
        with http_client() as client:
            assert client.get(info["ent"]).status_code == 302

        assert process.stdin is not None
        process.stdin.close()
        assert process.wait(timeout=15) == 0

    listed = [info[k] for k in ("cas", "ent", "pronote", "pronote_classic", "control")]
    assert all(refuses_connections(url) for url in listed)


def test_cli_sigterm_stops_the_lab_cleanly(tmp_path: Path) -> None:
    with lab_process(tmp_path / "lab.json") as (process, info):
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0

    assert refuses_connections(info["control"])
    assert refuses_connections(info["pronote"])


def test_cli_lab_faults_env_switches_faults_on_at_start(tmp_path: Path) -> None:
    env = lab_env(LAB_FAULTS="not_published,shortcut_missing")
    with lab_process(tmp_path / "lab.json", env=env) as (process, info):
        with http_client(headers={"X-Lab-Token": info["token"]}) as client:
            state = client.get(info["control"] + "state").json()
            unpublished = client.get(info["pronote"] + "eleve.html")
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0

    assert state["faults"] == ["not_published", "shortcut_missing"]
    assert unpublished.status_code == 503


# --------------------------------------------------------------------------- establishments


@pytest.fixture(scope="module")
def three_sites() -> Iterator[LabClient]:
    with running_lab(establishments=3, startup_timeout=120) as lab:
        yield lab


def test_establishments_share_one_cas_and_ent(three_sites: LabClient) -> None:
    sites = three_sites.info["establishments"]
    with http_client() as client:
        infos = [info_mobile_app(client, s["pronote"]) for s in sites]

    assert len(sites) == 3
    assert len({urlsplit(s["pronote"]).netloc for s in sites}) == 3
    assert len({i["nomEtab"] for i in infos}) == 3
    assert {i["CAS"]["casURL"] for i in infos} == {three_sites.info["cas"].rstrip("/")}


def test_establishments_each_user_lands_on_their_own_site(three_sites: LabClient) -> None:
    three_sites.reset()
    for site in three_sites.info["establishments"]:
        uai = site["uai"]
        who = first_of_profile(three_sites, "eleve", uai)

        trip = walk(three_sites, who)

        assert trip.banner is not None, (uai, trip.final.text)
        assert trip.banner["etablissement"] == site["name"]
        assert urlsplit(trip.final.url).netloc == urlsplit(site["pronote"]).netloc
        assert pronote_row(three_sites, who.login, uai)["id_cas"] == uid_of(three_sites, who.login)
        for other in three_sites.info["establishments"]:
            if other["uai"] != uai:
                logins = {u["login"] for u in three_sites.pronote_users(other["uai"])}
                assert who.login not in logins


# --------------------------------------------------------------------------- PRONOTE generations


@pytest.fixture(scope="module")
def lab_2011(lab: LabClient) -> Iterator[LabClient]:
    with running_lab(pronote_generation="2011") as other:
        yield other


def test_generation_2011_prompts_for_the_identifier_and_links_on_the_right_one(
    lab_2011: LabClient,
) -> None:
    lab = lab_2011
    lab.set_faults(["identifiers_not_imported"])
    who = local_accounts(lab)[0]
    code = pronote_row(lab, who.login)["id_pronote_ent"]
    w = words(lab)
    with http_client() as client:
        prompt = _not_linked_in(client, lab, who)
        assert w["pn_prompt_field"] in visible_text(prompt.text)
        assert "Identification impossible" not in prompt.text
        wrong = client.post(
            lab.info["pronote"] + "premiere-connexion", data={"champs": '["AAAABBBBCCCCDDDD"]'}
        )
        right = client.post(
            lab.info["pronote"] + "premiere-connexion", data={"champs": f'["{code}"]'}
        )

    assert w["pn_prompt_bad"] in visible_text(wrong.text)
    assert right.status_code == 302 and right.headers["location"].startswith("/pronote/eleve.html")
    assert pronote_row(lab, who.login)["id_cas"] == uid_of(lab, who.login)


def test_generation_2025_says_identification_impossible_and_files_the_request(
    clean_lab: LabClient,
) -> None:
    lab = clean_lab
    lab.set_faults(["identifiers_not_imported"])
    who = local_accounts(lab)[0]
    code = pronote_row(lab, who.login)["id_pronote_ent"]
    with http_client() as client:
        page = _not_linked_in(client, lab, who)
        text = visible_text(page.text)
        # The 2025 page has no field for the PRONOTE identifier: typing it links nobody.
        sent = client.post(
            lab.info["pronote"] + "identification", data={"champs": f'["{code}", "x", "y"]'}
        )
        again = client.post(lab.info["pronote"] + "identification", data={"champs": "[]"})

    assert "Identification impossible" in text
    assert (
        "Les données d'authentification renseignées dans l'ENT ne correspondent pas aux "
        "données renseignées dans PRONOTE" in text
    )
    assert "identifiant PRONOTE ENT" not in text
    assert sent.status_code == 200 and words(lab)["pn_unlinked_sent"] in visible_text(sent.text)
    assert words(lab)["pn_session_expired"] in visible_text(again.text)
    assert pronote_row(lab, who.login)["id_cas"] is None
    assert lab.state()["sites"][0]["link_requests"] == 1


def _not_linked_in(client, lab: LabClient, who, site: int = 0):  # type: ignore[no-untyped-def]
    """Log *who* in at the CAS for PRONOTE's service with *client*; PRONOTE's answer."""
    service = space_page(lab, who.profile, site)
    answer = cas_login(client, lab.info["cas"], service, who.login, who.password)
    page = client.get(answer.headers["location"])
    assert page.status_code == 200 and '<body id="id_body"' in page.text
    return page


def test_generation_is_chosen_per_establishment() -> None:
    with running_lab(establishments=2, pronote_generation="2011,2025") as lab:
        lab.set_faults(["identifiers_not_imported"])
        pages = []
        for index, site in enumerate(lab.info["establishments"]):
            who = first_of_profile(lab, "eleve", site["uai"])
            with http_client() as client:
                pages.append(visible_text(_not_linked_in(client, lab, who, index).text))

    assert [s["pronote_generation"] for s in lab.info["establishments"]] == ["2011", "2025"]
    assert "identifiant PRONOTE ENT" in pages[0] and "Identification impossible" in pages[1]


# --------------------------------------------------------------------------- wordings


def test_wording_alt_rewords_every_text() -> None:
    default, alt = texts("default"), texts("alt")

    assert default.keys() == alt.keys()
    # Every text but the product's own words (PRONOTE's lock-out and access refusals).
    assert {k for k in default if default[k] == alt[k]} == PRODUCT_TEXTS


@pytest.fixture(scope="module")
def alt_lab(lab: LabClient) -> Iterator[LabClient]:
    with running_lab(wording="alt") as other:
        yield other


def test_wording_alt_changes_texts_but_not_the_guaranteed_markup(
    lab: LabClient, alt_lab: LabClient
) -> None:
    lab.reset()
    alt_lab.reset()
    trips = {
        name: walk(x, first_of_profile(x, "eleve"))
        for name, x in (("default", lab), ("alt", alt_lab))
    }
    with http_client() as client:
        infos = {
            n: info_mobile_app(client, x.info["pronote"])
            for n, x in (("default", lab), ("alt", alt_lab))
        }

    default, alt = trips["default"], trips["alt"]
    # What the real products guarantee: the shell, the banner's format, the protocol, URLs.
    for trip in (default, alt):
        assert trip.final.is_pronote_app and '<div id="div">' in trip.final.html
        assert trip.banner is not None and re.fullmatch(BANNER_RE["eleve"], trip.banner["libelle"])
        assert trip.ticket_issued
    for cls in (
        "ObjetBandeauEspace",
        "ibe_centre",
        "ibe_etab_util",
        "ibe_util_texte",
        "ibe_actif",
        "objetBandeauEntete_menu",
        "AffichagePageAccueil",
    ):
        assert f"'{cls}" in alt.final.html or f" {cls}'" in alt.final.html, cls
    assert infos["default"].keys() == infos["alt"].keys()
    assert urlsplit(alt.shortcut_url or "").path == urlsplit(default.shortcut_url or "").path
    # What they do not: the texts and the portal's markup.
    portal_default = next(p for p in default.pages if p.url.endswith("/portail"))
    portal_alt = next(p for p in alt.pages if p.url.endswith("/portail"))
    assert texts("alt")["ent_services"] in portal_alt.text
    assert texts("default")["ent_services"] not in portal_alt.text
    assert 'class="tuile tuile--pronote"' in portal_alt.html
    assert '<span class="tuile__titre">PRONOTE - Vie scolaire</span>' in portal_alt.html
    assert 'target="_blank" rel="noopener">Pronote</a>' in portal_default.html
    assert texts("default")["pn_loading"] not in alt.final.html


def test_wording_alt_popup_shortcut_is_a_button(alt_lab: LabClient) -> None:
    lab = alt_lab
    lab.reset()
    with EntAdmin.logged_in(lab) as admin:
        admin.save_shortcut(
            url=lab.info["pronote"], code="PRONOTE", intitule="PRONOTE", mode="popup", actif="1"
        )
        portal = admin.client.get(lab.info["ent"] + "portail")
    lab.reset()

    button = re.search(
        r'<button type="button" class="tuile tuile--pronote" data-url="([^"]+)"', portal.text
    )
    assert button is not None and button.group(1).startswith(lab.info["pronote"])
    assert f'href="{lab.info["pronote"]}' not in portal.text


def test_shortcut_same_tab_mode_is_meme_onglet(clean_lab: LabClient) -> None:
    lab = clean_lab
    with EntAdmin.logged_in(lab) as admin:
        form = admin.client.get(lab.info["ent"] + "admin/portail")
        admin.save_shortcut(
            url=lab.info["pronote"],
            code="PRONOTE",
            intitule="Pronote",
            mode="meme_onglet",
            actif="1",
        )

    assert 'value="meme_onglet"' in form.text and "meme_fenetre" not in form.text
    assert lab.state()["sites"][0]["shortcut"]["mode"] == "meme_onglet"
    trip = walk(lab, first_of_profile(lab, "eleve"))
    assert trip.banner is not None


# --------------------------------------------------------------------------- latency


def test_latency_adds_at_least_the_set_delay_per_hop(lab: LabClient) -> None:
    latency = 0.2
    lab.reset()
    fast = walk(lab, first_of_profile(lab, "eleve"))
    with running_lab(latency=latency) as slow_lab:
        slow = walk(slow_lab, first_of_profile(slow_lab, "eleve"))
        with http_client() as client:
            began = time.perf_counter()
            client.get(slow_lab.info["cas"] + "login")  # the CAS, a Django app, is delayed too
            cas_hop = time.perf_counter() - began

    assert slow.banner is not None and fast.banner is not None
    assert slow.seconds >= latency * slow.requests
    assert slow.seconds - fast.seconds >= 0.8 * latency * slow.requests
    assert cas_hop >= latency


def test_latency_does_not_block_other_requests() -> None:
    latency, parallel = 0.5, 16
    with running_lab(latency=latency) as lab, http_client() as client:
        from concurrent.futures import ThreadPoolExecutor

        url = lab.info["pronote"]
        began = time.perf_counter()
        with ThreadPoolExecutor(parallel) as pool:
            statuses = list(pool.map(lambda _: client.get(url).status_code, range(parallel)))
        elapsed = time.perf_counter() - began

    assert statuses == [200] * parallel
    # Served one after the other they would take parallel × latency (8 s).
    assert latency <= elapsed < latency * parallel / 3


# --------------------------------------------------------------------------- independence


def test_lab_imports_nothing_from_the_verifier() -> None:
    forbidden = ("verdict", "e2e", "pages")
    found = []
    for path in sorted((ROOT / "lab").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            found += [
                f"{path.relative_to(ROOT)}: {n}" for n in names if n.split(".")[0] in forbidden
            ]

    assert found == []


# --------------------------------------------------------------------------- in a browser

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed at /usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM))
        yield browser
        browser.close()


def _space_in_browser(browser, lab: LabClient, profile: str):  # type: ignore[no-untyped-def]
    """A logged-in space opened in the browser: the session comes from an HTTP walk."""
    who = first_of_profile(lab, profile)
    with http_client() as client:
        service = space_page(lab, profile)
        answer = cas_login(client, lab.info["cas"], service, who.login, who.password)
        landing = client.get(answer.headers["location"])
        assert landing.status_code == 302
        cookies = [
            {"name": c.name, "value": c.value, "domain": "127.0.0.1", "path": "/"}
            for c in client.cookies.jar
            if c.name.startswith("pronote_")
        ]
    context = browser.new_context()
    context.add_cookies(cookies)
    page = context.new_page()
    began = time.perf_counter()
    page.goto(service)
    return who, page, context, began


@pytest.mark.parametrize("profile", ["eleve", "parent", "professeur", "personnel"])
def test_browser_space_builds_the_real_banner_and_no_ginterface_element(
    chromium, clean_lab: LabClient, profile: str
) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    who, page, context, began = _space_in_browser(chromium, clean_lab, profile)
    try:
        label = page.locator(
            ".ObjetBandeauEspace .ibe_centre .ibe_etab_util .ibe_util .ibe_util_texte.ibe_actif"
        )
        expect(label).to_have_text(re.compile(BANNER_RE[profile]))
        built_after = time.perf_counter() - began
        nom = who.display_name.split()[-1].upper()
        assert f" - {nom} " in label.inner_text()
        expect(page.locator(".ObjetBandeauEspace .ibe_etab")).to_have_text(
            clean_lab.info["establishments"][0]["name"]
        )
        expect(page.locator("#div .objetBandeauEntete_menu")).to_have_count(1)
        expect(page.locator("#div .AffichagePageAccueil")).to_have_count(1)
        assert page.evaluate("document.getElementById('GInterface')") is None
        assert page.locator("#GInterface").count() == 0
        assert page.evaluate("typeof GInterface") == "object"
        if profile == "parent":
            expect(page.locator(".ibe_util .label-membre")).to_have_text(
                re.compile(r"[A-Z][A-Z0-9-]+ [A-ZÉ][a-zéèç]+ \([0-9A-Z]+\)")
            )
        # Built by JavaScript some hundreds of ms after load, as the real one.
        assert built_after >= 0.3
    finally:
        context.close()


def test_browser_alt_wording_keeps_the_banner_classes(chromium, alt_lab: LabClient) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    alt_lab.reset()
    _, page, context, _ = _space_in_browser(chromium, alt_lab, "eleve")
    try:
        expect(page.locator(".ObjetBandeauEspace .ibe_util_texte")).to_have_text(
            re.compile(BANNER_RE["eleve"])
        )
        expect(page.locator(".AffichagePageAccueil h1")).to_have_text(texts("alt")["pn_home_page"])
        assert page.locator("#GInterface").count() == 0
    finally:
        context.close()


def test_every_pronote_port_answers_in_a_lab_of_many_loops() -> None:
    """PRONOTE.net's ports share accept loops of 32 ports each: 40 establishments make three
    loops, and every port of every loop answers (a loop that died took 16 establishments)."""
    import httpx

    from lab.client import running_lab

    with running_lab(establishments=40, per_profile=1, educonnect_per_profile=0) as lab:
        sites = lab.info["establishments"]
        urls = [u for s in sites for u in (s["pronote"], s["pronote_classic"])]
        with httpx.Client(timeout=10) as client:
            statuses = [client.get(u).status_code for u in urls]
    assert len(urls) == 80
    assert all(status < 500 for status in statuses), statuses


def test_each_pronote_listener_keeps_its_own_session_in_the_one_app() -> None:
    """Every PRONOTE.net listener is served by one app: each names its session cookie by its
    own port, as the real publications' hosts keep theirs apart."""
    import httpx

    from lab.client import running_lab

    with running_lab(establishments=2, per_profile=1, educonnect_per_profile=0) as lab:
        direct = [s["pronote_direct"] for s in lab.info["establishments"]]
        with httpx.Client(timeout=10) as client:
            for url in direct:
                assert client.get(url).status_code == 200
            names = sorted(cookie.name for cookie in client.cookies.jar)
    ports = sorted(f"pronote_{urlsplit(url).port}" for url in direct)
    assert names == ports and len(set(ports)) == 2
