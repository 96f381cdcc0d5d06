"""The status board (`python -m verdict board`): seven simulated nights of a 50-establishment
académie, faults switched on and off between nights, each night's summary.json recorded in
`nights.jsonl` as CI does after each run; the page opened in a real Chromium shows, per
establishment, its state tonight and the first night of its current breakdown, and its
filters (ENT, diagnosis, state) show exactly the rows that match."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from tests.nightly_history import (
    ENTS,
    ESTABLISHMENTS,
    NIGHTS,
    SCHEDULE,
    first_broken,
    night_start,
    state_of,
    uai,
    write_night,
)
from verdict.__main__ import main
from verdict.board.nights import night_from_summary, read_nights
from verdict.board.page import night_day

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = next(
    (p for p in ("/usr/lib/chromium/chromium", "/usr/bin/chromium") if os.access(p, os.X_OK)), None
)


def last_judged(code: str) -> tuple[int, object]:
    return next(
        (n, c) for n, c in reversed(list(enumerate(SCHEDULE[code]))) if state_of(c) != "absent"
    )


@pytest.fixture(scope="module")
def académie(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Seven nights, each in its own reports folder, each recorded then the board rebuilt."""
    root = tmp_path_factory.mktemp("nights")
    for n in range(NIGHTS):
        reports = root / f"night-{n}"
        write_night(n, reports)
        (reports / "allure-report").mkdir()
        (reports / "allure-report" / "index.html").write_text("rapport", encoding="utf-8")
        if n == NIGHTS - 1:
            (reports / "pv").mkdir()
            (reports / "pv" / f"{uai(0)}.html").write_text("PV", encoding="utf-8")
        history = root / "nights.jsonl"
        status = main(["board", "--reports", str(reports), "--history", str(history)])
        assert status == 0
    return root


@pytest.fixture(scope="module")
def board(académie: Path):
    assert CHROMIUM, "no Chromium: apt-get install chromium"
    asked: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM)
        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        page.on("request", lambda request: asked.append(request.url))
        index = académie / f"night-{NIGHTS - 1}" / "board.html"
        page.goto(index.as_uri())
        yield page, asked, index
        browser.close()


def visible_uais(page: Page) -> list[str]:
    return page.locator("#tableau tbody tr:visible").evaluate_all(
        "rows => rows.map(r => r.dataset.uai)"
    )


def test_board_records_each_night_once_and_no_login(académie: Path) -> None:
    history = académie / "nights.jsonl"
    nights = read_nights(history)
    assert [n.night for n in nights] == [night_start(n) for n in range(NIGHTS)]
    # Building the board again for the same night replaces it: still seven nights.
    reports = académie / f"night-{NIGHTS - 1}"
    assert main(["board", "--reports", str(reports), "--history", str(history)]) == 0
    assert len(history.read_text(encoding="utf-8").splitlines()) == NIGHTS
    text = history.read_text(encoding="utf-8") + (reports / "board.html").read_text("utf-8")
    assert "test.eleve" not in text and "test.parent" not in text


def test_board_shows_the_first_broken_night_of_each_establishment(board) -> None:
    page, _, _ = board
    rows = page.locator("#tableau tbody tr")
    expect(rows).to_have_count(ESTABLISHMENTS)
    seen = rows.evaluate_all(
        """rows => rows.map(r => [r.dataset.uai, r.dataset.etat,
            r.querySelector('td.depuis').textContent.trim(),
            [...r.querySelectorAll('td.nuit')].map(c => c.className.split(' ')[1])])"""
    )
    broken_somewhere = 0
    for code, state, since, cells in seen:
        _, cell = last_judged(code)
        assert state == state_of(cell), code
        first = first_broken(code)
        assert since == (night_day(night_start(first)) if first is not None else "—"), code
        assert cells == [state_of(c) for c in SCHEDULE[code]], code
        broken_somewhere += first is not None
    # The simulation switched enough faults on and off to mean something.
    assert 10 <= broken_somewhere <= ESTABLISHMENTS - 10
    # The named cases, read as a person would.
    by_uai = {code: since for code, _, since, _ in seen}
    assert by_uai[uai(0)] == night_day(night_start(0))
    assert by_uai[uai(1)] == night_day(night_start(5))  # repaired, then broke again
    assert by_uai[uai(2)] == night_day(night_start(2))  # the cause changed: still broken
    assert by_uai[uai(3)] == "—"
    assert by_uai[uai(4)] == "—"  # down, broken, repaired tonight
    assert by_uai[uai(5)] == night_day(night_start(1))  # a night unjudged does not end it
    assert by_uai[uai(6)] == night_day(night_start(6))


def test_board_links_tonight_to_the_report_and_the_pv(board) -> None:
    page, _, _ = board
    row = page.locator(f"tr[data-uai='{uai(0)}']")
    expect(row.locator("td.rapport a")).to_have_attribute("href", "allure-report/index.html")
    expect(row.locator("td.pv a")).to_have_attribute("href", f"pv/{uai(0)}.html")
    expect(row.locator("td.diagnostic")).to_contain_text("PN-RACCOURCI-ABSENT")
    # No PV was written for the others: no dead link.
    expect(page.locator(f"tr[data-uai='{uai(1)}'] td.pv")).to_have_text("—")


def test_board_filters_by_ent_diagnosis_and_state(board) -> None:
    page, _, _ = board
    tonight = {code: last_judged(code)[1] for code in SCHEDULE}
    ent = {uai(n): ENTS[0] if n % 3 == 0 else ENTS[1] for n in range(ESTABLISHMENTS)}

    page.select_option("#filtre-ent", ENTS[0])
    assert sorted(visible_uais(page)) == sorted(c for c in SCHEDULE if ent[c] == ENTS[0])
    expect(page.locator("#compte")).to_have_text(str(len(visible_uais(page))))

    page.select_option("#filtre-etat", "panne")
    expected = [c for c in SCHEDULE if ent[c] == ENTS[0] and state_of(tonight[c]) == "panne"]
    assert sorted(visible_uais(page)) == sorted(expected) and expected

    page.select_option("#filtre-ent", "")
    page.select_option("#filtre-etat", "")
    page.select_option("#filtre-diagnostic", "PN-SERVICE-NON-AUTORISE")
    expected = [c for c in SCHEDULE if tonight[c] == "PN-SERVICE-NON-AUTORISE"]
    assert sorted(visible_uais(page)) == sorted(expected) and expected

    page.select_option("#filtre-diagnostic", "")
    assert len(visible_uais(page)) == ESTABLISHMENTS


def test_board_counts_tonight_and_asks_the_network_for_nothing(board) -> None:
    page, asked, index = board
    states = Counter(state_of(last_judged(c)[1]) for c in SCHEDULE)
    expect(page.locator("p.resume")).to_contain_text(f"{states['panne']} en panne")
    expect(page.locator("p.resume")).to_contain_text(f"{states['ok']} OK")
    assert asked == [index.as_uri()]


def test_board_without_any_night_says_so_in_one_line(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "verdict", "board", "--reports", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert run.returncode == 2
    assert run.stderr.startswith("erreur : aucune nuit") and len(run.stderr.splitlines()) == 1


@pytest.mark.parametrize(
    "content",
    ["{pas du json", "[1, 2]", json.dumps({"results": []})],
    ids=["broken_json", "a_list", "no_started_at"],
)
def test_board_refuses_a_bad_summary_in_one_line(tmp_path: Path, content: str) -> None:
    (tmp_path / "summary.json").write_text(content, encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "verdict", "board", "--reports", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert run.returncode == 2, run.stderr
    assert run.stderr.startswith("erreur : ") and "Traceback" not in run.stderr
    assert len(run.stderr.splitlines()) == 1
    assert not (tmp_path / "nights.jsonl").exists()


@pytest.mark.parametrize(
    "how", [{"status": "interrompu", "interrupted": True}, {"status": "en cours"}]
)
def test_board_marks_a_night_cut_short(tmp_path: Path, how: dict) -> None:
    summary = write_night(0, tmp_path)
    data = {**json.loads(summary.read_text(encoding="utf-8")), **how}
    summary.write_text(json.dumps(data), encoding="utf-8")
    assert main(["board", "--reports", str(tmp_path), "--no-alerts"]) == 0
    assert read_nights(tmp_path / "nights.jsonl")[0].interrupted
    page = (tmp_path / "board.html").read_text(encoding="utf-8")
    assert "(interrompue)" in page and 'class="nuit interrompue"' in page


def test_board_shows_the_last_nights_as_columns_and_since_when_from_all(
    académie: Path, tmp_path: Path
) -> None:
    output = tmp_path / "board.html"
    history = académie / "nights.jsonl"
    reports = académie / f"night-{NIGHTS - 1}"
    where = ["--reports", str(reports), "--history", str(history), "--output", str(output)]
    status = main(["board", *where, "--nights", "2", "--no-alerts"])
    assert status == 0
    page = output.read_text(encoding="utf-8")
    assert page.count('<th class="nuit') == 2 and "(les 2 dernières en colonnes)" in page
    # uai(0) broke on the first night, out of the columns: still said.
    row = page.split(f'data-uai="{uai(0)}"', 1)[1].split("</tr>", 1)[0]
    assert f'<td class="depuis">{night_day(night_start(0))}</td>' in row
    assert row.count('class="nuit ') == 2
    # Links made relative to where the page is.
    assert f'href="{os.path.relpath(reports, tmp_path)}/allure-report/index.html"' in row


@pytest.mark.parametrize(
    ("states", "expected"),
    [
        (["passed", "non_verifie", "non_verifie"], ("non_concluant", 0, 2)),
        (["failed", "non_verifie", "passed"], ("panne", 1, 1)),
    ],
    ids=["non-verifies-seuls", "un-echec-et-un-non-verifie"],
)
def test_board_counts_accounts_not_verified_apart_from_failures(
    states: list[str], expected: tuple[str, int, int]
) -> None:
    outcomes = {"passed": "passed", "failed": "failed", "non_verifie": "skipped"}
    results = [
        {
            "target": "0310001A Collège",
            "account": f"compte.{n}",
            "outcome": outcomes[state],
            "state": state,
            "diagnosis": None if state == "passed" else "PN-ENT-COMPTE-VERROUILLE",
        }
        for n, state in enumerate(states)
    ]
    night = night_from_summary({"started_at": "2026-08-27T02:00:00+02:00", "results": results})
    (establishment,) = night.establishments
    assert (establishment.state, establishment.failed, establishment.skipped) == expected
