"""Assemble the lab in this process: listeners, the CAS, the ENT, PRONOTE.net, the control API."""

from __future__ import annotations

import concurrent.futures
import hmac
import json
import secrets
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import jinja2
from flask import Blueprint, Flask, current_app, jsonify, request
from werkzeug.wrappers import Response

from lab import cas_site
from lab.directory import Person, build_directory, uai_for
from lab.educonnect import create_educonnect_app
from lab.ent import create_ent_app, refusal_text
from lab.ent_ng import create_ng_portal, ng_site
from lab.families import FAMILIES
from lab.identifiers import ImportRefusedError, read_identifiers
from lab.login_routes import LoginRoutes
from lab.options import LabOptions
from lab.pronote import create_pronote_app, publish
from lab.saml import PendingFederation
from lab.server import TEMPLATES, Listener, Shared, WSGIApp
from lab.state import Establishment, PronoteSettings, Shortcut, UnknownFaultError, World
from lab.wording import texts

# nginx's own answer when its backend is down.
_BAD_GATEWAY = (Path(TEMPLATES) / "transport" / "502.html").read_bytes()
_SERVER_ERROR = (Path(TEMPLATES) / "transport" / "500.html").read_bytes()
_MAINTENANCE = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True
).get_template("transport/maintenance.html")
_COLLEGES = ["Collège Jean Jaurès", "Collège Pierre de Fermat", "Collège Olympe de Gouges"]


def _transport(
    app: WSGIApp, world: World, *, name: str, entry: bool = False, moves_to: str | None = None
) -> WSGIApp:
    """The network between the browser and the lab app *name*: latency, a flaky first hop, a
    login POST its load balancer fails, a login moved to *moves_to* (the app that holds the
    ENT's login); every POST counted (`World.posts`).

    Each response waits the per-hop latency (real ENT hops take 0.3-1 s),
    plus the slow_network delay under that fault. The wait holds one of the
    listener's worker threads, never its accept loop: other requests go on.
    """

    def wrapped(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        posted = environ.get("REQUEST_METHOD") == "POST"
        if posted:
            world.count_post(f"{name} {path}")
        delay = world.latency_s + (world.slow_network_delay_s if world.has("slow_network") else 0)
        if delay > 0:
            time.sleep(delay)  # the lab simulates the network; clients must not sleep
        # A load balancer whose first backend is down: the first request of a journey
        # (no sticky cookie yet) gets 502, and the retry is pinned to a healthy one.
        if entry and world.has("flaky_network") and "ent_lb=" not in environ.get("HTTP_COOKIE", ""):
            start_response(
                "502 Bad Gateway",
                [
                    ("Content-Type", "text/html"),
                    ("Set-Cookie", "ent_lb=2; Path=/; HttpOnly"),
                ],
            )
            return [_BAD_GATEWAY]
        if entry and world.has_any("ent_maintenance", "ent_maintenance_503"):
            # The whole ENT answers its maintenance page, with 200 or with 503 (both seen).
            status = "503 Service Unavailable" if world.has("ent_maintenance_503") else "200 OK"
            start_response(status, [("Content-Type", "text/html; charset=utf-8")])
            return [_MAINTENANCE.render(w=texts(world.wording)).encode()]
        if moves_to and not posted and world.has("ent_login_moved"):
            moved = _moved_login(environ, moves_to)
            if moved is not None:
                start_response(moved[0], [("Location", moved[1]), ("Content-Length", "0")])
                return [b""]
        failed = _failing_step(world, name, environ)
        if failed is not None:
            start_response(failed[0], [("Content-Type", "text/html")])
            return [failed[1]]
        if posted and path.endswith("/login") and name in ("cas", "ent"):
            if world.has("ent_login_bad_gateway"):
                # Its backend fails on the login POST: the credential was sent, nothing came back.
                start_response("502 Bad Gateway", [("Content-Type", "text/html")])
                return [_BAD_GATEWAY]
        return app(environ, start_response)

    return wrapped


def _failing_step(world: World, name: str, environ: dict[str, Any]) -> tuple[str, bytes] | None:
    """A 5xx one server answers at one step: the ENT's SAML return, PRONOTE.net's ticket."""
    path, posted = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD") == "POST"
    if posted and path.endswith("/saml/acs") and world.has("saml_return_bad_gateway"):
        return "502 Bad Gateway", _BAD_GATEWAY
    if not name.startswith("pronote-") or "ticket=" not in environ.get("QUERY_STRING", ""):
        return None
    if world.has("pronote_bad_gateway"):
        return "502 Bad Gateway", _BAD_GATEWAY
    if world.has("pronote_server_error"):
        return "500 Internal Server Error", _SERVER_ERROR
    return None


# The old host's rewrite rule (301, permanent) sends its login to a path that the new
# host's redirect (302) then takes over: the chain an ENT that moved leaves behind.
_MOVED_PREFIX = "/ancienne-adresse"


def _moved_login(environ: dict[str, Any], moves_to: str) -> tuple[str, str] | None:
    """Where the old login host sends a GET of its login page, and with which status."""
    path, query = environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", "")
    suffix = f"?{query}" if query else ""
    if path.startswith(_MOVED_PREFIX + "/"):
        return "302 Found", f"{moves_to}{path[len(_MOVED_PREFIX) :]}{suffix}"
    if path.endswith("/login"):
        return "301 Moved Permanently", f"{_MOVED_PREFIX}{path}{suffix}"
    return None


class Lab:
    """The whole staging ENT, running in this process on 127.0.0.1 and free ports."""

    def __init__(self, options: LabOptions | None = None) -> None:
        started = time.monotonic()
        self.options = options = options or LabOptions()
        self.token = secrets.token_urlsafe(24)
        self._tmp = tempfile.TemporaryDirectory(prefix="lab-cas-")
        # Threads per listener: enough for ~16 journeys at once while each response
        # waits the per-hop latency; fewer per PRONOTE.net when there are many.
        self.ent = Listener("ent", threads=32)
        # A Kosmos or Apereo CAS has its own host; an Open ENT NG is its own CAS, under /cas/.
        family = FAMILIES[options.ent_family]
        self.cas = Listener("cas", threads=32) if family.own_cas_host else None
        cas_url = f"{self.cas.url}/" if self.cas else f"{self.ent.url}/cas/"
        self.educonnect = Listener("educonnect", threads=8)
        # The login's new host under ent_login_moved: the same CAS (or ENT), another address.
        self.moved = Listener("moved", threads=32)
        self.control = Listener("control", threads=2)
        # Every PRONOTE.net shares one pool of workers: as many as journeys can wait on at
        # once (16 at the default concurrency, a page and its requests each), not per port.
        self.pronote_shared = Shared("pronote", threads=min(64, 20 * options.establishments))
        self.pronote_listeners = [
            (
                Listener(f"pronote{i}-80", shared=self.pronote_shared),
                Listener(f"pronote{i}-82", shared=self.pronote_shared),
            )
            for i in range(options.establishments)
        ]
        self.world = World(
            build_directory(
                establishments=options.establishments,
                per_profile=options.per_profile,
                # A family without ÉduConnect (Apereo, Atrium) has local accounts only.
                educonnect_per_profile=options.educonnect_per_profile if family.educonnect else 0,
            ),
            _establishments(options, cas_url, self.pronote_listeners),
            cas_url=cas_url,
            ent_url=f"{self.ent.url}/",
            identifier_attribute=options.identifier_attribute,
            wording=options.wording,
            latency_s=options.latency,
            slow_network_delay_s=options.slow_network_delay,
        )
        acs = f"{cas_url}saml/acs" if self.cas else f"{self.ent.url}/auth/saml/acs"
        # Built in a thread once the rest is up (the end of __init__); the first SAML use
        # waits for it.
        self.federation = PendingFederation(
            Path(self._tmp.name), idp_base=self.educonnect.url, sp_entity_id=cas_url, acs_url=acs
        )
        self._serve()
        if options.faults:
            self.set_faults(list(options.faults))
        self.federation.start()
        self.startup_seconds = time.monotonic() - started

    @property
    def ent_family(self) -> str:
        return self.options.ent_family

    def _serve(self) -> None:
        """Give each listener its app: ÉduConnect, the CAS, the ENT, PRONOTE.net, control."""
        world, options = self.world, self.options
        self.educonnect.app = _transport(
            create_educonnect_app(world, self.federation, port=self.educonnect.port),
            world,
            name="educonnect",
        )
        cas_site.configure(
            world,
            Path(self._tmp.name),
            ticket_validity_s=options.ticket_validity_s,
            routes=LoginRoutes(
                world, self.federation, family=options.ent_family, wording=options.wording
            ),
        )
        moves_to = self.moved.url
        if self.cas:
            self.cas.app = _transport(cas_site.wsgi_app(), world, name="cas", moves_to=moves_to)
            self.moved.app = _transport(cas_site.wsgi_app(), world, name="moved")
        if not FAMILIES[options.ent_family].ng_portal:
            ent_app: WSGIApp = create_ent_app(world, port=self.ent.port)
        else:
            portal = create_ng_portal(world, session_cookie=cas_site.SESSION_COOKIE)
            ent_app = ng_site(portal, cas_site.wsgi_app())
            # The ENT is its own CAS: its login pages move with it.
            self.moved.app = _transport(ent_app, world, name="moved")
        self.ent.app = _transport(
            ent_app, world, name="ent", entry=True, moves_to=None if self.cas else moves_to
        )
        pronote_app = create_pronote_app()
        for site, (classic, cas_listener) in zip(
            world.establishments, self.pronote_listeners, strict=True
        ):
            for listener, kind in ((classic, "classic"), (cas_listener, "cas")):
                app = publish(pronote_app, world, site, listener=kind, port=listener.port)
                listener.app = _transport(app, world, name=f"pronote-{site.uai}-{kind}")
        self.control.app = create_control_app(self)

    # -- control -------------------------------------------------------------
    def set_faults(self, names: list[str]) -> None:
        self.world.set_faults(names)
        self._sync()

    def reset(self) -> None:
        self.world.reset()
        self._sync()

    def _sync(self) -> None:
        cas_site.sync_service_patterns()
        blocked = self.world.has("cas_port_blocked")
        for _, cas_listener in self.pronote_listeners:
            cas_listener.close() if blocked else cas_listener.reopen()

    def close(self) -> None:
        # Each own listener waits for its threads: all at once; PRONOTE.net's ports go with
        # their shared loops.
        listeners = [*([self.cas] if self.cas else []), self.ent, self.educonnect, self.moved]
        with concurrent.futures.ThreadPoolExecutor(len(listeners) + 1) as closing:
            list(closing.map(Listener.close, [*listeners, self.control]))
        self.pronote_shared.close()
        self._tmp.cleanup()

    # -- report --------------------------------------------------------------
    def description(self) -> dict[str, Any]:
        """Where the lab listens and who can log in: the contract of `--urls-file`."""
        first = self.world.establishments[0]
        accounts = [_account(p) for p in self.world.people if not p.admin]
        admin = next(p for p in self.world.people if p.admin)
        return {
            "cas": self.world.cas_url,
            "ent": self.world.ent_url,
            "pronote": first.cas_listener_url,
            "pronote_classic": first.classic_url,
            "pronote_direct": first.direct_url,
            "control": f"{self.control.url}/",
            "token": self.token,
            "identifier_attribute": self.world.identifier_attribute,
            "wording": self.world.wording,
            "latency": self.world.latency_s,
            "ent_family": self.ent_family,
            "educonnect": f"{self.educonnect.url}/",
            # Where the ENT's login answers from under ent_login_moved.
            "login_moved_to": f"{self.moved.url}/",
            "establishments": [
                {
                    "uai": s.uai,
                    "name": s.name,
                    "pronote": s.cas_listener_url,
                    "pronote_classic": s.classic_url,
                    "pronote_direct": s.direct_url,
                    "pronote_generation": s.pronote_generation,
                }
                for s in self.world.establishments
            ],
            "accounts": accounts,
            "admin": {"login": admin.login, "password": admin.password},
            "startup_seconds": round(self.startup_seconds, 3),
            # The federation's build, done in a thread (None while it is still going on).
            "saml_startup_seconds": (
                round(self.federation.seconds, 3) if self.federation.seconds is not None else None
            ),
        }


def _establishments(
    options: LabOptions, cas_url: str, listeners: list[tuple[Listener, Listener]]
) -> list[Establishment]:
    """One establishment per pair of PRONOTE.net listeners (classic, CAS), healthy."""
    generations = options.pronote_generation
    label = texts(options.wording)["ent_shortcut_label"]
    sites = []
    for index, (classic, cas_listener) in enumerate(listeners):
        cas_root = f"{cas_listener.url}/pronote/"
        sites.append(
            Establishment(
                uai=uai_for(index),
                name=_COLLEGES[index % len(_COLLEGES)]
                + (f" n°{index + 1}" if index >= len(_COLLEGES) else ""),
                classic_url=f"{classic.url}/pronote/",
                cas_listener_url=cas_root,
                settings=PronoteSettings(cas_url=cas_url, public_url=cas_root),
                # One generation per establishment; the last one given serves the rest.
                pronote_generation=generations[min(index, len(generations) - 1)],
                shortcut=Shortcut(url=cas_root, intitule=label),
            )
        )
    return sites


def _account(person: Person) -> dict[str, Any]:
    """One demo account as `--urls-file` gives it (the fields of `lab.client.LabAccount`)."""
    account: dict[str, Any] = {
        "login": person.sign_in_login,
        "password": person.password,
        "profile": person.profile,
        "display_name": person.display_name,
        "uid": person.uid,
        "uai": person.uai,
        "route": person.route,
    }
    if person.route == "educonnect":
        account["educonnect_profile"] = "responsable" if person.profile == "parent" else "eleve"
        # An élève knows their birth date (ÉduConnect's identity check); the lab gives no
        # parent's, so that check stops a parent (World.affected).
        if person.profile == "eleve":
            account["birth_date"] = _iso_date(person.date_naissance)
    return account


def _iso_date(ddmmyyyy: str) -> str:
    day, month, year = ddmmyyyy.split("/")
    return f"{year}-{month}-{day}"


control = Blueprint("control", __name__)


def create_control_app(lab: Lab) -> Flask:
    """The lab's control API: JSON over HTTP on 127.0.0.1, every call needs the lab's token."""
    app = Flask("lab_control")
    app.extensions["lab"] = lab
    app.register_blueprint(control)
    return app


def _lab() -> Lab:
    return current_app.extensions["lab"]


def _json_error(message: str, status: int) -> Response:
    return Response(json.dumps({"error": message}), status=status, mimetype="application/json")


@control.before_request
def _require_token() -> Response | None:
    given = request.headers.get("X-Lab-Token", "")
    if not hmac.compare_digest(given.encode(), _lab().token.encode()):
        return _json_error("missing or wrong X-Lab-Token header", 401)
    return None


@control.get("/state")
def state() -> Response:
    return jsonify(_lab().world.snapshot())


@control.post("/reset")
def reset() -> Response:
    _lab().reset()
    return jsonify(_lab().world.snapshot())


@control.post("/faults")
def faults() -> Response:
    names = (request.get_json(silent=True) or {}).get("faults", [])
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        return _json_error("faults must be a list of names", 400)
    try:
        _lab().set_faults(names)
    except UnknownFaultError as exc:
        return _json_error(str(exc), 400)
    return jsonify(_lab().world.snapshot())


@control.get("/posts")
def posts() -> Response:
    """Every POST the lab's apps received since the last reset, by `<app> <path>`: how many
    times a credential was sent (a verifier must send each once)."""
    return jsonify(_lab().world.posts_seen())


@control.get("/affected/<fault>")
def affected(fault: str) -> Response:
    person = _lab().world.affected(fault)
    # The login the lab reports for the account (`accounts[].login`).
    return jsonify({"login": person.sign_in_login if person else None})


@control.get("/pronote/<uai>/export")
def export(uai: str) -> Response:
    world = _lab().world
    with world.lock:
        text = world.establishment(uai).export()
    return Response(text.encode("cp1252"), mimetype="text/plain; charset=windows-1252")


@control.post("/ent/<uai>/import")
def ent_import(uai: str) -> Response:
    world = _lab().world
    full = request.args.get("type", "complet") == "complet"
    try:
        rows = read_identifiers(request.get_data())
    except ImportRefusedError as exc:
        return _json_error(refusal_text(texts(world.wording), exc), 400)
    matched = world.import_identifiers(uai, rows, full=full)
    return jsonify({"matched": matched, "imported": len(world.establishment(uai).imported)})
