"""The fault matrix: the real browser checks (`pytest e2e/`) against the lab with each fault,
alone and in pairs, under both of the lab's wordings. Every fault is named by its exact
diagnosis code, the same whatever the words; none ever passes, except the slow and flaky
network, which pass with their warning. Journeys run concurrently (VERIFIER_CONCURRENCY),
and several per-user faults at once prove there is no cross-talk between them."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from lab.client import LabAccount, LabClient, running_lab
from lab.state import FAULTS
from tests.fault_oracle import FAULT_CODES
from tests.test_verifier_e2e import run_e2e
from verdict.judge import CATALOGUE

WARNING_FAULTS = {"slow_network", "flaky_network", "ent_login_moved"}
# Faults the preflight already proves: the journeys are not run, the accounts are "non
# vérifié" (skipped) with the fault's code, and the run is not green.
NOT_TRIED_FAULTS = {"ent_maintenance_503"}


EDUCONNECT_FAULTS = {f for f in FAULTS if f.startswith(("educonnect_", "saml_", "wayf_"))}


@pytest.fixture(scope="module", params=["default", "alt"])
def matrix_lab(request: pytest.FixtureRequest) -> Iterator[LabClient]:
    with running_lab(wording=request.param) as client:
        yield client


def accounts_for(lab: LabClient, fault: str) -> tuple[list[LabAccount], LabAccount]:
    """A first account of the fault's route, then the account the fault hits (the same one
    for faults that hit everybody on that route)."""
    route = "educonnect" if fault in EDUCONNECT_FAULTS else "local"
    on_route = [a for a in lab.accounts if a.route == route]
    affected_login = lab.affected(fault)
    affected = next((a for a in on_route if a.login == affected_login), on_route[0])
    first = next((a for a in on_route if a is not affected), affected)
    return ([first, affected] if affected is not first else [first]), affected


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_fault_matrix_names_each_fault(matrix_lab: LabClient, tmp_path: Path, fault: str) -> None:
    names_the_fault(matrix_lab, tmp_path, fault)


def names_the_fault(
    matrix_lab: LabClient, tmp_path: Path, fault: str, code: str | None = None
) -> None:
    """The fault matrix's check of one *fault* on one lab (any family, any wording): it must
    be named *code* (the oracle's, unless the family makes it another)."""
    # Given the lab with this fault alone
    matrix_lab.set_faults([fault])
    chosen, affected = accounts_for(matrix_lab, fault)
    # When the real checks run against it
    run, summary = run_e2e(matrix_lab, tmp_path, chosen, "-k", "first_connection")
    by_login = {entry["account"]: entry for entry in summary}
    entry = by_login[affected.login]
    code = code or FAULT_CODES[fault]
    # Then the affected account carries the exact code, and nothing passes unless it may
    if fault in WARNING_FAULTS:
        assert run.returncode == 0, run.stdout[-3000:]
        assert entry["outcome"] == "passed"
        assert code in entry["warnings"], entry
        if fault == "ent_login_moved":
            # The new host is named, so the catalogue and the settings can be updated.
            assert matrix_lab.info["login_moved_to"] in entry["details"], entry
            assert entry["cas_user"] == affected.uid, entry
    else:
        assert run.returncode == 1, run.stdout[-3000:]
        expected = "skipped" if fault in NOT_TRIED_FAULTS else "failed"
        assert entry["outcome"] == expected, entry  # zero false passes
        assert entry["diagnosis"] == code, (entry, run.stdout[-2000:])
        if fault not in NOT_TRIED_FAULTS:
            assert f"[{code}]" in run.stdout
            assert CATALOGUE[code].step in run.stdout  # the message points at the procedure
    if affected is not chosen[0] and fault not in WARNING_FAULTS and lab_hits_one(fault):
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


# Faults of the rentrée (issue 23) the HTTP probe must name as the browser does.
PROBE_FAULTS = (
    "ent_login_moved",
    "saml_return_bad_gateway",
    "educonnect_error_after_password",
    "pronote_server_error",
    "pronote_bad_gateway",
)


@pytest.mark.parametrize("fault", PROBE_FAULTS)
def test_fault_matrix_probe_names_each_fault_as_the_browser(
    matrix_lab: LabClient, tmp_path: Path, fault: str
) -> None:
    # Given the lab with this fault alone, an account of the other login route beside
    matrix_lab.set_faults([fault])
    chosen, affected = accounts_for(matrix_lab, fault)
    other_route = next(a for a in matrix_lab.accounts if a.route != affected.route)
    # When the HTTP probe runs (VERIFIER_MODE=probe)
    run, summary = run_e2e(
        matrix_lab,
        tmp_path,
        [*chosen, other_route],
        "-k",
        "first_connection",
        env_extra={"VERIFIER_MODE": "probe"},
    )
    by_login = {entry["account"]: entry for entry in summary}
    code = FAULT_CODES[fault]
    assert {entry["mode"] for entry in summary} == {"probe"}
    entry, other = by_login[affected.login], by_login[other_route.login]
    # Then it names the fault with the browser's code
    if fault in WARNING_FAULTS:
        assert run.returncode == 0, run.stdout[-3000:]
        for each in (entry, other):  # either login route follows the move
            assert each["outcome"] == "passed", each
            assert code in each["warnings"], each
            assert matrix_lab.info["login_moved_to"] in each["details"], each
        return
    assert run.returncode == 1, run.stdout[-3000:]
    assert (entry["outcome"], entry["diagnosis"]) == ("failed", code), entry
    # A fault of ÉduConnect's route spares the local accounts; PRONOTE's fails everyone.
    spared = fault in EDUCONNECT_FAULTS
    assert (other["outcome"], other["diagnosis"]) == (
        ("passed", None) if spared else ("failed", code)
    ), other


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


def lab_hits_one(fault: str) -> bool:
    """Faults that hit one account (per-user), not every account of a route."""
    return fault in {
        "user_missing_from_import",
        "user_unknown_to_pronote",
        "educonnect_identity_unmapped",
        "educonnect_identity_check",
        "pronote_too_many_errors",
        "space_access_denied",
    }


def test_fault_matrix_concurrent_accounts_keep_their_own_identity_and_diagnosis(
    tmp_path: Path,
) -> None:
    # Given three per-user faults at once, each hitting another account
    faults = ["user_missing_from_import", "user_unknown_to_pronote", "educonnect_identity_unmapped"]
    with running_lab(faults=faults) as lab:
        hit = {lab.affected(f): FAULT_CODES[f] for f in faults}
        uids = {a.login: a.uid for a in lab.accounts}
        # When every account is checked at once, eight journeys at a time in one browser
        run, summary = run_e2e(
            lab,
            tmp_path,
            lab.accounts,
            "-k",
            "first_connection",
            env_extra={"VERIFIER_CONCURRENCY": "8"},
        )
    assert run.returncode == 1, run.stdout[-3000:]
    assert len(summary) == len(lab.accounts) >= 8
    for entry in summary:
        if entry["account"] in hit:
            # Then each hit account carries its own cause
            assert (entry["outcome"], entry["diagnosis"]) == ("failed", hit[entry["account"]]), (
                entry
            )
        else:
            # And every other one passes with its own Identifiant CAS (its ENT uid)
            assert entry["outcome"] == "passed", entry
            assert entry["cas_user"] == uids[entry["account"]], entry


# The faults whose diagnosis rests on the other accounts of the run (who got the identifier,
# who entered with it, whose ÉduConnect return the ENT accepted).
CROSS_ACCOUNT_FAULTS = (
    "identifiers_not_imported",
    "user_missing_from_import",
    "identifier_management_off",
    "user_unknown_to_pronote",
    "educonnect_identity_unmapped",
)
# Runs per concurrency: 2 in `make test`; `make test-order` runs 5.
RUNS = int(os.environ.get("FAULT_MATRIX_RUNS", "2"))


@pytest.fixture(scope="module")
def order_lab() -> Iterator[LabClient]:
    with running_lab() as client:
        yield client


@pytest.mark.parametrize("fault", CROSS_ACCOUNT_FAULTS)
def test_fault_matrix_every_run_gives_every_account_the_same_verdict(
    order_lab: LabClient, tmp_path: Path, fault: str
) -> None:
    # Given a fault whose diagnosis uses what the other accounts got
    order_lab.set_faults([fault])
    affected = order_lab.affected(fault)
    verdicts = {}
    # When every account is checked again and again, one journey at a time and sixteen at once
    for concurrency in ("1", "16"):
        for n in range(RUNS):
            out = tmp_path / f"c{concurrency}-{n}"
            _, summary = run_e2e(
                order_lab,
                out,
                order_lab.accounts,
                "-k",
                "first_connection",
                env_extra={"VERIFIER_CONCURRENCY": concurrency},
            )
            verdicts[out.name] = {
                e["account"]: (e["outcome"], e["diagnosis"], e["alternatives"]) for e in summary
            }
    # Then every run gives every account the same code and the same other causes
    first = next(iter(verdicts.values()))
    assert len(first) == len(order_lab.accounts)
    for run, seen in verdicts.items():
        assert seen == first, (run, seen, first)
    # and the fault's code is the one every failing account carries (the one it hits, at least)
    codes = {login: code for login, (_, code, _) in first.items()}
    assert affected is None or codes[affected] == FAULT_CODES[fault], first
    assert {code for code in codes.values() if code} == {FAULT_CODES[fault]}, first
