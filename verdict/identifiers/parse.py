"""Read and audit "le fichier des identifiants PRONOTE".

PRONOTE Client exports, per profile section, one row per user with the
16-character "Identifiant PRONOTE" code and the "Identifiant CAS" that PRONOTE
fills on the user's first connection through the ENT. The ENT imports this file;
an invalid or duplicated code, or a user never linked, is what makes PRONOTE ask
for an identifier again. This module reads the file as it is found in the field
(tab or semicolon, UTF-8 with or without BOM, Windows-1252, damaged lines) and
says what is wrong with it, in French, with line numbers.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

PRONOTE_ID_COLUMN = "Identifiant PRONOTE"
CAS_ID_COLUMN = "Identifiant CAS"
PRONOTE_ID_LENGTH = 16

PROFILE_STUDENTS = "Élèves"
PROFILE_PARENTS = "Responsables"
PROFILE_TEACHERS = "Professeurs"
PROFILE_STAFF = "Personnels"
PROFILE_UNKNOWN = "inconnu"
# The order in which reports list profiles.
PROFILES = (PROFILE_STUDENTS, PROFILE_PARENTS, PROFILE_TEACHERS, PROFILE_STAFF, PROFILE_UNKNOWN)

# Stable codes of IdentifiersFileError.
ERROR_EMPTY = "empty"
ERROR_BINARY = "binary"
ERROR_NOT_AN_EXPORT = "not_an_export"
ERROR_UNKNOWN_COLUMNS = "unknown_columns"
ERROR_UNKNOWN_DELIMITER = "unknown_delimiter"

# Stable codes of Problem (damaged lines, reported but not fatal).
PROBLEM_PROFILE_TRUNCATED = "profile_truncated"
PROBLEM_PROFILE_UNKNOWN = "profile_unknown"
PROBLEM_ROW_OUTSIDE_SECTION = "row_outside_section"
PROBLEM_ROW_WITHOUT_CODE = "row_without_code"
PROBLEM_ROW_TOO_MANY_CELLS = "row_too_many_cells"
PROBLEM_ROW_UNREADABLE = "row_unreadable"

_CODE_RE = re.compile(rf"[A-Z0-9]{{{PRONOTE_ID_LENGTH}}}")
_ALLOWED_CODE_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
_DELIMITER_NAMES = {"\t": "tabulation", ";": "point-virgule"}
# Share of non-text characters above which a file is called binary.
_BINARY_RATIO = 0.05
# Smallest truncated profile name we still dare to recognise by its suffix.
_MIN_SUFFIX = 3
_EXCERPT = 80
# Control characters other than tab and line ends, and what failed to decode.
_NON_TEXT_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffd]")


class IdentifiersFileError(Exception):
    """The file cannot be read as a PRONOTE identifiers export at all."""

    def __init__(self, message: str, *, line: int | None, code: str, source: str) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.code = code
        self.source = source


@dataclass(frozen=True)
class Problem:
    """A damaged line: reported, then skipped or kept as the code says."""

    line: int
    code: str
    message: str


@dataclass(frozen=True)
class Row:
    line_no: int
    name: str
    pronote_id: str
    cas_id: str
    profile: str = PROFILE_UNKNOWN

    @property
    def linked(self) -> bool:
        """True once PRONOTE has stored the user's CAS identifier."""
        return bool(self.cas_id)


@dataclass
class Section:
    profile: str
    header_line: int
    rows: list[Row] = field(default_factory=list)


@dataclass
class IdentifiersFile:
    sections: list[Section]
    encoding: str
    delimiter: str
    problems: list[Problem] = field(default_factory=list)
    source: str = "<fichier>"

    def rows(self) -> Iterable[Row]:
        for section in self.sections:
            yield from section.rows


# --------------------------------------------------------------------------- parsing


def _fold(text: str) -> str:
    """Lowercase without accents, for matching words typed or exported differently."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


_PROFILE_KEYS = {_fold(p): p for p in PROFILES if p != PROFILE_UNKNOWN}
_PROFILE_SINGULAR_KEYS = {k.removesuffix("s"): p for k, p in _PROFILE_KEYS.items()}


def _excerpt(text: str) -> str:
    text = text.strip()
    return text if len(text) <= _EXCERPT else text[: _EXCERPT - 1] + "…"


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _binary_hint(data: bytes) -> str:
    if data.startswith(b"PK\x03\x04"):
        return " ; archive ZIP : un classeur Excel .xlsx ?"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return " ; classeur Excel .xls ?"
    if data.startswith(b"%PDF"):
        return " ; document PDF"
    return ""


def _decode(data: bytes, source: str) -> tuple[str, str]:
    """Return (text, encoding name), or raise for a file that is not text."""
    # Excel's "Texte Unicode" is UTF-16 with a BOM: its NUL bytes are not binary.
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace"), "utf-16"
    nul = data.find(b"\x00")
    if nul >= 0:
        line = _line_of(data, nul)
        raise IdentifiersFileError(
            f"Ligne {line} : contenu binaire (octet nul{_binary_hint(data)}) : ce fichier "
            "n'est pas un fichier texte ; exporter le fichier des identifiants depuis "
            "PRONOTE Client au format texte.",
            line=line,
            code=ERROR_BINARY,
            source=source,
        )
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "cp1252"


def _check_text(text: str, source: str) -> None:
    if not text.strip():
        raise IdentifiersFileError(
            "Le fichier est vide : exporter à nouveau le fichier des identifiants depuis "
            "PRONOTE Client.",
            line=None,
            code=ERROR_EMPTY,
            source=source,
        )
    bad = len(_NON_TEXT_RE.findall(text))
    if bad > _BINARY_RATIO * len(text):
        raise IdentifiersFileError(
            f"Ligne 1 : contenu binaire ({bad} caractères non textuels sur {len(text)}) : "
            "ce fichier n'est pas un fichier texte ; exporter le fichier des identifiants "
            "depuis PRONOTE Client au format texte.",
            line=1,
            code=ERROR_BINARY,
            source=source,
        )


def _is_header(line: str) -> bool:
    lowered = line.lower()
    return "identifiant pronote" in lowered and "identifiant cas" in lowered


def _split(line: str, delimiter: str) -> list[str]:
    cells = line.split(delimiter)
    if '"' in line:
        # Spreadsheets re-saving the export quote cells: "DUPONT Léa";CODE;
        cells = [_unquote(c.strip()) for c in cells]
    cells = [c.strip() for c in cells]
    # Spreadsheets also pad rows with empty cells; the first three are meaningful.
    while len(cells) > 3 and not cells[-1]:
        cells.pop()
    return cells


def _unquote(cell: str) -> str:
    if len(cell) >= 2 and cell[0] == cell[-1] == '"':
        return cell[1:-1].replace('""', '"')
    return cell


def _not_an_export(lines: Sequence[str], source: str) -> IdentifiersFileError:
    line_no, text = next((i, t) for i, t in enumerate(lines, 1) if t.strip())
    expected = f"colonnes attendues « {PRONOTE_ID_COLUMN} » et « {CAS_ID_COLUMN} »"
    if any(sum(1 for c in text.split(d) if c.strip()) >= 2 for d in ("\t", ";", ",")):
        what = f"colonnes inattendues « {_excerpt(text)} »"
    else:
        what = f"aucune ligne d'en-tête (première ligne « {_excerpt(text)} »)"
    return IdentifiersFileError(
        f"Ligne {line_no} : {what} : ce fichier n'est pas un export des identifiants "
        f"PRONOTE ({expected}).",
        line=line_no,
        code=ERROR_NOT_AN_EXPORT,
        source=source,
    )


def _delimiter_error(line: str, line_no: int, source: str) -> IdentifiersFileError:
    return IdentifiersFileError(
        f"Ligne {line_no} : séparateur non reconnu dans l'en-tête « {_excerpt(line)} » : "
        "attendu une tabulation ou un point-virgule ; réexporter le fichier depuis "
        "PRONOTE Client sans le modifier.",
        line=line_no,
        code=ERROR_UNKNOWN_DELIMITER,
        source=source,
    )


def _header_delimiter(line: str, line_no: int, source: str) -> str:
    for delimiter in ("\t", ";"):
        if delimiter in line:
            return delimiter
    raise _delimiter_error(line, line_no, source)


def _check_header(cells: list[str], line: str, line_no: int, source: str) -> None:
    if len(cells) == 1:
        # Found by its words but it does not split: a later header with another delimiter.
        raise _delimiter_error(line, line_no, source)
    expected = [_fold(PRONOTE_ID_COLUMN), _fold(CAS_ID_COLUMN)]
    if [_fold(c) for c in cells[1:]] != expected:
        unexpected = [c for c in cells[1:] if _fold(c) not in expected] or cells[1:]
        raise IdentifiersFileError(
            f"Ligne {line_no} : colonnes inattendues « {_excerpt(' | '.join(unexpected))} » "
            f"dans l'en-tête « {_excerpt(line)} » : colonnes attendues « Profil », "
            f"« {PRONOTE_ID_COLUMN} », « {CAS_ID_COLUMN} », dans cet ordre ; réexporter le "
            "fichier depuis PRONOTE Client sans le modifier.",
            line=line_no,
            code=ERROR_UNKNOWN_COLUMNS,
            source=source,
        )


def _profile(raw: str, line_no: int, problems: list[Problem]) -> str:
    """Recognise a section's profile, even truncated by damage ("sseurs")."""
    key = _fold(raw)
    if key in _PROFILE_KEYS:
        return _PROFILE_KEYS[key]
    if key in _PROFILE_SINGULAR_KEYS:
        return _PROFILE_SINGULAR_KEYS[key]
    if len(key) >= _MIN_SUFFIX:
        matches = {p for k, p in _PROFILE_KEYS.items() if k.endswith(key)}
        if len(matches) == 1:
            profile = matches.pop()
            problems.append(
                Problem(
                    line_no,
                    PROBLEM_PROFILE_TRUNCATED,
                    f"Ligne {line_no} : profil tronqué « {raw} » reconnu comme « {profile} ».",
                )
            )
            return profile
    shown = f"« {raw} »" if raw else "absent"
    problems.append(
        Problem(
            line_no,
            PROBLEM_PROFILE_UNKNOWN,
            f"Ligne {line_no} : profil {shown} non reconnu (attendu "
            f"{', '.join(p for p in PROFILES if p != PROFILE_UNKNOWN)}) : "
            f"section comptée en « {PROFILE_UNKNOWN} ».",
        )
    )
    return PROFILE_UNKNOWN


def parse_identifiers(data: bytes, *, source: str = "<fichier>") -> IdentifiersFile:
    """Parse an identifiers export; damaged rows go to ``problems``, not to an exception.

    Raises IdentifiersFileError when the bytes are empty, binary, or not such an export.
    """
    text, encoding = _decode(data, source)
    _check_text(text, source)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")

    first_header = next((i for i, t in enumerate(lines) if _is_header(t)), None)
    if first_header is None:
        raise _not_an_export(lines, source)
    delimiter = _header_delimiter(lines[first_header], first_header + 1, source)

    sections: list[Section] = []
    problems: list[Problem] = []
    current: Section | None = None
    for line_no, line in enumerate(lines, 1):
        if not line.strip():
            continue
        if _is_header(line):
            cells = _split(line, delimiter)
            _check_header(cells, line, line_no, source)
            current = Section(_profile(cells[0], line_no, problems), line_no)
            sections.append(current)
            continue
        cells = _split(line, delimiter)
        if not any(cells):
            # Only delimiters: an empty row between sections.
            continue
        if current is None:
            problems.append(
                Problem(
                    line_no,
                    PROBLEM_ROW_OUTSIDE_SECTION,
                    f"Ligne {line_no} : ligne avant tout en-tête de section "
                    f"« {_excerpt(line)} » : ignorée.",
                )
            )
            continue
        problem = _row_problem(cells, line, line_no)
        if problem is not None:
            problems.append(problem)
            continue
        name, code = cells[0], cells[1]
        cas_id = cells[2] if len(cells) > 2 else ""
        current.rows.append(Row(line_no, name, code, cas_id, current.profile))

    return IdentifiersFile(sections, encoding, delimiter, problems, source)


def _row_problem(cells: list[str], line: str, line_no: int) -> Problem | None:
    if 2 <= len(cells) <= 3 and cells[1]:
        return None
    shown = f"« {_excerpt(line)} »"
    if len(cells) == 1:
        return Problem(
            line_no,
            PROBLEM_ROW_UNREADABLE,
            f"Ligne {line_no} : ligne illisible {shown} (une seule colonne) : ignorée.",
        )
    if len(cells) > 3:
        return Problem(
            line_no,
            PROBLEM_ROW_TOO_MANY_CELLS,
            f"Ligne {line_no} : {len(cells)} colonnes au lieu de 3 {shown} : ignorée.",
        )
    return Problem(
        line_no,
        PROBLEM_ROW_WITHOUT_CODE,
        f"Ligne {line_no} : ligne sans {PRONOTE_ID_COLUMN} {shown} : ignorée.",
    )


# --------------------------------------------------------------------------- lookup


def _fold_name(name: str) -> str:
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


def lookup(
    f: IdentifiersFile,
    *,
    name: str | None = None,
    pronote_id: str | None = None,
    cas_id: str | None = None,
) -> Row | None:
    """First row (in file order) matching every criterion given; None if none matches.

    Names match whatever their case and spacing; identifiers match exactly.
    """
    if name is None and pronote_id is None and cas_id is None:
        raise ValueError("lookup() needs name, pronote_id or cas_id")
    wanted_name = _fold_name(name) if name is not None else None
    for row in f.rows():
        if pronote_id is not None and row.pronote_id != pronote_id.strip():
            continue
        if cas_id is not None and row.cas_id != cas_id.strip():
            continue
        if wanted_name is not None and _fold_name(row.name) != wanted_name:
            continue
        return row
    return None


# --------------------------------------------------------------------------- audit


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


def _profile_order(profile: str) -> int:
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
        for p, c in sorted(counts.items(), key=lambda item: _profile_order(item[0]))
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


# --------------------------------------------------------------------------- text


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
    profiles = sorted({item.profile for g in groups for item in g}, key=_profile_order)
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
