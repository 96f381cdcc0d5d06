"""ENT portal stand-in, eCollège-like (Kosmos family): CAS login, service shortcuts, administration.

The administration pages are the ones the procedure uses: "gestion du portail"
for the Pronote shortcut (part IV) and the import of PRONOTE's identifiers file
(part V), full or partial. Texts and non-essential classes come from
`lab.wording`; under the `alt` wording the shortcut is drawn another way (a
tile, or a button that opens a pop-up), as other portals do.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
from flask import (
    Blueprint,
    Flask,
    current_app,
    redirect,
    render_template,
    request,
    session,
)
from werkzeug.wrappers import Response

from lab.casclient import check_ticket
from lab.directory import SPACE_PAGES, Person
from lab.identifiers import ImportRefusedError, read_identifiers
from lab.server import TEMPLATES, backchannel
from lab.state import SHORTCUT_MODES, Establishment, Shortcut, World
from lab.wording import items, texts


def refusal_text(words: dict[str, str], exc: ImportRefusedError) -> str:
    """The ENT's French sentence for a refused identifiers file."""
    return words["ent_import_not_text" if exc.code == "not_text" else "ent_import_not_export"]


@dataclass
class _Portal:
    world: World
    w: dict[str, str]
    http: httpx.Client

    @property
    def callback(self) -> str:
        """The portal's own CAS service: where the CAS sends its users back with a ticket."""
        return self.world.ent_url + "auth/cas"


ent = Blueprint("ent", __name__)


def create_ent_app(world: World, *, port: int) -> Flask:
    app = Flask(f"ent_{port}", template_folder=TEMPLATES)
    app.secret_key = secrets.token_bytes(32)
    app.config["SESSION_COOKIE_NAME"] = f"ent_{port}"
    app.config["MAX_CONTENT_LENGTH"] = 5 * 1024 * 1024
    app.extensions["lab_ent"] = _Portal(world, texts(world.wording), backchannel())
    app.register_blueprint(ent)
    return app


def _portal() -> _Portal:
    return current_app.extensions["lab_ent"]


@ent.app_context_processor
def _context() -> dict[str, Any]:
    return {"w": _portal().w, "user": _me()}


def _page(template: str, title: str, *, status: int = 200, **context: Any) -> Response:
    html = render_template(template, title=title, **context)
    return Response(html, status=status, mimetype="text/html")


def _me() -> Person | None:
    login = session.get("login")
    return _portal().world.person(login) if login else None


def _login_redirect() -> Response:
    portal = _portal()
    return redirect(f"{portal.world.cas_url}login?{urlencode({'service': portal.callback})}")


def _admin_only() -> Person | Response:
    user = _me()
    if user is None:
        return _login_redirect()
    if not user.admin:
        w = _portal().w
        return _page(
            "ent/message.html", w["ent_denied_title"], text=w["ent_denied_text"], status=403
        )
    return user


@ent.get("/")
def home() -> Response:
    return redirect("/portail") if _me() else _login_redirect()


@ent.get("/auth/cas")
def cas_callback() -> Response:
    portal = _portal()
    ticket = request.args.get("ticket", "")
    try:
        check = check_ticket(portal.http, portal.world.cas_url, portal.callback, ticket)
    except httpx.HTTPError:
        check = None
    if check is None or not check.ok:
        w = portal.w
        return _page(
            "ent/message.html",
            w["ent_login_failed_title"],
            text=w["ent_login_failed_text"],
            retry=w["ent_retry"],
            status=403,
        )
    session.clear()
    session["login"] = check.user
    return redirect("/portail")


@ent.get("/portail")
def portal_home() -> Response:
    portal, user = _portal(), _me()
    if user is None:
        return _login_redirect()
    w, shortcut = portal.w, portal.world.establishment(user.uai).shortcut
    pronote = None
    if shortcut:
        url = shortcut_target(shortcut, user)
        if shortcut.mode == "cadre":
            url = f"/portail/service/{shortcut.code}"
        pronote = {"url": url, "label": shortcut.intitule, "mode": shortcut.mode}
    return _page(
        "ent/portal.html",
        w["ent_portal_title"],
        pronote=pronote,
        alt=portal.world.wording == "alt",
        other_services=items(w, "ent_other_services"),
        greeting=w["ent_greeting"].format(prenom=user.prenom),
    )


@ent.get("/portail/service/<code>")
def framed_service(code: str) -> Response:
    portal, user = _portal(), _me()
    if user is None:
        return _login_redirect()
    shortcut = portal.world.establishment(user.uai).shortcut
    if shortcut is None or shortcut.code != code:
        w = portal.w
        return _page(
            "ent/message.html", w["ent_no_service_title"], text=w["ent_no_service_text"], status=404
        )
    return _page(
        "ent/framed.html",
        shortcut.intitule,
        label=shortcut.intitule,
        url=shortcut_target(shortcut, user),
    )


def _save_shortcut(site: Establishment) -> str:
    """The posted "Gestion du portail" form, applied; the message to show."""
    w, world = _portal().w, _portal().world
    url = request.form.get("url", "").strip()
    mode = request.form.get("mode", "onglet")
    if request.form.get("actif") and url.startswith(("http://", "https://")):
        label = request.form.get("intitule", "").strip() or w["ent_shortcut_label"]
        with world.lock:
            site.shortcut = Shortcut(
                url=url,
                code=request.form.get("code", "PRONOTE").strip() or "PRONOTE",
                intitule=label,
                mode=mode if mode in SHORTCUT_MODES else "onglet",
            )
        return w["ent_saved"]
    if request.form.get("actif"):
        return w["ent_bad_url"]
    site.shortcut = None
    return w["ent_removed"]


@ent.route("/admin/portail", methods=["GET", "POST"])
def shortcut_admin() -> Response:
    user = _admin_only()
    if isinstance(user, Response):
        return user
    w = _portal().w
    site = _portal().world.establishment(user.uai)
    message = _save_shortcut(site) if request.method == "POST" else ""
    return _page(
        "ent/shortcut_admin.html",
        w["ent_portal_admin"],
        s=site.shortcut,
        modes=list(zip(SHORTCUT_MODES, items(w, "ent_mode_labels"), strict=True)),
        default_label=w["ent_shortcut_label"],
        message=message,
    )


@ent.route("/admin/import", methods=["GET", "POST"])
def identifiers_import() -> Response:
    user = _admin_only()
    if isinstance(user, Response):
        return user
    w, world = _portal().w, _portal().world
    site = world.establishment(user.uai)
    message, failed, status = "", False, 200
    if request.method == "POST":
        upload = request.files.get("fichier")
        try:
            rows = read_identifiers(upload.read() if upload else b"")
        except ImportRefusedError as exc:
            message = f"{w['ent_import_refused']} {refusal_text(w, exc)}"
            failed, status = True, 400
        else:
            full = request.form.get("type", "complet") == "complet"
            matched = world.import_identifiers(site.uai, rows, full=full)
            kind = w["ent_import_kind_full" if full else "ent_import_kind_partial"]
            message = w["ent_import_done"].format(kind=kind, matched=matched)
    return _page(
        "ent/import.html",
        w["ent_import_admin"],
        message=message,
        failed=failed,
        count=w["ent_import_count"].format(count=len(site.imported)),
        status=status,
    )


@ent.get("/logout")
def logout() -> Response:
    world = _portal().world
    session.clear()
    return redirect(f"{world.cas_url}logout?{urlencode({'service': world.ent_url})}")


def shortcut_target(shortcut: Shortcut, user: Person) -> str:
    """Where the shortcut leads this user.

    A PRONOTE.net root may serve a page rather than redirect to the CAS, so the
    portal links a configured root to the space page of the user's profile, as
    ENT connectors do (inference from public portal links to `…/pronote/eleve.html`,
    `parent.html`…). A full page URL (e.g. `…/eleve.html?login=true`) is used as it is.
    """
    if shortcut.url.endswith("/pronote/"):
        return shortcut.url + SPACE_PAGES[user.profile]
    return shortcut.url
