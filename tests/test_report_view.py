"""The Allure report as school staff read it: tidy results, and the single-file report opened.

Inputs: a saved lab run (`tests/fixtures/reports/allure-results`, as allure-pytest wrote it,
fixture containers and Python reprs included) and a real allure-pytest run of a small test
that calls `present_account`, `attach_timings` and `show_diagnosis`.
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
from playwright.sync_api import Page, expect, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from verdict.report_view import (
    OVERVIEW,
    diagnosis_markdown,
    profile_group,
    readable_parameters,
    strip_analytics,
    tidy_results,
)

ROOT = Path(__file__).parent.parent
FIXTURE = Path(__file__).parent / "fixtures" / "reports" / "allure-results"
ALLURE = ROOT / "node_modules" / ".bin" / "allure"
CHROMIUM = next(
    (p for p in ("/usr/lib/chromium/chromium", "/usr/bin/chromium") if os.access(p, os.X_OK)), None
)
FAILED_LOGIN = "hugo.bernard"


@pytest.fixture
def results(tmp_path: Path) -> Path:
    folder = tmp_path / "allure-results"
    shutil.copytree(FIXTURE, folder)
    return folder


def result_files(folder: Path) -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*-result.json"))]


def first_connection(folder: Path, login: str) -> dict:
    return next(
        r
        for r in result_files(folder)
        if "first_connection" in r["fullName"] and readable_parameters(r).get("Compte") == login
    )


@pytest.mark.parametrize(
    ("profile", "group"),
    [
        ("eleve", "Élèves"),
        ("parent", "Parents"),
        ("professeur", "Professeurs"),
        ("personnel", "Personnels"),
        ("Eleve ", "Élèves"),
        ("inspecteur", "Inspecteur"),
    ],
)
def test_profile_group_names_the_report_groups_in_french(profile: str, group: str) -> None:
    assert profile_group(profile) == group


def test_tidy_drops_fixture_entries_and_python_reprs(results: Path) -> None:
    assert list(results.glob("*-container.json")), "the saved run has fixture containers"

    done = tidy_results(results)

    assert done.fixtures_dropped > 20 and list(results.glob("*-container.json")) == []
    text = " ".join(p.read_text(encoding="utf-8") for p in results.glob("*-result.json"))
    assert "Target(" not in text and "Account(" not in text and "SecretStr" not in text
    failed = first_connection(results, FAILED_LOGIN)
    params = {p["name"]: p for p in failed["parameters"]}
    assert params["Établissement"]["value"] == "3100001A Collège Jean Jaurès"
    assert params["Compte"]["value"] == FAILED_LOGIN
    assert params["Identifiant CAS"]["value"] == "NAA30002"  # no quotes
    assert params["Identifiant CAS"].get("excluded") is True  # an outcome, not the test's key
    assert not params["Établissement"].get("excluded")
    labels = {(lb["name"], lb["value"]) for lb in failed["labels"]}
    assert ("suite", "Élèves") in labels
    assert not {name for name, _ in labels} & {"host", "thread", "framework", "language"}


def test_tidy_moves_a_fixture_attachment_to_its_test(results: Path) -> None:
    failed = first_connection(results, FAILED_LOGIN)
    video = "0000-video-attachment.webm"
    (results / video).write_bytes(b"\x1a\x45\xdf\xa3 not really a video")
    container = {
        "uuid": "c0ffee",
        "children": [failed["uuid"]],
        "befores": [{"name": "new_context", "status": "passed"}],
        "afters": [
            {
                "name": "new_context::1",
                "status": "passed",
                "attachments": [{"name": "Vidéo", "source": video, "type": "video/webm"}],
            }
        ],
    }
    (results / "c0ffee-container.json").write_text(json.dumps(container), encoding="utf-8")

    done = tidy_results(results)

    assert done.attachments_moved == 1
    sources = [a["source"] for a in first_connection(results, FAILED_LOGIN)["attachments"]]
    assert video in sources and (results / video).exists()


def test_tidy_twice_changes_nothing(results: Path) -> None:
    tidy_results(results)
    once = {p.name: p.read_bytes() for p in results.iterdir()}

    tidy_results(results)

    assert {p.name: p.read_bytes() for p in results.iterdir()} == once


def test_overview_counts_accounts_and_causes_per_establishment(results: Path) -> None:
    done = tidy_results(results)

    assert done.establishments == ["3100001A Collège Jean Jaurès"]
    page = next(results.glob(f"{OVERVIEW}-*-attachment.html")).read_text(encoding="utf-8")
    row = re.search(r"<tr><td>3100001A Collège Jean Jaurès</td>(.*?)</tr>", page)
    assert row is not None
    cells = re.findall(r"<td>(.*?)</td>", row.group(1))
    # 3 accounts; 3 first connections + 7 preflight checks; 1 failed (the saved fault run)
    assert cells[:4] == ["3", "10", "9", "1"]
    assert "PN-UTILISATEUR-ABSENT-IMPORT (1)" in cells[-1]
    globals_file = json.loads((results / f"{OVERVIEW}-globals.json").read_text(encoding="utf-8"))
    assert globals_file["attachments"][0]["source"].startswith(OVERVIEW)


TEST_MODULE = """
from dataclasses import dataclass

import pytest

from verdict.report_view import attach_timings, present_account, show_diagnosis


@dataclass
class Target:
    name: str
    cas_url: str


@dataclass
class Account:
    login: str
    profile: str
    password: str = "**********"


@dataclass
class Diagnosis:
    code: str = "PN-RACCOURCI-ABSENT"
    title: str = "Raccourci Pronote absent du portail"
    explanation: str = "Une fois connecté, l'utilisateur ne trouve pas de raccourci."
    fix: str = "Créer le service Pronote dans la gestion du portail."
    step: str = "IV raccourci du portail"


@pytest.fixture
def journey():
    yield "ready"


FERMAT = Target("0310002B Lycée Fermat", "https://cas.example/")


@pytest.mark.parametrize(
    ("target", "account"),
    [(FERMAT, Account("lea.martin", "eleve")), (FERMAT, Account("paul.roux", "professeur"))],
)
def test_account(target, account, journey):
    present_account(target.name, account.login, account.profile)
    attach_timings({"portal": 0.42, "total": 1.5})
    if account.profile == "professeur":
        show_diagnosis(Diagnosis(), "portail sans raccourci")
        pytest.fail("[PN-RACCOURCI-ABSENT] Raccourci Pronote absent du portail", pytrace=False)
"""


def test_a_real_allure_pytest_run_reads_in_french_after_tidy(tmp_path: Path) -> None:
    (tmp_path / "test_accounts.py").write_text(TEST_MODULE, encoding="utf-8")
    out = tmp_path / "allure-results"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "test_accounts.py",
            f"--alluredir={out}",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:randomly",
            "-p",
            "no:xdist",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert "1 failed, 1 passed" in run.stdout, run.stdout + run.stderr
    assert list(out.glob("*-container.json"))

    tidy_results(out)

    by_login = {readable_parameters(r)["Compte"]: r for r in result_files(out)}
    teacher = by_login["paul.roux"]
    assert {p["name"]: p["value"] for p in teacher["parameters"]} == {
        "Établissement": "0310002B Lycée Fermat",
        "Compte": "paul.roux",
        "Profil": "Professeurs",
    }
    labels = {lb["name"]: lb["value"] for lb in teacher["labels"]}
    assert (labels["parentSuite"], labels["suite"]) == ("0310002B Lycée Fermat", "Professeurs")
    assert teacher["description"].startswith("### PN-RACCOURCI-ABSENT — Raccourci Pronote absent")
    assert "**Étape de la procédure.** IV raccourci du portail" in teacher["description"]
    (timings,) = [a for a in teacher["attachments"] if a["name"] == "Durées par étape"]
    assert timings["type"] == "text/csv"
    csv = (out / timings["source"]).read_text(encoding="utf-8")
    assert csv.splitlines() == [
        "Étape;Durée (s)",
        "Connexion et portail de l'ENT;0,42",
        "Total;1,50",
    ]
    assert "description" not in by_login["lea.martin"]  # a passed account has no diagnosis


# -- the single-file report, opened in Chromium -------------------------------------------
def generate(results: Path, cwd: Path, *, analytics: bool = False) -> Path:
    """`make report`'s commands, with the project's allurerc.mjs (history under cwd/reports)."""
    output = cwd / "allure-report"
    subprocess.run(
        [
            str(ALLURE),
            "generate",
            str(results),
            "--config",
            str(ROOT / "allurerc.mjs"),
            "--output",
            str(output),
        ],
        cwd=cwd,
        check=True,
        capture_output=True,
        timeout=120,
    )
    if not analytics:
        strip_analytics(output / "index.html")
    return output / "index.html"


@pytest.fixture(scope="module")
def chromium():
    assert CHROMIUM, "no Chromium: apt-get install chromium"
    assert ALLURE.exists(), "no Allure Report 3: npm install"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM)
        yield browser
        browser.close()


# Allure's app draws the report from data embedded in the file, some hundreds of ms after
# load; a loaded CI machine gets a minute before the test says what the page showed instead.
RENDERED_WITHIN_MS = 60_000


def open_report(browser, index: Path, asked: list[str] | None = None) -> Page:
    """A new page on the report, once Allure's app has drawn its test tree."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    seen: list[str] = []
    page.on("console", lambda m: seen.append(f"console {m.type}: {m.text[:200]}"))
    page.on("pageerror", lambda e: seen.append(f"page error: {e}"))
    page.on("crash", lambda _: seen.append("renderer crashed"))
    if asked is not None:
        page.on("request", lambda request: asked.append(request.url))
    page.goto(index.as_uri())
    search = page.get_by_placeholder("Rechercher des tests")
    try:
        search.wait_for(timeout=RENDERED_WITHIN_MS)
    except PlaywrightTimeoutError:
        body = page.locator("body").inner_text(timeout=5_000)[:500]
        raise AssertionError(
            f"the report ({index.stat().st_size} bytes) drew no test tree in "
            f"{RENDERED_WITHIN_MS} ms; title {page.title()!r}; events {seen}; body {body!r}"
        ) from None
    return page


def open_account(browser, index: Path, login: str) -> Page:
    """Find the account's test as a reader would: the search box, then its title."""
    page = open_report(browser, index)
    page.get_by_placeholder("Rechercher des tests").fill(login)
    page.get_by_text(re.compile(f"Première connexion sans identifiant PRONOTE : .*{login}")).click()
    expect(page.get_by_text("Paramètres").first).to_be_visible()
    return page


def test_report_test_view_has_no_fixtures_and_shows_the_identifiant_cas(
    results: Path, tmp_path: Path, chromium
) -> None:
    tidy_results(results)
    # As show_diagnosis() writes it: the diagnosis as the failed test's description.
    path = next(
        p
        for p in results.glob("*-result.json")
        if readable_parameters(json.loads(p.read_text(encoding="utf-8"))).get("Compte")
        == FAILED_LOGIN
    )
    data = json.loads(path.read_text(encoding="utf-8"))

    class Found:
        code = "PN-UTILISATEUR-ABSENT-IMPORT"
        title = "Utilisateur absent du dernier import des identifiants"
        explanation = "PRONOTE demande l'identifiant PRONOTE ENT à cet utilisateur seulement."
        fix = "Refaire un import partiel dans l'ENT."
        step = "V import des identifiants (import partiel)"

    data["description"] = diagnosis_markdown(Found())
    path.write_text(json.dumps(data), encoding="utf-8")
    index = generate(results, tmp_path)
    page = open_account(chromium, index, FAILED_LOGIN)

    body = page.locator("body")
    expect(page.get_by_text("Identifiant CAS", exact=True).first).to_be_visible()
    expect(page.get_by_text("NAA30002", exact=True).first).to_be_visible()
    expect(page.get_by_text("Établissement", exact=True).first).to_be_visible()
    # Allure 3 renders the description (Markdown) in a frame, under "Description".
    description = page.frame_locator("iframe").first
    expect(
        description.get_by_role("heading", name=re.compile("PN-UTILISATEUR-ABSENT-IMPORT"))
    ).to_be_visible()
    expect(description.get_by_text("Étape de la procédure.")).to_be_visible()
    for noise in ("Préparation", "Démontage", "Target(", "Account(", "browser_type_launch_args"):
        expect(body).not_to_contain_text(noise)
    expect(page.get_by_text("host", exact=True)).to_have_count(0)
    page.close()


def test_untidied_report_shows_the_fixture_entries_this_removes(
    results: Path, tmp_path: Path, chromium
) -> None:
    index = generate(results, tmp_path)  # the same run, not tidied
    page = open_account(chromium, index, FAILED_LOGIN)

    expect(page.locator("body")).to_contain_text("Préparation")
    expect(page.locator("body")).to_contain_text("Target(")
    page.close()


def test_report_shows_the_overview_per_establishment(results: Path, tmp_path: Path, chromium):
    tidy_results(results)
    page = open_report(chromium, generate(results, tmp_path))
    page.get_by_text("Pièces jointes globales").click()
    page.get_by_text("Vue d'ensemble par établissement").first.click()

    frame = page.frame_locator("iframe").first
    expect(frame.get_by_role("cell", name="3100001A Collège Jean Jaurès")).to_be_visible()
    page.close()


def test_the_report_calls_no_one_once_analytics_are_stripped(
    results: Path, tmp_path: Path, chromium
) -> None:
    # Given Allure's own output: it loads Google Tag Manager (no switch in Allure 3.18)
    tidy_results(results)
    index = generate(results, tmp_path, analytics=True)
    raw = index.read_text(encoding="utf-8")
    assert "googletagmanager.com" in raw, "Allure no longer writes analytics: drop the strip"

    # When make report strips it (twice: the second call finds nothing)
    assert strip_analytics(index) == 1
    assert strip_analytics(index) == 0

    # Then the file has no trace of it, is otherwise unchanged, and the report opened in
    # Chromium asks for nothing but its own file
    text = index.read_text(encoding="utf-8")
    assert "googletagmanager" not in text and "gtag(" not in text and "dataLayer" not in text
    assert len(raw) - len(text) < 1_000
    asked: list[str] = []
    page = open_report(chromium, index, asked)
    page.get_by_placeholder("Rechercher des tests").fill(FAILED_LOGIN)
    expect(
        page.get_by_text(re.compile(f"Première connexion.*{FAILED_LOGIN}")).first
    ).to_be_visible()
    assert [url for url in asked if not url.startswith("file://")] == []
    page.close()


def test_strip_analytics_from_the_command_line(tmp_path: Path) -> None:
    index = tmp_path / "index.html"
    index.write_text(
        '<body><div id="app"></div>\n'
        '<script async src="https://www.googletagmanager.com/gtag/js?id=G-X"></script>\n'
        "<script>\n window.dataLayer = window.dataLayer || [];\n"
        " function gtag(){dataLayer.push(arguments);}\n gtag('config', 'G-X');\n</script>\n"
        "<script>window.allureReportData = 1;</script></body>",
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, "-m", "verdict.report_view", "--strip-analytics", str(index)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert index.read_text(encoding="utf-8") == (
        '<body><div id="app"></div>\n<script>window.allureReportData = 1;</script></body>'
    )
    missing = subprocess.run(
        [sys.executable, "-m", "verdict.report_view", "--strip-analytics", str(tmp_path / "no")],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert missing.returncode == 2 and "rapport Allure introuvable" in missing.stderr
    assert "Traceback" not in missing.stderr


def test_history_follows_each_account_across_runs_on_new_lab_ports(
    results: Path, tmp_path: Path
) -> None:
    # Given two nightly runs: the lab listens on other ports the second night
    second = tmp_path / "second-results"
    shutil.copytree(results, second)
    for path in second.glob("*.json"):
        text = re.sub(
            r"127\.0\.0\.1:(\d+)", lambda m: f"127.0.0.1:{int(m[1]) + 1}", path.read_text()
        )
        path.write_text(text, encoding="utf-8")
    tidy_results(results)
    tidy_results(second)

    # When each is reported with the project's allurerc.mjs, history kept under reports/
    generate(results, tmp_path)
    generate(second, tmp_path)

    # Then history.jsonl has both runs, and each account keeps its history key
    lines = (tmp_path / "reports" / "history.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    first_keys, second_keys = (set(json.loads(line)["testResults"]) for line in lines)
    assert len(first_keys) == len(result_files(results))
    assert first_keys == second_keys
