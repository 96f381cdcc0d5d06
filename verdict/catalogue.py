"""The causes a check can name: stable codes, French texts, the procedure step to revisit.

The texts live in `catalogue.toml` (data, read by school staff in reports); this module
loads them once. Codes are a public contract: reports, Allure categories and scripts
match on them.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields
from pathlib import Path

CATALOGUE_FILE = Path(__file__).with_name("catalogue.toml")


@dataclass(frozen=True)
class Diagnosis:
    """One named cause, in the words of the school staff who will fix it."""

    code: str  # stable: reports, Allure categories and scripts match on it
    title: str
    explanation: str  # what the user sees, and why
    fix: str  # what to do
    step: str  # where in the set-up procedure (seed) to look
    evidence: str  # what the verifier rests this diagnosis on
    warning: bool = False  # a warning never fails a check


def load_catalogue(path: Path = CATALOGUE_FILE) -> dict[str, Diagnosis]:
    """Every diagnosis of *path*, by code, in file order."""
    names = {f.name for f in fields(Diagnosis)}
    entries = tomllib.loads(path.read_text(encoding="utf-8"))["diagnosis"]
    catalogue: dict[str, Diagnosis] = {}
    for entry in entries:
        unknown = set(entry) - names
        if unknown:
            raise ValueError(f"{path}: {entry.get('code')}: unknown keys {sorted(unknown)}")
        if entry["code"] in catalogue:
            raise ValueError(f"{path}: {entry['code']} is listed twice")
        catalogue[entry["code"]] = Diagnosis(**entry)
    return catalogue


CATALOGUE: dict[str, Diagnosis] = load_catalogue()
