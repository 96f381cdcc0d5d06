"""ENT portal stand-in, eCollège-like (Kosmos family): CAS login, service shortcuts, administration.

The administration pages are the ones the procedure uses: "gestion du portail"
for the Pronote shortcut (part IV) and the import of PRONOTE's identifiers file
(part V), full or partial. Texts and non-essential classes come from
`lab.wording`; under the `alt` wording the shortcut is drawn another way (a
tile, or a button that opens a pop-up), as other portals do.
"""

from __future__ import annotations

import secrets
from urllib.parse import urlencode

import httpx
from flask import Flask, Response, redirect, render_template_string, request, session
from markupsafe import Markup, escape

from lab.casclient import check_ticket
from lab.directory import SPACE_PAGES, Person
from lab.identifiers import ImportRefusedError, read_identifiers
from lab.server import backchannel
from lab.state import SHORTCUT_MODES, Shortcut, World
from lab.wording import items, texts

_BASE = """<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><title>{{ title }} - {{ w.ent_name }}</title>
<style>
body{font-family:DejaVu Sans,Arial,sans-serif;margin:0;background:#f4f6fa;color:#222}
header{background:#1d4f91;color:#fff;padding:.8rem 1.5rem;display:flex;
justify-content:space-between;align-items:center}header a{color:#fff}
main{max-width:60rem;margin:1.5rem auto;padding:0 1rem}
.{{ w.ent_cls_services }}{display:grid;grid-template-columns:repeat(auto-fill,11rem);gap:1rem;
list-style:none;padding:0}.{{ w.ent_cls_services }} a,.{{ w.ent_cls_services }} button{
display:block;width:100%;background:#fff;border:1px solid #c5cfdc;border-radius:6px;
padding:1.2rem;text-align:center;text-decoration:none;color:#1d4f91;font-weight:bold}
form label{display:block;margin:.7rem 0 .2rem}input[type=text],select{width:28rem;padding:.4rem}
.ok,.alert-success{background:#d4edda;padding:.6rem}.ko,.alert-danger{background:#f8d7da;padding:.6rem}
iframe{width:100%;height:80vh;border:1px solid #ccc}
</style></head><body>
<header><span><b>{{ w.ent_name }}</b> · {{ title }}</span>
{% if user %}<span id="{{ w.ent_id_user }}">{{ user.display_name }} ·
<a href="/logout">{{ w.ent_logout }}</a></span>{% endif %}</header>
<main>{{ body|safe }}</main></body></html>"""

_PORTAL = """<h1>{{ w.ent_portal_title }}</h1>
<p>{{ greeting }}</p>
<h2>{{ w.ent_services }}</h2>
<ul class="{{ w.ent_cls_services }}" aria-label="{{ w.ent_services }}">
{% for s in services %}<li>{{ s }}</li>{% endfor %}
</ul>
{% if user.admin %}<h2>{{ w.ent_admin }}</h2><ul>
<li><a href="/admin/portail">{{ w.ent_portal_admin }}</a></li>
<li><a href="/admin/import">{{ w.ent_import_admin }}</a></li></ul>{% endif %}"""

# Field names are the lab's admin API (tests post them): they never change.
_SHORTCUT_FORM = """<h1>{{ w.ent_portal_admin_heading }}</h1>
{% if message %}<p class="{{ w.ent_cls_ok }}">{{ message }}</p>{% endif %}
<form method="post">
<label for="url">{{ w.ent_field_url }}</label>
<input id="url" name="url" type="text" value="{{ s.url if s else '' }}">
<label for="code">{{ w.ent_field_code }}</label>
<input id="code" name="code" type="text" value="{{ s.code if s else 'PRONOTE' }}">
<label for="intitule">{{ w.ent_field_label }}</label>
<input id="intitule" name="intitule" type="text" value="{{ s.intitule if s else default_label }}">
<label for="mode">{{ w.ent_field_mode }}</label><select id="mode" name="mode">
{% for m, label in modes %}<option value="{{ m }}"{% if s and s.mode == m %} selected{% endif %}>
{{ label }}</option>{% endfor %}</select>
<label><input type="checkbox" name="actif" value="1"{% if s %} checked{% endif %}>
{{ w.ent_field_active }}</label>
<p><button type="submit">{{ w.ent_save }}</button></p></form>"""

_IMPORT_FORM = """<h1>{{ w.ent_import_admin }}</h1>
{% if message %}<p class="{{ w.ent_cls_ko if failed else w.ent_cls_ok }}">{{ message }}</p>{% endif %}
<p>{{ w.ent_import_intro }}</p>
<form method="post" enctype="multipart/form-data">
<label for="fichier">{{ w.ent_import_file }}</label><input id="fichier" name="fichier" type="file">
<label><input type="radio" name="type" value="complet" checked> {{ w.ent_import_full }}</label>
<label><input type="radio" name="type" value="partiel"> {{ w.ent_import_partial }}</label>
<p><button type="submit">{{ w.ent_import_button }}</button></p></form>
<p>{{ count }}</p>"""


def refusal_text(words: dict[str, str], exc: ImportRefusedError) -> str:
    """The ENT's French sentence for a refused identifiers file."""
    return words["ent_import_not_text" if exc.code == "not_text" else "ent_import_not_export"]


def create_ent_app(world: World, *, port: int) -> Flask:
    app = Flask(f"ent_{port}")
    app.secret_key = secrets.token_bytes(32)
    app.config["SESSION_COOKIE_NAME"] = f"ent_{port}"
    app.config["MAX_CONTENT_LENGTH"] = 5 * 1024 * 1024
    http = backchannel()
    callback = world.ent_url + "auth/cas"
    w = texts(world.wording)

    def page(title: str, body: str, status: int = 200) -> Response:
        html = render_template_string(_BASE, title=title, body=body, w=w, user=me())
        return Response(html, status=status, mimetype="text/html")

    def me() -> Person | None:
        login = session.get("login")
        return world.person(login) if login else None

    def login_redirect() -> Response:
        return redirect(f"{world.cas_url}login?{urlencode({'service': callback})}")

    def admin_only() -> Person | Response:
        user = me()
        if user is None:
            return login_redirect()
        if not user.admin:
            return page(w["ent_denied_title"], f"<p>{escape(w['ent_denied_text'])}</p>", 403)
        return user

    @app.get("/")
    def home() -> Response:
        return redirect("/portail") if me() else login_redirect()

    @app.get("/auth/cas")
    def cas_callback() -> Response:
        ticket = request.args.get("ticket", "")
        try:
            check = check_ticket(http, world.cas_url, callback, ticket)
        except httpx.HTTPError:
            check = None
        if check is None or not check.ok:
            body = (
                f"<p>{escape(w['ent_login_failed_text'])} "
                f"<a href='/'>{escape(w['ent_retry'])}</a></p>"
            )
            return page(w["ent_login_failed_title"], body, 403)
        session.clear()
        session["login"] = check.user
        return redirect("/portail")

    @app.get("/portail")
    def portal() -> Response:
        user = me()
        if user is None:
            return login_redirect()
        site = world.establishment(user.uai)
        services = [Markup('<a href="#">{}</a>').format(s) for s in items(w, "ent_other_services")]
        if site.shortcut:
            services.insert(0, shortcut_markup(site.shortcut, user, alt=world.wording == "alt"))
        body = render_template_string(
            _PORTAL,
            w=w,
            user=user,
            services=services,
            greeting=w["ent_greeting"].format(prenom=user.prenom),
        )
        return page(w["ent_portal_title"], body)

    @app.get("/portail/service/<code>")
    def framed_service(code: str) -> Response:
        user = me()
        if user is None:
            return login_redirect()
        shortcut = world.establishment(user.uai).shortcut
        if shortcut is None or shortcut.code != code:
            return page(
                w["ent_no_service_title"], f"<p>{escape(w['ent_no_service_text'])}</p>", 404
            )
        body = render_template_string(
            '<iframe name="service" title="{{ label }}" src="{{ url }}"></iframe>',
            label=shortcut.intitule,
            url=shortcut_target(shortcut, user),
        )
        return page(shortcut.intitule, body)

    @app.route("/admin/portail", methods=["GET", "POST"])
    def shortcut_admin() -> Response:
        user = admin_only()
        if isinstance(user, Response):
            return user
        site = world.establishment(user.uai)
        message = ""
        if request.method == "POST":
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
                message = w["ent_saved"]
            elif request.form.get("actif"):
                message = w["ent_bad_url"]
            else:
                site.shortcut = None
                message = w["ent_removed"]
        body = render_template_string(
            _SHORTCUT_FORM,
            w=w,
            s=site.shortcut,
            modes=list(zip(SHORTCUT_MODES, items(w, "ent_mode_labels"), strict=True)),
            default_label=w["ent_shortcut_label"],
            message=message,
        )
        return page(w["ent_portal_admin"], body)

    @app.route("/admin/import", methods=["GET", "POST"])
    def identifiers_import() -> Response:
        user = admin_only()
        if isinstance(user, Response):
            return user
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
        body = render_template_string(
            _IMPORT_FORM,
            w=w,
            message=message,
            failed=failed,
            count=w["ent_import_count"].format(count=len(site.imported)),
        )
        return page(w["ent_import_admin"], body, status)

    @app.get("/logout")
    def logout() -> Response:
        session.clear()
        return redirect(f"{world.cas_url}logout?{urlencode({'service': world.ent_url})}")

    return app


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


def shortcut_markup(shortcut: Shortcut, user: Person, *, alt: bool) -> Markup:
    """The portal's Pronote shortcut: a link by default, a tile or a button under `alt`.

    Kosmos portals link to the PRONOTE.net host (`a[href*="index-education.net/pronote/"]`,
    DOMAIN.md); Open ENT NG draws application tiles that open a new window.
    """
    url, label = shortcut_target(shortcut, user), shortcut.intitule
    new_tab = shortcut.mode == "onglet"
    if shortcut.mode == "cadre":
        url = f"/portail/service/{shortcut.code}"
    if not alt:
        if shortcut.mode == "popup":
            return Markup(
                '<a href="{}" onclick="window.open(this.href, \'pronote\', '
                "'popup,width=1100,height=800'); return false;\">{}</a>"
            ).format(url, label)
        extra = Markup(' target="_blank" rel="noopener"') if new_tab else Markup("")
        return Markup('<a href="{}"{}>{}</a>').format(url, extra, label)
    if shortcut.mode == "popup":
        return Markup(
            '<button type="button" class="tuile tuile--pronote" data-url="{}" '
            "onclick=\"window.open(this.dataset.url, 'pronote', 'popup,width=1100,height=800')\">"
            '<span class="tuile__titre">{}</span></button>'
        ).format(url, label)
    extra = Markup(' target="_blank" rel="noopener noreferrer"') if new_tab else Markup("")
    return Markup(
        '<a class="tuile tuile--pronote" href="{}"{}><span class="tuile__titre">{}</span></a>'
    ).format(url, extra, label)
