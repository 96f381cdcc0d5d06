"""`python -m e2e discover`: an establishment's set-up from public answers, against the lab's
real PRONOTE.net stand-ins and django-cas-server, and what it writes run as it is."""

from __future__ import annotations

import csv
import json
import os
import socket
import stat
import subprocess
import sys
import time
import tomllib
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from e2e.__main__ import main
from e2e.discover import (
    DiscoveryInputError,
    pronote_root,
    read_login_page,
    wanted_from_argument,
)
from e2e.settings import Settings
from lab.client import LabClient, running_lab
from tests.e2e_runner import PROCESSES, run_e2e
from tests.fault_oracle import FAULT_CODES

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def lab() -> Iterator[LabClient]:
    with running_lab(establishments=2, per_profile=1) as client:
        yield client


@pytest.fixture
def healthy(lab: LabClient) -> Iterator[LabClient]:
    lab.set_faults([])
    yield lab
    lab.set_faults([])


def lab_catalogue(lab: LabClient, folder: Path) -> Path:
    """The user's own catalogue entry for the lab's ENT (its CAS host has a random port)."""
    path = folder / "ent-labo.toml"
    path.write_text(
        "[labo]\n"
        'name = { value = "ENT du labo", source = "python -m lab --urls-file" }\n'
        'family = { value = "kosmos", source = "python -m lab --urls-file" }\n'
        f'login_hosts = {{ value = ["{urlsplit(lab.info["cas"]).netloc}"], '
        'source = "python -m lab --urls-file" }\n'
        f'ent_url = {{ value = "{lab.info["ent"]}", source = "python -m lab --urls-file" }}\n',
        encoding="utf-8",
    )
    return path


def accounts_csv(lab: LabClient, path: Path, sites: int | None = None) -> dict[str, str]:
    """A CSV of the lab's establishments and accounts, as an académie keeps one; the passwords
    go to environment variables, as CI secrets (returned)."""
    secrets: dict[str, str] = {}
    wanted = {s["uai"]: s for s in lab.info["establishments"][:sites]}
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, delimiter=";")
        writer.writerow(
            [
                "uai",
                "pronote_url",
                "login",
                "profile",
                "route",
                "educonnect_profile",
                "birth_date",
                "display_name",
                "password_env",
            ]
        )
        for n, account in enumerate(a for a in lab.accounts if a.uai in wanted):
            variable = f"PW_DISCOVER_{n}"
            secrets[variable] = account.password
            writer.writerow(
                [
                    account.uai,
                    wanted[account.uai]["pronote"],
                    account.login,
                    account.profile,
                    account.route,
                    account.educonnect_profile or "",
                    account.birth_date or "",
                    account.display_name,
                    variable,
                ]
            )
    return secrets


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    child = {k: v for k, v in os.environ.items() if not k.startswith("VERIFIER_")}
    return subprocess.run(
        [sys.executable, "-m", "e2e", "discover", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**child, **(env or {})},
        cwd=ROOT,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# -- reading pages and arguments -----------------------------------------------------------------

KOSMOS_WAYF = """<form class="cas__wayf-form" method="get" action="/login">
<input type="radio" name="selection" id="idp-TOULO-EDU_parent_eleve" value="TOULO-EDU_parent_eleve">
<label for="idp-TOULO-EDU_parent_eleve">Élève ou parent (ÉduConnect)</label>
<input type="radio" name="selection" id="idp-TOULO-ENT_parent_eleve" value="TOULO-ENT_parent_eleve">
<label for="idp-TOULO-ENT_parent_eleve">Autres utilisateurs</label>
<button id="button-submit">Valider</button></form>"""
OPENTENT_DOMINOS = """<nav class="dominos">
<a class="domino eleve" href="/auth/saml/authn/edu?callBack=x"><span>Élève</span></a>
<a class="domino enseignant" href="/auth/login?callBack=x"><span>Enseignant</span></a></nav>"""
# entcore's view-src/wayf.html: section.dominos > div.item > a.centered-text.domino.<key>
EDIFICE_DOMINOS = """<section class="dominos"><div class="item">
<a class="centered-text domino eleve" href="/auth/saml/authn/edu?callBack=x">Élève</a></div>
<div class="item"><a class="centered-text domino enseignant" href="/auth/login?callBack=x">
Enseignant</a></div></section>"""


@pytest.mark.parametrize(
    ("url", "markup", "family", "choices"),
    [
        (
            "https://cas.x.fr/login",
            KOSMOS_WAYF,
            "kosmos",
            [("TOULO-EDU_parent_eleve", "educonnect"), ("TOULO-ENT_parent_eleve", "local")],
        ),
        (
            "https://cas.x.fr/login",
            '<form class="cas__login-form"><input id="username"></form>',
            "kosmos",
            [],
        ),
        ("https://cas.x.fr/login", '<form id="fm1"><input name="execution"></form>', "apereo", []),
        (
            "https://ent.x.fr/auth/saml/wayf",
            EDIFICE_DOMINOS,
            "edifice",
            [("eleve", "educonnect"), ("enseignant", "local")],
        ),
        (
            "https://ent.x.fr/auth/login",
            '<form><input id="email" name="email"></form>',
            "opentent",
            [],
        ),
        ("https://cas3.x.fr/discovery/WAYF", '<select name="_saml_idp"></select>', "discovery", []),
        (
            "https://cas3.x.fr/discovery/WAYF",
            '<ul><li><a href="/Shibboleth.sso/Login?entityID=urn%3Aedu">ÉduConnect</a></li></ul>',
            "discovery",
            [],
        ),
        ("https://x.fr/login", "<title>Accueil</title><p>Bienvenue</p>", "unknown", []),
    ],
    ids=[
        "kosmos-wayf",
        "kosmos-form",
        "apereo",
        "opentent-dominos",
        "opentent-login",
        "discovery-select",
        "discovery-links",
        "unknown",
    ],
)
def test_login_page_family_and_choices_are_read_from_markup(
    url: str, markup: str, family: str, choices: list[tuple[str, str]]
) -> None:
    page = read_login_page(url, f"<html><body>{markup}</body></html>")

    assert page.family == family
    assert [(c.key, c.route) for c in page.choices] == choices


def test_a_uai_stands_for_its_index_education_address() -> None:
    wanted = wanted_from_argument("0310001a")

    assert wanted.pronote_url == "https://0310001a.index-education.net/pronote/"
    assert wanted.uai == "0310001A"
    other = wanted_from_argument("0350001b", "https://{uai}.pronote.example.fr/pronote/")
    assert other.pronote_url == "https://0350001b.pronote.example.fr/pronote/"


def test_an_address_is_cut_to_its_pronote_root() -> None:
    assert pronote_root("https://0310001a.index-education.net/pronote/eleve.html?fd=1") == (
        "https://0310001a.index-education.net/pronote/"
    )
    assert wanted_from_argument("https://0310001a.index-education.net/pronote").uai == "0310001A"


def test_a_uai_takes_every_pattern_in_turn() -> None:
    wanted = wanted_from_argument(
        "0310001A", ["https://{uai}.index-education.net/pronote/", "https://{uai}.example.fr/p/"]
    )

    assert wanted.pronote_url == "https://0310001a.index-education.net/pronote/"
    assert wanted.fallbacks == ["https://0310001a.example.fr/p/"]


@pytest.mark.parametrize("argument", ["031000", "pronote.example.fr", "ftp://x.fr/"])
def test_an_argument_that_is_neither_is_one_french_line(argument: str) -> None:
    with pytest.raises(DiscoveryInputError, match=r"ni une adresse PRONOTE\.net"):
        wanted_from_argument(argument)


# -- against the lab ---------------------------------------------------------------------------


def test_discover_finds_the_cas_family_and_choices_of_a_lab_establishment(
    healthy: LabClient, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = healthy.info["establishments"][0]

    code = main(["discover", site["pronote"], "--catalogue", str(lab_catalogue(healthy, tmp_path))])

    out = capsys.readouterr().out
    assert code == 0, out
    cas = healthy.info["cas"]
    assert f"CAS : {cas}  [eleve.html → 302 vers {cas}login?service=" in out
    assert "famille de connexion : kosmos  [WAYF Kosmos .cas__wayf-form" in out
    assert "choix ÉduConnect : EDU_parent_eleve  [#idp-EDU_parent_eleve" in out
    assert "choix compte ENT (formulaire local) : ATS_parent_eleve" in out
    assert "ENT : ENT du labo (catalogue : labo" in out
    assert "nomEtab" not in out or site["name"] in out
    assert f"portail : {healthy.info['ent']}" in out
    assert "reste à renseigner : les comptes de test" in out


def test_discover_writes_a_ready_env_without_any_password(
    healthy: LabClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = tmp_path / "comptes.csv"
    secrets = accounts_csv(healthy, table, sites=1)
    env_file = tmp_path / ".env"

    done = cli(
        str(table), "--write", str(env_file), "--catalogue", str(lab_catalogue(healthy, tmp_path))
    )

    assert done.returncode == 0, done.stdout + done.stderr
    text = env_file.read_text(encoding="utf-8")
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
    assert not any(password in text for password in secrets.values())
    monkeypatch.chdir(tmp_path)
    for key in [k for k in os.environ if k.startswith("VERIFIER_")]:
        monkeypatch.delenv(key)
    for variable, password in secrets.items():
        monkeypatch.setenv(variable, password)
    settings = Settings()
    assert str(settings.cas_url) == healthy.info["cas"]
    assert str(settings.ent_url) == healthy.info["ent"]
    assert settings.wayf_selections == {
        "educonnect": "EDU_parent_eleve",
        "local": "ATS_parent_eleve",
    }
    assert settings.login_family == "kosmos"
    assert "# découvert : WAYF Kosmos .cas__wayf-form" in text
    assert len(settings.accounts) == len(secrets)


def test_discover_never_overwrites_an_existing_file(healthy: LabClient, tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("VERIFIER_ENT_URL=https://mon-ent.example/\n", encoding="utf-8")

    done = cli(healthy.info["establishments"][0]["pronote"], "--write", str(env_file))

    assert done.returncode == 2
    assert done.stderr == f"{env_file} existe déjà : rien n'est écrit (--force pour le remplacer)\n"
    assert env_file.read_text(encoding="utf-8") == "VERIFIER_ENT_URL=https://mon-ent.example/\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".env"]


def _problem_line(done: subprocess.CompletedProcess[str], code: str) -> str:
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    lines = [line for line in done.stdout.splitlines() if code in line]
    assert len(lines) == 1, done.stdout
    return lines[0]


def test_discover_falls_back_to_the_next_pattern_for_a_uai_hosted_elsewhere(
    healthy: LabClient, tmp_path: Path
) -> None:
    site = healthy.info["establishments"][0]
    dead = f"http://127.0.0.1:{free_port()}/{{uai}}/pronote/"

    done = cli(
        site["uai"],
        "--pronote-pattern",
        dead,
        "--pronote-pattern",
        site["pronote"],
        "--catalogue",
        str(lab_catalogue(healthy, tmp_path)),
    )

    assert done.returncode == 0, done.stdout
    assert done.stdout.startswith(f"{site['uai']} {site['name']} — {site['pronote']}\n")
    first = dead.format(uai=site["uai"].lower())
    assert f"  ! {first} essayé d'abord : PRONOTE.net {first} injoignable : ConnectError" in (
        done.stdout
    )


def test_discover_a_cas_not_in_the_catalogue_is_one_line_and_exit_1(healthy: LabClient) -> None:
    done = cli(healthy.info["establishments"][0]["pronote"])

    line = _problem_line(done, "PN-DECOUVERTE-CAS-HORS-CATALOGUE")
    host = urlsplit(healthy.info["cas"]).netloc
    assert f"le CAS {host} (de " in line
    assert "famille kosmos, choix EDU_parent_eleve, ATS_parent_eleve lus sur sa page" in line
    assert "VERIFIER_ENT_CATALOGUE" in line


def test_discover_an_unreachable_host_is_one_line_and_exit_1() -> None:
    done = cli(f"http://127.0.0.1:{free_port()}/pronote/")

    line = _problem_line(done, "PN-DECOUVERTE-INJOIGNABLE")
    assert "injoignable : ConnectError" in line


def test_discover_a_page_that_is_not_pronote_is_one_line_and_exit_1(healthy: LabClient) -> None:
    done = cli(healthy.info["ent"])

    line = _problem_line(done, "PN-DECOUVERTE-PAS-PRONOTE")
    assert "n'est pas un PRONOTE.net (infoMobileApp.json : HTTP 404" in line


@pytest.mark.parametrize(
    ("fault", "code", "words"),
    [
        ("cas_auth_disabled", "PN-DECOUVERTE-CAS-DESACTIVE", "CAS.actif = false"),
        (
            "not_published",
            "PN-DECOUVERTE-SITE-INDISPONIBLE",
            "infoMobileApp.json : HTTP 503, « Le site est",
        ),
    ],
    ids=["cas-off", "not-published"],
)
def test_discover_a_pronote_that_cannot_use_cas_is_one_line_and_exit_1(
    healthy: LabClient, tmp_path: Path, fault: str, code: str, words: str
) -> None:
    healthy.set_faults([fault])

    done = cli(
        healthy.info["establishments"][0]["pronote"],
        "--catalogue",
        str(lab_catalogue(healthy, tmp_path)),
    )

    assert words in _problem_line(done, code)


def test_discover_sees_a_wrong_public_url_in_the_announced_service(
    healthy: LabClient, tmp_path: Path
) -> None:
    healthy.set_faults(["wrong_public_url"])

    done = cli(
        healthy.info["establishments"][0]["pronote"],
        "--catalogue",
        str(lab_catalogue(healthy, tmp_path)),
    )

    assert done.returncode == 0, done.stdout
    assert "l'URL publique de PRONOTE.net (procédure II.6) semble erronée" in done.stdout


def test_discover_one_bad_establishment_does_not_stop_the_others(
    healthy: LabClient, tmp_path: Path
) -> None:
    good = [s["pronote"] for s in healthy.info["establishments"]]
    dead = f"http://127.0.0.1:{free_port()}/pronote/"
    targets = tmp_path / "cibles.toml"

    done = cli(
        good[0],
        dead,
        good[1],
        "--write",
        str(targets),
        "--catalogue",
        str(lab_catalogue(healthy, tmp_path)),
    )

    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert [line[0] for line in lines[:3]] == ["✓", "✗", "✓"]
    assert "3 établissement(s) : 2 sans problème, 1 avec un problème" in done.stdout
    written = tomllib.loads(targets.read_text(encoding="utf-8"))["establishments"]
    assert [e["pronote_url"] for e in written] == good
    assert "# non écrit :" in targets.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("family", "wording", "expected"),
    [
        ("opentent", "default", "opentent"),
        ("kosmos", "alt", "kosmos"),
        ("opentent", "alt", "opentent"),
    ],
    ids=["opentent", "kosmos-alt-wording", "opentent-alt-wording"],
)
def test_discover_reads_both_ent_families_in_both_wordings(
    family: str, wording: str, expected: str
) -> None:
    with running_lab(ent_family=family, wording=wording, per_profile=1) as other:
        done = cli(other.info["establishments"][0]["pronote"])

    assert f"famille de connexion : {expected}" in done.stdout, done.stdout
    cas = other.info["cas"]
    assert f"CAS : {cas}  [eleve.html → 302 vers {cas}login" in done.stdout
    if expected == "opentent":
        assert "profils proposés (dominos) : eleve (ÉduConnect), parent (ÉduConnect)" in done.stdout
    else:
        assert "choix ÉduConnect : EDU_parent_eleve" in done.stdout


def test_discover_bad_csv_is_one_french_line_and_exit_2(tmp_path: Path) -> None:
    table = tmp_path / "etabs.csv"
    table.write_text("uai;login;profile\n0310001A;jean;directeur\n", encoding="utf-8")

    done = cli(str(table))

    assert done.returncode == 2
    assert done.stderr == (
        f"{table}, ligne 2 : profil « directeur » inconnu (élève, parent, professeur, personnel)\n"
    )


# -- a whole académie: written, then run as it is -----------------------------------------------


def test_discover_targets_file_runs_as_it_is_with_pytest_e2e(
    healthy: LabClient, tmp_path: Path
) -> None:
    table = tmp_path / "academie.csv"
    secrets = accounts_csv(healthy, table)
    targets = tmp_path / "cibles.toml"

    done = cli(
        str(table), "--write", str(targets), "--catalogue", str(lab_catalogue(healthy, tmp_path))
    )

    assert done.returncode == 0, done.stdout + done.stderr
    written = targets.read_text(encoding="utf-8")
    assert not any(password in written for password in secrets.values())
    run, summary = run_e2e(tmp_path / "run", env={"VERIFIER_TARGETS_FILE": str(targets), **secrets})
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert len(summary) == len(secrets)
    assert {r["outcome"] for r in summary} == {"passed"}
    assert all(r["cas_user"] for r in summary)


def test_discover_200_lab_establishments_within_10_s_and_the_file_runs(tmp_path: Path) -> None:
    with running_lab(establishments=200, per_profile=1, startup_timeout=240) as big:
        table = tmp_path / "academie.csv"
        secrets = accounts_csv(big, table)
        targets = tmp_path / "cibles.toml"
        catalogue = lab_catalogue(big, tmp_path)

        started = time.monotonic()
        done = cli(str(table), "--write", str(targets), "--catalogue", str(catalogue))
        elapsed = time.monotonic() - started

        assert done.returncode == 0, done.stdout[-3000:] + done.stderr
        assert "200 établissement(s) : 200 sans problème" in done.stdout
        assert elapsed <= 10, f"discover took {elapsed:.1f} s"
        written = tomllib.loads(targets.read_text(encoding="utf-8"))["establishments"]
        assert len(written) == 200
        # The file as written: two establishments of it (a shard) run with their accounts.
        run, summary = run_e2e(
            tmp_path / "run",
            "--shard",
            "1/100",
            env={"VERIFIER_TARGETS_FILE": str(targets), **secrets},
        )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert len(summary) == 12 and {r["outcome"] for r in summary} == {"passed"}


# -- zero configuration: pytest e2e/ with only the PRONOTE.net and ENT addresses -----------------


def zero_config_env(lab: LabClient) -> dict[str, str]:
    """Only the PRONOTE.net and ENT addresses and two accounts (a local professeur, an
    ÉduConnect élève) of the lab's first establishment; passwords in variables."""
    site = lab.info["establishments"][0]
    chosen = [
        a
        for a in lab.accounts
        if a.uai == site["uai"]
        and (a.profile, a.route) in {("professeur", "local"), ("eleve", "educonnect")}
    ]
    accounts, secrets = [], {}
    for n, a in enumerate(chosen):
        secrets[f"PW_ZERO_{n}"] = a.password
        account = {
            "login": a.login,
            "profile": a.profile,
            "route": a.route,
            "display_name": a.display_name,
            "password_env": f"PW_ZERO_{n}",
        }
        if a.route == "educonnect":
            account |= {"educonnect_profile": a.educonnect_profile, "birth_date": a.birth_date}
        accounts.append(account)
    return {
        "VERIFIER_ENT_URL": lab.info["ent"],
        "VERIFIER_PRONOTE_URL": site["pronote"],
        "VERIFIER_ACCOUNTS": json.dumps(accounts),
        **secrets,
    }


def site_url(lab: LabClient) -> str:
    return str(lab.info["establishments"][0]["pronote"])


def test_pytest_e2e_discovers_what_was_left_unset(healthy: LabClient, tmp_path: Path) -> None:
    run, summary = run_e2e(tmp_path / "run", env=zero_config_env(healthy))

    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert {r["outcome"] for r in summary} == {"passed"} and len(summary) == 2
    assert all(r["cas_user"] for r in summary)
    cas = healthy.info["cas"]
    assert f"Découvert : cas_url = {cas} [eleve.html → 302 vers {cas}login?service=" in run.stdout
    assert "Découvert : wayf_selections.educonnect = EDU_parent_eleve" in run.stdout
    assert "Découvert : login_family = kosmos [WAYF Kosmos .cas__wayf-form" in run.stdout
    assert "Contradiction" not in run.stdout
    assert "PN-DECOUVERTE-CAS-HORS-CATALOGUE" in run.stdout  # said, and not in the way
    record = json.loads((tmp_path / "run" / "summary.json").read_text(encoding="utf-8"))
    discovery = record["targets"][0]["discovery"]
    assert discovery["discovered"]["cas_url"]["value"] == cas
    assert discovery["discovered"]["cas_url"]["evidence"].startswith("eleve.html → 302 vers ")
    assert discovery["discovered"]["wayf_selections.local"]["value"] == "ATS_parent_eleve"
    assert discovery["discovered"]["login_family"]["value"] == "kosmos"
    assert "learnt" not in discovery["discovered"]["cas_url"]
    assert discovery["contradictions"] == []
    # Learnt from the good logins: what only a login shows.
    learnt = discovery["discovered"]["identifier_attribute"]
    assert learnt["value"] == healthy.info["identifier_attribute"] and learnt["learnt"] is True
    assert learnt["evidence"].endswith("2 connexion(s) réussie(s) sur 2")
    shortcut = discovery["discovered"]["shortcut_label"]
    assert shortcut == {
        "value": "Pronote",
        "evidence": f"lien du portail vers {urlsplit(site_url(healthy)).netloc} suivi jusqu'à "
        "l'espace, 2 connexion(s) réussie(s) sur 2",
        "learnt": True,
    }
    assert "Appris : shortcut_label = Pronote [" in run.stdout
    assert "à fixer dans .env : VERIFIER_IDENTIFIER_ATTRIBUTE=identifiantPronote" in run.stdout


def test_pytest_e2e_keeps_the_users_value_and_reports_the_discovered_one(
    healthy: LabClient, tmp_path: Path
) -> None:
    catalogue = lab_catalogue(healthy, tmp_path)
    with catalogue.open("a", encoding="utf-8") as more:
        more.write('shortcut_pattern = { value = "/pronote/", source = "lab/ent.py" }\n')
    env = {
        **zero_config_env(healthy),
        "VERIFIER_ENT_CATALOGUE": str(catalogue),
        "VERIFIER_SHORTCUT_PATTERN": "127.0.0.1",  # set, and not what the catalogue says
        "VERIFIER_IDENTIFIER_ATTRIBUTE": "idENT",  # set, and not what the logins show
    }

    run, summary = run_e2e(tmp_path / "run", env=env)

    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert {r["outcome"] for r in summary} == {"passed"}
    line = next(x for x in run.stdout.splitlines() if x.startswith("Contradiction : "))
    assert line == (
        "Contradiction : VERIFIER_SHORTCUT_PATTERN=127.0.0.1 (réglé) mais la découverte trouve "
        "/pronote/ [catalogue labo [lab/ent.py]] : la valeur réglée est gardée"
    )
    assert "PN-DECOUVERTE-CAS-HORS-CATALOGUE" not in run.stdout
    record = json.loads((tmp_path / "run" / "summary.json").read_text(encoding="utf-8"))
    discovery = record["targets"][0]["discovery"]
    assert "shortcut_pattern" not in discovery["discovered"]  # the user's value wins
    assert "identifier_attribute" not in discovery["discovered"]
    learnt = next(x for x in run.stdout.splitlines() if x.startswith("Contradiction : VERIFIER_ID"))
    assert learnt.startswith(
        "Contradiction : VERIFIER_IDENTIFIER_ATTRIBUTE=idENT (réglé) mais les connexions "
        "réussies montrent identifiantPronote [attribut de la réponse p3/serviceValidate"
    )
    assert discovery["contradictions"] == [
        line.removeprefix("Contradiction : "),
        learnt.removeprefix("Contradiction : "),
    ]


def test_pytest_e2e_discovers_an_open_ent_ng_cas_in_the_other_wording(tmp_path: Path) -> None:
    # The attribute's name is the administrator's choice (DOMAIN.md, PRONOTE's recognition
    # modes): not the verifier's default, so only the login can teach it.
    with running_lab(
        ent_family="opentent", wording="alt", per_profile=1, identifier_attribute="codePronote"
    ) as other:
        site = other.info["establishments"][0]
        teacher = next(a for a in other.accounts if a.profile == "professeur")
        account = {
            "login": teacher.login,
            "profile": "professeur",
            "display_name": teacher.display_name,
            "password_env": "PW_ZERO_NG",
        }
        env = {
            "VERIFIER_ENT_URL": other.info["ent"],
            "VERIFIER_PRONOTE_URL": site["pronote"],
            "VERIFIER_ACCOUNTS": json.dumps([account]),
            "PW_ZERO_NG": teacher.password,
        }

        run, summary = run_e2e(tmp_path / "run", env=env)

    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert [r["outcome"] for r in summary] == ["passed"] and summary[0]["cas_user"]
    assert f"Découvert : cas_url = {other.info['cas']} [" in run.stdout
    assert "Découvert : login_family = opentent [Open ENT NG /auth/saml/wayf" in run.stdout
    record = json.loads((tmp_path / "run" / "summary.json").read_text(encoding="utf-8"))
    discovered = record["targets"][0]["discovery"]["discovered"]
    assert discovered["identifier_attribute"]["value"] == "codePronote"
    assert discovered["identifier_attribute"]["learnt"] is True
    assert discovered["shortcut_label"]["value"] == "PRONOTE - Vie scolaire"  # lab/wording.py
    assert discovered["shortcut_label"]["learnt"] is True
    assert "Appris : identifier_attribute = codePronote [attribut de la réponse p3/" in run.stdout
    assert "VERIFIER_SHORTCUT_LABEL=PRONOTE - Vie scolaire" in run.stdout


@pytest.mark.parametrize("processes_flag", PROCESSES)
def test_a_zero_config_run_judges_with_the_attribute_its_good_logins_show(
    tmp_path: Path, processes_flag: tuple[str, ...]
) -> None:
    """The attribute learnt from the target's good logins is the one its failures are judged
    with, in the same run: PRONOTE does not know one professeur whose CAS releases the
    identifier under the administrator's `codePronote`, while the others enter with theirs.
    Judged with the default `identifiantPronote`, nobody would seem to get an identifier."""
    fault = "user_unknown_to_pronote"
    with running_lab(
        per_profile=2, educonnect_per_profile=0, identifier_attribute="codePronote", faults=[fault]
    ) as lab:
        unknown = lab.affected(fault)
        site = next(
            s
            for s in lab.info["establishments"]
            if any(a.login == unknown and a.uai == s["uai"] for a in lab.accounts)
        )
        chosen = [a for a in lab.accounts if a.uai == site["uai"] and a.route == "local"]
        env = {
            "VERIFIER_ENT_URL": lab.info["ent"],
            "VERIFIER_PRONOTE_URL": site["pronote"],
            "VERIFIER_ACCOUNTS": json.dumps(
                [
                    {
                        "login": a.login,
                        "profile": a.profile,
                        "display_name": a.display_name,
                        "password_env": f"PW_ZERO_{n}",
                    }
                    for n, a in enumerate(chosen)
                ]
            ),
            **{f"PW_ZERO_{n}": a.password for n, a in enumerate(chosen)},
        }

        run, summary = run_e2e(tmp_path / "run", *processes_flag, env=env)

    assert run.returncode == 1, run.stdout[-3000:] + run.stderr[-2000:]
    by_login = {r["account"]: r for r in summary}
    assert by_login[unknown]["diagnosis"] == FAULT_CODES[fault], by_login[unknown]
    assert "attribut codePronote : transmis" in by_login[unknown]["details"]
    others = [r for login, r in by_login.items() if login != unknown]
    assert others and {r["outcome"] for r in others} == {"passed"}
    record = json.loads((tmp_path / "run" / "summary.json").read_text(encoding="utf-8"))
    learnt = record["targets"][0]["discovery"]["discovered"]["identifier_attribute"]
    assert learnt["value"] == "codePronote" and learnt["learnt"] is True
    assert "Appris : identifier_attribute = codePronote [" in run.stdout  # said once, by the
    assert run.stdout.count("Appris : identifier_attribute") == 1  # controller, with -n 2 too
    # The report's "Identifiant CAS et attributs transmis à PRONOTE" says what the judge read.
    identities = [
        json.loads(path.read_text(encoding="utf-8"))
        for path in (tmp_path / "run" / "allure-results").glob("*-attachment.json")
    ]
    identities = [i for i in identities if isinstance(i, dict) and "cas:user" in i]
    assert len(identities) == len(summary)
    assert {(i["identifier_attribute"], i["identifier_released"]) for i in identities} == {
        ("codePronote", True)
    }


def test_pytest_e2e_stops_in_one_line_when_discovery_cannot_find_the_cas(
    healthy: LabClient, tmp_path: Path
) -> None:
    dead = f"http://127.0.0.1:{free_port()}/pronote/"
    env = {
        "VERIFIER_ENT_URL": healthy.info["ent"],
        "VERIFIER_PRONOTE_URL": dead,
        "VERIFIER_ACCOUNTS": json.dumps(
            [{"login": "x", "profile": "professeur", "password_env": "PW_ZERO_DEAD"}]
        ),
        "PW_ZERO_DEAD": "x",
    }

    run, summary = run_e2e(tmp_path / "run", env=env)

    assert run.returncode == 4  # pytest's usage error: nothing ran
    assert summary == []
    assert "Traceback" not in run.stdout + run.stderr
    assert (
        f"découverte impossible (PN-DECOUVERTE-INJOIGNABLE) : PRONOTE.net {dead} injoignable"
        in run.stderr
    )
