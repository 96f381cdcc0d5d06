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

from flask import Flask, Response, redirect, render_template_string, request
from markupsafe import escape

from lab.directory import Person
from lab.ent import shortcut_target
from lab.state import World

# ENT families the lab can stand for (`--ent-family`, `LAB_ENT_FAMILY`).

# Paths the CAS side (Django) answers on the ENT's host; the portal answers the rest.
CAS_SIDE_PREFIXES = ("/cas/", "/auth/", "/lab-assets/", "/static/")

_PAGE = """<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8">
<title>{{ title }} | Monlycée.net</title><link href="/lab-assets/ng.css" rel="stylesheet"></head>
<body><header class="navbar"><b>Monlycée.net</b> <span id="utilisateur">{{ user.display_name }}</span>
<a href="/timeline/timeline">Fil de nouveautés</a> <a href="/welcome/applications">Mes applis</a>
<a href="/auth/logout">Déconnexion</a></header><main class="container">{{ body|safe }}</main>
</body></html>"""


def create_ng_portal(world: World, *, session_cookie: str) -> Flask:
    from lab.login_routes import session_user

    app = Flask("ent_ng")

    def me() -> Person | None:
        login = session_user(request.cookies.get(session_cookie))
        return world.person(login) if login else None

    def page(user: Person, title: str, body: str) -> Response:
        html = render_template_string(_PAGE, title=title, body=body, user=user)
        return Response(html, mimetype="text/html")

    def to_login() -> Response:
        return redirect(f"/auth/saml/wayf?{urlencode({'callBack': request.full_path})}")

    @app.get("/")
    def home() -> Response:
        return redirect("/timeline/timeline")

    @app.get("/timeline/timeline")
    def timeline() -> Response:
        user = me()
        if user is None:
            return to_login()
        body = f"<h1>Fil de nouveautés</h1><p>Bonjour {escape(user.prenom)}.</p>"
        return page(user, "Fil de nouveautés", body)

    @app.get("/welcome/applications")
    def applications() -> Response:
        user = me()
        if user is None:
            return to_login()
        tiles = ['<a class="application blog" href="#">Blog</a>']
        shortcut = world.establishment(user.uai).shortcut
        if shortcut is not None:
            # NG's connector opens its target in a new window unless set to the same tab.
            target = "" if shortcut.mode == "meme_onglet" else ' target="_blank"'
            href = shortcut_target(shortcut, user)  # the user's space page, as in lab/ent.py
            tiles.insert(
                0,
                f'<a class="application pronote" href="{escape(href)}"{target}>'
                f"{escape(shortcut.intitule)}</a>",
            )
        body = '<h1>Mes applis</h1><div class="applications">' + "".join(tiles) + "</div>"
        return page(user, "Mes applis", body)

    @app.get("/auth/logout")
    def logout() -> Response:
        response = redirect("/")
        response.delete_cookie(session_cookie)
        return response

    return app


WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def ng_site(portal: WSGIApp, cas: WSGIApp) -> WSGIApp:
    """One host: the CAS side for `/cas/`, `/auth/` (but logout) and assets; the portal else."""

    def dispatch(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path.startswith(CAS_SIDE_PREFIXES) and path != "/auth/logout":
            return cas(environ, start_response)
        return portal(environ, start_response)

    return dispatch
