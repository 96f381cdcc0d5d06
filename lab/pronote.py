"""PRONOTE.net stand-in: one Flask app per listener (classic "port 80", CAS "port 82").

It behaves like the real publication as DOMAIN.md describes it:
- the root serves a page (a real root may, instead of redirecting to the CAS);
  space pages (`eleve.html`, …) send anonymous users to the CAS, validate the
  ticket over real HTTP with `p3/serviceValidate` and recognise the user
  (identité PRONOTE, identité de l'utilisateur or double authentification);
- a space is `<body id="id_body" onload="try { Start ({h:…,a:…}) } catch…">`
  whose JavaScript asks the server who is connected (as PRONOTE's own
  `appelfonction` calls do) and draws the application into `#div` some
  hundreds of ms after load: the banner `.ObjetBandeauEspace … .ibe_util_texte`
  reading "Espace Élèves - NOM Prénom (CLASSE)", `.objetBandeauEntete_menu`,
  `.AffichagePageAccueil`. `GInterface` is a JavaScript global, never an
  element id (PRONOTE's client modules, DOMAIN.md);
- an ENT user PRONOTE cannot link gets, per establishment's generation, the
  2025 "Identification impossible" page and its form, or the seed's 2011
  "identifiant PRONOTE ENT" prompt;
- PRONOTE's own inputs have no `name` and generated ids (`id_49`): the forms'
  script posts the values in order in one hidden field, `champs`.
Faults change its settings; its pages never name a fault. Texts come from
`lab.wording`.
"""

from __future__ import annotations

import json
import secrets
import string
from datetime import date
from urllib.parse import urlencode

import httpx
from flask import Flask, Response, redirect, render_template_string, request, session

from lab.casclient import TicketCheck, check_ticket
from lab.directory import CATEGORIES, SPACE_PAGES, Person, check_password
from lab.server import backchannel
from lab.state import Establishment, LinkRequest, PronoteUser, World
from lab.wording import items, texts

INFO_MOBILE_APP_ID = "0D264427-EEFC-4810-A9E9-346942A862A4"

# Space pages and the space names PRONOTE's banner starts with (DOMAIN.md).
SPACES = {
    "eleve": "Espace Élèves",
    "parent": "Espace Parents",
    "professeur": "Espace Professeurs",
    "viescolaire": "Espace Vie scolaire",
    "direction": "Espace Direction",
    "accompagnant": "Espace Accompagnants",
    "entreprise": "Espace Entreprise",
}
# `a` of Start ({h:…,a:…}): 3 for élèves is in DOMAIN.md; the others are inferences.
START_GENRE = {
    "eleve": 3,
    "parent": 2,
    "professeur": 1,
    "viescolaire": 13,
    "direction": 14,
    "accompagnant": 26,
    "entreprise": 4,
}
# `genreEspace` of infoMobileApp.json's espaces: 6/7/8 for élève/parent/professeur are
# what public mobile clients (Pawnote) use; the others are inferences.
MOBILE_GENRE = {
    "eleve": 6,
    "parent": 7,
    "professeur": 8,
    "viescolaire": 13,
    "direction": 14,
    "accompagnant": 26,
    "entreprise": 4,
}
# infoMobileApp.json's `version`: DOMAIN.md shows [2020,0,2,5]. A 2011 PRONOTE.net
# predates the mobile app; the lab's "2011" generation keeps the file (as the oldest
# version that serves it) so that both generations answer the same preflight.
VERSIONS = {"2025": [2025, 0, 2, 5], "2011": [2020, 0, 2, 5]}

_BASE = """<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><title>{{ title }}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font-family:Roboto,DejaVu Sans,Arial,sans-serif;margin:0;background:#f3f3f3;color:#222}
.ObjetBandeauEntete{background:#2f6e3a;color:#fff;padding:.4rem 1.2rem}
.objetBandeauEntete_menu span{margin-right:1.2rem}
.ObjetBandeauEspace{display:flex;background:#fff;border-bottom:1px solid #ccc;padding:.6rem 1.2rem}
.ibe_etab{font-weight:bold}.ibe_util_texte{color:#2f6e3a}.label-membre{font-size:.9rem}
.{{ w.pn_cls_page }}{max-width:38rem;margin:2rem auto;background:#fff;padding:1.5rem;
border:1px solid #ccc;border-radius:4px}.{{ w.pn_cls_error }}{color:#a00}
label{display:block;margin:.8rem 0 .3rem}input{width:100%;padding:.5rem;box-sizing:border-box}
button{margin-top:1rem;background:#2f6e3a;color:#fff;border:0;padding:.6rem 1.2rem}
</style></head>
{% if start %}<body id="id_body" onload="try { Start ({{ start|safe }}) } catch (e) { Echec(e) }">
{% else %}<body>{% endif %}
{{ body|safe }}
</body></html>"""

# PRONOTE's own forms: no input names, generated ids; the script sends the values in
# order (the lab's stand-in for PRONOTE's JavaScript calls).
_FORM = """<div id="div"><div class="{{ w.pn_cls_page }}">
<h1>{{ heading }}</h1>
{% if message %}<p class="{{ w.pn_cls_error }}" role="alert">{{ message }}</p>{% endif %}
{% if text %}<p>{{ text }}</p>{% endif %}
<p>{{ intro }}</p>
<form method="post" action="{{ action }}" onsubmit="return Envoyer(this)">
{% for id, label, kind in fields %}
<label for="{{ id }}">{{ label }}</label>
<input id="{{ id }}" type="{{ kind }}" autocomplete="off" aria-label="{{ label }}">
{% endfor %}
<input type="hidden" name="champs" value="">
<button type="submit" id="{{ button_id }}">{{ button }}</button>
</form></div></div>
<script>
function Envoyer(form) {
  var values = Array.prototype.map.call(
    form.querySelectorAll('input:not([type=hidden])'), function (i) { return i.value; });
  form.elements.champs.value = JSON.stringify(values);
  return true;
}
function Start(params) {
  var first = document.querySelector('#div input:not([type=hidden])');
  if (first) { first.focus(); }
}
function Echec(e) {}
</script>"""

# A space: an empty #div, then the application drawn by JavaScript once the server has
# said who is connected (PRONOTE's "FonctionParametres"), some hundreds of ms after load.
_SPACE = """<div id="div"><p class="{{ w.pn_cls_page }}">{{ w.pn_loading }}</p></div>
<noscript>{{ w.pn_noscript }}</noscript>
<script>
var GInterface = null;
function Echec(e) {
  document.getElementById('div').textContent = {{ js_error|tojson }};
}
function element(tag, cls, text) {
  var node = document.createElement(tag);
  if (cls) { node.className = cls; }
  if (text) { node.textContent = text; }
  return node;
}
function Construire(data) {
  var div = document.getElementById('div');
  div.textContent = '';
  var entete = element('div', 'ObjetBandeauEntete');
  entete.id = 'GInterface.Instances[0]';
  var menu = element('div', 'objetBandeauEntete_menu');
  menu.id = 'GInterface.Instances[0].Instances[0]';
  menu.setAttribute('role', 'navigation');
  {{ menu|tojson }}.forEach(function (label) { menu.appendChild(element('span', '', label)); });
  entete.appendChild(menu);
  var bandeau = element('div', 'ObjetBandeauEspace');
  bandeau.id = 'GInterface.Instances[1]';
  var centre = element('div', 'ibe_centre');
  var etabUtil = element('div', 'ibe_etab_util');
  etabUtil.appendChild(element('div', 'ibe_etab', data.etablissement));
  var util = element('div', 'ibe_util');
  util.appendChild(element('div', 'ibe_util_texte ibe_actif', data.libelle));
  if (data.membre) { util.appendChild(element('div', 'label-membre', data.membre)); }
  etabUtil.appendChild(util);
  centre.appendChild(etabUtil);
  bandeau.appendChild(element('div', 'ibe_gauche', 'PRONOTE'));
  bandeau.appendChild(centre);
  var accueil = element('div', 'AffichagePageAccueil');
  accueil.id = 'GInterface.Instances[2]';
  accueil.appendChild(element('h1', '', {{ w.pn_home_page|tojson }}));
  var widgets = element('ul');
  {{ widgets|tojson }}.forEach(function (w) { widgets.appendChild(element('li', '', w)); });
  accueil.appendChild(widgets);
  div.appendChild(entete);
  div.appendChild(bandeau);
  div.appendChild(accueil);
  GInterface.Instances = [entete, bandeau, accueil];
  document.title = data.espace + ' - PRONOTE';
}
function Start(params) {
  GInterface = {parametres: params, Instances: []};
  fetch('appelfonction/' + params.a + '/' + params.h, {
    method: 'POST', credentials: 'same-origin',
    headers: {'Content-Type': 'application/json'},
    body: JSON.stringify({nom: 'FonctionParametres'})
  }).then(function (r) {
    if (!r.ok) { throw new Error('HTTP ' + r.status); }
    return r.json();
  }).then(function (data) {
    setTimeout(function () { try { Construire(data); } catch (e) { Echec(e); } }, {{ delay_ms }});
  }).catch(Echec);
}
</script>"""

_HOME = """<div class="{{ w.pn_cls_page }}"><h1>{{ w.pn_home_heading }}</h1>
<p>{{ etab }}</p><p>{{ w.pn_home_intro }}</p><ul>
{% for page, name in spaces %}<li><a href="{{ page }}.html">{{ name }}</a></li>{% endfor %}
</ul></div>"""

_ERROR = """<div class="{{ w.pn_cls_page }}"><h1>{{ heading }}</h1>
<p class="{{ w.pn_cls_error }}">{{ message }}</p></div>"""

# How long the space's script waits before drawing, once the server has answered.
BUILD_DELAY_MS = 300
_ID_ALPHABET = string.ascii_uppercase + string.digits


def banner_label(person: Person) -> str:
    """The text of `.ibe_util_texte`: space name, " - ", "NOM Prénom", "(CLASSE)" for élèves."""
    space = SPACES[SPACE_PAGES[person.profile].removesuffix(".html")]
    label = f"{space} - {person.export_name}"
    return f"{label} ({person.classe})" if person.classe else label


def member_label(person: Person) -> str | None:
    """`.label-membre` of a parent's space: the child, "NOM Prénom (classe)"."""
    child = person.child
    if person.profile != "parent" or child is None:
        return None
    return f"{child.export_name} ({child.classe})" if child.classe else child.export_name


def create_pronote_app(world: World, site: Establishment, *, listener: str, port: int) -> Flask:
    """The app behind one PRONOTE.net listener: `listener` is "classic" or "cas"."""
    app = Flask(f"pronote_{listener}_{port}")
    app.secret_key = secrets.token_bytes(32)
    # Every lab app shares 127.0.0.1: a cookie name per listener keeps sessions apart.
    app.config["SESSION_COOKIE_NAME"] = f"pronote_{port}"
    http = backchannel()
    w = texts(world.wording)

    def page(title: str, body: str, *, status: int = 200, start: str | None = None) -> Response:
        html = render_template_string(_BASE, title=title, body=body, start=start, w=w)
        return Response(html, status=status, mimetype="text/html")

    def start_params(name: str) -> str:
        """Start's argument, a JavaScript object literal like the real one: {h:'…',a:3,d:false}."""
        h = str(secrets.randbelow(9_000_000) + 1_000_000)
        session["h"] = h
        return f"{{h:'{h}',a:{START_GENRE.get(name, 3)},d:false}}"

    def error(message: str, *, heading: str | None = None, status: int = 200) -> Response:
        title = heading or w["pn_error_title"]
        body = render_template_string(_ERROR, heading=title, message=message, w=w)
        return page(f"PRONOTE - {title}", body, status=status)

    def unavailable() -> Response:
        # Index Éducation's KB: "Le site n'est pas disponible" / "HTTP Error 503".
        return error(w["pn_unavailable_text"], heading=w["pn_unavailable_title"], status=503)

    def form(
        *,
        title: str,
        heading: str,
        intro: str,
        fields: list[tuple[str, str]],
        button: str,
        action: str,
        message: str = "",
        text: str = "",
        name: str = "eleve",
    ) -> Response:
        first = 20 + secrets.randbelow(60)  # generated ids, as PRONOTE's: never rely on them
        numbered = [(f"id_{first + i}", label, kind) for i, (label, kind) in enumerate(fields)]
        body = render_template_string(
            _FORM,
            heading=heading,
            intro=intro,
            text=text,
            message=message,
            fields=numbered,
            button=button,
            button_id=f"id_{first + len(fields)}",
            action=action,
            w=w,
        )
        return page(title, body, start=start_params(name))

    def login_form(action: str, name: str, message: str = "") -> Response:
        return form(
            title=w["pn_login_title"],
            heading=w["pn_login_heading"],
            intro=w["pn_login_intro"],
            fields=[(w["pn_login_id"], "text"), (w["pn_login_password"], "password")],
            button=w["pn_login_button"],
            action=action,
            message=message,
            name=name,
        )

    def not_linked(message: str = "") -> Response:
        """What PRONOTE shows an ENT user it cannot link (or asks to authenticate twice)."""
        if site.settings.recognition_mode == "double_authentification":
            return form(
                title=f"PRONOTE - {w['pn_double_title']}",
                heading=w["pn_double_title"],
                intro=w["pn_double_intro"],
                fields=[(w["pn_login_id"], "text"), (w["pn_login_password"], "password")],
                button=w["pn_double_button"],
                action="/pronote/premiere-connexion",
                message=message,
            )
        if site.pronote_generation == "2011":
            return form(
                title=f"PRONOTE - {w['pn_prompt_title']}",
                heading=w["pn_prompt_title"],
                intro=w["pn_prompt_intro"],
                fields=[(w["pn_prompt_field"], "text")],
                button=w["pn_prompt_button"],
                action="/pronote/premiere-connexion",
                message=message,
            )
        return form(
            title=f"PRONOTE - {w['pn_unlinked_title']}",
            heading=w["pn_unlinked_title"],
            text=w["pn_unlinked_text"],
            intro=w["pn_unlinked_intro"],
            fields=[(label, "text") for label in items(w, "pn_unlinked_fields")],
            button=w["pn_unlinked_button"],
            action="/pronote/identification",
            message=message,
        )

    def space(name: str) -> Response:
        body = render_template_string(
            _SPACE,
            w=w,
            js_error=w["pn_js_error"],
            menu=items(w, "pn_menu"),
            widgets=items(w, "pn_home_widgets"),
            delay_ms=BUILD_DELAY_MS,
        )
        return page("PRONOTE", body, start=start_params(name))

    def service_url(name: str | None) -> str:
        return site.settings.public_url + (f"{name}.html" if name else "")

    def current_user() -> PronoteUser | None:
        uid = session.get("uid")
        return next((u for u in site.users if u.person.uid == uid), None) if uid else None

    def open_space(user: PronoteUser) -> Response:
        session.clear()
        session["uid"] = user.person.uid
        target = f"/pronote/{SPACE_PAGES[user.person.profile]}"
        if site.settings.recognition_mode == "identite_pronote":
            # After SSO the real space URL often carries ?identifiant=<16 characters>
            # (DOMAIN.md); what it stands for is not public: a random one per connection.
            token = "".join(secrets.choice(_ID_ALPHABET) for _ in range(16))
            target += "?" + urlencode({"identifiant": token})
        return redirect(target)

    def validate(ticket: str, service: str) -> TicketCheck | Response:
        """CAS 3.0 validation of the ticket; an error page if PRONOTE cannot use it."""
        try:
            check = check_ticket(http, site.settings.cas_url, service, ticket)
        except httpx.HTTPError:
            return error(w["pn_cas_down"])  # wording: inference
        # An outdated MsXML on the DMZ server cannot parse the XML answer (seed I.2, II.9).
        if not site.settings.msxml_ok or check.failure_code == "UNREADABLE":
            return error(w["pn_cas_unreadable"])  # wording: inference
        if not check.ok:
            return error(w["pn_cas_refused"])  # wording: inference
        return check

    def recognise(check: TicketCheck) -> Response:
        settings = site.settings
        cas_user = check.user or ""
        with world.lock:
            known = site.user_by_cas(cas_user)
            if known:
                return open_space(known)
            user: PronoteUser | None = None
            if settings.recognition_mode == "identite_pronote" and settings.identifier_management:
                code = check.attribute(world.identifier_attribute)
                user = site.user_by_identifier(code) if code else None
            elif settings.recognition_mode == "identite_utilisateur":
                user = next(
                    (
                        u
                        for u in site.users
                        if u.id_cas is None
                        and u.person.nom == check.attribute("nom")
                        and u.person.prenom == check.attribute("prenom")
                        and u.person.date_naissance == check.attribute("dateNaissance")
                        and CATEGORIES[u.person.profile] == check.attribute("categories")
                    ),
                    None,
                )
            if user is not None:
                user.id_cas = cas_user  # PRONOTE fills "Identifiant CAS" by itself
                return open_space(user)
        # Identifier not released, not used, or matching nobody in PRONOTE's base:
        # PRONOTE cannot link this ENT user.
        session.clear()
        session["pending_cas"] = cas_user
        return not_linked()

    def posted_fields() -> list[str]:
        """The values PRONOTE's form script posted, in the order of its inputs."""
        try:
            values = json.loads(request.form.get("champs", "[]"))
        except ValueError:
            return []
        return [str(v) for v in values] if isinstance(values, list) else []

    def home() -> Response:
        spaces = [(n, label) for n, label in SPACES.items() if n in START_GENRE]
        body = render_template_string(_HOME, w=w, etab=site.name, spaces=spaces)
        return page(w["pn_home_title"], body)

    @app.get("/pronote/")
    def root() -> Response:
        if not site.settings.published:
            return unavailable()
        return home()

    @app.get("/pronote/<name>.html")
    def space_page(name: str) -> Response:
        if not site.settings.published:
            return unavailable()
        space_name = name.removeprefix("mobile.")
        if space_name not in SPACES:
            return error(w["pn_not_found"], status=404)
        if listener == "classic":
            return classic_page(name)
        ticket = request.args.get("ticket")
        if ticket:
            result = validate(ticket, service_url(name))
            return result if isinstance(result, Response) else recognise(result)
        user = current_user()
        if user:
            own = SPACE_PAGES[user.person.profile].removesuffix(".html")
            return space(own) if name == own else redirect(f"/pronote/{own}.html")
        if not site.settings.cas_auth_enabled:
            return login_form(request.full_path, space_name)
        query = urlencode({"service": service_url(name)})
        return redirect(f"{site.settings.cas_url}login?{query}")

    def classic_page(name: str) -> Response:
        user = current_user()
        if user:
            own = SPACE_PAGES[user.person.profile].removesuffix(".html")
            return space(own) if name == own else redirect(f"/pronote/{own}.html")
        direct = request.args.get("login") == "true"
        if site.settings.cas_auth_enabled and not (direct and site.settings.direct_auth_allowed):
            return redirect(f"{site.cas_listener_url}{name}.html")
        return login_form(request.full_path, name.removeprefix("mobile."))

    @app.post("/pronote/<name>.html")
    def direct_login(name: str) -> Response:
        if not site.settings.published:
            return unavailable()
        login, password, *_ = [*posted_fields(), "", ""]
        with world.lock:
            user = next((u for u in site.users if u.person.pronote_login == login), None)
        if user is None or not check_password(password, user.person.pronote_password_hash):
            return login_form(request.full_path, name.removeprefix("mobile."), w["pn_login_bad"])
        return open_space(user)

    @app.post("/pronote/appelfonction/<int:genre>/<h>")
    def parameters(genre: int, h: str) -> Response:
        """Who is connected: what the space's script needs to draw the banner."""
        user = current_user()
        if user is None or session.get("h") != h:
            return Response('{"Erreur": {"G": 1}}', status=403, mimetype="application/json")
        person = user.person
        space_name = SPACE_PAGES[person.profile].removesuffix(".html")
        data = {
            "espace": SPACES[space_name],
            "etablissement": site.name,
            "libelle": banner_label(person),
            "membre": member_label(person),
        }
        return Response(json.dumps(data, ensure_ascii=False), mimetype="application/json")

    @app.post("/pronote/premiere-connexion")
    def answer_first_connection() -> Response:
        cas_user = session.get("pending_cas")
        if not cas_user:
            return error(w["pn_session_expired"])
        values = [*posted_fields(), "", ""]
        with world.lock:
            if site.settings.recognition_mode == "double_authentification":
                login, password = values[0], values[1]
                user = next((u for u in site.users if u.person.pronote_login == login), None)
                ok = user is not None and check_password(
                    password, user.person.pronote_password_hash
                )
                bad = w["pn_login_bad"]
            else:
                user = site.user_by_identifier(values[0].strip().upper())
                ok = user is not None
                bad = w["pn_prompt_bad"]
            if not ok or user is None or user.id_cas not in (None, cas_user):
                return not_linked(bad)
            user.id_cas = cas_user
        return open_space(user)

    @app.post("/pronote/identification")
    def link_request() -> Response:
        """The "Identification impossible" form: the request waits for the administrator."""
        cas_user = session.get("pending_cas")
        if not cas_user:
            return error(w["pn_session_expired"])
        with world.lock:
            site.link_requests.append(LinkRequest(cas_user, posted_fields()))
        session.clear()
        return error(w["pn_unlinked_sent"], heading=w["pn_unlinked_title"])

    @app.get("/pronote/infoMobileApp.json")
    @app.get("/pronote/InfoMobileApp.json")  # both spellings are used by working clients
    def info_mobile_app() -> Response:
        if not site.settings.published:
            return unavailable()
        if request.args.get("id") != INFO_MOBILE_APP_ID:
            return error(w["pn_not_found"], status=404)
        settings = site.settings
        info = {
            "modeModif": False,
            "version": VERSIONS[site.pronote_generation],
            "date": date.today().isoformat(),  # format: inference
            # The CAS root without /login and without trailing slash (DOMAIN.md).
            "CAS": {
                "actif": settings.cas_auth_enabled,
                "casURL": settings.cas_url.rstrip("/") if settings.cas_auth_enabled else "",
                "jetonCAS": "",
            },
            "espaces": [
                {
                    "nom": label,
                    "URL": f"mobile.{n}.html",
                    "genreEspace": MOBILE_GENRE[n],
                    "avecDelegation": False,
                    "protocole": 1,  # value: inference
                }
                for n, label in SPACES.items()
            ],
            "nomEtab": site.name,
        }
        return Response(json.dumps(info, ensure_ascii=False), mimetype="application/json")

    return app
