"""Find, and as a last resort remove, passwords in what a run leaves behind.

The e2e checks type real staff and student passwords into real login pages, and
their artifacts (Allure results, JUnit XML, Playwright traces, HAR files,
screenshots, videos, logs, `reports/summary.json`) must never hold one. A
password rarely sits there as typed: a trace keeps it URL-encoded in a request,
a HAR keeps a response body in base64, an Allure parameter keeps it
JSON-escaped. `secret_forms` lists those encodings, `scan_paths` looks for them
in files, in file names and inside zip and gzip archives (nested too), and
`scrub_paths` rewrites or deletes what it finds so that a leaking run still
leaves nothing behind, while the caller fails the run naming each file.

Nothing here returns, logs or raises a password: hits name the file, the
archive member and the encoding, paths and member names are shown with the
password replaced by `***`, and errors from archive readers (whose messages can
quote member names) are replaced by their type name.

Limits, stated so nobody reads more into a clean scan than it proves:
- a form shorter than `MIN_FORM_BYTES` is not searched (it would match by
  chance); a password that short cannot be proven absent, and `secret_warnings`
  says so;
- encodings stacked deeper than listed (base64 of URL-encoded text, MIME
  line-wrapped base64, compressed streams other than gzip and zip) are not
  decoded;
- symbolic links are not followed, files are read whole into memory;
- a PDF (the PV de recette) is searched in its bytes and in the text a reader
  sees (pypdf's extraction, also with white space removed, since a long word can
  be cut across lines); text drawn as an image is not read.
"""

from __future__ import annotations

import base64
import gzip
import html
import io
import json
import os
import re
import shutil
import tempfile
import unicodedata
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from slugify import slugify

# Shorter forms would match unrelated bytes (4 given bytes turn up by chance in
# megabytes of video or base64), so they are not searched at all.
MIN_FORM_BYTES = 6
# What replaces a password inside a text artifact.
CONTENT_MARK = b"***"
# What replaces a password in a file or member name on disk: `*` is not allowed
# in Windows file names, where the artifacts may be opened.
NAME_MARK = "REDACTED"
# What replaces a password in the paths and member names this module reports.
REPORT_MARK = "***"
# Separates the levels of nested archives in `Hit.member`, as in a jar URL.
MEMBER_SEPARATOR = "!"
# Zip quines exist; no real artifact nests deeper than a trace in a zip.
MAX_ARCHIVE_DEPTH = 8

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

# Formats where replacing bytes breaks the file (chunk lengths, CRCs): scrubbing
# deletes these instead. A NUL byte also marks a file as binary.
_BINARY_MAGIC = (
    b"\x89PNG",
    b"\xff\xd8\xff",  # JPEG
    b"GIF8",
    b"\x1a\x45\xdf\xa3",  # WebM / Matroska
    b"RIFF",  # WebP, WAV, AVI
    b"%PDF",
)
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_GZIP_MAGIC = b"\x1f\x8b"
_PDF_MAGIC = b"%PDF-"
# The member name of a PDF's extracted text in hits, after the file name.
PDF_TEXT_MEMBER = "texte du PDF"
_WRITABLE_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA)
_ALNUM = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
_PRINTABLE = bytes(range(0x21, 0x7F))


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


# --- Encodings -------------------------------------------------------------


def _percent(data: bytes, keep: bytes, *, plus: bool = False, lower: bool = False) -> bytes:
    """Percent-encode every byte not in `keep` (ASCII letters and digits always kept)."""
    hex_format = "%{:02x}" if lower else "%{:02X}"
    out = []
    for byte in data:
        if plus and byte == 0x20:
            out.append(b"+")
        elif byte in _ALNUM or byte in keep:
            out.append(bytes([byte]))
        else:
            out.append(hex_format.format(byte).encode("ascii"))
    return b"".join(out)


def _without(chars: bytes, removed: bytes) -> bytes:
    return bytes(c for c in chars if c not in removed)


# What each URL encoder leaves as is, besides ASCII letters and digits.
_URL_KEEPS = {
    # urllib.parse.quote, default safe="/": Python clients and our own URLs.
    "url-quote": b"_.-~/",
    # urllib.parse.quote_plus: Python form bodies and query strings.
    "url-quote-plus": b"_.-~",
    # JavaScript encodeURIComponent: page scripts building URLs.
    "url-component": b"-_.!~*'()",
    # WHATWG query percent-encode set (special schemes): what a browser leaves
    # in a query string it normalises, so most of a password stays readable.
    "url-query": _without(_PRINTABLE, b"\"#<>'"),
    # WHATWG path percent-encode set.
    "url-path": _without(_PRINTABLE, b'"#<>?`{}'),
    # WHATWG userinfo percent-encode set: https://user:password@host.
    "url-userinfo": _without(_PRINTABLE, b'"#<>?`{}/:;=@[\\]^|'),
}


def _json_escape(text: str, *, ascii_only: bool, upper: bool = False, slash: bool = False) -> str:
    """A JSON string body: json.dumps minus quotes, optionally as PHP or .NET write it."""
    body = json.dumps(text, ensure_ascii=ascii_only)[1:-1]
    if upper:
        # Only \uXXXX escapes change; `\\u` is an escaped backslash followed by "u".
        body = re.sub(
            r"\\(u[0-9a-f]{4}|.)",
            lambda m: "\\" + ("u" + m[1][1:].upper() if m[1].startswith("u") else m[1]),
            body,
        )
    if slash:
        body = body.replace("/", "\\/")
    return body


def _base64_inner(raw: bytes, offset: int, alphabet: bytes | None) -> bytes:
    """The base64 characters that depend only on `raw` when it starts at byte `offset`.

    Base64 turns every 3 bytes into 4 characters of 6 bits, so the characters a
    password becomes inside a longer encoded string (a Basic auth header, a HAR
    body, a JSON blob) depend on where it starts modulo 3 and on its
    neighbours. Character i covers bits [6i, 6i+6); with `offset` bytes before
    the password, the characters covering only password bits are those with
    6i >= 8*offset and 6i+6 <= 8*(offset+len(raw)). They are the same whatever
    surrounds the password, so searching them for offsets 0, 1 and 2 finds the
    password base64-encoded inside any text.
    """
    # The zeros around stand for unknown neighbours; the slice keeps none of their bits.
    encoded = base64.b64encode(b"\0" * offset + raw + b"\0\0\0", altchars=alphabet)
    start = -(-8 * offset // 6)
    end = 8 * (offset + len(raw)) // 6
    return encoded[start:end]


def _forms_of(text: str) -> dict[str, bytes]:
    """Every encoding of one spelling of a password, short ones included."""
    utf8 = text.encode("utf-8", "surrogatepass")
    forms: dict[str, bytes] = {"plain": utf8}
    try:
        forms["plain-latin1"] = text.encode("latin-1")
    except UnicodeEncodeError:
        pass
    forms["utf16-le"] = text.encode("utf-16-le", "surrogatepass")
    for name, ascii_only, upper, slash in (
        ("json", False, False, False),
        ("json-ascii", True, False, False),
        ("json-ascii-upper", True, True, False),
        ("json-ascii-slash", True, False, True),  # PHP's json_encode
    ):
        forms[name] = _json_escape(text, ascii_only=ascii_only, upper=upper, slash=slash).encode()
    # A JSON text stored as a string in JSON: request bodies in trace events.
    for name, ascii_only in (("json-twice", False), ("json-ascii-twice", True)):
        once = _json_escape(text, ascii_only=ascii_only)
        forms[name] = _json_escape(once, ascii_only=ascii_only).encode()
    forms["html"] = html.escape(text, quote=True).encode()
    forms["html-text"] = html.escape(text, quote=False).encode()
    # ElementTree (JUnit XML) escapes `"` but not `'` in attributes.
    forms["xml-attr"] = html.escape(text, quote=False).replace('"', "&quot;").encode()
    forms["xml-apos"] = html.escape(text, quote=True).replace("&#x27;", "&apos;").encode()
    # application/x-www-form-urlencoded as browsers send a login form (WHATWG).
    for lower in (False, True):
        suffix = "-lower" if lower else ""
        forms["form" + suffix] = _percent(utf8, b"*-._", plus=True, lower=lower)
        for name, keep in _URL_KEEPS.items():
            forms[name + suffix] = _percent(utf8, keep, plus=name.endswith("plus"), lower=lower)
        try:
            latin1 = text.encode("latin-1")
        except UnicodeEncodeError:
            continue
        # Forms in pages served as ISO-8859-1 are posted in that charset.
        forms["form-latin1" + suffix] = _percent(latin1, b"*-._", plus=True, lower=lower)
    forms["base64"] = base64.b64encode(utf8)
    forms["base64-url"] = base64.urlsafe_b64encode(utf8)
    for offset in range(3):
        forms[f"base64-offset{offset}"] = _base64_inner(utf8, offset, None)
        forms[f"base64-url-offset{offset}"] = _base64_inner(utf8, offset, b"-_")
    # pytest-playwright names each test's artifact folder slugify(node id), so a
    # password in a parametrize id shows up lower-cased and dashed in a path.
    forms["slug"] = slugify(text).encode()
    return forms


def _all_forms(secret: str) -> dict[str, bytes]:
    """Forms of the password as given and of its NFC and NFD spellings, deduplicated."""
    spellings = {"": secret}
    for normal in ("NFC", "NFD"):
        spelled = unicodedata.normalize(normal, secret)
        if spelled not in spellings.values():
            # macOS file names are NFD; a password pasted from elsewhere may be NFC.
            spellings["/" + normal.lower()] = spelled
    forms: dict[str, bytes] = {}
    seen: set[bytes] = set()
    for suffix, spelled in spellings.items():
        for name, value in _forms_of(spelled).items():
            # Identical bytes keep the first, most telling name.
            if value not in seen:
                seen.add(value)
                forms[name + suffix] = value
    return forms


def secret_forms(secret: str) -> dict[str, bytes]:
    """Every encoding in which `secret` can appear in an artifact, by form name.

    Forms shorter than `MIN_FORM_BYTES` are left out (see `secret_warnings`);
    forms with the same bytes appear once, under the first name.
    """
    return {name: value for name, value in _all_forms(secret).items() if _searchable(value)}


def _searchable(value: bytes) -> bool:
    return len(value) >= MIN_FORM_BYTES


def secret_warnings(secrets: Iterable[str | SecretLike]) -> list[ScanWarning]:
    """What cannot be proven absent: passwords with forms too short to search."""
    warnings = []
    # Numbered as given, so the caller can tell which account's password it is.
    for number, secret in enumerate(_reveal(secrets), start=1):
        if not secret:
            continue
        short = [name for name, value in _all_forms(secret).items() if not _searchable(value)]
        if short:
            warnings.append(
                ScanWarning(
                    WARNING_SECRET_TOO_SHORT,
                    f"mot de passe n°{number} : des formes de moins de {MIN_FORM_BYTES} "
                    f"octets ne sont pas recherchées ({', '.join(short)}) : son absence des "
                    f"artefacts n'est pas prouvée ; utiliser un compte de test dont le mot de "
                    f"passe a au moins {MIN_FORM_BYTES} caractères.",
                )
            )
    return warnings


def _reveal(secrets: Iterable[str | SecretLike]) -> list[str]:
    return [secret if isinstance(secret, str) else secret.get_secret_value() for secret in secrets]


class _Forms:
    """All searchable forms of all passwords, longest first so the most telling wins."""

    def __init__(self, secrets: Iterable[str | SecretLike]) -> None:
        by_value: dict[bytes, str] = {}
        for secret in _reveal(secrets):
            # An empty password has no form: searching b"" would "match" every file.
            for name, value in secret_forms(secret).items():
                by_value.setdefault(value, name)
        self._items = sorted(by_value.items(), key=lambda item: -len(item[0]))

    def __repr__(self) -> str:
        # Keeps the passwords out of tracebacks that print locals.
        return f"<{len(self._items)} password forms>"

    def found(self, data: bytes) -> list[tuple[str, bytes]]:
        """Forms in `data`, without those found only as part of a longer form found."""
        present = [(name, value) for value, name in self._items if value in data]
        kept: list[tuple[str, bytes]] = []
        for name, value in present:
            # e.g. base64-offset0 inside base64: one finding, named by the longer form.
            if not any(
                value in longer and data.count(value) == data.count(longer) * longer.count(value)
                for _, longer in kept
            ):
                kept.append((name, value))
        return kept

    def redact(self, data: bytes, mark: bytes) -> bytes:
        # Longest first, so a long form is not broken up by a shorter one inside it.
        for value, _ in self._items:
            data = data.replace(value, mark)
        return data

    def redact_text(self, text: str, mark: str) -> str:
        raw = text.encode("utf-8", "surrogateescape")
        if not self.found(raw):
            return text
        return self.redact(raw, mark.encode()).decode("utf-8", "backslashreplace")


# --- Walking files and archives --------------------------------------------


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


def pdf_text(data: bytes) -> str:
    """The text of every page of a PDF, as a reader would copy it (pypdf)."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def _name_bytes(info: zipfile.ZipInfo) -> bytes:
    """A member name as stored (cp437 unless flagged UTF-8) and as extracted (UTF-8)."""
    stored = "utf-8" if info.flag_bits & 0x800 else "cp437"
    try:
        raw = info.filename.encode(stored)
    except UnicodeEncodeError:
        raw = b""
    return raw + b"\n" + info.filename.encode("utf-8", "surrogateescape")


def _unique(name: str, used: set[str]) -> str:
    # zipfile warns on duplicate names, and two members named REDACTED would clash.
    candidate, number = name, 2
    while candidate in used:
        candidate = f"{name.rstrip('/')}-{number}" + ("/" if name.endswith("/") else "")
        number += 1
    used.add(candidate)
    return candidate


def _gunzip(data: bytes) -> tuple[bytes | None, bool]:
    """The decompressed bytes of every gzip member, and whether the stream was whole."""
    parts: list[bytes] = []
    rest = data
    while rest:
        stream = zlib.decompressobj(wbits=31)  # 31: gzip header and trailer
        try:
            parts.append(stream.decompress(rest))
        except zlib.error:
            return (b"".join(parts) if parts else None), False
        if not stream.eof:
            return b"".join(parts), False
        rest = stream.unused_data
        if not rest.strip(b"\0"):
            break  # padding after the last member
    return b"".join(parts), True


def _gunzipped_name(name: str) -> str:
    base = name.rsplit("/", 1)[-1]
    for suffix, replacement in ((".tgz", ".tar"), (".gz", ""), (".gzip", "")):
        if base.endswith(suffix) and len(base) > len(suffix):
            return base[: -len(suffix)] + replacement
    return base + "#gunzip"


def _is_binary(data: bytes) -> bool:
    # An archive that could not be opened is binary too: editing it blindly helps nobody.
    return data.startswith((*_BINARY_MAGIC, *_ZIP_MAGIC, _GZIP_MAGIC)) or b"\0" in data


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


# --- Public entry points -----------------------------------------------------


def scan_paths(paths: Iterable[Path], secrets: Iterable[str | SecretLike]) -> ScanResult:
    """Look for every form of every password in the files under `paths`.

    Folders are walked recursively; zip archives (nested ones too, as in a
    Playwright trace) and gzip files are opened and each member scanned; file,
    folder and member names are scanned as well. Nothing is changed on disk.
    """
    secrets = list(secrets)  # read twice, and may be a generator
    inspector = _Inspector(_Forms(secrets), rewrite=False)
    for path in paths:
        inspector.walk(Path(path))
    return ScanResult(
        hits=inspector.hits(),
        files_scanned=inspector.files,
        bytes_scanned=inspector.bytes,
        members_scanned=inspector.members,
        warnings=secret_warnings(secrets) + inspector.warnings,
    )


def scrub_paths(paths: Iterable[Path], secrets: Iterable[str | SecretLike]) -> list[Hit]:
    """Remove every form of every password under `paths`; return what was removed.

    Text files get `***` in place of the password. Binary files (PNG, WebM, ...)
    where that would corrupt the file are deleted. Zip archives are rewritten
    with each member cleaned the same way (a binary member is dropped) and gzip
    files recompressed. A file, folder or member whose name holds a password is
    renamed with REDACTED in its place. Each `Hit.action` says what was done;
    any hit means the run leaked a password and must fail, naming the file.
    """
    inspector = _Inspector(_Forms(secrets), rewrite=True)
    for path in paths:
        inspector.walk(Path(path))
    return inspector.hits()
