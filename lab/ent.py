"""ENT portal stand-in, eCollège-like: CAS login, service shortcuts, portal administration.

The administration pages are the ones the procedure uses: "gestion du portail"
for the Pronote shortcut (part IV) and the import of PRONOTE's identifiers file
(part V), full or partial.
"""

from __future__ import annotations

import secrets
import unicodedata
from urllib.parse import urlencode

import httpx
from flask import Flask, Response, redirect, render_template_string, request, session

from lab.directory import EXPORT_SECTIONS, PROFILES, Person
from lab.state import SHORTCUT_MODES, Shortcut, World
from verdict.cas import validate_ticket
from verdict.identifiers import IdentifiersFileError, parse_identifiers

ENT_NAME = "eCollège 31"

_BASE = """<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><title>{{ title }} - {{ ent }}</title>
<style>
body{font-family:DejaVu Sans,Arial,sans-serif;margin:0;background:#f4f6fa;color:#222}
header{background:#1d4f91;color:#fff;padding:.8rem 1.5rem;display:flex;
justify-content:space-between;align-items:center}header a{color:#fff}
main{max-width:60rem;margin:1.5rem auto;padding:0 1rem}
.services{display:grid;grid-template-columns:repeat(auto-fill,11rem);gap:1rem;list-style:none;
padding:0}.services a{display:block;background:#fff;border:1px solid #c5cfdc;border-radius:6px;
padding:1.2rem;text-align:center;text-decoration:none;color:#1d4f91;font-weight:bold}
form label{display:block;margin:.7rem 0 .2rem}input[type=text],select{width:28rem;padding:.4rem}
.message{padding:.6rem;border-radius:4px}.ok{background:#d4edda}.ko{background:#f8d7da}
iframe{width:100%;height:80vh;border:1px solid #ccc}
</style></head><body>
<header><span><b>{{ ent }}</b> · {{ title }}</span>
{% if user %}<span id="utilisateur">{{ user.display_name }} ·
<a href="/logout">Se déconnecter</a></span>{% endif %}</header>
<main>{{ body|safe }}</main></body></html>"""

_PORTAL = """<h1>Mon espace</h1>
<p>Bonjour {{ user.prenom }}, bienvenue sur votre ENT.</p>
<h2>Mes services</h2>
<ul class="services" aria-label="Mes services">
{% for s in services %}<li>{{ s|safe }}</li>{% endfor %}
</ul>
{% if user.admin %}<h2>Administration</h2><ul>
<li><a href="/admin/portail">Gestion du portail</a></li>
<li><a href="/admin/import">Import des identifiants PRONOTE</a></li></ul>{% endif %}"""

_SHORTCUT_FORM = """<h1>Gestion du portail : service Pronote</h1>
{% if message %}<p class="message ok">{{ message }}</p>{% endif %}
<form method="post">
<label for="url">URL</label><input id="url" name="url" type="text" value="{{ s.url if s else '' }}">
<label for="code">Code</label><input id="code" name="code" type="text"
 value="{{ s.code if s else 'PRONOTE' }}">
<label for="intitule">Intitulé</label><input id="intitule" name="intitule" type="text"
 value="{{ s.intitule if s else 'Pronote' }}">
<label for="mode">Ouverture</label><select id="mode" name="mode">
{% for m in modes %}<option value="{{ m }}"{% if s and s.mode == m %} selected{% endif %}>
{{ m }}</option>{% endfor %}</select>
<label><input type="checkbox" name="actif" value="1"{% if s %} checked{% endif %}>
Service affiché dans le portail</label>
<p><button type="submit">Enregistrer</button></p></form>"""

_IMPORT_FORM = """<h1>Import des identifiants PRONOTE</h1>
{% if message %}<p class="message {{ 'ko' if failed else 'ok' }}">{{ message }}</p>{% endif %}
<p>Fichier des identifiants exporté depuis PRONOTE Client (code à 16 caractères).</p>
<form method="post" enctype="multipart/form-data">
<label for="fichier">Fichier</label><input id="fichier" name="fichier" type="file">
<label><input type="radio" name="type" value="complet" checked> Import complet</label>
<label><input type="radio" name="type" value="partiel"> Import partiel</label>
<p><button type="submit">Importer</button></p></form>
<p>{{ imported }} identifiant(s) PRONOTE actuellement importé(s).</p>"""


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


_PROFILE_BY_SECTION = {_fold(name): profile for profile, name in EXPORT_SECTIONS.items()}
_PROFILE_BY_SECTION.update({_fold(p): p for p in PROFILES})


def create_ent_app(world: World, *, port: int) -> Flask:
    app = Flask(f"ent_{port}")
    app.secret_key = secrets.token_bytes(32)
    app.config["SESSION_COOKIE_NAME"] = f"ent_{port}"
    app.config["MAX_CONTENT_LENGTH"] = 5 * 1024 * 1024
    http = httpx.Client(timeout=10)
    callback = world.ent_url + "auth/cas"

    def page(title: str, body: str, status: int = 200) -> Response:
        html = render_template_string(_BASE, title=title, body=body, ent=ENT_NAME, user=me())
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
            return page("Accès refusé", "<p>Cette page est réservée aux administrateurs.</p>", 403)
        return user

    @app.get("/")
    def home() -> Response:
        return redirect("/portail") if me() else login_redirect()

    @app.get("/auth/cas")
    def cas_callback() -> Response:
        ticket = request.args.get("ticket", "")
        try:
            validation = validate_ticket(http, world.cas_url, callback, ticket)
        except httpx.HTTPError:
            validation = None
        if validation is None or not validation.ok:
            body = "<p>La connexion a échoué. <a href='/'>Réessayer</a></p>"
            return page("Erreur de connexion", body, 403)
        session.clear()
        session["login"] = validation.user
        return redirect("/portail")

    @app.get("/portail")
    def portal() -> Response:
        user = me()
        if user is None:
            return login_redirect()
        site = world.site(user.uai)
        services = [
            '<a href="#">Cahier de textes</a>',
            '<a href="#">Messagerie</a>',
            '<a href="#">Ressources numériques</a>',
        ]
        if site.shortcut:
            services.insert(0, _shortcut_link(site.shortcut))
        body = render_template_string(_PORTAL, user=user, services=services)
        return page("Mon espace", body)

    @app.get("/portail/service/<code>")
    def framed_service(code: str) -> Response:
        user = me()
        if user is None:
            return login_redirect()
        shortcut = world.site(user.uai).shortcut
        if shortcut is None or shortcut.code != code:
            return page("Service introuvable", "<p>Ce service n'existe pas.</p>", 404)
        body = render_template_string(
            '<iframe name="service" title="{{ s.intitule }}" src="{{ s.url }}"></iframe>',
            s=shortcut,
        )
        return page(shortcut.intitule, body)

    @app.route("/admin/portail", methods=["GET", "POST"])
    def shortcut_admin() -> Response:
        user = admin_only()
        if isinstance(user, Response):
            return user
        site = world.site(user.uai)
        message = ""
        if request.method == "POST":
            url = request.form.get("url", "").strip()
            mode = request.form.get("mode", "onglet")
            if request.form.get("actif") and url.startswith(("http://", "https://")):
                with world.lock:
                    site.shortcut = Shortcut(
                        url=url,
                        code=request.form.get("code", "PRONOTE").strip() or "PRONOTE",
                        intitule=request.form.get("intitule", "Pronote").strip() or "Pronote",
                        mode=mode if mode in SHORTCUT_MODES else "onglet",
                    )
                message = "Service enregistré."
            elif request.form.get("actif"):
                message = "URL invalide : elle doit commencer par http:// ou https://."
            else:
                site.shortcut = None
                message = "Service retiré du portail."
        body = render_template_string(
            _SHORTCUT_FORM, s=site.shortcut, modes=SHORTCUT_MODES, message=message
        )
        return page("Gestion du portail", body)

    @app.route("/admin/import", methods=["GET", "POST"])
    def identifiers_import() -> Response:
        user = admin_only()
        if isinstance(user, Response):
            return user
        site = world.site(user.uai)
        message, failed, status = "", False, 200
        if request.method == "POST":
            upload = request.files.get("fichier")
            data = upload.read() if upload else b""
            try:
                rows = identifier_rows(data, upload.filename if upload else "")
            except IdentifiersFileError as exc:
                message, failed, status = f"Import refusé. {exc}", True, 400
            else:
                full = request.form.get("type", "complet") == "complet"
                matched = world.import_identifiers(site.uai, rows, full=full)
                kind = "complet" if full else "partiel"
                message = f"Import {kind} terminé : {matched} identifiant(s) associé(s)."
        body = render_template_string(
            _IMPORT_FORM, message=message, failed=failed, imported=len(site.imported)
        )
        return page("Import des identifiants PRONOTE", body, status)

    @app.get("/logout")
    def logout() -> Response:
        session.clear()
        return redirect(f"{world.cas_url}logout?{urlencode({'service': world.ent_url})}")

    return app


def identifier_rows(data: bytes, source: str = "") -> list[tuple[str, str, str]]:
    """(profile, "NOM Prénom", code) for every importable row of an identifiers file."""
    parsed = parse_identifiers(data, source=source or "<fichier>")
    rows = []
    for section in parsed.sections:
        profile = _PROFILE_BY_SECTION.get(_fold(section.profile))
        if profile is None:
            continue
        rows.extend(
            (profile, r.name, r.pronote_id) for r in section.rows if r.name and r.pronote_id
        )
    return rows


def _shortcut_link(shortcut: Shortcut) -> str:
    from markupsafe import escape

    url, label = escape(shortcut.url), escape(shortcut.intitule)
    if shortcut.mode == "onglet":
        return f'<a href="{url}" target="_blank" rel="noopener">{label}</a>'
    if shortcut.mode == "popup":
        return (
            f'<a href="{url}" onclick="window.open(this.href, \'pronote\', '
            f"'popup,width=1100,height=800'); return false;\">{label}</a>"
        )
    if shortcut.mode == "cadre":
        return f'<a href="/portail/service/{escape(shortcut.code)}">{label}</a>'
    return f'<a href="{url}">{label}</a>'
