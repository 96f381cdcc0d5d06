"""PRONOTE.net stand-in: one Flask app per listener (classic "port 80", CAS "port 82").

It behaves like the real publication as DOMAIN.md describes it: space pages send
anonymous users to the CAS, validate the ticket over real HTTP with
`p3/serviceValidate`, recognise the user (identité PRONOTE, identité de
l'utilisateur or double authentification) and build the space with JavaScript
after load. Faults change its settings; its pages never name a fault.
"""

from __future__ import annotations

import json
import secrets
from urllib.parse import urlencode

import httpx
from flask import Flask, Response, redirect, render_template_string, request, session

from lab.directory import CATEGORIES, SPACE_PAGES, check_password
from lab.state import PronoteUser, Site, World
from verdict.cas import CasValidation, validate_ticket

INFO_MOBILE_APP_ID = "0D264427-EEFC-4810-A9E9-346942A862A4"

SPACES = {
    "eleve": "Espace Élèves",
    "parent": "Espace Parents",
    "professeur": "Espace Professeurs",
    "viescolaire": "Espace Vie scolaire",
    "direction": "Espace Direction",
    "accompagnant": "Espace Accompagnants",
    "entreprise": "Espace Entreprise",
}
PROFILE_OF_SPACE = {page.removesuffix(".html"): p for p, page in SPACE_PAGES.items()}

_BASE = """<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><title>{{ title }}</title>
<style>
body{font-family:DejaVu Sans,Arial,sans-serif;margin:0;background:#f3f3f3;color:#222}
.bandeau{background:#2f6e3a;color:#fff;padding:.8rem 1.2rem;font-size:1.2rem}
.bandeau b{letter-spacing:.1em}.contenu{max-width:38rem;margin:2rem auto;background:#fff;
padding:1.5rem;border:1px solid #ccc;border-radius:4px}
label{display:block;margin:.8rem 0 .3rem}input[type=text],input[type=password]{width:100%;
padding:.5rem;box-sizing:border-box}button{margin-top:1rem;background:#2f6e3a;color:#fff;
border:0;padding:.6rem 1.2rem;font-size:1rem}.erreur{color:#a00}
.ObjetBandeauEspace{display:flex;justify-content:space-between}
</style></head>
<body{% if start %} id="id_body" onload="Start({{ start }})"{% endif %}>
<div class="bandeau"><b>PRONOTE</b> · {{ etab }}</div>
{{ body|safe }}
</body></html>"""

_LOGIN_FORM = """<div class="contenu" id="id_login">
<h1>{{ heading }}</h1>
{% if message %}<p class="erreur">{{ message }}</p>{% endif %}
<p>{{ intro }}</p>
<form method="post" action="{{ action }}">
{% for name, label, kind in fields %}
<label for="id_{{ name }}">{{ label }}</label>
<input id="id_{{ name }}" name="{{ name }}" type="{{ kind }}" autocomplete="off">
{% endfor %}
<button type="submit">{{ button }}</button>
</form></div>"""

# The real application is built by JavaScript after load: so is this one.
_SPACE_SCRIPT = """<div id="id_chargement" class="contenu">Chargement de PRONOTE…</div>
<script>
function Start(params) {
  setTimeout(function () {
    var root = document.createElement('div');
    root.id = 'GInterface';
    root.innerHTML = '<div class="ObjetBandeauEspace bandeau"><span class="ibe_etab">' +
      params.espace + '</span><span class="ibe_util_texte" data-testid="nom-utilisateur"></span>' +
      '</div><div class="contenu"><h1>Page d\\'accueil</h1><p>Bienvenue dans votre espace PRONOTE.' +
      '</p><ul><li>Cahier de textes</li><li>Notes</li><li>Emploi du temps</li></ul></div>';
    root.querySelector('.ibe_util_texte').textContent = params.utilisateur;
    document.getElementById('id_chargement').remove();
    document.body.appendChild(root);
    document.title = 'PRONOTE - ' + params.espace + ' - ' + params.etablissement;
  }, params.delai);
}
</script>"""


def create_pronote_app(world: World, site: Site, *, listener: str, port: int) -> Flask:
    """The app behind one PRONOTE.net listener: `listener` is "classic" or "cas"."""
    app = Flask(f"pronote_{listener}_{port}")
    app.secret_key = secrets.token_bytes(32)
    # Every lab app shares 127.0.0.1: a cookie name per listener keeps sessions apart.
    app.config["SESSION_COOKIE_NAME"] = f"pronote_{port}"
    http = httpx.Client(timeout=10)

    def page(title: str, body: str, *, status: int = 200, start: str | None = None) -> Response:
        html = render_template_string(_BASE, title=title, body=body, etab=site.name, start=start)
        return Response(html, status=status, mimetype="text/html")

    def unavailable() -> Response:
        body = (
            '<div class="contenu"><h1>Le site n\'est pas disponible</h1>'
            "<p>Le site PRONOTE de l'établissement n'est pas publié pour le moment. "
            "Veuillez réessayer ultérieurement.</p></div>"
        )
        return page("PRONOTE", body, status=503)

    def error(message: str, status: int = 200) -> Response:
        body = render_template_string(
            '<div class="contenu" id="id_erreur"><h1>Impossible d\'afficher la page</h1>'
            '<p class="erreur">{{ m }}</p></div>',
            m=message,
        )
        return page("PRONOTE - Erreur", body, status=status)

    def login_form(action: str, message: str = "") -> Response:
        body = render_template_string(
            _LOGIN_FORM,
            heading="Connexion à PRONOTE",
            intro="Saisissez votre identifiant et votre mot de passe PRONOTE.",
            action=action,
            message=message,
            button="Se connecter",
            fields=[("login", "Identifiant", "text"), ("password", "Mot de passe", "password")],
        )
        return page("PRONOTE - Connexion", body)

    def first_connection(message: str = "") -> Response:
        double = site.settings.recognition_mode == "double_authentification"
        fields = (
            [
                ("login", "Identifiant PRONOTE", "text"),
                ("password", "Mot de passe PRONOTE", "password"),
            ]
            if double
            else [("identifiant", "Identifiant PRONOTE ENT", "text")]
        )
        intro = (
            "Pour cette première connexion depuis l'ENT, saisissez vos identifiant et mot de "
            "passe PRONOTE."
            if double
            else "Pour cette première connexion depuis l'ENT, saisissez votre identifiant "
            "PRONOTE ENT, communiqué par votre établissement."
        )
        body = render_template_string(
            _LOGIN_FORM,
            heading="Première connexion",
            intro=intro,
            action="/pronote/premiere-connexion",
            message=message,
            button="Valider",
            fields=fields,
        )
        return page("PRONOTE - Première connexion", body)

    def space(user: PronoteUser, name: str) -> Response:
        params = {
            "espace": SPACES.get(name, "Espace"),
            "etablissement": site.name,
            "utilisateur": user.person.display_name,
            "delai": 400,
        }
        return page("PRONOTE", _SPACE_SCRIPT, start=json.dumps(params, ensure_ascii=False))

    def service_url(name: str | None) -> str:
        return site.settings.public_url + (f"{name}.html" if name else "")

    def current_user() -> PronoteUser | None:
        uid = session.get("uid")
        return next((u for u in site.users if u.person.uid == uid), None) if uid else None

    def open_space(user: PronoteUser) -> Response:
        session.clear()
        session["uid"] = user.person.uid
        return redirect(f"/pronote/{SPACE_PAGES[user.person.profile]}")

    def validate(ticket: str, service: str) -> CasValidation | str:
        """CAS 3.0 ticket validation; returns the validation or a French error text."""
        try:
            validation = validate_ticket(http, site.settings.cas_url, service, ticket)
        except httpx.HTTPError:
            return "Le serveur d'authentification CAS ne répond pas."
        # An outdated MsXML on the DMZ server cannot parse the XML answer.
        if not site.settings.msxml_ok or validation.failure_code == "INVALID_RESPONSE":
            return "Erreur lors de l'authentification CAS : réponse du serveur CAS illisible."
        if not validation.ok:
            return "L'authentification CAS a été refusée. Veuillez vous reconnecter depuis l'ENT."
        return validation

    def recognise(validation: CasValidation) -> Response:
        settings = site.settings
        cas_user, attribute = validation.user or "", validation.attribute
        with world.lock:
            known = site.user_by_cas(cas_user)
            if known:
                return open_space(known)
            if settings.recognition_mode == "identite_pronote" and settings.identifier_management:
                code = attribute(world.identifier_attribute)
                if code:
                    user = site.user_by_identifier(code)
                    if user is None:
                        return error(
                            "Vous n'êtes pas autorisé à vous connecter : votre compte ENT n'est "
                            "associé à aucun utilisateur de la base PRONOTE de l'établissement."
                        )
                    user.id_cas = cas_user
                    return open_space(user)
            elif settings.recognition_mode == "identite_utilisateur":
                user = next(
                    (
                        u
                        for u in site.users
                        if u.id_cas is None
                        and u.person.nom == attribute("nom")
                        and u.person.prenom == attribute("prenom")
                        and u.person.date_naissance == attribute("dateNaissance")
                        and CATEGORIES[u.person.profile] == attribute("categories")
                    ),
                    None,
                )
                if user:
                    user.id_cas = cas_user
                    return open_space(user)
        session.clear()
        session["pending_cas"] = cas_user
        return first_connection()

    @app.get("/pronote/")
    @app.get("/pronote/<name>.html")
    def space_page(name: str | None = None) -> Response:
        if not site.settings.published:
            return unavailable()
        if name is not None and name.removeprefix("mobile.") not in SPACES:
            return error("La page demandée n'existe pas.", status=404)
        if listener == "classic":
            return classic_page(name)
        ticket = request.args.get("ticket")
        if ticket:
            result = validate(ticket, service_url(name))
            if isinstance(result, str):
                return error(result)
            return recognise(result)
        user = current_user()
        if user:
            own = SPACE_PAGES[user.person.profile].removesuffix(".html")
            if name != own:
                return redirect(f"/pronote/{own}.html")
            return space(user, own)
        if not site.settings.cas_auth_enabled:
            return login_form(request.full_path)
        query = urlencode({"service": service_url(name)})
        return redirect(f"{site.settings.cas_url}login?{query}")

    def classic_page(name: str | None) -> Response:
        user = current_user()
        if user:
            own = SPACE_PAGES[user.person.profile].removesuffix(".html")
            return space(user, own) if name == own else redirect(f"/pronote/{own}.html")
        direct = request.args.get("login") == "true"
        if site.settings.cas_auth_enabled and not (direct and site.settings.direct_auth_allowed):
            return redirect(site.cas_listener_url + (f"{name}.html" if name else ""))
        return login_form(request.full_path)

    @app.post("/pronote/")
    @app.post("/pronote/<name>.html")
    def direct_login(name: str | None = None) -> Response:
        if not site.settings.published:
            return unavailable()
        login = request.form.get("login", "")
        password = request.form.get("password", "")
        with world.lock:
            user = next((u for u in site.users if u.person.pronote_login == login), None)
        if user is None or not check_password(password, user.person.pronote_password_hash):
            return login_form(request.full_path, "Identifiant ou mot de passe incorrect.")
        return open_space(user)

    @app.post("/pronote/premiere-connexion")
    def answer_first_connection() -> Response:
        cas_user = session.get("pending_cas")
        if not cas_user:
            return error("Votre session a expiré. Reconnectez-vous depuis l'ENT.")
        with world.lock:
            if site.settings.recognition_mode == "double_authentification":
                login = request.form.get("login", "")
                user = next((u for u in site.users if u.person.pronote_login == login), None)
                ok = user is not None and check_password(
                    request.form.get("password", ""), user.person.pronote_password_hash
                )
            else:
                code = request.form.get("identifiant", "").strip().upper()
                user = site.user_by_identifier(code)
                ok = user is not None
            if not ok or user is None or user.id_cas not in (None, cas_user):
                return first_connection("Identifiant incorrect. Vérifiez votre saisie.")
            user.id_cas = cas_user
        return open_space(user)

    @app.get("/pronote/infoMobileApp.json")
    def info_mobile_app() -> Response:
        if not site.settings.published:
            return unavailable()
        if request.args.get("id") != INFO_MOBILE_APP_ID:
            return error("La page demandée n'existe pas.", status=404)
        info = {
            "CAS": {
                "actif": site.settings.cas_auth_enabled,
                "casURL": site.settings.cas_url if site.settings.cas_auth_enabled else "",
                "jetonCAS": "",
            },
            "espaces": [{"nom": label, "URL": f"{n}.html"} for n, label in SPACES.items()],
            "nomEtab": site.name,
            "version": [2025, 0, 3],
        }
        return Response(json.dumps(info, ensure_ascii=False), mimetype="application/json")

    return app
