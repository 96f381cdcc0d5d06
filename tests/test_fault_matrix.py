"""The fault matrix: the real browser checks (`pytest e2e/`) against the lab with each fault,
alone and in pairs. Every fault is named by its exact diagnosis code; none ever passes,
except the slow and flaky network, which pass with their warning."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from lab.client import LabAccount, LabClient, running_lab
from lab.state import FAULTS
from tests.fault_oracle import FAULT_CODES
from tests.test_verifier_e2e import run_e2e
from verdict.diagnoses import CATALOGUE

WARNING_FAULTS = {"slow_network", "flaky_network"}


@pytest.fixture(scope="module")
def matrix_lab() -> Iterator[LabClient]:
    with running_lab() as client:
        yield client


def accounts_for(lab: LabClient, fault: str) -> tuple[list[LabAccount], LabAccount]:
    """A first élève, then the account the fault hits (the same one for global faults)."""
    first = lab.accounts[0]
    affected_login = lab.affected(fault)
    affected = next((a for a in lab.accounts if a.login == affected_login), first)
    return ([first, affected] if affected is not first else [first]), affected


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_fault_matrix_names_each_fault(matrix_lab: LabClient, tmp_path: Path, fault: str) -> None:
    # Given the lab with this fault alone
    matrix_lab.set_faults([fault])
    chosen, affected = accounts_for(matrix_lab, fault)
    # When the real checks run against it
    run, summary = run_e2e(matrix_lab, tmp_path, chosen, "-k", "first_connection")
    by_login = {entry["account"]: entry for entry in summary}
    entry = by_login[affected.login]
    code = FAULT_CODES[fault]
    # Then the affected account carries the exact code, and nothing passes unless it may
    if fault in WARNING_FAULTS:
        assert run.returncode == 0, run.stdout[-3000:]
        assert entry["outcome"] == "passed"
        assert code in entry["warnings"], entry
    else:
        assert run.returncode == 1, run.stdout[-3000:]
        assert entry["outcome"] == "failed", entry  # zero false passes
        assert entry["diagnosis"] == code, (entry, run.stdout[-2000:])
        assert f"[{code}]" in run.stdout
        assert CATALOGUE[code].step in run.stdout  # the message points at the procedure
    if affected is not chosen[0] and fault not in WARNING_FAULTS:
        # Per-user faults hit one account only: the other one still passes.
        assert by_login[chosen[0].login]["outcome"] == "passed"
    # The code is also an Allure label of the failing result.
    labels = [
        label
        for result in (tmp_path / "allure-results").glob("*-result.json")
        for label in json.loads(result.read_text(encoding="utf-8")).get("labels", [])
    ]
    if fault not in WARNING_FAULTS:
        assert {"name": "diagnosis", "value": code} in labels


@pytest.mark.parametrize(
    ("faults", "expected"),
    [
        pytest.param(
            ["not_published", "wrong_cas_url"], "PN-SITE-INDISPONIBLE", id="unpublished+cas-url"
        ),
        pytest.param(
            ["flaky_network", "identifiers_not_imported"],
            "PN-IDENTIFIANTS-NON-IMPORTES",
            id="flaky+not-imported",
        ),
        pytest.param(
            ["shortcut_missing", "identifier_management_off"],
            "PN-RACCOURCI-ABSENT",
            id="no-shortcut+management-off",
        ),
    ],
)
def test_fault_matrix_pairs_name_the_first_blocking_cause(
    matrix_lab: LabClient, tmp_path: Path, faults: list[str], expected: str
) -> None:
    matrix_lab.set_faults(faults)
    run, summary = run_e2e(matrix_lab, tmp_path, [matrix_lab.accounts[0]], "-k", "first_connection")
    assert run.returncode == 1, run.stdout[-3000:]
    assert [entry["diagnosis"] for entry in summary] == [expected]
    assert all(entry["outcome"] == "failed" for entry in summary)
