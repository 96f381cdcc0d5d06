"""Read "le fichier des identifiants PRONOTE" and look users up in it.

PRONOTE Client exports, per profile section, one row per user with the
16-character "Identifiant PRONOTE" code and the "Identifiant CAS" that PRONOTE
fills on the user's first connection through the ENT. The ENT imports this file;
an invalid or duplicated code, or a user never linked, is what makes PRONOTE ask
for an identifier again. This module reads the file as it is found in the field
(tab or semicolon, UTF-8 with or without BOM, Windows-1252, damaged lines) and
reports damaged lines, in French, with line numbers. `audit` says what is wrong with
it; `report` writes that for people and scripts.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

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
