"""The encoded forms in which a password can sit in an artifact (`secret_forms`)."""

from __future__ import annotations

import base64
import html
import json
import re
import unicodedata
from collections.abc import Iterable

from ahocorasick_rs import BytesAhoCorasick
from slugify import slugify

from leaks.results import WARNING_SECRET_TOO_SHORT, ScanWarning, SecretLike

# Shorter forms would match unrelated bytes (4 given bytes turn up by chance in
# megabytes of video or base64), so they are not searched at all.
MIN_FORM_BYTES = 6
_ALNUM = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
_PRINTABLE = bytes(range(0x21, 0x7F))


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
        # One pass over the bytes for all forms (Aho-Corasick), not one search per form: a
        # run's artifacts are tens of MB and its passwords have thousands of forms.
        self._matcher = BytesAhoCorasick([value for value, _ in self._items])

    def __repr__(self) -> str:
        # Keeps the passwords out of tracebacks that print locals.
        return f"<{len(self._items)} password forms>"

    def found(self, data: bytes) -> list[tuple[str, bytes]]:
        """Forms in `data`, without those found only as part of a longer form found."""
        if not self._items:
            return []
        hits = {i for i, _, _ in self._matcher.find_matches_as_indexes(data, overlapping=True)}
        present = [(self._items[i][1], self._items[i][0]) for i in sorted(hits)]  # longest first
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
