"""The lab's own tests: over real HTTP, it behaves like the ENT, CAS and PRONOTE.net it stands for.

One lab serves the whole session (`lab`); `clean_lab` resets it before a test.
Labs with other start options (faults at start, three establishments, the CLI)
are started by the tests that need them.
"""

from __future__ import annotations

import re
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from lab.client import LabClient, LabError, running_lab
from lab.directory import CATEGORIES, PROFILES, SPACE_PAGES
from lab.state import FAULTS
from tests.labtools import (
    ACCOUNT_KEYS,
    URLS_FILE_KEYS,
    EntAdmin,
    PageLog,
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
    lab_target,
    lab_targets,
    listener_pid,
    listening_addresses,
    pronote_row,
    pronote_service,
    refuses_connections,
    run_journey,
    service_ticket,
    uid_of,
    validate,
)
from verdict.observation import Observation, visible_text

ROOT = Path(__file__).resolve().parents[1]
LAB_LATENCY_S = 0.3  # `python -m lab --latency` default: the delay slow_network adds per request
HEADERS_ONLY_EXPORT = "Elèves\tIdentifiant PRONOTE\tIdentifiant CAS\r\n".encode("cp1252")
BINARY_FILE = b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(range(256))
NOT_AN_EXPORT = "nom;prenom;classe\r\nMARTIN;Léa;4B\r\n".encode("cp1252")


# --------------------------------------------------------------------------- CAS protocol


def test_cas_round_trip_releases_identity_and_identifier_to_pronote(clean_lab: LabClient) -> None:
    lab = clean_lab
    who = lab.accounts[0]
    service = pronote_service(lab)
    with http_client() as client:
        # Given the CAS login page for PRONOTE's service
        page = client.get(lab.info["cas"] + "login", params={"service": service})
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
    assert validation.user == lab.accounts[0].login
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
    validity_s = 1
    with running_lab(ticket_validity_s=validity_s) as lab:
        service = pronote_service(lab)
        fresh, stale = service_ticket(lab, service), service_ticket(lab, service)
        assert validate(lab, service, fresh).ok
        time.sleep(validity_s + 0.5)  # the behaviour under test is time passing
        expired = validate(lab, service, stale)
    assert (expired.ok, expired.failure_code) == (False, "INVALID_TICKET")


def test_cas_wrong_password_shows_the_form_again_without_ticket(clean_lab: LabClient) -> None:
    lab = clean_lab
    service = pronote_service(lab)
    with http_client() as client:
        answer = cas_login(client, lab.info["cas"], service, lab.accounts[0].login, "pas-le-bon")

    assert answer.status_code == 200
    assert "location" not in answer.headers
    assert 'type="password"' in answer.text
    assert "n&#x27;ont pas permis de vous authentifier" in answer.text
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
    target = lab_target(clean_lab)
    who = first_of_profile(target, profile)

    obs = run_journey(target, who)

    assert obs.final_kind == "space", obs.final_text
    assert obs.ticket_issued and obs.shortcut_found
    assert obs.final_url == target.pronote_url + SPACE_PAGES[profile]
    assert obs.cas_validation is not None and obs.cas_validation.user == uid_of(
        clean_lab, who.login
    )


def test_first_connection_fills_id_cas_and_later_ones_need_no_import(
    clean_lab: LabClient,
) -> None:
    lab = clean_lab
    target = lab_target(lab)
    who, other = target.accounts[0], target.accounts[1]
    assert pronote_row(lab, who.login)["id_cas"] is None

    first = run_journey(target, who)

    assert first.final_kind == "space"
    assert first.cas_validation is not None
    assert pronote_row(lab, who.login)["id_cas"] == first.cas_validation.user
    assert first.cas_validation.user == uid_of(lab, who.login)

    # Given the ENT's import emptied, a second connection goes through Id. CAS alone
    assert lab.import_identifiers(HEADERS_ONLY_EXPORT, full=True)["imported"] == 0
    second = run_journey(target, who)
    assert second.final_kind == "space", second.final_text
    assert second.cas_validation is not None
    assert lab.info["identifier_attribute"] not in second.cas_validation.attributes
    # while someone never connected before is now asked for the identifier
    assert run_journey(target, other).final_kind == "identifier_prompt"


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
    target = lab_target(lab)
    who = target.accounts[0]
    before = run_journey(target, who)
    assert before.final_kind == "identifier_prompt"

    status, _ = importer(lab, lab.export_identifiers(), full=True)

    assert status == 200
    assert _imported_count(lab) == len(lab.pronote_users())
    after = run_journey(target, who)
    assert after.final_kind == "space", after.final_text
    assert after.cas_validation is not None
    released = after.cas_validation.attribute(lab.info["identifier_attribute"])
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
    target = lab_target(lab)
    assert run_journey(target, account(target, late)).final_kind == "space"
    assert run_journey(target, target.accounts[0]).final_kind == "space"
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


def _check_msxml_outdated(lab: LabClient, obs: Observation, log: PageLog) -> None:
    assert obs.ticket_issued
    assert obs.final_kind == "pronote_error"
    assert "réponse du serveur CAS illisible" in obs.final_text


def _check_cas_port_blocked(lab: LabClient, obs: Observation, log: PageLog) -> None:
    assert obs.network_error == "connection_refused"
    assert (obs.network_error_url or "").startswith(lab.info["pronote"])
    assert refuses_connections(lab.info["pronote"])
    # Only the CAS listener is cut: the classic one still answers.
    assert not refuses_connections(lab.info["pronote_classic"])


def _check_wrong_public_url(lab: LabClient, obs: Observation, log: PageLog) -> None:
    assert obs.final_kind == "cas_service_refused"
    assert "n'est pas autorisé" in obs.final_text
    assert (obs.pronote_service or "").endswith("/pronote.net/cas/")


def _check_wrong_cas_url(lab: LabClient, obs: Observation, log: PageLog) -> None:
    with log.client() as client:
        cas = info_mobile_app(client, lab.info["pronote"])["CAS"]
    assert cas["actif"] is True
    assert cas["casURL"] != lab.info["cas"]
    assert (obs.final_kind, obs.final_status) == ("http_error", 404)
    assert obs.final_url.startswith(cas["casURL"] + "login")


def _check_cas_auth_disabled(lab: LabClient, obs: Observation, log: PageLog) -> None:
    with log.client() as client:
        cas = info_mobile_app(client, lab.info["pronote"])["CAS"]
    assert cas["actif"] is False
    assert obs.final_kind == "password_prompt"
    assert not obs.ticket_issued


def _check_not_published(lab: LabClient, obs: Observation, log: PageLog) -> None:
    assert (obs.final_kind, obs.final_status) == ("pronote_unavailable", 503)
    assert "Le site n'est pas disponible" in obs.final_text


def _check_identifier_prompt(lab: LabClient, obs: Observation, log: PageLog) -> None:
    assert obs.final_kind == "identifier_prompt"
    assert "identifiant PRONOTE ENT" in obs.final_text
    assert pronote_row(lab, obs.account)["id_cas"] is None


def _check_identifier_management_off(lab: LabClient, obs: Observation, log: PageLog) -> None:
    _check_identifier_prompt(lab, obs, log)
    # The CAS did hand the identifier over: PRONOTE is the one not using it.
    assert obs.cas_validation is not None
    assert (
        obs.cas_validation.attribute(lab.info["identifier_attribute"])
        == (pronote_row(lab, obs.account)["id_pronote_ent"])
    )


def _check_identifiers_not_imported(lab: LabClient, obs: Observation, log: PageLog) -> None:
    _check_identifier_prompt(lab, obs, log)
    assert obs.cas_validation is not None and obs.cas_validation.ok
    assert lab.info["identifier_attribute"] not in obs.cas_validation.attributes


def _check_user_missing_from_import(lab: LabClient, obs: Observation, log: PageLog) -> None:
    _check_identifiers_not_imported(lab, obs, log)
    target = lab_target(lab)
    others = run_journey(target, next(a for a in target.accounts if a.login != obs.account), log)
    assert others.final_kind == "space"


def _check_shortcut_missing(lab: LabClient, obs: Observation, log: PageLog) -> None:
    assert obs.reached_portal
    assert obs.shortcut_found is False
    assert not obs.pronote_service


def _check_shortcut_direct_url(lab: LabClient, obs: Observation, log: PageLog) -> None:
    assert obs.shortcut_url == lab.info["pronote_direct"]
    assert obs.final_kind == "password_prompt"
    assert not obs.ticket_issued


def _check_service_not_registered(lab: LabClient, obs: Observation, log: PageLog) -> None:
    assert obs.final_kind == "cas_service_refused"
    assert "n'est pas autorisé" in obs.final_text
    assert obs.pronote_service == lab.info["pronote"]


def _check_user_unknown_to_pronote(lab: LabClient, obs: Observation, log: PageLog) -> None:
    assert obs.final_kind == "pronote_error"
    assert "associé à aucun utilisateur de la base PRONOTE" in obs.final_text
    assert obs.account not in {u["login"] for u in lab.pronote_users()}


def _check_double_authentication(lab: LabClient, obs: Observation, log: PageLog) -> None:
    assert obs.ticket_issued
    assert obs.final_kind == "password_prompt"
    assert "Première connexion" in obs.final_text


def _check_slow_network(lab: LabClient, obs: Observation, log: PageLog) -> None:
    assert obs.final_kind == "space"
    # Every hop through a lab listener waits the lab's latency.
    assert obs.timings["total"] >= LAB_LATENCY_S * len(obs.urls)


def _check_flaky_network(lab: LabClient, obs: Observation, log: PageLog) -> None:
    assert log.pages[0].status == 502
    assert obs.warnings and obs.warnings[0].startswith("retry 1 after HTTP 502")
    assert obs.final_kind == "space"


SYMPTOMS: dict[str, Callable[[LabClient, Observation, PageLog], None]] = {
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
}


def test_faults_each_have_a_symptom_check() -> None:
    assert sorted(SYMPTOMS) == sorted(FAULTS)


@pytest.mark.parametrize("fault", list(FAULTS))
def test_fault_shows_its_symptom_and_no_page_names_it(clean_lab: LabClient, fault: str) -> None:
    lab = clean_lab
    lab.set_faults([fault])
    target = lab_target(lab)
    affected = lab.affected(fault)
    who = account(target, affected) if affected else target.accounts[0]
    log = PageLog()

    obs = run_journey(target, who, log)

    SYMPTOMS[fault](lab, obs, log)
    assert log.pages
    assert log.naming(fault) == []
    assert log.naming(fault.replace("_", " ")) == []


def test_faults_combine(clean_lab: LabClient) -> None:
    lab = clean_lab
    state = lab.set_faults(["identifiers_not_imported", "slow_network"])
    target = lab_target(lab)

    obs = run_journey(target, target.accounts[0])

    assert state["faults"] == ["identifiers_not_imported", "slow_network"]
    assert obs.final_kind == "identifier_prompt"
    assert obs.timings["total"] >= LAB_LATENCY_S * len(obs.urls)


def test_faults_change_at_run_time(clean_lab: LabClient) -> None:
    lab = clean_lab
    target = lab_target(lab)
    who = target.accounts[0]

    lab.set_faults(["not_published"])
    assert run_journey(target, who).final_kind == "pronote_unavailable"
    lab.set_faults(["shortcut_missing"])
    switched = run_journey(target, who)
    assert switched.shortcut_found is False
    with http_client() as client:
        assert client.get(lab.info["pronote"]).status_code == 302  # published again
    lab.set_faults([])
    assert run_journey(target, who).final_kind == "space"


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
    assert "unknown fault(s): no_such_fault" in done.stderr
    assert "Known: msxml_outdated" in done.stderr


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
    target = lab_target(lab)
    assert run_journey(target, target.accounts[0]).final_kind == "space"
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

    target = lab_target(lab)
    assert run_journey(target, target.accounts[0]).final_kind == "space"


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
    targets = lab_targets(three_sites)
    with http_client() as client:
        infos = [info_mobile_app(client, t.pronote_url) for t in targets]

    assert len(targets) == 3
    assert len({urlsplit(t.pronote_url).netloc for t in targets}) == 3
    assert {(t.cas_url, t.ent_url) for t in targets} == {
        (three_sites.info["cas"], three_sites.info["ent"])
    }
    assert len({i["nomEtab"] for i in infos}) == 3
    assert {i["CAS"]["casURL"] for i in infos} == {three_sites.info["cas"]}


def test_establishments_each_user_lands_on_their_own_site(three_sites: LabClient) -> None:
    three_sites.reset()
    for target in lab_targets(three_sites):
        who = target.accounts[0]
        uai = who.establishment

        obs = run_journey(target, who)

        assert obs.final_kind == "space", (uai, obs.final_text)
        assert urlsplit(obs.final_url or "").netloc == urlsplit(target.pronote_url).netloc
        assert pronote_row(three_sites, who.login, uai)["id_cas"] == uid_of(three_sites, who.login)
        for other in three_sites.info["establishments"]:
            if other["uai"] != uai:
                logins = {u["login"] for u in three_sites.pronote_users(other["uai"])}
                assert who.login not in logins
