"""Walking files, folders and archives for password forms; cleaning them when scrubbing."""

from __future__ import annotations

import gzip
import io
import os
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from leaks.archives import (
    _GZIP_MAGIC,
    _PDF_MAGIC,
    _WRITABLE_METHODS,
    _ZIP_MAGIC,
    _gunzip,
    _gunzipped_name,
    _is_binary,
    _name_bytes,
    _unique,
    pdf_text,
)
from leaks.forms import _Forms
from leaks.results import (
    ACTION_DELETED,
    ACTION_DROPPED,
    ACTION_REDACTED,
    ACTION_RENAMED,
    CONTENT_MARK,
    MEMBER_SEPARATOR,
    NAME_MARK,
    PDF_TEXT_MEMBER,
    REPORT_MARK,
    WARNING_ARCHIVE_DAMAGED,
    WARNING_ARCHIVE_TOO_DEEP,
    WARNING_PATH_MISSING,
    WARNING_UNREADABLE,
    Hit,
    ScanWarning,
    SecretScanError,
)

# Zip quines exist; no real artifact nests deeper than a trace in a zip.
MAX_ARCHIVE_DEPTH = 8


@dataclass
class _Record:
    path: str
    member: str | None
    form: str
    in_name: bool
    action: str | None = None


class _Inspector:
    """Walks paths and archives; with `rewrite`, also cleans what it finds."""

    def __init__(self, forms: _Forms, *, rewrite: bool) -> None:
        self.forms = forms
        self.rewrite = rewrite
        self.records: list[_Record] = []
        self.files: list[str] = []
        self.members: list[str] = []
        self.bytes = 0
        self.warnings: list[ScanWarning] = []
        self._file = ""  # the file being read, redacted, for records and warnings
        self._file_name = ""

    # Paths on disk.

    def walk(self, root: Path) -> None:
        if not root.exists() and not root.is_symlink():
            self._warn(
                WARNING_PATH_MISSING,
                f"{self._shown(root)} : chemin introuvable, rien n'y a été vérifié.",
            )
            return
        if root.is_dir() and not root.is_symlink():
            self._folder(root)
        else:
            self._entry(root)

    def _folder(self, folder: Path) -> None:
        try:
            names = sorted(os.listdir(folder))
        except OSError as exc:
            self._warn(
                WARNING_UNREADABLE,
                f"{self._shown(folder)} : dossier illisible "
                f"({type(exc).__name__}), son contenu n'a pas été vérifié.",
            )
            return
        for name in names:
            self._entry(folder / name)

    def _entry(self, path: Path) -> None:
        name_forms = self.forms.found(os.fsencode(path.name))
        start = len(self.records)
        for form, _ in name_forms:
            self.records.append(_Record(self._shown(path), None, form, in_name=True))
        if path.is_symlink():
            # Not followed: it may lead outside the artifacts, or in a loop.
            pass
        elif path.is_dir():
            if name_forms and self.rewrite:
                path = self._rename(path, start)
            self._folder(path)
            return
        elif path.is_file():
            if not self._scan_file(path):
                self._mark(start, ACTION_DELETED)
                return
        if name_forms and self.rewrite:
            self._rename(path, start)

    def _rename(self, path: Path, start: int) -> Path:
        stem = self.forms.redact_text(path.name, NAME_MARK)
        target = path.with_name(stem)
        number = 2
        while target.exists():
            target = path.with_name(f"{stem}-{number}")
            number += 1
        try:
            path.rename(target)
        except OSError:
            return path  # hits keep no action: the name is still on disk
        for record in self.records[start:]:
            if record.in_name and record.member is None and record.action is None:
                record.action = ACTION_RENAMED
        return target

    def _scan_file(self, path: Path) -> bool:
        """Scan (and clean) one file; False when scrubbing deleted it."""
        self._file = self._shown(path)
        self._file_name = self.forms.redact_text(path.name, REPORT_MARK)
        try:
            data = path.read_bytes()
        except OSError as exc:
            self._warn(
                WARNING_UNREADABLE,
                f"{self._file} : fichier illisible ({type(exc).__name__}), il n'a pas été vérifié.",
            )
            return True
        self.files.append(self._file)
        start = len(self.records)
        try:
            cleaned = self._blob(data, (), depth=0)
        except Exception as exc:
            # The original message may quote a member name: only its type is kept.
            raise SecretScanError(
                WARNING_UNREADABLE,
                f"{self._file} : analyse impossible ({type(exc).__name__}) ; supprimer ce "
                "fichier à la main s'il peut contenir un mot de passe.",
            ) from None
        if not self.rewrite or cleaned is data:
            return True
        try:
            if cleaned is None:
                path.unlink()
                self._mark(start, ACTION_DELETED)
                return False
            _write_over(path, cleaned)
        except OSError:
            # Its message would quote the path; the hits left without an action
            # tell the caller what is still on disk.
            self._mark(start, None)
        return True

    # Bytes, possibly archives.

    def _blob(self, data: bytes, chain: tuple[str, ...], depth: int) -> bytes | None:
        """Record hits in `data`; return it cleaned (`data` itself if clean), None to drop it."""
        self.bytes += len(data)
        if chain:
            self.members.append(MEMBER_SEPARATOR.join((self._file, *chain)))
        start = len(self.records)
        if data.startswith(_ZIP_MAGIC) or data.startswith(_GZIP_MAGIC):
            if depth >= MAX_ARCHIVE_DEPTH:
                self._warn(
                    WARNING_ARCHIVE_TOO_DEEP,
                    f"{self._where(chain)} : archives imbriquées sur plus de "
                    f"{MAX_ARCHIVE_DEPTH} niveaux, les plus profondes n'ont pas été ouvertes.",
                )
            else:
                opened = (self._zip if data.startswith(_ZIP_MAGIC) else self._gzip)(
                    data, chain, depth
                )
                if not isinstance(opened, _Unreadable):
                    return opened
                del self.records[start:]
        if data.startswith(_PDF_MAGIC):
            return self._pdf(data, chain)
        return self._plain(data, chain)

    def _pdf(self, data: bytes, chain: tuple[str, ...]) -> bytes | None:
        """A PDF's streams are compressed and its fonts re-encoded: search its text too."""
        start = len(self.records)
        self._record_raw(data, chain, explained=set())
        try:
            text = pdf_text(data)
        except Exception as exc:  # a damaged PDF: its reader's message may quote content
            self._warn(
                WARNING_UNREADABLE,
                f"{self._where(chain)} : texte du PDF illisible ({type(exc).__name__}), "
                "il n'a pas été vérifié.",
            )
            text = ""
        found = {name for name, _ in self.forms.found(text.encode("utf-8"))}
        found |= {name for name, _ in self.forms.found(re.sub(r"\s+", "", text).encode("utf-8"))}
        member = self._member((*chain, PDF_TEXT_MEMBER))
        for name in sorted(found):
            self.records.append(_Record(self._file, member, name, False))
        if not self.rewrite or len(self.records) == start:
            return data
        return None  # text inside a PDF cannot be replaced in place: the file goes

    def _plain(self, data: bytes, chain: tuple[str, ...]) -> bytes | None:
        """Record hits in bytes that are not an archive; return them cleaned."""
        start = len(self.records)
        self._record_raw(data, chain, explained=set())
        if not self.rewrite or len(self.records) == start:
            return data
        if _is_binary(data):
            return None  # replacing bytes would corrupt it
        for _ in range(3):
            data = self.forms.redact(data, CONTENT_MARK)
            if not self.forms.found(data):
                self._mark(start, ACTION_REDACTED)
                return data
        return None  # a form that contains `***` itself: give up on redaction

    def _record_raw(self, data: bytes, chain: tuple[str, ...], explained: set[str]) -> None:
        """Record forms in `data` itself, except those `explained` by what was found inside."""
        for name, _ in self.forms.found(data):
            if name not in explained:
                self.records.append(_Record(self._file, self._member(chain), name, False))

    def _found_since(self, start: int) -> set[str]:
        return {record.form for record in self.records[start:]}

    def _zip(self, data: bytes, chain: tuple[str, ...], depth: int) -> bytes | _Unreadable | None:
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
        except Exception as exc:  # zipfile raises many types on damaged input
            self._warn(
                WARNING_ARCHIVE_DAMAGED,
                f"{self._where(chain)} : archive zip illisible ({type(exc).__name__}), "
                "seuls ses octets bruts ont été vérifiés.",
            )
            return _UNREADABLE
        start = len(self.records)
        complete = True
        members: list[tuple[zipfile.ZipInfo, bytes | None, int]] = []
        with archive:
            comment_hits = self.forms.found(archive.comment)
            for info in archive.infolist():
                shown = self.forms.redact_text(info.filename, REPORT_MARK)
                member_chain = (*chain, shown)
                member_start = len(self.records)
                for form, _ in self.forms.found(_name_bytes(info)):
                    self.records.append(
                        _Record(self._file, self._member(member_chain), form, in_name=True)
                    )
                if info.is_dir():
                    members.append((info, b"", member_start))
                    continue
                try:
                    content = archive.read(info)
                except Exception as exc:
                    complete = False
                    self._warn(
                        WARNING_ARCHIVE_DAMAGED,
                        f"{self._where(member_chain)} : membre illisible "
                        f"({type(exc).__name__}), il n'a pas été vérifié.",
                    )
                    continue
                cleaned = self._blob(content, member_chain, depth + 1)
                if self.rewrite:
                    members.append((info, cleaned, member_start))
        raw_start = len(self.records)
        # Stored members and names show in the raw bytes too: report them once.
        self._record_raw(data, chain, explained=self._found_since(start))
        for form, _ in comment_hits:
            if form not in self._found_since(start):
                self.records.append(_Record(self._file, self._member(chain), form, False))
        if not self.rewrite or len(self.records) == start:
            return data
        if not complete:
            # A member we cannot read cannot be copied faithfully: drop the archive.
            return None
        rebuilt = self._rebuild_zip(members, archive.comment)
        if self.forms.found(rebuilt):
            # Something zipfile does not expose (extra fields, data between members).
            return None
        self._mark(raw_start, ACTION_REDACTED)
        return rebuilt

    def _rebuild_zip(
        self, members: list[tuple[zipfile.ZipInfo, bytes | None, int]], comment: bytes
    ) -> bytes:
        out = io.BytesIO()
        used: set[str] = set()
        with zipfile.ZipFile(out, "w", allowZip64=True) as archive:
            archive.comment = self.forms.redact(comment, CONTENT_MARK)
            for info, content, member_start in members:
                if content is None:
                    self._mark(member_start, ACTION_DROPPED)
                    continue
                new_name = self.forms.redact_text(info.filename, NAME_MARK)
                if new_name != info.filename:
                    for record in self.records[member_start:]:
                        if record.in_name and record.action is None:
                            record.action = ACTION_RENAMED
                new_name = _unique(new_name, used)
                copy = zipfile.ZipInfo(new_name, date_time=info.date_time)
                # zipfile reads some methods it cannot write (deflate64 is neither).
                writable = info.compress_type in _WRITABLE_METHODS
                copy.compress_type = info.compress_type if writable else zipfile.ZIP_DEFLATED
                copy.external_attr = info.external_attr
                copy.create_system = info.create_system
                copy.comment = self.forms.redact(info.comment, CONTENT_MARK)
                archive.writestr(copy, content)
        return out.getvalue()

    def _gzip(self, data: bytes, chain: tuple[str, ...], depth: int) -> bytes | _Unreadable | None:
        inner, complete = _gunzip(data)
        if inner is None:
            self._warn(
                WARNING_ARCHIVE_DAMAGED,
                f"{self._where(chain)} : fichier gzip illisible, "
                "seuls ses octets bruts ont été vérifiés.",
            )
            return _UNREADABLE
        if not complete:
            self._warn(
                WARNING_ARCHIVE_DAMAGED,
                f"{self._where(chain)} : fichier gzip tronqué, "
                "seule sa partie lisible a été vérifiée.",
            )
        start = len(self.records)
        name = chain[-1] if chain else self._file_name
        cleaned = self._blob(inner, (*chain, _gunzipped_name(name)), depth + 1)
        raw_start = len(self.records)
        self._record_raw(data, chain, explained=self._found_since(start))
        if not self.rewrite or len(self.records) == start:
            return data
        if cleaned is None:
            return None
        # The gzip header may name the original file: it is not carried over.
        rebuilt = gzip.compress(cleaned, mtime=int.from_bytes(data[4:8], "little"))
        if self.forms.found(rebuilt):
            return None
        self._mark(raw_start, ACTION_REDACTED)
        return rebuilt

    # Helpers.

    def _mark(self, start: int, action: str | None) -> None:
        """Set the action of every record from `start` on: the outermost decision wins."""
        for record in self.records[start:]:
            record.action = action

    def _member(self, chain: tuple[str, ...]) -> str | None:
        return MEMBER_SEPARATOR.join(chain) if chain else None

    def _where(self, chain: tuple[str, ...]) -> str:
        return MEMBER_SEPARATOR.join((self._file, *chain))

    def _shown(self, path: Path) -> str:
        return self.forms.redact_text(str(path), REPORT_MARK)

    def _warn(self, code: str, message: str) -> None:
        self.warnings.append(ScanWarning(code, message))

    def hits(self) -> list[Hit]:
        return [
            Hit(r.path, r.member, r.form, r.in_name, r.action if self.rewrite else None)
            for r in self.records
        ]


class _Unreadable:
    """Not the archive its first bytes announced: scan it as plain bytes."""


_UNREADABLE = _Unreadable()


def _write_over(path: Path, data: bytes) -> None:
    """Replace the file at once, so an interrupted scrub never leaves half a file."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".scrub-")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        shutil.copymode(path, temporary)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
