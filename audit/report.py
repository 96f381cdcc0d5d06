"""The audit and the comparison for people (French text) and for scripts (JSON)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from audit.audit import (
    Audit,
    CasChange,
    Comparison,
    ProfileCounts,
    profile_order,
)
from audit.parse import Problem, Row

_DELIMITER_NAMES = {"\t": "tabulation", ";": "point-virgule"}


def _table(headings: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    cells = [[str(v) for v in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(headings)]

    def line(values: Sequence[str]) -> str:
        # First column (profile) to the left, counts to the right.
        parts = [values[0].ljust(widths[0])]
        parts += [v.rjust(w) for v, w in zip(values[1:], widths[1:], strict=True)]
        return " | ".join(parts).rstrip()

    return [
        line([h.ljust(w) for h, w in zip(headings, widths, strict=True)]),
        "-+-".join("-" * w for w in widths),
        *(line(r) for r in cells),
    ]


def _who(row: Row) -> str:
    return f"{row.profile}, {row.name or '(sans nom)'}"


def _capped(title: str, items: Sequence[str], limit: int | None) -> list[str]:
    if not items:
        return []
    shown = items if limit is None else items[:limit]
    out = ["", f"{title} ({len(items)}) :", *(f"  {item}" for item in shown)]
    if len(shown) < len(items):
        out.append(f"  … et {len(items) - len(shown)} autres (liste complète avec --json)")
    return out


AUDIT_HEADINGS = (
    "Profil",
    "Utilisateurs",
    "Codes invalides",
    "Doublons",
    "Liés (Id. CAS)",
    "Non liés",
)


def format_audit(a: Audit, *, max_details: int | None = 50) -> str:
    """A readable report: a per-profile table, then the lines behind each problem."""
    delimiter = _DELIMITER_NAMES.get(a.delimiter, repr(a.delimiter))
    rows = [
        (p.profile, p.users, p.invalid_codes, p.duplicate_rows, p.linked, p.unlinked)
        for p in (*a.profiles, a.totals)
    ]
    out = [
        f"Fichier des identifiants PRONOTE : {a.source}",
        f"Encodage : {a.encoding} ; séparateur : {delimiter} ; sections : {a.sections}",
        "",
        *_table(AUDIT_HEADINGS, rows),
    ]
    invalid = [
        f"ligne {i.row.line_no} ({_who(i.row)}) : « {i.row.pronote_id} » : {' ; '.join(i.reasons)}"
        for i in a.invalid_codes
    ]
    dups = [
        f"« {d.code} » : lignes " + ", ".join(f"{r.line_no} ({_who(r)})" for r in d.rows)
        for d in a.duplicates
    ]
    out += _capped("Codes invalides", invalid, max_details)
    out += _capped("Codes en double", dups, max_details)
    out += _capped("Lignes endommagées", [p.message for p in a.problems], max_details)
    if not (invalid or dups or a.problems):
        out += ["", "Aucun code invalide, aucun doublon, aucune ligne endommagée."]
    return "\n".join(out) + "\n"


COMPARISON_HEADINGS = (
    "Profil",
    "Id. CAS générés",
    "Id. CAS modifiés",
    "Non liés (nouveau)",
    "Codes apparus",
    "Codes disparus",
)


def _comparison_counts(c: Comparison) -> list[list[str | int]]:
    """Rows of [profile, generated, changed, unlinked, appeared, disappeared], then totals."""
    groups: tuple[Sequence[CasChange | Row], ...] = (
        c.generated,
        c.changed,
        c.unlinked,
        c.appeared,
        c.disappeared,
    )
    profiles = sorted({item.profile for g in groups for item in g}, key=profile_order)
    rows: list[list[str | int]] = [
        [p, *(sum(1 for item in g if item.profile == p) for g in groups)] for p in profiles
    ]
    rows.append(["Total", *(len(g) for g in groups)])
    return rows


def format_comparison(c: Comparison, *, max_details: int | None = 50) -> str:
    """A readable report of what changed between two exports."""

    def change(ch: CasChange) -> str:
        old = ch.old_cas_id or "(vide)"
        new = ch.new_cas_id or "(vide)"
        return (
            f"ligne {ch.new_line} ({ch.profile}, {ch.name or '(sans nom)'}) : "
            f"« {ch.pronote_id} » : {old} -> {new}"
        )

    def row(r: Row) -> str:
        cas = f" : Id. CAS {r.cas_id}" if r.cas_id else ""
        return f"ligne {r.line_no} ({_who(r)}) : « {r.pronote_id} »{cas}"

    out = [
        f"Ancien fichier : {c.old_source}",
        f"Nouveau fichier : {c.new_source}",
        "",
        *_table(COMPARISON_HEADINGS, _comparison_counts(c)),
    ]
    generated = [change(x) for x in c.generated]
    out += _capped("Id. CAS générés depuis l'ancien fichier", generated, max_details)
    out += _capped("Id. CAS modifiés ou effacés", [change(x) for x in c.changed], max_details)
    out += _capped("Codes apparus (nouveau fichier)", [row(r) for r in c.appeared], max_details)
    disappeared = [row(r) for r in c.disappeared]
    out += _capped("Codes disparus (ancien fichier)", disappeared, max_details)
    out += _capped("Non liés dans le nouveau fichier", [row(r) for r in c.unlinked], max_details)
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------- JSON


def _row_dict(r: Row) -> dict[str, Any]:
    return {
        "line": r.line_no,
        "profile": r.profile,
        "name": r.name,
        "pronote_id": r.pronote_id,
        "cas_id": r.cas_id,
    }


def _counts_dict(p: ProfileCounts) -> dict[str, Any]:
    return {
        "profile": p.profile,
        "users": p.users,
        "invalid_codes": p.invalid_codes,
        "duplicate_rows": p.duplicate_rows,
        "linked": p.linked,
        "unlinked": p.unlinked,
    }


def _problem_dict(p: Problem) -> dict[str, Any]:
    return {"line": p.line, "code": p.code, "message": p.message}


def audit_to_dict(a: Audit) -> dict[str, Any]:
    """The audit as plain JSON-ready data (every detail, no cap)."""
    return {
        "source": a.source,
        "encoding": a.encoding,
        "delimiter": a.delimiter,
        "sections": a.sections,
        "profiles": [_counts_dict(p) for p in a.profiles],
        "totals": _counts_dict(a.totals),
        "invalid_codes": [
            {**_row_dict(i.row), "reasons": list(i.reasons)} for i in a.invalid_codes
        ],
        "duplicates": [
            {"pronote_id": d.code, "rows": [_row_dict(r) for r in d.rows]} for d in a.duplicates
        ],
        "problems": [_problem_dict(p) for p in a.problems],
    }


def _change_dict(ch: CasChange) -> dict[str, Any]:
    return {
        "profile": ch.profile,
        "name": ch.name,
        "pronote_id": ch.pronote_id,
        "old_cas_id": ch.old_cas_id,
        "new_cas_id": ch.new_cas_id,
        "old_line": ch.old_line,
        "new_line": ch.new_line,
    }


def comparison_to_dict(c: Comparison) -> dict[str, Any]:
    """The comparison as plain JSON-ready data (every detail, no cap)."""
    counts = _comparison_counts(c)
    keys = ("generated", "changed", "unlinked", "appeared", "disappeared")
    return {
        "old_source": c.old_source,
        "new_source": c.new_source,
        "profiles": [{"profile": r[0], **dict(zip(keys, r[1:], strict=True))} for r in counts[:-1]],
        "totals": dict(zip(keys, counts[-1][1:], strict=True)),
        "generated": [_change_dict(x) for x in c.generated],
        "changed": [_change_dict(x) for x in c.changed],
        "unlinked": [_row_dict(r) for r in c.unlinked],
        "appeared": [_row_dict(r) for r in c.appeared],
        "disappeared": [_row_dict(r) for r in c.disappeared],
    }
