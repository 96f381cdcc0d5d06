"""Audit an identifiers file (invalid and duplicate codes, linked users), compare two."""

from __future__ import annotations

import re
from dataclasses import dataclass

from audit.parse import (
    PROFILES,
    PRONOTE_ID_LENGTH,
    IdentifiersFile,
    Problem,
    Row,
)

_CODE_RE = re.compile(rf"[A-Z0-9]{{{PRONOTE_ID_LENGTH}}}")
_ALLOWED_CODE_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")


def code_defects(code: str) -> list[str]:
    """What is wrong with a PRONOTE identifier code, in French; empty when valid."""
    if _CODE_RE.fullmatch(code):
        return []
    defects = []
    if len(code) != PRONOTE_ID_LENGTH:
        defects.append(f"{len(code)} caractères au lieu de {PRONOTE_ID_LENGTH}")
    bad = sorted({c for c in code if c not in _ALLOWED_CODE_CHARS})
    if bad:
        lower = [c for c in bad if c.islower()]
        other = [c for c in bad if not c.islower()]
        if lower:
            defects.append("minuscules")
        if other:
            shown = " ".join(f"« {c} »" for c in other)
            defects.append(f"caractères non autorisés {shown} (attendu A-Z et 0-9)")
    return defects


@dataclass(frozen=True)
class CodeIssue:
    row: Row
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Duplicate:
    code: str
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class ProfileCounts:
    profile: str
    users: int
    invalid_codes: int
    duplicate_rows: int
    linked: int
    unlinked: int


@dataclass(frozen=True)
class Audit:
    source: str
    encoding: str
    delimiter: str
    sections: int
    profiles: tuple[ProfileCounts, ...]
    totals: ProfileCounts
    invalid_codes: tuple[CodeIssue, ...]
    duplicates: tuple[Duplicate, ...]
    problems: tuple[Problem, ...]


def profile_order(profile: str) -> int:
    return PROFILES.index(profile) if profile in PROFILES else len(PROFILES)


def audit(f: IdentifiersFile) -> Audit:
    """Count users, invalid and duplicate codes, linked and unlinked users per profile."""
    by_code: dict[str, list[Row]] = {}
    invalid: list[CodeIssue] = []
    counts: dict[str, dict[str, int]] = {}
    for row in f.rows():
        by_code.setdefault(row.pronote_id, []).append(row)
        c = counts.setdefault(row.profile, {"users": 0, "invalid": 0, "dup": 0, "linked": 0})
        c["users"] += 1
        if row.cas_id:
            c["linked"] += 1
        defects = code_defects(row.pronote_id)
        if defects:
            c["invalid"] += 1
            invalid.append(CodeIssue(row, tuple(defects)))
    duplicates = tuple(
        Duplicate(code, tuple(rows)) for code, rows in by_code.items() if len(rows) > 1
    )
    for dup in duplicates:
        for row in dup.rows:
            counts[row.profile]["dup"] += 1

    profiles = tuple(
        ProfileCounts(p, c["users"], c["invalid"], c["dup"], c["linked"], c["users"] - c["linked"])
        for p, c in sorted(counts.items(), key=lambda item: profile_order(item[0]))
    )
    totals = ProfileCounts(
        "Total",
        sum(p.users for p in profiles),
        sum(p.invalid_codes for p in profiles),
        sum(p.duplicate_rows for p in profiles),
        sum(p.linked for p in profiles),
        sum(p.unlinked for p in profiles),
    )
    return Audit(
        source=f.source,
        encoding=f.encoding,
        delimiter=f.delimiter,
        sections=len(f.sections),
        profiles=profiles,
        totals=totals,
        invalid_codes=tuple(invalid),
        duplicates=duplicates,
        problems=tuple(f.problems),
    )


# --------------------------------------------------------------------------- compare


@dataclass(frozen=True)
class CasChange:
    """A code whose Identifiant CAS differs between the two exports."""

    profile: str
    name: str
    pronote_id: str
    old_cas_id: str
    new_cas_id: str
    old_line: int
    new_line: int


@dataclass(frozen=True)
class Comparison:
    old_source: str
    new_source: str
    generated: tuple[CasChange, ...]
    changed: tuple[CasChange, ...]
    unlinked: tuple[Row, ...]
    appeared: tuple[Row, ...]
    disappeared: tuple[Row, ...]


def _first_by_code(f: IdentifiersFile) -> dict[str, Row]:
    # A duplicated code is the audit's business; compare follows its first row.
    by_code: dict[str, Row] = {}
    for row in f.rows():
        by_code.setdefault(row.pronote_id, row)
    return by_code


def compare(old: IdentifiersFile, new: IdentifiersFile) -> Comparison:
    """What changed between two exports: CAS identifiers generated, codes added or gone."""
    old_rows = _first_by_code(old)
    new_rows = _first_by_code(new)
    generated: list[CasChange] = []
    changed: list[CasChange] = []
    for code, after in new_rows.items():
        before = old_rows.get(code)
        if before is None or before.cas_id == after.cas_id:
            continue
        change = CasChange(
            profile=after.profile,
            name=after.name or before.name,
            pronote_id=code,
            old_cas_id=before.cas_id,
            new_cas_id=after.cas_id,
            old_line=before.line_no,
            new_line=after.line_no,
        )
        (generated if not before.cas_id else changed).append(change)
    return Comparison(
        old_source=old.source,
        new_source=new.source,
        generated=tuple(generated),
        changed=tuple(changed),
        unlinked=tuple(r for r in new.rows() if not r.cas_id),
        appeared=tuple(r for c, r in new_rows.items() if c not in old_rows),
        disappeared=tuple(r for c, r in old_rows.items() if c not in new_rows),
    )
