"""Reading what files hold: archive, PDF and binary formats, gzip streams, zip names."""

from __future__ import annotations

import io
import zipfile
import zlib

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
_WRITABLE_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA)


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
