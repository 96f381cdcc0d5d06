"""The lab's own test kit: HTTP walks through the lab, CAS logins, its CLI and its sockets.

It imports only `lab` and the standard library (plus httpx): the lab is the
world the verifier is tested against, so its own tests judge it on the facts of
the real products (markup, status, protocol), not through the verifier's
classifier.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx

from lab.casclient import TicketCheck, check_ticket
from lab.client import LabAccount, LabClient

ROOT = Path(__file__).resolve().parents[1]
HTTP_TIMEOUT_S = 10.0
INFO_MOBILE_APP_ID = "0D264427-EEFC-4810-A9E9-346942A862A4"
URLS_FILE_KEYS = ("cas", "ent", "pronote", "pronote_direct", "control", "accounts", "wording")
ACCOUNT_KEYS = ("login", "password", "profile")


def http_client(**kwargs: object) -> httpx.Client:
    """A client that does not follow redirects (the tests look at each hop) and never hangs."""
    return httpx.Client(timeout=HTTP_TIMEOUT_S, follow_redirects=False, **kwargs)  # type: ignore[arg-type]


# -- HTML ----------------------------------------------------------------------------


@dataclass
class Form:
    action: str
    inputs: list[dict[str, str]] = field(default_factory=list)

    @property
    def has_password(self) -> bool:
        return any(i.get("type") == "password" for i in self.inputs)

    def visible_inputs(self) -> list[dict[str, str]]:
        return [i for i in self.inputs if i.get("type", "text") not in ("hidden", "submit")]


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self.text: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(Form(values.get("action", "")))
        elif tag == "input" and self.forms:
            self.forms[-1].inputs.append({"type": "text", **values})
        elif tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.text.append(data.strip())


def read_html(html: str) -> _Reader:
    reader = _Reader()
    reader.feed(html)
    return reader


def visible_text(html: str) -> str:
    return " ".join(read_html(html).text)


# -- CAS -----------------------------------------------------------------------------


def cas_login(
    client: httpx.Client, cas_url: str, service: str, login: str, password: str
) -> httpx.Response:
    """GET /login?service=S, then POST its form as a user would; returns the CAS's answer."""
    page = client.get(urljoin(cas_url, "login"), params={"service": service})
    assert page.status_code == 200, f"CAS login page: HTTP {page.status_code}"
    forms = read_html(page.text).forms
    if not any(f.has_password for f in forms):
        # A Kosmos WAYF first (DOMAIN.md): choose the ENT's own accounts, not ÉduConnect.
        local = [
            i["value"]
            for f in forms
            for i in f.inputs
            if i.get("name") == "selection" and not i.get("value", "").startswith("EDU")
        ]
        assert local, "the CAS shows neither a login form nor a local-account choice"
        page = client.get(
            urljoin(cas_url, "login"), params={"service": service, "selection": local[0]}
        )
        forms = read_html(page.text).forms
    form = next(f for f in forms if f.has_password)
    fields = {
        i["name"]: i.get("value", "")
        for i in form.inputs
        if i.get("name") and i.get("type") not in ("checkbox", "submit")
    }
    fields.update(username=login, password=password)
    return client.post(str(page.url), data=fields)


def ticket_of(url: str) -> str | None:
    values = parse_qs(urlsplit(url).query).get("ticket")
    return values[0] if values else None


def service_ticket(lab: LabClient, service: str, login: str | None = None) -> str:
    """A fresh service ticket for *service*, from a fresh browser-like session."""
    who = next(a for a in lab.accounts if a.login == login) if login else local_accounts(lab)[0]
    with http_client() as client:
        answer = cas_login(client, lab.info["cas"], service, who.login, who.password)
    assert answer.status_code == 302, f"CAS login: HTTP {answer.status_code}"
    ticket = ticket_of(answer.headers["location"])
    assert ticket, f"no ticket in {answer.headers['location']}"
    return ticket


def validate(lab: LabClient, service: str, ticket: str) -> TicketCheck:
    with http_client() as client:
        return check_ticket(client, lab.info["cas"], service, ticket)


def pronote_service(lab: LabClient, page: str = "eleve.html", site: int = 0) -> str:
    """The service PRONOTE.net announces for one of its space pages."""
    return lab.info["establishments"][site]["pronote"] + page


def ent_service(lab: LabClient) -> str:
    return lab.info["ent"] + "auth/cas"


# -- the lab's state -----------------------------------------------------------------


def local_accounts(lab: LabClient) -> list[LabAccount]:
    """Accounts that log in with the ENT's own form (the others go through ÉduConnect)."""
    return [a for a in lab.accounts if getattr(a, "route", "local") == "local"]


def uid_of(lab: LabClient, login: str) -> str:
    return next(a.uid for a in lab.accounts if a.login == login)


def account(lab: LabClient, login: str) -> LabAccount:
    return next(a for a in lab.accounts if a.login == login)


def first_of_profile(lab: LabClient, profile: str, uai: str | None = None) -> LabAccount:
    return next(
        a for a in local_accounts(lab) if a.profile == profile and (uai is None or a.uai == uai)
    )


def pronote_row(lab: LabClient, login: str, uai: str | None = None) -> dict:
    """The user's row in PRONOTE's table: id_connexion, id_pronote_ent, id_cas."""
    return next(u for u in lab.pronote_users(uai) if u["login"] == login)


def info_mobile_app(
    client: httpx.Client, pronote_root: str, name: str = "infoMobileApp.json"
) -> dict:
    response = client.get(urljoin(pronote_root, name), params={"id": INFO_MOBILE_APP_ID})
    assert response.status_code == 200, f"{name}: HTTP {response.status_code}"
    return response.json()


# -- a user's walk through the lab, hop by hop ----------------------------------------


@dataclass
class Page:
    url: str
    status: int
    html: str

    @property
    def text(self) -> str:
        return visible_text(self.html)

    @property
    def is_pronote_app(self) -> bool:
        """PRONOTE's application shell: `<body id="id_body" onload="try { Start (…`."""
        return bool(re.search(r'<body id="id_body" onload="try \{ Start \(\{h:', self.html))


@dataclass
class PageLog:
    """Every page the lab served during a test, to scan them all afterwards."""

    pages: list[Page] = field(default_factory=list)

    def keep(self, response: httpx.Response) -> None:
        response.read()
        self.pages.append(Page(str(response.url), response.status_code, response.text))

    def client(self) -> httpx.Client:
        return http_client(event_hooks={"request": [], "response": [self.keep]})

    def naming(self, word: str) -> list[str]:
        """URLs of the pages whose HTML contains *word* (case-insensitive)."""
        folded = word.casefold()
        return [p.url for p in self.pages if folded in p.html.casefold()]


@dataclass
class Walk:
    """What one user met: ENT → CAS → portal → shortcut → PRONOTE.net."""

    pages: list[Page] = field(default_factory=list)
    shortcut_url: str | None = None
    pronote_service: str | None = None  # `service` of the CAS /login the shortcut led to
    ticket_issued: bool = False
    network_error: str | None = None
    banner: dict | None = None  # what the space's script draws, if the space was built
    sso_check: TicketCheck | None = None  # a fresh ticket for the same service, validated
    seconds: float = 0.0
    requests: int = 0  # HTTP requests within `seconds` (each a hop through the lab)

    @property
    def final(self) -> Page:
        return self.pages[-1]


_SHORTCUT_RE = re.compile(r'(?:href|data-url)="([^"#]*(?:/pronote/|/portail/service/)[^"]*)"')


def walk(lab: LabClient, who: LabAccount, log: PageLog | None = None) -> Walk:
    """Walk *who* through the lab with a fresh client, as a browser would, keeping every hop."""
    result = Walk()
    began = time.perf_counter()
    client = log.client() if log else http_client()
    answered: list[int] = []
    client.event_hooks["response"].append(lambda response: answered.append(1))

    def done() -> Walk:
        result.seconds, result.requests = time.perf_counter() - began, len(answered)
        return result

    with client:

        def get(url: str) -> httpx.Response:
            response = client.get(url)
            result.pages.append(Page(str(response.url), response.status_code, response.text))
            return response

        def follow(url: str) -> httpx.Response:
            response = get(url)
            for _ in range(10):
                location = response.headers.get("location")
                if response.status_code not in (301, 302, 303) or not location:
                    break
                location = urljoin(str(response.url), location)
                if "/login?" in location and "service=" in location and "pronote" in location:
                    result.pronote_service = parse_qs(urlsplit(location).query)["service"][0]
                result.ticket_issued |= bool(ticket_of(location))
                response = get(location)
            return response

        home = get(lab.info["ent"])
        if home.status_code == 502:  # a load balancer's bad backend: retry once (flaky_network)
            home = get(lab.info["ent"])
        answer = cas_login(client, lab.info["cas"], ent_service(lab), who.login, who.password)
        assert answer.status_code == 302, f"ENT login at the CAS: HTTP {answer.status_code}"
        portal = follow(answer.headers["location"])
        assert portal.status_code == 200, f"portal: HTTP {portal.status_code}"
        found = _SHORTCUT_RE.search(portal.text)
        if found is None:
            return done()
        result.shortcut_url = urljoin(str(portal.url), found.group(1).replace("&amp;", "&"))
        target = result.shortcut_url
        if "/portail/service/" in target:  # the portal frames PRONOTE: follow the frame
            frame = get(target)
            target = re.search(r'<iframe[^>]* src="([^"]+)"', frame.text).group(1)  # type: ignore[union-attr]
        try:
            final = follow(target)
        except httpx.ConnectError:
            result.network_error = "connection_refused"
            return done()
        start = re.search(r"Start \(\{h:'(\d+)',a:(\d+)", final.text)
        if start:
            root = str(final.url).split("?")[0].rsplit("/", 1)[0]
            data = client.post(f"{root}/appelfonction/{start.group(2)}/{start.group(1)}")
            result.banner = data.json() if data.status_code == 200 else None
        done()
        if result.pronote_service and result.ticket_issued:
            sso = client.get(
                urljoin(lab.info["cas"], "login"), params={"service": result.pronote_service}
            )
            ticket = ticket_of(sso.headers.get("location", ""))
            if ticket:
                result.sso_check = check_ticket(
                    client, lab.info["cas"], result.pronote_service, ticket
                )
    return result


# -- the ENT's administration pages ---------------------------------------------------


class EntAdmin:
    """The ENT administrator's browser session: portal management and identifiers import."""

    def __init__(self, lab: LabClient, client: httpx.Client) -> None:
        self.lab = lab
        self.client = client

    @classmethod
    @contextlib.contextmanager
    def logged_in(cls, lab: LabClient) -> Iterator[EntAdmin]:
        with http_client() as client:
            home = client.get(lab.info["ent"])
            assert home.status_code == 302, f"ENT home: HTTP {home.status_code}"
            admin = lab.info["admin"]
            answer = cas_login(
                client, lab.info["cas"], ent_service(lab), admin["login"], admin["password"]
            )
            assert answer.status_code == 302, "the ENT admin could not log in at the CAS"
            callback = client.get(answer.headers["location"])
            assert callback.headers.get("location") == "/portail", "the ENT refused the ticket"
            yield cls(lab, client)

    def import_identifiers(self, data: bytes, *, full: bool) -> httpx.Response:
        return self.client.post(
            urljoin(self.lab.info["ent"], "admin/import"),
            data={"type": "complet" if full else "partiel"},
            files={"fichier": ("identifiants.txt", data, "text/plain")},
        )

    def save_shortcut(self, **fields: str) -> httpx.Response:
        return self.client.post(urljoin(self.lab.info["ent"], "admin/portail"), data=fields)


def export_with_only(export: bytes, codes: set[str]) -> bytes:
    """PRONOTE's export cut down to the rows holding these PRONOTE identifiers, headers kept."""
    lines = export.decode("cp1252").split("\r\n")
    kept = [
        line
        for line in lines
        if "\tIdentifiant PRONOTE\t" in line or any(f"\t{code}\t" in line for code in codes)
    ]
    return ("\r\n".join(kept) + "\r\n").encode("cp1252")


# -- the network ----------------------------------------------------------------------


def refuses_connections(url: str, host: str | None = None) -> bool:
    """True if nothing accepts TCP connections at *url*'s port (on *host* if given)."""
    parts = urlsplit(url)
    try:
        with socket.create_connection((host or parts.hostname, parts.port), timeout=2):
            return False
    except ConnectionRefusedError:
        return True


def _listen_sockets() -> Iterator[tuple[str, int, str]]:
    """(address, port, inode) of every LISTEN TCP socket on this machine (Linux /proc/net)."""
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(FileNotFoundError), open(table, encoding="ascii") as lines:
            next(lines)
            for line in lines:
                cells = line.split()
                address, hex_port = cells[1].split(":")
                if cells[3] == "0A":
                    yield _proc_address(address), int(hex_port, 16), cells[9]


def listening_addresses(port: int) -> set[str]:
    return {address for address, bound, _ in _listen_sockets() if bound == port}


def listener_pid(url: str) -> int:
    """The process that listens on *url*'s port."""
    port = urlsplit(url).port
    inodes = {f"socket:[{inode}]" for _, bound, inode in _listen_sockets() if bound == port}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        with contextlib.suppress(OSError):
            fds = Path(f"/proc/{pid}/fd")
            if any(os.readlink(fd) in inodes for fd in fds.iterdir()):
                return int(pid)
    raise AssertionError(f"no process listens on {url}")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _proc_address(hex_address: str) -> str:
    raw = bytes.fromhex(hex_address)
    if len(raw) == 4:
        return socket.inet_ntop(socket.AF_INET, raw[::-1])
    words = b"".join(raw[i : i + 4][::-1] for i in range(0, 16, 4))
    return socket.inet_ntop(socket.AF_INET6, words)


# -- `python -m lab` ------------------------------------------------------------------


def lab_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "lab", "--quiet", *args]


def lab_env(**extra: str) -> dict[str, str]:
    names = ("LAB_FAULTS", "LAB_WORDING", "LAB_LATENCY", "LAB_PRONOTE_GENERATION")
    env = {k: v for k, v in os.environ.items() if k not in names}
    return {**env, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8", **extra}


@contextlib.contextmanager
def lab_process(
    urls_file: Path, *args: str, env: dict[str, str] | None = None, timeout_s: float = 120
) -> Iterator[tuple[subprocess.Popen[bytes], dict]]:
    """Start `python -m lab --urls-file F ...`, wait for F, yield (process, F's content)."""
    process = subprocess.Popen(
        lab_command("--urls-file", str(urls_file), *args),
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        env=env or lab_env(),
    )
    try:
        deadline = time.monotonic() + timeout_s
        while not urls_file.exists():
            if process.poll() is not None:
                raise AssertionError(f"the lab stopped at start: {process.stderr.read()!r}")  # type: ignore[union-attr]
            assert time.monotonic() < deadline, f"the lab did not start within {timeout_s} s"
            time.sleep(0.05)  # polling a child process's start
        yield process, json.loads(urls_file.read_text(encoding="utf-8"))
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        for stream in (process.stdin, process.stderr):
            if stream:
                stream.close()
