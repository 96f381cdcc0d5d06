"""The real `pytest e2e/` against labs that speak like other real systems: both wordings, both
PRONOTE generations, both ENT families. A correct set-up passes everywhere with the default
settings (no red preflight); the probe reads the same locator settings; `--video on` leaves a
playable video per account, attached to the report."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.test_verifier_e2e import run_e2e


def preflight_failures(out: Path) -> list[dict]:
    data = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    return [c for t in data["targets"] for c in t["preflight"] if c["ok"] is False]


@pytest.mark.parametrize(
    ("wording", "generation"),
    [("default", "2025"), ("alt", "2025"), ("default", "2011"), ("alt", "2011")],
    ids=lambda v: v,
)
def test_correct_setup_passes_whatever_the_words_and_the_pronote_generation(
    tmp_path: Path, wording: str, generation: str
) -> None:
    # Given a lab set up right, speaking like another ENT/PRONOTE or PRONOTE 2011
    env = {"LAB_WORDING": wording, "LAB_PRONOTE_GENERATION": generation}
    # When the checks run with the default settings
    run, summary = run_e2e(None, tmp_path, None, env_extra=env)
    # Then every account passes with its Identifiant CAS, and no preflight check is red
    assert run.returncode == 0, run.stdout[-3000:]
    assert summary and all(s["outcome"] == "passed" and s["cas_user"] for s in summary)
    assert {s["profile"] for s in summary} == {"eleve", "parent", "professeur", "personnel"}
    assert preflight_failures(tmp_path) == []


def test_open_ent_ng_family_passes_through_its_own_login_and_educonnect(tmp_path: Path) -> None:
    run, summary = run_e2e(None, tmp_path, None, env_extra={"LAB_ENT_FAMILY": "opentent"})
    assert run.returncode == 0, run.stdout[-3000:]
    routes = {s["account"]: s for s in summary}
    assert all(s["outcome"] == "passed" and s["cas_user"] for s in summary)
    assert len(routes) >= 10
    assert preflight_failures(tmp_path) == []


def test_educonnect_accounts_go_through_the_wayf_and_the_saml_round_trip(tmp_path: Path) -> None:
    run, summary = run_e2e(None, tmp_path, None, "-k", "first_connection")
    assert run.returncode == 0, run.stdout[-3000:]
    steps = {s["account"]: [step["name"] for step in s["steps"]] for s in summary}
    results = tmp_path / "allure-results"
    educonnect = [
        json.loads(p.read_text(encoding="utf-8"))
        for p in results.glob("*-result.json")
        if "EduConnect" in p.read_text(encoding="utf-8") or "ÉduConnect" in p.read_text("utf-8")
    ]
    assert all(len(names) == 5 for names in steps.values()), steps
    assert educonnect or any(s["profile"] in ("eleve", "parent") for s in summary)


def test_probe_reads_the_locator_settings(tmp_path: Path) -> None:
    # Given a locator setting that no login form on the lab matches
    env = {"VERIFIER_LOCATORS__LOGIN_PASSWORD": 'input[name="mot-de-passe-introuvable"]'}
    # When the probe runs
    run, summary = run_e2e(
        None, tmp_path, None, "--probe", "-k", "first_connection and professeur", env_extra=env
    )
    # Then it looked for that field, found no form to fill, and said so for every account
    assert run.returncode == 1, run.stdout[-3000:]
    assert summary and all(s["outcome"] == "failed" for s in summary)
    # (it never got past the ENT's login: no portal, no shortcut, no Identifiant CAS)
    assert all("shortcut" not in [step["name"] for step in s["steps"]] for s in summary)
    assert all(s["cas_user"] is None for s in summary)
    # while the default locators pass on the same lab
    run, summary = run_e2e(
        None, tmp_path / "ok", None, "--probe", "-k", "first_connection and professeur"
    )
    assert run.returncode == 0 and all(s["outcome"] == "passed" for s in summary)


@pytest.mark.skipif(shutil.which("ffprobe") is None, reason="ffprobe (Debian's ffmpeg) is needed")
def test_video_on_leaves_a_playable_video_per_account_attached_to_the_report(
    tmp_path: Path,
) -> None:
    run, summary = run_e2e(
        None, tmp_path, None, "--video", "on", "-k", "first_connection and professeur"
    )
    assert run.returncode == 0, run.stdout[-3000:]
    videos = sorted((tmp_path / "test-results").rglob("*.webm"))
    # One per page of the journey (the portal's tab, PRONOTE's): every account has its own.
    assert len({v.parent for v in videos}) == len(summary) >= 2
    for video in videos:
        probe = subprocess.run(
            [
                "ffprobe",
                "-v",
                "error",
                "-count_frames",
                "-select_streams",
                "v:0",
                "-show_entries",
                "stream=nb_read_frames",
                "-of",
                "csv=p=0",
                str(video),
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert probe.returncode == 0 and int(probe.stdout.strip() or 0) > 0, probe.stderr
    attached = list((tmp_path / "allure-results").glob("*-attachment.webm"))
    assert len(attached) == len(videos)
