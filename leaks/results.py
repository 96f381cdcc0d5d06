"""The vocabulary of a scan: marks, stable codes, hits, warnings and results."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

# What replaces a password inside a text artifact.
CONTENT_MARK = b"***"
# What replaces a password in a file or member name on disk: `*` is not allowed
# in Windows file names, where the artifacts may be opened.
NAME_MARK = "REDACTED"
# What replaces a password in the paths and member names this module reports.
REPORT_MARK = "***"
# Separates the levels of nested archives in `Hit.member`, as in a jar URL.
MEMBER_SEPARATOR = "!"

# Stable codes of Hit.action (scrub only).
ACTION_REDACTED = "redacted"  # the password was replaced by `***` in the text
ACTION_DROPPED = "dropped"  # the archive member was removed, the archive kept
ACTION_DELETED = "deleted"  # the whole file was deleted
ACTION_RENAMED = "renamed"  # the file or folder was renamed

# Stable codes of ScanWarning.
WARNING_SECRET_TOO_SHORT = "secret_too_short"
WARNING_PATH_MISSING = "path_missing"
WARNING_UNREADABLE = "unreadable"
WARNING_ARCHIVE_DAMAGED = "archive_damaged"
WARNING_ARCHIVE_TOO_DEEP = "archive_too_deep"
# The member name of a PDF's extracted text in hits, after the file name.
PDF_TEXT_MEMBER = "texte du PDF"


class SecretLike(Protocol):
    """pydantic's SecretStr: accepted so that callers need not reveal passwords themselves."""

    def get_secret_value(self) -> str: ...


@dataclass(frozen=True)
class Hit:
    """One encoding of a password found in one place. Never holds the password."""

    path: str  # the file on disk, password replaced by `***` if in the path
    member: str | None  # the archive member, nested levels joined by `!`; None: the file
    form: str  # the encoding found, a key of `secret_forms`
    in_name: bool = False  # found in the file, folder or member name, not the content
    # Scrub only: the ACTION_* done about it; None when scanning, or when the
    # scrub could not change the file (a disk error): remove it by hand.
    action: str | None = None

    @property
    def where(self) -> str:
        return self.path if self.member is None else f"{self.path}{MEMBER_SEPARATOR}{self.member}"

    def describe(self) -> str:
        """The hit in the words of the run report (French, like the diagnoses)."""
        place = "dans le nom" if self.in_name else "dans le contenu"
        done = {
            None: "supprimer cet artefact et chercher l'étape qui l'a écrit",
            ACTION_REDACTED: "remplacé par *** ; chercher l'étape qui l'a écrit",
            ACTION_DROPPED: "membre retiré de l'archive ; chercher l'étape qui l'a écrit",
            ACTION_DELETED: "fichier supprimé ; chercher l'étape qui l'a écrit",
            ACTION_RENAMED: f"renommé ({NAME_MARK}) ; chercher l'étape qui l'a nommé",
        }.get(self.action, self.action or "")
        return f"{self.where} : mot de passe trouvé {place} (forme {self.form}) : {done}."


@dataclass(frozen=True)
class ScanWarning:
    """Something the scan could not prove clean. Never holds the password."""

    code: str  # WARNING_*
    message: str  # in French, with what to do

    def __str__(self) -> str:
        return f"[{self.code}] {self.message}"


@dataclass
class ScanResult:
    """What `scan_paths` found and what it read, as evidence the scan was real."""

    hits: list[Hit]
    files_scanned: list[str]  # files on disk, password replaced by `***` if in the path
    bytes_scanned: int  # files plus every decompressed archive member
    members_scanned: list[str] = field(default_factory=list)  # "file!member!member"
    warnings: list[ScanWarning] = field(default_factory=list)


class SecretScanError(Exception):
    """A file could not be scanned or scrubbed; the message never quotes its content."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
