"""The rentrée's faults (issue 23: the ENT in maintenance, a locked account, a captcha, a login
that moved, a 5xx at each step, PRONOTE's own refusals) in every ENT login family the lab
stages, not only Kosmos: each must be named by its own code, with zero false passes, whatever
route led to the CAS. The same check as the Kosmos fault matrix (`names_the_fault`).

`make test` runs the default wording (the families' alternative wording is proven for a
correct set-up by tests/test_login_families.py); `make test-families` runs both.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from lab.client import LabClient, running_lab
from lab.families import FAMILIES
from tests.test_fault_matrix import EDUCONNECT_FAULTS, names_the_fault

# Kosmos is the fault matrix's own family (tests/test_fault_matrix.py).
OTHER_FAMILIES = sorted(set(FAMILIES) - {"kosmos"})
WORDINGS = os.environ.get("FAMILY_MATRIX_WORDINGS", "default").split(",")
RENTREE_FAULTS = (
    "ent_maintenance",
    "ent_maintenance_503",
    "cas_account_locked",
    "cas_captcha",
    "ent_login_bad_gateway",
    "ent_login_moved",
    "educonnect_new_step",
    "saml_return_bad_gateway",
    "educonnect_error_after_password",
    "pronote_ip_suspended",
    "pronote_too_many_errors",
    "space_access_denied",
    "pronote_second_factor",
    "pronote_server_error",
)


# Where the ENT is its own CAS (Open ENT NG, Edifice), the login POST's 502 is the ENT's.
OWN_CAS_CODES = {"ent_login_bad_gateway": "PN-ENT-INJOIGNABLE"}


@pytest.fixture(
    scope="module",
    params=[(f, w) for f in OTHER_FAMILIES for w in WORDINGS],
    ids=lambda p: "-".join(p),
)
def family_lab(request: pytest.FixtureRequest) -> Iterator[LabClient]:
    family, wording = request.param
    with running_lab(
        ent_family=family, wording=wording, per_profile=1, educonnect_per_profile=1
    ) as lab:
        yield lab


@pytest.mark.parametrize("fault", RENTREE_FAULTS)
def test_each_rentree_fault_gets_its_code_in_every_family(
    family_lab: LabClient, tmp_path: Path, fault: str
) -> None:
    if fault in EDUCONNECT_FAULTS and not FAMILIES[family_lab.info["ent_family"]].educonnect:
        pytest.skip("this family has no ÉduConnect route (Atrium Sud: local accounts only)")
    family = FAMILIES[family_lab.info["ent_family"]]
    names_the_fault(
        family_lab, tmp_path, fault, None if family.own_cas_host else OWN_CAS_CODES.get(fault)
    )
