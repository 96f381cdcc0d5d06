"""Run the real `pytest e2e/` in a child process, the way a user or CI runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lab.client import LabAccount, LabClient

ROOT = Path(__file__).resolve().parent.parent
E2E_TIMEOUT_S = 900  # a child `pytest e2e/`, on a loaded two-core machine
# The two ways the README runs `pytest e2e/`: alone, and with `-n 2` (pytest-xdist).
PROCESSES = [pytest.param((), id="one-process"), pytest.param(("-n", "2"), id="two-workers")]


def user_env(**extra: str) -> dict[str, str]:
    """A user's environment: none of the developer's VERIFIER_*/LAB_* settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VERIFIER_", "LAB_"))}
    return {**env, **extra}


def run_e2e(
    out: Path, *args: str, env: dict[str, str] | None = None
) -> tuple[subprocess.CompletedProcess, list[dict]]:
    """Run `pytest e2e/` in a child process with only *env* as its VERIFIER_*/LAB_* settings.

    It runs from *out*, not from the project, so that a developer's `.env` (which may point
    at a real ENT) is never read by these runs.
    """
    child_env = user_env(VERIFIER_REPORT_DIR=str(out), VERIFIER_TIMEOUT_S="30")
    child_env.update(env or {})
    command = [
        sys.executable,
        "-m",
        "pytest",
        str(ROOT / "e2e"),
        "-p",
        "no:randomly",
        "-q",
        "--alluredir",
        str(out / "allure-results"),
        "--output",
        str(out / "test-results"),
        *args,
    ]
    out.mkdir(parents=True, exist_ok=True)
    run = subprocess.run(
        command, cwd=out, env=child_env, capture_output=True, text=True, timeout=E2E_TIMEOUT_S
    )
    summary_path = out / "summary.json"
    data = json.loads(summary_path.read_text(encoding="utf-8")) if summary_path.exists() else {}
    summary = data.get("results", []) if isinstance(data, dict) else data
    return run, summary


def site_env(lab: LabClient, accounts: list[LabAccount], site: int = 0) -> dict[str, str]:
    """One establishment of *lab* as a real target; passwords in variables, as CI secrets."""
    where = lab.info["establishments"][site]
    env = {
        "VERIFIER_ENT_URL": lab.info["ent"],
        "VERIFIER_CAS_URL": lab.info["cas"],
        "VERIFIER_PRONOTE_URL": where["pronote"],
        "VERIFIER_PRONOTE_CLASSIC_URL": where["pronote_classic"],
        "VERIFIER_PRONOTE_DIRECT_URL": where["pronote_direct"],
        "VERIFIER_IDENTIFIER_ATTRIBUTE": lab.info["identifier_attribute"],
        "VERIFIER_ESTABLISHMENT": where["uai"],
    }
    listed = []
    for n, account in enumerate(accounts):
        env[f"TEST_PW_{n}"] = account.password
        entry = {
            "login": account.login,
            "profile": account.profile,
            "password_env": f"TEST_PW_{n}",
            "display_name": account.display_name,
            "route": account.route,
        }
        if account.educonnect_profile:
            entry["educonnect_profile"] = account.educonnect_profile
        if account.birth_date:
            entry["birth_date"] = account.birth_date
        listed.append(entry)
    env["VERIFIER_ACCOUNTS"] = json.dumps(listed)
    return env
