"""The real `pytest e2e/` against the lab: it passes when the set-up is right, fails with the
right diagnosis when it is not, records the Id. CAS PRONOTE stored, and leaks no password."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from lab.client import LabAccount, LabClient, running_lab
from leaks import scan_paths
from tests import e2e_runner
from tests.e2e_runner import site_env
from tests.fault_oracle import FAULT_CODES
from tests.labkit import EntAdmin

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def e2e_lab() -> Iterator[LabClient]:
    """A lab of our own for these runs (the e2e run points at it like at a real ENT)."""
    with running_lab() as client:
        yield client


def playwright_chromium_installed() -> bool:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        return Path(p.chromium.executable_path).exists()


def run_e2e(
    lab: LabClient | None,
    out: Path,
    accounts: list[LabAccount] | None = None,
    *args: str,
    faults: str = "",
    env_extra: dict[str, str] | None = None,
) -> tuple[subprocess.CompletedProcess, list[dict]]:
    """`pytest e2e/` against *lab* as a real target (or, with None, against its own lab)."""
    env = {"VERIFIER_TIMEOUT_S": "15"}
    if lab is not None:
        env.update(site_env(lab, accounts or lab.accounts))
        # The lab adds 0.3 s per hop when slow, far less than a real slow link.
        env["VERIFIER_SLOW_HOP_S"] = "0.28"
    if faults:
        env["LAB_FAULTS"] = faults
    env.update(env_extra or {})
    return e2e_runner.run_e2e(out, *args, env=env)


def test_e2e_healthy_lab_passes_and_records_the_stored_id_cas(
    e2e_lab: LabClient, tmp_path: Path
) -> None:
    e2e_lab.reset()
    chosen = [
        next(a for a in e2e_lab.accounts if a.profile == p)
        for p in ("eleve", "parent", "professeur", "personnel")
    ]
    run, summary = run_e2e(e2e_lab, tmp_path, chosen)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert {s["account"] for s in summary} == {a.login for a in chosen}
    assert all(s["outcome"] == "passed" and s["diagnosis"] is None for s in summary)
    stored = {u["login"]: u["id_cas"] for u in e2e_lab.pronote_users()}
    for entry in summary:
        # The Id. CAS recorded by the verifier is the one PRONOTE stored on first connection.
        assert entry["cas_user"] and entry["cas_user"] == stored[entry["account"]]
        assert set(entry) >= {
            "target",
            "account",
            "profile",
            "outcome",
            "diagnosis",
            "warnings",
            "cas_user",
            "timings",
        }
    results = list((tmp_path / "allure-results").glob("*-result.json"))
    assert results, "no Allure results written"
    first = [json.loads(p.read_text()) for p in results]
    journeys = [r for r in first if "Première connexion" in r.get("name", "")]
    assert len(journeys) == len(chosen)
    for result in journeys:
        steps = [s["name"] for s in result["steps"]]
        assert "Page de connexion de l'ENT" in steps and "Arrivée dans PRONOTE" in steps
        images = [
            a
            for s in result["steps"]
            for a in s.get("attachments", [])
            if a["type"].startswith("image/")
        ]
        assert len(images) >= 3  # ENT login page, portal, PRONOTE landing
        for image in images:  # JPEG of the whole 1280×800 viewport, however it was captured
            with Image.open(tmp_path / "allure-results" / image["source"]) as shot:
                assert (shot.format, shot.size) == ("JPEG", (1280, 800)), image["name"]
        assert any(p["name"] == "Identifiant CAS" for p in result.get("parameters", []))
    assert (tmp_path / "allure-results" / "environment.properties").exists()
    assert (tmp_path / "allure-results" / "categories.json").exists()
    # The run says which browser ran it: Debian's headless shell where it is installed.
    browser = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))["browser"]
    name, version = browser.split()[:2]
    assert version[0].isdigit(), browser
    if not playwright_chromium_installed():
        shell = os.access("/usr/lib/chromium/chromium-headless-shell", os.X_OK)
        assert name == ("chromium-headless-shell" if shell else "chromium"), browser


@pytest.mark.parametrize("fault", ["identifiers_not_imported", "identifier_management_off"])
def test_e2e_fails_when_pronote_asks_for_the_identifier(
    e2e_lab: LabClient, tmp_path: Path, fault: str
) -> None:
    e2e_lab.set_faults([fault])
    chosen = [a for a in e2e_lab.accounts if a.profile == "eleve"]
    run, summary = run_e2e(e2e_lab, tmp_path, chosen)
    assert run.returncode == 1, run.stdout[-3000:]
    assert summary and all(s["outcome"] == "failed" for s in summary)
    assert {s["diagnosis"] for s in summary} == {FAULT_CODES[fault]}
    assert FAULT_CODES[fault] in run.stdout
    # Nobody got linked behind the verifier's back.
    assert all(u["id_cas"] is None for u in e2e_lab.pronote_users())


def test_e2e_default_target_is_a_fresh_lab_with_lab_faults(tmp_path: Path) -> None:
    run, summary = run_e2e(
        None, tmp_path, None, "-k", "first_connection and eleve", faults="identifiers_not_imported"
    )
    assert run.stdout.startswith("Cible : le lab"), run.stdout[:500]
    assert "identifiers_not_imported" in run.stdout.splitlines()[0]
    assert run.returncode == 1
    assert summary and all(s["diagnosis"] == "PN-IDENTIFIANTS-NON-IMPORTES" for s in summary)


def test_e2e_artifacts_hold_no_password(e2e_lab: LabClient, tmp_path: Path) -> None:
    e2e_lab.reset()
    # A local élève, a local professeur, and an ÉduConnect élève (its password typed at
    # ÉduConnect, its SAML response posted back to the ENT: neither may carry it anywhere)
    educonnect = next(a for a in e2e_lab.accounts if a.route == "educonnect")
    chosen = [e2e_lab.accounts[0], e2e_lab.accounts[4], educonnect]
    extra = ["--tracing", "on", "--screenshot", "on"]
    if any(Path(p, "ffmpeg").exists() for p in os.environ.get("PATH", "").split(os.pathsep)):
        extra += ["--video", "on"]
    run, _ = run_e2e(e2e_lab, tmp_path, chosen, *extra)
    assert run.returncode == 0, run.stdout[-3000:]
    assert "FUITE" not in run.stdout  # the scrubber had nothing to remove
    traces = list((tmp_path / "test-results").rglob("trace.zip"))
    assert len(traces) == len(chosen), "tracing was asked for: one trace per account"
    result = scan_paths([tmp_path], [a.password for a in e2e_lab.accounts])
    assert result.hits == []
    assert len(result.files_scanned) > 20
    # The log of the run itself too.
    for account in e2e_lab.accounts:
        assert account.password not in run.stdout + run.stderr


@pytest.mark.parametrize("mode", ["onglet", "popup", "cadre", "meme_onglet"])
def test_e2e_follows_the_shortcut_wherever_it_opens(
    e2e_lab: LabClient, tmp_path: Path, mode: str
) -> None:
    # Given the ENT administrator set the Pronote shortcut to open in a tab, a pop-up, a frame
    # of the portal, or the same window (seed part IV, "gestion du portail")
    e2e_lab.reset()
    with EntAdmin.logged_in(e2e_lab) as admin:
        saved = admin.save_shortcut(
            url=e2e_lab.info["pronote"], code="PRONOTE", intitule="Pronote", mode=mode, actif="1"
        )
    assert saved.status_code == 200 and "Service enregistré" in saved.text
    assert e2e_lab.state()["sites"][0]["shortcut"]["mode"] == mode
    # When the checks run, then the space is reached and the Id. CAS recorded
    run, summary = run_e2e(e2e_lab, tmp_path, [e2e_lab.accounts[0]], "-k", "first_connection")
    assert run.returncode == 0, run.stdout[-3000:]
    assert summary[0]["outcome"] == "passed" and summary[0]["cas_user"] == e2e_lab.accounts[0].uid


def test_e2e_wrong_password_is_named_and_never_written(e2e_lab: LabClient, tmp_path: Path) -> None:
    e2e_lab.reset()
    real = e2e_lab.accounts[0]
    wrong = LabAccount(**{**vars(real), "password": "Faux-mot-de-passe+é/&42"})
    run, summary = run_e2e(e2e_lab, tmp_path, [wrong], "-k", "first_connection")
    assert run.returncode == 1
    assert [(s["outcome"], s["diagnosis"]) for s in summary] == [
        ("failed", "PN-ENT-IDENTIFIANTS-REFUSES")
    ]
    assert scan_paths([tmp_path], [wrong.password]).hits == []
    assert wrong.password not in run.stdout + run.stderr
