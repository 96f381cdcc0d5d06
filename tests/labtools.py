"""Helpers for the lab's own tests: CAS logins over httpx, journeys that keep every page, the CLI.

Everything here talks to a running lab over real HTTP, on the addresses the lab
reports (`LabClient.info`), and every request has a timeout.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx
from bs4 import BeautifulSoup

from e2e.settings import Account, Settings
from e2e.target import Target, targets_from_lab
from lab.client import LabClient
from verdict.cas import CasValidation, ticket_of, validate_ticket

ROOT = Path(__file__).resolve().parents[1]
HTTP_TIMEOUT_S = 10.0
INFO_MOBILE_APP_ID = "0D264427-EEFC-4810-A9E9-346942A862A4"
# Keys `python -m lab --urls-file` promises (README of the lab, `Lab.description`).
URLS_FILE_KEYS = ("cas", "ent", "pronote", "pronote_direct", "control", "accounts")
ACCOUNT_KEYS = ("login", "password", "profile")


def http_client(**kwargs: object) -> httpx.Client:
    """A client that does not follow redirects (the tests look at each hop) and never hangs."""
    return httpx.Client(timeout=HTTP_TIMEOUT_S, follow_redirects=False, **kwargs)  # type: ignore[arg-type]


# -- the lab as the verifier sees it --------------------------------------------------


def lab_targets(lab: LabClient) -> list[Target]:
    return targets_from_lab(lab.info, Settings(_env_file=None))


def lab_target(lab: LabClient) -> Target:
    return lab_targets(lab)[0]


def account(target: Target, login: str) -> Account:
    return next(a for a in target.accounts if a.login == login)


def first_of_profile(target: Target, profile: str) -> Account:
    return next(a for a in target.accounts if a.profile == profile)


def uid_of(lab: LabClient, login: str) -> str:
    return next(a.uid for a in lab.accounts if a.login == login)


def pronote_row(lab: LabClient, login: str, uai: str | None = None) -> dict:
    """The user's row in PRONOTE's table: id_connexion, id_pronote_ent, id_cas."""
    return next(u for u in lab.pronote_users(uai) if u["login"] == login)


def password_of(item: Account) -> str:
    assert item.password is not None
    return item.password.get_secret_value()


# -- CAS over plain HTTP ------------------------------------------------------------------


def login_form_fields(html: str) -> dict[str, str]:
    """Hidden and text fields of the page's login form, with their values (csrf, lt, service)."""
    password = BeautifulSoup(html, "html.parser").select_one('input[type="password"]')
    form = password.find_parent("form") if password is not None else None
    assert form is not None, "no login form on the page"
    return {
        str(i["name"]): str(i.get("value", ""))
        for i in form.find_all("input")
        if i.get("name") and str(i.get("type", "text")).lower() not in ("checkbox", "submit")
    }


def cas_login(
    client: httpx.Client, cas_url: str, service: str, login: str, password: str
) -> httpx.Response:
    """GET /login?service=S, then POST its form as a user would; returns the CAS's answer."""
    # `selection=` skips the Kosmos WAYF to the local form ("Autres utilisateurs", DOMAIN.md).
    page = client.get(
        urljoin(cas_url, "login"), params={"service": service, "selection": "ATS_parent_eleve"}
    )
    assert page.status_code == 200, f"CAS login page: HTTP {page.status_code}"
    fields = login_form_fields(page.text)
    fields.update(username=login, password=password)
    return client.post(str(page.url), data=fields)


def service_ticket(lab: LabClient, service: str, login: str | None = None) -> str:
    """A fresh service ticket for *service*, from a fresh browser-like session."""
    who = next(a for a in lab.accounts if a.login == login) if login else lab.accounts[0]
    with http_client() as client:
        answer = cas_login(client, lab.info["cas"], service, who.login, who.password)
    assert answer.status_code == 302, f"CAS login: HTTP {answer.status_code}"
    ticket = ticket_of(answer.headers["location"])
    assert ticket, f"no ticket in {answer.headers['location']}"
    return ticket


def validate(lab: LabClient, service: str, ticket: str) -> CasValidation:
    with http_client() as client:
        return validate_ticket(client, lab.info["cas"], service, ticket)


def pronote_service(lab: LabClient, page: str = "eleve.html", site: int = 0) -> str:
    """The service PRONOTE.net announces for one of its space pages."""
    return lab.info["establishments"][site]["pronote"] + page


def ent_service(lab: LabClient) -> str:
    return lab.info["ent"] + "auth/cas"


# -- journeys that keep every page ----------------------------------------------------------


@dataclass
class Page:
    url: str
    status: int
    html: str


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


def info_mobile_app(client: httpx.Client, pronote_root: str) -> dict:
    """PRONOTE.net's `infoMobileApp.json`: which CAS it points at, and the establishment."""
    response = client.get(
        urljoin(pronote_root, "infoMobileApp.json"), params={"id": INFO_MOBILE_APP_ID}
    )
    assert response.status_code == 200, f"infoMobileApp.json: HTTP {response.status_code}"
    return response.json()


# -- the ENT's administration pages -------------------------------------------------------


class EntAdmin:
    """The ENT administrator's browser session: portal management and identifiers import."""

    def __init__(self, lab: LabClient, client: httpx.Client) -> None:
        self.lab = lab
        self.client = client

    @classmethod
    @contextlib.contextmanager
    def logged_in(cls, lab: LabClient, log: PageLog | None = None) -> Iterator[EntAdmin]:
        client = log.client() if log else http_client()
        with client:
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


# -- identifiers files ------------------------------------------------------------------


def export_with_only(export: bytes, codes: set[str]) -> bytes:
    """PRONOTE's export cut down to the rows holding these PRONOTE identifiers, headers kept."""
    lines = export.decode("cp1252").split("\r\n")
    kept = [
        line
        for line in lines
        if "\tIdentifiant PRONOTE\t" in line or any(f"\t{code}\t" in line for code in codes)
    ]
    return ("\r\n".join(kept) + "\r\n").encode("cp1252")


# -- the network --------------------------------------------------------------------------


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
    """Local addresses the LISTEN sockets on *port* are bound to."""
    return {address for address, bound, _ in _listen_sockets() if bound == port}


def listener_pid(url: str) -> int:
    """The process that listens on *url*'s port (the lab runs in a child process of the tests)."""
    port = urlsplit(url).port
    inodes = {f"socket:[{inode}]" for _, bound, inode in _listen_sockets() if bound == port}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        with contextlib.suppress(OSError):
            fds = Path(f"/proc/{pid}/fd")
            if any(os.readlink(fd) in inodes for fd in fds.iterdir()):
                return int(pid)
    raise AssertionError(f"no process listens on {url}")


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _proc_address(hex_address: str) -> str:
    raw = bytes.fromhex(hex_address)
    if len(raw) == 4:
        return socket.inet_ntop(socket.AF_INET, raw[::-1])
    words = b"".join(raw[i : i + 4][::-1] for i in range(0, 16, 4))
    return socket.inet_ntop(socket.AF_INET6, words)


# -- `python -m lab` ----------------------------------------------------------------------


def lab_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "lab", "--quiet", *args]


def lab_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "LAB_FAULTS"}
    return {**env, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8", **extra}


@contextlib.contextmanager
def lab_process(
    urls_file: Path, *args: str, env: dict[str, str] | None = None, timeout_s: float = 120
) -> Iterator[tuple[subprocess.Popen[bytes], dict]]:
    """Start `python -m lab --urls-file F ...`, wait for F, yield (process, F's content).

    Whatever the test does, the process is gone afterwards (killed if it did not stop).
    """
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
