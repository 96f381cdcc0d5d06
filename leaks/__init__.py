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

The modules: `forms` (the encodings), `walk` (files, folders and archives, read and
cleaned), `archives` (archive, PDF and binary formats), `scan` and `scrub` (the entry
points), `results` (codes, hits, warnings), `written` (what a run wrote: its scrub cleans
only that, never a file it did not write). Everything public is imported here.

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

from leaks.archives import pdf_text
from leaks.forms import MIN_FORM_BYTES, secret_forms, secret_warnings
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
    WARNING_SECRET_TOO_SHORT,
    WARNING_UNREADABLE,
    Hit,
    ScanResult,
    ScanWarning,
    SecretLike,
    SecretScanError,
)
from leaks.scan import scan_paths
from leaks.scrub import scrub_paths
from leaks.walk import MAX_ARCHIVE_DEPTH
from leaks.written import Snapshot, snapshot, written_since

__all__ = [
    "ACTION_DELETED",
    "ACTION_DROPPED",
    "ACTION_REDACTED",
    "ACTION_RENAMED",
    "CONTENT_MARK",
    "MAX_ARCHIVE_DEPTH",
    "MEMBER_SEPARATOR",
    "MIN_FORM_BYTES",
    "NAME_MARK",
    "PDF_TEXT_MEMBER",
    "REPORT_MARK",
    "WARNING_ARCHIVE_DAMAGED",
    "WARNING_ARCHIVE_TOO_DEEP",
    "WARNING_PATH_MISSING",
    "WARNING_SECRET_TOO_SHORT",
    "WARNING_UNREADABLE",
    "Hit",
    "ScanResult",
    "ScanWarning",
    "SecretLike",
    "SecretScanError",
    "Snapshot",
    "pdf_text",
    "scan_paths",
    "scrub_paths",
    "secret_forms",
    "secret_warnings",
    "snapshot",
    "written_since",
]
