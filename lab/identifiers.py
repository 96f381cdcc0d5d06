"""The ENT's reader of PRONOTE's identifiers file, as the lab's ENT imports it (seed part V).

PRONOTE Client exports one section per profile: a header line
"<Profil>\tIdentifiant PRONOTE\tIdentifiant CAS", then one line per user
"NOM Prénom\t<16-character code>\t<Id. CAS or empty>", in Windows-1252 with
CRLF (see `lab.state.Establishment.export`). This reader is the lab's own: it
shares nothing with the verifier's audit, so a too-lenient parser there can be
caught here. It also reads UTF-8 (with or without BOM), as an ENT would after
a spreadsheet re-saved the file.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass

from lab.directory import EXPORT_SECTIONS, PROFILES

_CODE = re.compile(r"[A-Z0-9]{16}")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]")


class ImportRefusedError(ValueError):
    """The file is not a PRONOTE identifiers export: `code` is "not_text" or "not_an_export",
    the message is French, for the ENT admin."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


_NOT_TEXT = (
    "Ce fichier n'est pas un fichier texte : exportez le fichier des identifiants depuis "
    "PRONOTE Client."
)


@dataclass(frozen=True)
class ImportRow:
    profile: str  # one of lab.directory.PROFILES
    name: str  # "NOM Prénom"
    code: str  # Identifiant PRONOTE (16 characters)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


_PROFILE_OF_SECTION = {_fold(name): profile for profile, name in EXPORT_SECTIONS.items()}
_PROFILE_OF_SECTION.update({_fold(p): p for p in PROFILES})


def _decode(data: bytes) -> str:
    if b"\x00" in data:
        raise ImportRefusedError("not_text", _NOT_TEXT)
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def read_identifiers(data: bytes) -> list[ImportRow]:
    """Every importable row; raises ImportRefusedError for a file that is not an export."""
    text = _decode(data)
    if len(_CONTROL.findall(text)) > 0.05 * max(len(text), 1):
        raise ImportRefusedError("not_text", _NOT_TEXT)
    rows: list[ImportRow] = []
    profile: str | None = None
    headers = 0
    for line in text.splitlines():
        cells = [c.strip() for c in line.split("\t")]
        if len(cells) >= 2 and _fold(cells[1]) == "identifiant pronote":
            headers += 1
            profile = _PROFILE_OF_SECTION.get(_fold(cells[0]))
            continue
        if profile and len(cells) >= 2 and cells[0] and _CODE.fullmatch(cells[1]):
            rows.append(ImportRow(profile, cells[0], cells[1]))
    if not headers:
        raise ImportRefusedError(
            "not_an_export",
            "Ce fichier n'est pas un export des identifiants PRONOTE : aucune ligne d'en-tête "
            "« Identifiant PRONOTE » (exportez-le depuis PRONOTE Client, séparateur tabulation).",
        )
    return rows
