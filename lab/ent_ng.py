"""An Open ENT NG (Edifice entcore) portal: one host serving the portal, `/auth/…` and `/cas/…`.

DOMAIN.md ("The login routes of real ENTs"): Monlycée.net, l'Éduc de Normandie…
are their own CAS (`/cas/login?service=`), log users in at `/auth/login` or
through profile "dominos", and open PRONOTE from the apps page's `.pronote`
tile in a new window. The portal and the CAS share one session, like NG's
single session cookie: the portal reads the CAS session the login opened.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Flask, current_app, redirect, render_template, request
from werkzeug.wrappers import Response

from lab.directory import Person
from lab.ent import shortcut_target
from lab.login_routes import session_user
from lab.server import TEMPLATES
from lab.state import World

# Paths the CAS side (Django) answers on the ENT's host; the portal answers the rest.
CAS_SIDE_PREFIXES = ("/cas/", "/auth/", "/lab-assets/", "/static/")

ng_portal = Blueprint("ng_portal", __name__)


def create_ng_portal(world: World, *, session_cookie: str) -> Flask:
    app = Flask("ent_ng", template_folder=TEMPLATES)
    app.extensions["lab_world"] = world
    # The portal reads the CAS session the login opened (NG's single session cookie).
    app.extensions["lab_session_cookie"] = session_cookie
    app.register_blueprint(ng_portal)
    return app


def _world() -> World:
    return current_app.extensions["lab_world"]


def _me() -> Person | None:
    login = session_user(request.cookies.get(current_app.extensions["lab_session_cookie"]))
    return _world().person(login) if login else None


def _to_login() -> Response:
    return redirect(f"/auth/saml/wayf?{urlencode({'callBack': request.full_path})}")


@ng_portal.get("/")
def home() -> Response:
    return redirect("/timeline/timeline")


@ng_portal.get("/timeline/timeline")
def timeline() -> Response:
    user = _me()
    if user is None:
        return _to_login()
    html = render_template("ng_portal/timeline.html", title="Fil de nouveautés", user=user)
    return Response(html, mimetype="text/html")


@ng_portal.get("/welcome/applications")
def applications() -> Response:
    user = _me()
    if user is None:
        return _to_login()
    shortcut = _world().establishment(user.uai).shortcut
    pronote = (
        {
            "href": shortcut_target(shortcut, user),  # the user's space page, as in lab/ent.py
            "label": shortcut.intitule,
            "new_window": shortcut.mode != "meme_onglet",
        }
        if shortcut
        else None
    )
    html = render_template(
        "ng_portal/applications.html", title="Mes applis", user=user, pronote=pronote
    )
    return Response(html, mimetype="text/html")


@ng_portal.get("/auth/logout")
def logout() -> Response:
    response = redirect("/")
    response.delete_cookie(current_app.extensions["lab_session_cookie"])
    return response


WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def ng_site(portal: WSGIApp, cas: WSGIApp) -> WSGIApp:
    """One host: the CAS side for `/cas/`, `/auth/` (but logout) and assets; the portal else."""

    def dispatch(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path.startswith(CAS_SIDE_PREFIXES) and path != "/auth/logout":
            return cas(environ, start_response)
        return portal(environ, start_response)

    return dispatch
