"""The identifiers file inside the e2e run: audited into the report, accounts looked up in it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from lab.client import LabClient, running_lab
from tests.test_verifier_e2e import run_e2e


@pytest.fixture(scope="module")
def ids_lab() -> Iterator[LabClient]:
    with running_lab() as client:
        yield client


def test_identifiers_file_audited_and_accounts_found(ids_lab: LabClient, tmp_path: Path) -> None:
    ids_lab.reset()
    export = tmp_path / "identifiants.txt"
    export.write_bytes(ids_lab.export_identifiers())
    chosen = ids_lab.accounts[:2]
    run, summary = run_e2e(
        ids_lab,
        tmp_path / "out",
        chosen,
        "-k",
        "first_connection or identifiers",
        env_extra={"VERIFIER_IDENTIFIERS_FILE": str(export)},
    )
    assert run.returncode == 0, run.stdout[-3000:]
    assert [s["outcome"] for s in summary] == ["passed", "passed"]
    results = [
        json.loads(p.read_text(encoding="utf-8"))
        for p in (tmp_path / "out" / "allure-results").glob("*-result.json")
    ]
    audit = next(r for r in results if r["name"] == "Audit du fichier des identifiants PRONOTE")
    assert audit["status"] == "passed"
    assert {a["name"] for a in audit["attachments"]} == {"Audit", "Audit (JSON)"}


def test_identifiers_file_missing_account_is_diagnosed(ids_lab: LabClient, tmp_path: Path) -> None:
    ids_lab.reset()
    missing = ids_lab.accounts[1]
    lines = ids_lab.export_identifiers().decode("cp1252").split("\r\n")
    surname = missing.display_name.split()[-1]
    kept = [line for line in lines if not line.upper().startswith(surname.upper() + " ")]
    assert len(kept) == len(lines) - 1
    export = tmp_path / "identifiants.txt"
    export.write_bytes("\r\n".join(kept).encode("cp1252"))
    run, summary = run_e2e(
        ids_lab,
        tmp_path / "out",
        ids_lab.accounts[:2],
        "-k",
        "first_connection",
        env_extra={"VERIFIER_IDENTIFIERS_FILE": str(export)},
    )
    assert run.returncode == 1
    by_login = {s["account"]: s for s in summary}
    assert by_login[missing.login]["diagnosis"] == "PN-COMPTE-ABSENT-FICHIER"
    assert by_login[ids_lab.accounts[0].login]["outcome"] == "passed"


def test_identifiers_file_not_an_export_stops_the_run(ids_lab: LabClient, tmp_path: Path) -> None:
    bad = tmp_path / "eleves.csv"
    bad.write_text("Nom;Prénom;Classe\nMARTIN;Léa;3A\n", encoding="utf-8")
    run, summary = run_e2e(
        ids_lab,
        tmp_path / "out",
        ids_lab.accounts[:1],
        env_extra={"VERIFIER_IDENTIFIERS_FILE": str(bad)},
    )
    assert run.returncode == 4
    assert "VERIFIER_IDENTIFIERS_FILE" in run.stderr and "Ligne 1" in run.stderr
    assert "Traceback" not in run.stderr
    assert summary == []
