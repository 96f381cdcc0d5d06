"""Every ENT login family the lab stages, walked by the real `pytest e2e/` through its login
route (`e2e/routes/`): a correct set-up passes in each family under both wordings with the
default settings, each family's faults get their own codes in the browser and in the HTTP
probe alike, and `VERIFIER_LOGIN_FAMILY` takes only a family the registry knows.

The family list below is the registry's (`e2e.routes.ROUTES`, less the bare form): a family
added there without a lab stand-in, or the reverse, fails `test_every_route_has_a_lab_family`.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from e2e.routes import ROUTES
from lab.client import LabClient, running_lab
from lab.families import FAMILIES
from tests.e2e_runner import user_env
from tests.fault_oracle import FAMILY_FAULT_CODES, FAULT_CODES
from tests.test_verifier_e2e import run_e2e
from verdict.catalogue import CATALOGUE

ROOT = Path(__file__).resolve().parent.parent

# Lab family -> the route the verifier must recognise (the same name in both).
WALKED = ("kosmos", "opentent", "edifice", "apereo", "discovery")
WORDINGS = ("default", "alt")
# One account per profile and route keeps each run to a few seconds; the accounts' routes
# are the lab's (Apereo's accounts are local only).
SMALL = {"LAB_PER_PROFILE": "1", "LAB_EDUCONNECT_PER_PROFILE": "1"}


def test_every_route_has_a_lab_family() -> None:
    named = {r.name for r in ROUTES} - {"formulaire"}
    assert named == set(WALKED)
    assert set(WALKED) <= set(FAMILIES)
    assert all(route.source for route in ROUTES), "each route cites the fact it rests on"


def test_the_guide_lists_every_route() -> None:
    guide = (ROOT / "docs" / "login-families.md").read_text(encoding="utf-8")
    for route in ROUTES:
        module = type(route).__module__.replace(".", "/")
        assert f"| `{route.name}` | `{module}.py` |" in guide, route.name


def test_the_drivers_and_the_page_objects_name_no_family() -> None:
    """A family costs one module: the journey's `Driver` verbs, both drivers and the page
    objects say what a page is made of (links, a form of choices, a login form), never whose
    page it is; the words that belong to one family stay in its route and its locators."""
    from e2e.driver import Driver

    families = {r.name for r in ROUTES} | {"wayf", "domino", "kosmos", "edifice", "apereo"}
    verbs = {name for name in vars(Driver) if not name.startswith("_")}
    assert not {v for v in verbs if any(f in v.lower() for f in families)}
    for path in ("e2e/driver.py", "e2e/browser_driver.py", "e2e/http_driver.py"):
        code = [
            line
            for line in (ROOT / path).read_text(encoding="utf-8").splitlines()
            if not line.lstrip().startswith(("#", '"', "'")) and "import" not in line
        ]
        assert not [line for line in code if "wayf" in line.lower() or "domino" in line.lower()], (
            path
        )
    pages = {p.stem for p in (ROOT / "pages").glob("*.py")}
    assert not pages & families, "a page object per family: a driver verb per family"


def test_every_routes_refusals_are_catalogued_diagnoses() -> None:
    codes = {refusal.code for route in ROUTES for refusal in route.refusals}
    assert codes, "Edifice's refusals at least"
    assert codes <= set(CATALOGUE)
    # And each is a code a lab fault of that family proves.
    for route in ROUTES:
        expected = set(FAMILY_FAULT_CODES.get(route.name, {}).values())
        assert {r.code for r in route.refusals} <= expected, route.name


@pytest.mark.parametrize("wording", WORDINGS)
@pytest.mark.parametrize("family", WALKED)
def test_correct_setup_passes_in_every_family_with_the_default_settings(
    tmp_path: Path, family: str, wording: str
) -> None:
    # Given the lab staging one ENT family, set up right, in one wording
    env = {"LAB_ENT_FAMILY": family, "LAB_WORDING": wording, **SMALL}
    # When the checks run as a user runs them, with nothing configured
    run, summary = run_e2e(None, tmp_path, None, env_extra=env)
    # Then every account passes with its Identifiant CAS, through that family's route
    assert run.returncode == 0, run.stdout[-3000:]
    assert len(summary) >= 4
    assert all(s["outcome"] == "passed" and s["cas_user"] for s in summary), summary
    assert {s["login_family"] for s in summary} == {family}


@pytest.mark.parametrize("family", WALKED)
def test_the_probe_walks_every_family_the_browser_walks(tmp_path: Path, family: str) -> None:
    # Given the lab staging one ENT family, set up right
    env = {"LAB_ENT_FAMILY": family, "VERIFIER_MODE": "probe", **SMALL}
    # When the HTTP probe runs the checks with nothing else configured
    run, summary = run_e2e(None, tmp_path, None, env_extra=env)
    # Then it walks that family's route to every account's Identifiant CAS, as the browser does
    assert run.returncode == 0, run.stdout[-3000:]
    assert len(summary) >= 4
    assert all(s["outcome"] == "passed" and s["cas_user"] for s in summary), summary
    assert {s["login_family"] for s in summary} == {family}


@pytest.fixture(scope="module", params=[f for f in WALKED if f != "apereo"])
def family_lab(request: pytest.FixtureRequest) -> Iterator[LabClient]:
    """One lab per family with ÉduConnect accounts; the runs point at it as at a real ENT."""
    with running_lab(ent_family=request.param, per_profile=1, educonnect_per_profile=1) as lab:
        yield lab


def family_faults(family: str) -> list[str]:
    return ["wayf_choice_missing", *FAMILY_FAULT_CODES.get(family, {})]


def expected_codes(lab: LabClient, fault: str) -> dict[str, str | None]:
    """Each account's expected diagnosis under *fault* (None: it passes)."""
    family = lab.info["ent_family"]
    code = FAMILY_FAULT_CODES.get(family, {}).get(fault) or FAULT_CODES[fault]
    if fault == "wayf_choice_missing":  # every ÉduConnect account, no local one
        return {a.login: code if a.route == "educonnect" else None for a in lab.accounts}
    affected = lab.affected(fault)
    return {a.login: code if a.login == affected else None for a in lab.accounts}


@pytest.mark.parametrize("mode", ["browser", "probe"])
def test_each_familys_faults_get_their_own_codes_in_browser_and_probe(
    family_lab: LabClient, tmp_path: Path, mode: str
) -> None:
    lab = family_lab
    for fault in family_faults(lab.info["ent_family"]):
        # Given the family's fault switched on
        lab.set_faults([fault])
        expected = expected_codes(lab, fault)
        assert any(expected.values()), fault  # the fault touches an account of this lab
        # When the checks run in this mode
        out = tmp_path / fault
        run, summary = run_e2e(lab, out, lab.accounts, env_extra={"VERIFIER_MODE": mode})
        # Then the accounts it touches fail with its code, the others pass: no false pass
        got = {s["account"]: s["diagnosis"] if s["outcome"] != "passed" else None for s in summary}
        assert got == expected, (fault, mode, run.stdout[-2000:])
        assert run.returncode == 1
        assert {s["login_family"] for s in summary} == {lab.info["ent_family"]}
    lab.reset()


def test_an_unknown_login_family_is_one_french_line(tmp_path: Path) -> None:
    env = user_env(VERIFIER_LOGIN_FAMILY="moodle", VERIFIER_REPORT_DIR=str(tmp_path))
    run = subprocess.run(
        [sys.executable, "-m", "pytest", str(ROOT / "e2e"), "-q", "-p", "no:randomly"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode != 0
    assert "Traceback" not in run.stdout + run.stderr
    lines = [line for line in (run.stdout + run.stderr).splitlines() if "moodle" in line]
    assert lines and "VERIFIER_LOGIN_FAMILY" in lines[0], run.stdout + run.stderr
    assert all(r.name in lines[0] for r in ROUTES), lines[0]
