"""Passwords in run artifacts: their encoded forms, the scan, and the scrub.

The artifacts are built the way the real writers build them (json.dumps for
Allure, urlencode for a login POST, base64 for HAR bodies, zips of traces
inside a CI bundle), with passwords whose characters change under each
encoding.
"""

from __future__ import annotations

import base64
import gzip
import html
import io
import json
import re
import struct
import xml.etree.ElementTree as ET
import zipfile
import zlib
from pathlib import Path
from urllib.parse import quote, quote_plus, urlencode

import pytest
from pydantic import SecretStr

import leaks.walk
from leaks import (
    ACTION_DELETED,
    ACTION_REDACTED,
    ACTION_RENAMED,
    MIN_FORM_BYTES,
    WARNING_ARCHIVE_DAMAGED,
    WARNING_PATH_MISSING,
    WARNING_SECRET_TOO_SHORT,
    Hit,
    scan_paths,
    scrub_paths,
    secret_forms,
    secret_warnings,
)

ROOT = Path(__file__).resolve().parents[1]

# `+`, `/` and `&` change under URL and form encoding, `é` under every charset,
# JSON-ascii and percent-encoding, `/` and `+` sit in the base64 alphabet.
STAFF_PASSWORD = "Lab-x9Tq_Zr2+é/&"
# `"` and `\` change under JSON, `<`, `>`, `'` and `"` under HTML and XML.
STUDENT_PASSWORD = "Ent\"Pw\\9é<x>'"
PASSWORDS = (STAFF_PASSWORD, STUDENT_PASSWORD)
# pytest-playwright's folder for a test whose id holds the staff password.
SLUG_FOLDER = "tests-e2e-test-journey-py-test-login-lab-x9tq-zr2-e"


# --- Artifact builders -----------------------------------------------------


def write_allure_result(folder: Path, password: str = STUDENT_PASSWORD) -> Path:
    """An Allure result whose step parameter leaked the password (allure writes UTF-8)."""
    result = {
        "uuid": "5d0c8a2e-0d7e-4d7f-9a59-6f3a1f0a2b11",
        "name": "test_login[eleve]",
        "fullName": "e2e.test_journey#test_login",
        "status": "failed",
        "steps": [
            {
                "name": "Remplir le formulaire CAS",
                "status": "passed",
                "parameters": [
                    {"name": "username", "value": "eleve.dupont"},
                    {"name": "password", "value": password},
                ],
            }
        ],
        "start": 1732886400000,
        "stop": 1732886403000,
    }
    path = folder / "allure-results" / "5d0c8a2e-result.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
    return path


def login_page(password: str) -> bytes:
    """A CAS login page echoed back with the password in the field (a faulty server)."""
    return (
        "<!DOCTYPE html><html><body><form method='post' action='/cas/login'>"
        "<input name='username' value='prof.martin'>"
        f"<input type='password' name='password' value='{password}'>"
        "</form></body></html>"
    ).encode()


def write_har(folder: Path, password: str = STAFF_PASSWORD) -> Path:
    """A HAR with the login POST (form-encoded) and a base64 response body."""
    body = urlencode({"username": "prof.martin", "password": password, "lt": "LT-1-abc"})
    entry = {
        "request": {
            "method": "POST",
            "url": "https://cas.lab.test/cas/login?service=https%3A%2F%2Fent.lab.test%2F",
            "postData": {"mimeType": "application/x-www-form-urlencoded", "text": body},
        },
        "response": {
            "status": 200,
            "content": {
                "mimeType": "text/html",
                "encoding": "base64",
                "text": base64.b64encode(login_page(password)).decode(),
            },
        },
    }
    path = folder / "network.har"
    path.write_text(json.dumps({"log": {"version": "1.2", "entries": [entry]}}), encoding="utf-8")
    return path


def zip_bytes(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=compression) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


def trace_zip(password: str | None) -> bytes:
    """A Playwright trace: NDJSON events, a network log, resources."""
    query = urlencode({"service": "https://ent.lab.test/"})
    if password is not None:
        # A GET login (a faulty form) puts the password in the URL, quote()d.
        query += "&password=" + quote(password)
    events = [
        {"type": "context-options", "browserName": "chromium"},
        {"type": "before", "callId": "call@1", "apiName": "page.goto"},
    ]
    network = [
        {
            "type": "resource-snapshot",
            "snapshot": {"request": {"url": f"https://cas.lab.test/cas/login?{query}"}},
        }
    ]
    return zip_bytes(
        {
            "trace.trace": "\n".join(json.dumps(event) for event in events).encode(),
            "trace.network": "\n".join(json.dumps(event) for event in network).encode(),
            "resources/page@1.html": b"<html><body>Connexion</body></html>",
        }
    )


def write_bundle(folder: Path, password: str | None = STAFF_PASSWORD) -> Path:
    """The CI bundle: test-results zipped (stored), each test's trace.zip inside."""
    test_folder = SLUG_FOLDER if password is not None else "tests-e2e-test-journey-py-test-login"
    path = folder / "test-results.zip"
    path.write_bytes(
        zip_bytes(
            {
                f"{test_folder}/trace.zip": trace_zip(password),
                "tests-e2e-test-portal-py-test-shortcut/trace.zip": trace_zip(None),
            },
            compression=zipfile.ZIP_STORED,
        )
    )
    return path


def write_gzip_log(folder: Path, password: str = STAFF_PASSWORD) -> Path:
    path = folder / "logs" / "run.log.gz"
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = f"INFO navigate /cas/login\nDEBUG fill #password {password}\nINFO done\n"
    path.write_bytes(gzip.compress(lines.encode()))
    return path


def png_bytes(text: bytes) -> bytes:
    """A 1x1 PNG with a tEXt chunk: a screenshot whose metadata leaked the text."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\xff\xff")
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"tEXt", b"Comment\x00" + text)
        + chunk(b"IDAT", pixels)
        + chunk(b"IEND", b"")
    )


def write_screenshot(folder: Path, password: str = STAFF_PASSWORD) -> Path:
    path = folder / "screenshots" / "login.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(png_bytes(password.encode()))
    return path


def write_slug_folder(folder: Path) -> Path:
    """pytest-playwright's artifact folder for a test whose id holds the password."""
    video = folder / "test-results" / SLUG_FOLDER / "video.webm"
    video.parent.mkdir(parents=True)
    video.write_bytes(b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01webm-without-secret")
    return video.parent


def write_junit(folder: Path, password: str = STUDENT_PASSWORD) -> Path:
    """JUnit XML from ElementTree, the password in a property and in system-out."""
    suite = ET.Element("testsuite", name="e2e", tests="1")
    case = ET.SubElement(suite, "testcase", classname="e2e.test_journey", name="test_login")
    properties = ET.SubElement(case, "properties")
    ET.SubElement(properties, "property", name="password", value=password)
    path = folder / "junit.xml"
    ET.ElementTree(suite).write(path, encoding="utf-8", xml_declaration=True)
    return path


def write_run(folder: Path) -> list[Path]:
    """Every leaking artifact of one run, as the scrub tests receive them."""
    return [
        write_allure_result(folder),
        write_har(folder),
        write_bundle(folder),
        write_gzip_log(folder),
        write_screenshot(folder),
        write_slug_folder(folder) / "video.webm",
        write_junit(folder),
    ]


def write_clean_run(folder: Path) -> list[Path]:
    """The same artifacts from a run that leaked nothing."""
    clean = "********"
    allure = write_allure_result(folder, clean)
    har = write_har(folder, clean)
    bundle = write_bundle(folder, None)
    log = write_gzip_log(folder, clean)
    screenshot = write_screenshot(folder, clean)
    summary = folder / "summary.json"
    summary.write_text(json.dumps({"accounts": 2, "failed": 0}), encoding="utf-8")
    return [allure, har, bundle, log, screenshot, summary]


def leaked_in(text: str) -> list[str]:
    """Names of the password forms present in a string this module returned."""
    raw = text.encode("utf-8", "surrogateescape")
    return [
        name
        for password in PASSWORDS
        for name, value in secret_forms(password).items()
        if value in raw
    ]


def forms_at(hits: list[Hit], path: Path, member: str | None = None) -> set[str]:
    return {hit.form for hit in hits if hit.path == str(path) and hit.member == member}


# --- secret_forms ----------------------------------------------------------


def lower_escapes(text: str) -> bytes:
    return re.sub(r"%[0-9A-F]{2}", lambda m: m[0].lower(), text).encode()


STAFF_ENCODINGS = {
    "plain": STAFF_PASSWORD.encode(),
    "plain-latin1": STAFF_PASSWORD.encode("latin-1"),
    "utf16-le": STAFF_PASSWORD.encode("utf-16-le"),
    "url-quote": quote(STAFF_PASSWORD).encode(),
    "form": urlencode({"p": STAFF_PASSWORD})[2:].encode(),
    "form-lower": lower_escapes(quote_plus(STAFF_PASSWORD)),
    "form-latin1": quote_plus(STAFF_PASSWORD, encoding="latin-1").encode(),
    "json-ascii": json.dumps(STAFF_PASSWORD)[1:-1].encode(),
    "base64": base64.b64encode(STAFF_PASSWORD.encode()),
    "slug": b"lab-x9tq-zr2-e",
}
STUDENT_ENCODINGS = {
    "json": json.dumps(STUDENT_PASSWORD, ensure_ascii=False)[1:-1].encode(),
    "json-ascii": json.dumps(STUDENT_PASSWORD)[1:-1].encode(),
    # A JSON body kept as a string in a JSON trace event: `"\"` and `\""` around it.
    "json-twice": json.dumps(json.dumps(STUDENT_PASSWORD, ensure_ascii=False), ensure_ascii=False)[
        3:-3
    ].encode(),
    "html": html.escape(STUDENT_PASSWORD).encode(),
    "html-text": html.escape(STUDENT_PASSWORD, quote=False).encode(),
    "url-component": b"Ent%22Pw%5C9%C3%A9%3Cx%3E'",  # what encodeURIComponent gives
    "base64-url-offset2": base64.urlsafe_b64encode(b"ab" + STUDENT_PASSWORD.encode())[3:21],
}


@pytest.mark.parametrize(
    ("password", "form", "expected"),
    [
        *(pytest.param(STAFF_PASSWORD, f, e, id=f"staff-{f}") for f, e in STAFF_ENCODINGS.items()),
        *(
            pytest.param(STUDENT_PASSWORD, f, e, id=f"student-{f}")
            for f, e in STUDENT_ENCODINGS.items()
        ),
    ],
)
def test_secret_forms_match_the_encoders_that_write_artifacts(
    password: str, form: str, expected: bytes
) -> None:
    assert secret_forms(password)[form] == expected


@pytest.mark.parametrize("prefix_length", range(6), ids=lambda n: f"{n}-bytes-before")
@pytest.mark.parametrize("alphabet", ["standard", "url-safe"])
@pytest.mark.parametrize("password", PASSWORDS, ids=["staff", "student"])
def test_secret_forms_base64_inner_part_survives_any_neighbours(
    password: str, alphabet: str, prefix_length: int
) -> None:
    # Given the form for the password's alignment in a longer string
    forms = secret_forms(password)
    url = "-url" if alphabet == "url-safe" else ""
    name = f"base64{url}-offset{prefix_length % 3}"
    # (identical bytes keep the standard name)
    inner = forms.get(name) or forms[name.replace("-url", "")]
    encode = base64.b64encode if alphabet == "standard" else base64.urlsafe_b64encode
    for before, after in ((b"\x00", b""), (b"\xff", b"\xff"), (b"a", b"Basic "), (b"=", b"~~")):
        # When the whole string is base64-encoded
        encoded = encode(before * prefix_length + password.encode() + after)
        # Then the form is in it, whatever the neighbours
        assert inner in encoded


def test_secret_forms_leave_out_short_forms_and_warn_about_them() -> None:
    forms = secret_forms("Ab1+é")  # 6 bytes in UTF-8, 5 in Latin-1

    assert "plain" in forms
    assert "plain-latin1" not in forms
    assert all(len(value) >= MIN_FORM_BYTES for value in forms.values())
    warnings = secret_warnings(["Ab1+é", STAFF_PASSWORD, "abc"])
    assert [warning.code for warning in warnings] == [WARNING_SECRET_TOO_SHORT] * 2
    assert "n°1" in warnings[0].message and "n°3" in warnings[1].message
    assert "Ab1" not in str(warnings) and "abc" not in str(warnings)


# --- scan_paths: one artifact at a time -----------------------------------


@pytest.mark.parametrize(
    ("password", "form"),
    [
        pytest.param(password, form, id=f"{who}-{form}")
        for who, password in zip(("staff", "student"), PASSWORDS, strict=True)
        for form in secret_forms(password)
    ],
)
def test_scan_paths_names_each_form_found_in_a_text(
    tmp_path: Path, password: str, form: str
) -> None:
    path = tmp_path / "events.log"
    path.write_bytes(b"12:00:01 value=" + secret_forms(password)[form] + b" end\n")

    result = scan_paths([tmp_path], [password])

    assert [(hit.path, hit.member, hit.form, hit.in_name) for hit in result.hits] == [
        (str(path), None, form, False)
    ]


def test_scan_paths_finds_password_json_escaped_in_allure_result(tmp_path: Path) -> None:
    path = write_allure_result(tmp_path)

    result = scan_paths([tmp_path], PASSWORDS)

    assert result.hits == [Hit(str(path), None, "json")]


def test_scan_paths_finds_form_body_and_base64_body_in_har(tmp_path: Path) -> None:
    path = write_har(tmp_path)
    # The page sits at some offset in the response body: its alignment names the form.
    offset = login_page(STAFF_PASSWORD).index(STAFF_PASSWORD.encode()) % 3

    result = scan_paths([tmp_path], PASSWORDS)

    assert forms_at(result.hits, path) == {"form", f"base64-offset{offset}"}
    assert len(result.hits) == 2


def test_scan_paths_finds_url_encoded_password_in_nested_trace_zip(tmp_path: Path) -> None:
    path = write_bundle(tmp_path)

    result = scan_paths([tmp_path], PASSWORDS)

    # The bundle stores members uncompressed: the raw bytes show the same
    # forms, and are not reported a second time.
    assert sorted(result.hits, key=lambda hit: hit.member or "") == [
        Hit(str(path), "tests-e2e-test-journey-py-test-login-***/trace.zip", "slug", True),
        Hit(
            str(path),
            "tests-e2e-test-journey-py-test-login-***/trace.zip!trace.network",
            "url-quote",
        ),
    ]
    assert f"{path}!tests-e2e-test-portal-py-test-shortcut/trace.zip!trace.trace" in (
        result.members_scanned
    )


def test_scan_paths_finds_password_in_gzip_member(tmp_path: Path) -> None:
    path = write_gzip_log(tmp_path)

    result = scan_paths([tmp_path], PASSWORDS)

    assert result.hits == [Hit(str(path), "run.log", "plain")]


def test_scan_paths_finds_password_in_file_and_folder_names(tmp_path: Path) -> None:
    folder = write_slug_folder(tmp_path)
    screenshot = tmp_path / f"login-{quote(STAFF_PASSWORD, safe='')}.png"
    screenshot.write_bytes(png_bytes(b"no secret here"))

    result = scan_paths([tmp_path], PASSWORDS)

    assert set(result.hits) == {
        Hit(str(tmp_path / "login-***.png"), None, "form", in_name=True),
        Hit(str(folder.parent / "tests-e2e-test-journey-py-test-login-***"), None, "slug", True),
    }
    assert str(folder.parent / "tests-e2e-test-journey-py-test-login-***" / "video.webm") in (
        result.files_scanned
    )


def test_scan_paths_finds_password_bytes_in_png(tmp_path: Path) -> None:
    path = write_screenshot(tmp_path)

    result = scan_paths([path], PASSWORDS)

    assert result.hits == [Hit(str(path), None, "plain")]
    assert result.files_scanned == [str(path)]


def test_scan_paths_finds_password_xml_escaped_in_junit_report(tmp_path: Path) -> None:
    path = write_junit(tmp_path)

    result = scan_paths([tmp_path], PASSWORDS)

    assert result.hits == [Hit(str(path), None, "xml-attr")]


# --- scan_paths: whole runs ------------------------------------------------


def test_scan_paths_reports_clean_run_with_every_file_scanned(tmp_path: Path) -> None:
    written = write_clean_run(tmp_path)

    result = scan_paths([tmp_path], PASSWORDS)

    assert result.hits == []
    assert sorted(result.files_scanned) == sorted(str(path) for path in written)
    assert result.bytes_scanned > sum(path.stat().st_size for path in written)
    bundle = tmp_path / "test-results.zip"
    assert f"{bundle}!tests-e2e-test-journey-py-test-login/trace.zip!trace.network" in (
        result.members_scanned
    )
    assert f"{tmp_path / 'logs' / 'run.log.gz'}!run.log" in result.members_scanned
    assert result.warnings == []


def test_scan_paths_finds_every_leaking_artifact_of_a_run(tmp_path: Path) -> None:
    written = write_run(tmp_path)
    write_clean_run(tmp_path / "clean")

    result = scan_paths([tmp_path], PASSWORDS)

    files_hit = {hit.path for hit in result.hits if not hit.in_name}
    expected = {str(path) for path in written if "video.webm" not in path.name}
    assert files_hit == expected
    assert any(hit.in_name and hit.form == "slug" for hit in result.hits)


def test_scan_paths_never_returns_the_password(tmp_path: Path) -> None:
    write_run(tmp_path)
    # A damaged archive whose name holds the password, to reach the warnings too.
    damaged = tmp_path / f"{quote(STAFF_PASSWORD, safe='')}.zip"
    damaged.write_bytes(b"PK\x03\x04 damaged " + STAFF_PASSWORD.encode())
    # A member whose CRC fails: zipfile's error message quotes the member name.
    member = f"{SLUG_FOLDER}/trace.network".encode()
    archive = zip_bytes({member.decode(): b"x" * 40}, compression=zipfile.ZIP_STORED)
    (tmp_path / "bad-crc.zip").write_bytes(archive.replace(b"x" * 40, b"y" * 40))

    result = scan_paths([tmp_path], PASSWORDS)

    assert [warning.code for warning in result.warnings] == [WARNING_ARCHIVE_DAMAGED] * 2
    assert Hit(str(tmp_path / "***.zip"), None, "plain") in result.hits
    returned = [
        *(repr(hit) + hit.describe() for hit in result.hits),
        *result.files_scanned,
        *result.members_scanned,
        *(str(warning) for warning in result.warnings),
    ]
    assert [leaked_in(text) for text in returned if leaked_in(text)] == []


def test_scan_paths_accepts_secret_str_from_a_generator(tmp_path: Path) -> None:
    path = write_gzip_log(tmp_path)

    result = scan_paths([tmp_path], (SecretStr(p) for p in (STAFF_PASSWORD, "abc")))

    assert result.hits == [Hit(str(path), "run.log", "plain")]
    assert [warning.code for warning in result.warnings] == [WARNING_SECRET_TOO_SHORT]


def test_scan_paths_warns_about_a_missing_path(tmp_path: Path) -> None:
    result = scan_paths([tmp_path / "reports"], PASSWORDS)

    assert [warning.code for warning in result.warnings] == [WARNING_PATH_MISSING]
    assert result.files_scanned == []


# --- scrub_paths -----------------------------------------------------------


def test_scrub_paths_removes_every_form_so_a_second_scan_is_clean(tmp_path: Path) -> None:
    write_run(tmp_path)
    before = scan_paths([tmp_path], PASSWORDS)

    removed = scrub_paths([tmp_path], PASSWORDS)
    after = scan_paths([tmp_path], PASSWORDS)

    assert before.hits and len(removed) == len(before.hits)
    assert all(hit.action is not None for hit in removed)
    assert after.hits == []
    assert after.warnings == []


def test_scrub_paths_keeps_zip_archives_valid(tmp_path: Path) -> None:
    path = write_bundle(tmp_path)

    removed = scrub_paths([tmp_path], PASSWORDS)

    assert {(hit.form, hit.action) for hit in removed} == {
        ("slug", ACTION_RENAMED),
        ("url-quote", ACTION_REDACTED),
    }
    with zipfile.ZipFile(path) as bundle:
        assert bundle.testzip() is None
        names = bundle.namelist()
        trace = bundle.read("tests-e2e-test-journey-py-test-login-REDACTED/trace.zip")
    assert names == [
        "tests-e2e-test-journey-py-test-login-REDACTED/trace.zip",
        "tests-e2e-test-portal-py-test-shortcut/trace.zip",
    ]
    with zipfile.ZipFile(io.BytesIO(trace)) as inner:
        assert inner.testzip() is None
        network = json.loads(inner.read("trace.network"))
        untouched = inner.read("resources/page@1.html")
    assert network["snapshot"]["request"]["url"].endswith("&password=***")
    assert untouched == b"<html><body>Connexion</body></html>"


def test_scrub_paths_redacts_text_files_and_keeps_them_readable(tmp_path: Path) -> None:
    allure = write_allure_result(tmp_path)
    har = write_har(tmp_path)
    log = write_gzip_log(tmp_path)

    removed = scrub_paths([tmp_path], PASSWORDS)

    assert {hit.action for hit in removed} == {ACTION_REDACTED}
    result = json.loads(allure.read_text(encoding="utf-8"))
    assert result["steps"][0]["parameters"][1] == {"name": "password", "value": "***"}
    entry = json.loads(har.read_text(encoding="utf-8"))["log"]["entries"][0]
    assert "password=***&" in entry["request"]["postData"]["text"]
    assert "***" in entry["response"]["content"]["text"]
    assert b"fill #password ***\n" in gzip.decompress(log.read_bytes())


def test_scrub_paths_deletes_binary_files_it_cannot_rewrite(tmp_path: Path) -> None:
    screenshot = write_screenshot(tmp_path)
    clean = tmp_path / "screenshots" / "portal.png"
    clean.write_bytes(png_bytes(b"Portail ENT"))

    removed = scrub_paths([tmp_path], PASSWORDS)

    assert removed == [Hit(str(screenshot), None, "plain", action=ACTION_DELETED)]
    assert removed[0].describe() == (
        f"{screenshot} : mot de passe trouvé dans le contenu (forme plain) : fichier supprimé ; "
        "chercher l'étape qui l'a écrit."
    )
    assert not screenshot.exists()
    assert clean.read_bytes() == png_bytes(b"Portail ENT")


def test_scrub_paths_renames_folders_named_after_the_password(tmp_path: Path) -> None:
    folder = write_slug_folder(tmp_path)

    removed = scrub_paths([tmp_path], PASSWORDS)

    renamed = folder.parent / "tests-e2e-test-journey-py-test-login-REDACTED"
    assert [(hit.form, hit.in_name, hit.action) for hit in removed] == [
        ("slug", True, ACTION_RENAMED)
    ]
    assert not folder.exists()
    assert (renamed / "video.webm").is_file()


def test_scrub_paths_leaves_a_clean_run_untouched(tmp_path: Path) -> None:
    written = write_clean_run(tmp_path)
    before = {path: path.read_bytes() for path in written}

    removed = scrub_paths([tmp_path], PASSWORDS)

    assert removed == []
    assert {path: path.read_bytes() for path in written} == before


def test_scrub_paths_never_returns_the_password(tmp_path: Path) -> None:
    write_run(tmp_path)

    removed = scrub_paths([tmp_path], PASSWORDS)

    assert removed
    assert [hit for hit in removed if leaked_in(repr(hit) + hit.describe())] == []


def test_scrub_paths_leaves_the_action_empty_when_the_disk_refuses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_allure_result(tmp_path)

    def refuse(target: Path, data: bytes) -> None:
        raise PermissionError(13, "Permission denied", str(target))

    monkeypatch.setattr(leaks.walk, "_write_over", refuse)

    removed = scrub_paths([tmp_path], PASSWORDS)

    assert removed == [Hit(str(path), None, "json", action=None)]
    assert secret_forms(STUDENT_PASSWORD)["json"] in path.read_bytes()
