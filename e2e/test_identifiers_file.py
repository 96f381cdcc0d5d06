"""PRONOTE's identifiers export (procedure V), when VERIFIER_IDENTIFIERS_FILE names it."""

from __future__ import annotations

import json

import allure
import pytest

from audit import IdentifiersFile, audit, audit_to_dict, format_audit


def test_identifiers_file_audit(identifiers_file: IdentifiersFile | None) -> None:
    allure.dynamic.title("Audit du fichier des identifiants PRONOTE")
    allure.dynamic.parent_suite("Fichier des identifiants PRONOTE")
    if identifiers_file is None:
        pytest.skip("VERIFIER_IDENTIFIERS_FILE non configuré")
    result = audit(identifiers_file)
    allure.attach(format_audit(result), name="Audit", attachment_type=allure.attachment_type.TEXT)
    allure.attach(
        json.dumps(audit_to_dict(result), ensure_ascii=False, indent=2),
        name="Audit (JSON)",
        attachment_type=allure.attachment_type.JSON,
    )
    problems = len(result.invalid_codes) + len(result.duplicates)
    assert problems == 0, (
        f"Le fichier des identifiants contient {len(result.invalid_codes)} code(s) invalide(s) et "
        f"{len(result.duplicates)} doublon(s) : ces utilisateurs se verront demander leur "
        "identifiant PRONOTE ENT (procédure V). Détails dans l'audit joint."
    )
