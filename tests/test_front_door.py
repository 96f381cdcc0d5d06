"""The README's commands as a new user types them: `pytest e2e/` with no flag, the report
`make report` builds from it, opened in Chromium; a report folder that holds the user's own
files; the system packages' one list.

The runs happen in a copy of the project (what git knows of it, its `.venv` and
`node_modules` linked), with no VERIFIER_*/LAB_* variable inherited, so that what they
prove is the user's path and a developer's own `.env` and `reports/` are never touched.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from lab.client import LabClient
from tests.e2e_runner import E2E_TIMEOUT_S, site_env, user_env
from verdict.report_view import profile_group

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = next(
    (p for p in ("/usr/lib/chromium/chromium", "/usr/bin/chromium") if os.access(p, os.X_OK)), None
)


def project_copy(dest: Path) -> Path:
    """The project as a fresh clone has it (tracked and untracked-but-not-ignored files, with
    their times, so make sees nothing to rebuild), its installs linked from this checkout."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    for installed in (".venv", "node_modules"):
        (dest / installed).symlink_to(ROOT / installed)
    return dest


def run(command: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=E2E_TIMEOUT_S
    )


@pytest.fixture(scope="module")
def default_run(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, subprocess.CompletedProcess]:
    """`pytest e2e/` then `make report`, in a copy of the project, as the README says."""
    project = project_copy(tmp_path_factory.mktemp("project"))
    env = user_env()
    checks = run([str(project / ".venv/bin/pytest"), "e2e/"], project, env)
    report = run(["make", "--no-print-directory", "report"], project, env)
    assert report.returncode == 0, report.stdout[-2000:] + report.stderr[-2000:]
    return project, checks


def test_default_run_writes_one_allure_result_per_account_with_its_identifiant_cas(
    default_run: tuple[Path, subprocess.CompletedProcess],
) -> None:
    project, checks = default_run
    assert checks.returncode == 0, checks.stdout[-3000:]
    accounts = json.loads((project / "reports/summary.json").read_text())["results"]
    assert len(accounts) >= 8, "the lab's demo accounts"
    tests = [
        json.loads(p.read_text())
        for p in (project / "reports/allure-results").glob("*-result.json")
    ]
    for account in accounts:
        mine = [
            t
            for t in tests
            if {"name": "Compte", "value": account["account"]} in t.get("parameters", [])
        ]
        assert len(mine) == 1, f"{account['account']}: {len(mine)} result(s)"
        parameters = {p["name"]: p["value"] for p in mine[0]["parameters"]}
        assert parameters["Identifiant CAS"] == account["cas_user"]
        assert mine[0]["status"] == "passed"


def test_default_report_opened_in_chromium_shows_every_account(
    default_run: tuple[Path, subprocess.CompletedProcess],
) -> None:
    project, _ = default_run
    accounts = json.loads((project / "reports/summary.json").read_text())["results"]
    built = json.loads((project / "reports/allure-report/summary.json").read_text())
    assert built["stats"]["total"] >= len(accounts)
    assert built["status"] == "passed"
    assert CHROMIUM, "no Chromium: apt-get install chromium"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM)
        for account in accounts:  # found as a reader would: the search box, then its title
            login = account["account"]
            # A new context each: the report keeps which groups are open in its storage.
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto((project / "reports/allure-report/index.html").as_uri())
            page.get_by_placeholder("Rechercher des tests").fill(login)
            # A report with no failure shows its groups folded: open the account's.
            page.get_by_text(account["target"], exact=True).click()
            page.get_by_text(profile_group(account["profile"]), exact=True).click()
            title = f"Première connexion sans identifiant PRONOTE : .*-{re.escape(login)}"
            page.get_by_text(re.compile(title)).click()
            body = page.locator("body")
            expect(body).to_contain_text("Identifiant CAS")
            expect(body).to_contain_text(account["cas_user"])
            page.context.close()
        browser.close()


def test_failing_run_report_shows_the_failed_accounts_and_is_not_passed(
    tmp_path: Path,
) -> None:
    project = project_copy(tmp_path)
    env = user_env(LAB_FAULTS="identifiers_not_imported", LAB_PER_PROFILE="1")
    checks = run([str(project / ".venv/bin/pytest"), "e2e/"], project, env)
    assert checks.returncode == 1, checks.stdout[-3000:]
    report = run(["make", "--no-print-directory", "report"], project, env)
    assert report.returncode == 0, report.stderr[-2000:]
    accounts = json.loads((project / "reports/summary.json").read_text())["results"]
    built = json.loads((project / "reports/allure-report/summary.json").read_text())
    failed = [a for a in accounts if a["outcome"] == "failed"]
    assert failed and len(failed) == len(accounts)
    assert built["status"] == "failed"
    assert built["stats"]["failed"] >= len(failed)


def test_report_check_refuses_a_report_that_shows_fewer_tests_than_accounts(
    tmp_path: Path,
) -> None:
    from verdict.report_check import main

    (tmp_path / "allure-report").mkdir()
    (tmp_path / "allure-results").mkdir()
    result = {"target": "0310001A Collège", "account": "lea.martin", "outcome": "failed"}
    (tmp_path / "summary.json").write_text(json.dumps({"results": [result]}))
    (tmp_path / "allure-report/summary.json").write_text(
        json.dumps({"stats": {"total": 0}, "status": "passed"})
    )
    assert main([str(tmp_path)]) == 1
    (tmp_path / "allure-results/a-result.json").write_text(
        json.dumps(
            {
                "status": "failed",
                "parameters": [
                    {"name": "Établissement", "value": "0310001A Collège"},
                    {"name": "Compte", "value": "lea.martin"},
                ],
            }
        )
    )
    (tmp_path / "allure-report/summary.json").write_text(
        json.dumps({"stats": {"total": 1, "failed": 1}, "status": "failed"})
    )
    assert main([str(tmp_path)]) == 0


@pytest.mark.parametrize(
    ("shown", "accepted"), [("skipped", True), ("failed", False)], ids=["saute", "en-echec"]
)
def test_report_check_wants_an_account_not_verified_shown_skipped(
    tmp_path: Path, shown: str, accepted: bool
) -> None:
    from verdict.report_check import check_report

    (tmp_path / "allure-report").mkdir()
    (tmp_path / "allure-results").mkdir()
    result = {
        "target": "0310001A Collège",
        "account": "lea.martin",
        "outcome": "skipped",
        "state": "non_verifie",
        "reason": "fin du run",
    }
    (tmp_path / "summary.json").write_text(json.dumps({"results": [result]}))
    (tmp_path / "allure-report/summary.json").write_text(
        json.dumps({"stats": {"total": 1, shown: 1}, "status": "skipped"})
    )
    (tmp_path / "allure-results/a-result.json").write_text(
        json.dumps(
            {
                "status": shown,
                "parameters": [
                    {"name": "Établissement", "value": "0310001A Collège"},
                    {"name": "Compte", "value": "lea.martin"},
                ],
            }
        )
    )
    problems = check_report(tmp_path)
    assert problems == [] if accepted else any("lea.martin" in p for p in problems)


def test_report_folder_holding_the_users_files_leaves_them_byte_for_byte(
    clean_lab: LabClient, tmp_path: Path
) -> None:
    """VERIFIER_REPORT_DIR=. beside a `.env` with an inline password (as .env.example
    allows) and an unrelated file holding it: the run neither rewrites nor reports them."""
    account = next(a for a in clean_lab.accounts if a.profile == "professeur")
    env = site_env(clean_lab, [account])
    listed = json.loads(env.pop("VERIFIER_ACCOUNTS"))
    listed[0].pop("password_env")
    listed[0]["password"] = account.password
    env.pop("TEST_PW_0")
    dotenv = "".join(f"{k}={v}\n" for k, v in env.items())
    dotenv += f"VERIFIER_ACCOUNTS={json.dumps(listed)}\nVERIFIER_REPORT_DIR=.\n"
    (tmp_path / ".env").write_text(dotenv, encoding="utf-8")
    (tmp_path / ".env").chmod(0o600)
    (tmp_path / "notes.txt").write_text(f"mot de passe du compte : {account.password}\n")
    before = {p.name: p.read_bytes() for p in (tmp_path / ".env", tmp_path / "notes.txt")}
    checks = run(
        [sys.executable, "-m", "pytest", str(ROOT / "e2e"), "-k", "first_connection"],
        tmp_path,
        user_env(),
    )
    assert checks.returncode == 0, checks.stdout[-3000:]
    assert "FUITE" not in checks.stdout + checks.stderr
    assert (tmp_path / "summary.json").exists() and list(tmp_path.glob("allure-results/*"))
    for name, data in before.items():
        assert (tmp_path / name).read_bytes() == data, f"{name} was modified"


def test_a_leak_in_a_file_the_run_wrote_is_still_scrubbed(tmp_path: Path) -> None:
    """The other side of the rule above: what the run writes is read and cleaned."""
    from leaks import scrub_paths, snapshot, written_since

    reports = tmp_path / "reports"
    (reports / "old").mkdir(parents=True)
    (reports / "old/kept.txt").write_text("s3cret-Motdepasse")
    (reports / "summary.json").write_text("{}")
    before = snapshot([reports, reports / "allure-results"])
    (reports / "summary.json").write_text('{"x": "s3cret-Motdepasse"}')
    (reports / "allure-results").mkdir()
    (reports / "allure-results/r.json").write_text("s3cret-Motdepasse")
    written = written_since(before, [reports, reports / "allure-results"])
    assert sorted(p.name for p in written) == ["allure-results", "summary.json"]
    hits = scrub_paths(written, ["s3cret-Motdepasse"])
    assert {Path(h.path).name for h in hits} >= {"summary.json", "r.json"}
    assert "s3cret" not in (reports / "summary.json").read_text()
    assert (reports / "old/kept.txt").read_text() == "s3cret-Motdepasse"


def test_system_deps_without_root_names_the_missing_packages_in_one_line(
    tmp_path: Path,
) -> None:
    """A PATH where nothing the project needs can be found, and no apt-get: one line, exit 3."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("bash", "id", "grep", "compgen", "python3", "ldconfig"):
        found = shutil.which(tool)
        if found:
            (bin_dir / tool).symlink_to(found)
    done = subprocess.run(
        ["bash", str(ROOT / "scripts/system-deps")],
        env={"PATH": str(bin_dir), "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 3
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("Paquets système manquants : ")
    for package in ("make", "npm", "xmlsec1", "libnss3-tools", "ffmpeg", "poppler-utils"):
        assert package in lines[0]
    assert "apt-get install -y" in lines[0]


def test_a_lab_that_cannot_start_says_why_in_one_line(tmp_path: Path) -> None:
    """No xmlsec1 on the PATH (the package the lab's SAML needs): one French line naming
    it, no traceback; the lab's whole output is kept in the report folder."""
    empty = tmp_path / "bin"
    empty.mkdir()
    checks = run(
        [sys.executable, "-m", "pytest", str(ROOT / "e2e"), "-q"],
        tmp_path,
        user_env(PATH=str(empty)),
    )
    output = checks.stdout + checks.stderr
    assert checks.returncode == 4, output[-2000:]
    said = [line for line in output.splitlines() if "Le lab n'a pas pu démarrer" in line]
    assert len(said) == 1 and "xmlsec1" in said[0] and "apt-get install" in said[0]
    assert "Traceback" not in output
    assert "Traceback" in (tmp_path / "reports/lab.log").read_text()
