"""PRONOTE.net stand-in: every establishment's listeners (classic "port 80", CAS "port 82") are
served by one Flask app, each listener handing it its publication (`publish`).

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
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

import httpx
from flask import (
    Blueprint,
    Flask,
    redirect,
    render_template,
    request,
    session,
)
from flask.sessions import SecureCookieSessionInterface
from werkzeug.wrappers import Response

from lab.casclient import TicketCheck, check_ticket
from lab.directory import CATEGORIES, SPACE_PAGES, Person, check_password
from lab.server import TEMPLATES, backchannel
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


@dataclass
class _Publication:
    """What one PRONOTE.net listener serves: its establishment, in the lab's world."""

    world: World
    site: Establishment
    listener: str  # "classic" (port 80) or "cas" (port 82)
    port: int
    w: dict[str, str]
    http: httpx.Client


pronote = Blueprint("pronote", __name__)
PUBLICATION = "lab.pronote.publication"  # the WSGI environ key a listener sets


class _SessionPerPort(SecureCookieSessionInterface):
    """Every lab listener shares 127.0.0.1: a session cookie per port keeps each
    publication's sessions apart, as their own hosts would."""

    def get_cookie_name(self, app: Flask) -> str:
        return f"pronote_{_pub().port}"


def create_pronote_app() -> Flask:
    """The one app behind every PRONOTE.net listener. One app per listener (1,200 for an
    académie of 600 establishments) held each its own URL map and compiled templates."""
    app = Flask("pronote", template_folder=TEMPLATES)
    app.secret_key = secrets.token_bytes(32)
    app.session_interface = _SessionPerPort()
    app.register_blueprint(pronote)
    return app


def publish(
    app: Flask, world: World, site: Establishment, *, listener: str, port: int
) -> Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]:
    """The WSGI app of one listener: *app*, serving *site*'s publication; *listener* is
    "classic" or "cas"."""
    pub = _Publication(world, site, listener, port, texts(world.wording), backchannel())

    def served(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        environ[PUBLICATION] = pub
        return app(environ, start_response)

    return served


def _pub() -> _Publication:
    return request.environ[PUBLICATION]


@pronote.app_context_processor
def _wording() -> dict[str, Any]:
    return {"w": _pub().w}


# -- pages ---------------------------------------------------------------------------


def _page(template: str, *, status: int = 200, **context: Any) -> Response:
    return Response(render_template(template, **context), status=status, mimetype="text/html")


def _start_params(name: str) -> str:
    """Start's argument, a JavaScript object literal like the real one: {h:'…',a:3,d:false}."""
    h = str(secrets.randbelow(9_000_000) + 1_000_000)
    session["h"] = h
    return f"{{h:'{h}',a:{START_GENRE.get(name, 3)},d:false}}"


def _error(message: str, *, heading: str | None = None, status: int = 200) -> Response:
    title = heading or _pub().w["pn_error_title"]
    return _page(
        "pronote/error.html",
        title=f"PRONOTE - {title}",
        heading=title,
        message=message,
        status=status,
    )


def _unavailable() -> Response:
    # Index Éducation's KB: "Le site n'est pas disponible" / "HTTP Error 503".
    w = _pub().w
    return _error(w["pn_unavailable_text"], heading=w["pn_unavailable_title"], status=503)


def _form(
    *,
    title: str,
    fields: list[tuple[str, str]],
    name: str = "eleve",
    **context: Any,
) -> Response:
    """One of PRONOTE's own forms: *context* gives heading, intro, button, action, message…"""
    first = 20 + secrets.randbelow(60)  # generated ids, as PRONOTE's: never rely on them
    numbered = [(f"id_{first + i}", label, kind) for i, (label, kind) in enumerate(fields)]
    context = {"message": "", "text": "", **context}
    return _page(
        "pronote/form.html",
        title=title,
        fields=numbered,
        button_id=f"id_{first + len(fields)}",
        start=_start_params(name),
        **context,
    )


def _login_form(action: str, name: str, message: str = "") -> Response:
    w = _pub().w
    return _form(
        title=w["pn_login_title"],
        heading=w["pn_login_heading"],
        intro=w["pn_login_intro"],
        fields=[(w["pn_login_id"], "text"), (w["pn_login_password"], "password")],
        button=w["pn_login_button"],
        action=action,
        message=message,
        name=name,
    )


def _not_linked(message: str = "") -> Response:
    """What PRONOTE shows an ENT user it cannot link (or asks to authenticate twice)."""
    pub = _pub()
    w = pub.w
    if pub.site.settings.recognition_mode == "double_authentification":
        key, action = "pn_double", "/pronote/premiere-connexion"
        fields = [(w["pn_login_id"], "text"), (w["pn_login_password"], "password")]
        intro, text = w["pn_double_intro"], ""
    elif pub.site.pronote_generation == "2011":
        key, action = "pn_prompt", "/pronote/premiere-connexion"
        fields = [(w["pn_prompt_field"], "text")]
        intro, text = w["pn_prompt_intro"], ""
    else:
        key, action = "pn_unlinked", "/pronote/identification"
        fields = [(label, "text") for label in items(w, "pn_unlinked_fields")]
        intro, text = w["pn_unlinked_intro"], w["pn_unlinked_text"]
    return _form(
        title=f"PRONOTE - {w[key + '_title']}",
        heading=w[key + "_title"],
        intro=intro,
        text=text,
        fields=fields,
        button=w[key + "_button"],
        action=action,
        message=message,
    )


def _space(name: str) -> Response:
    w = _pub().w
    return _page(
        "pronote/space.html",
        title="PRONOTE",
        menu=items(w, "pn_menu"),
        widgets=items(w, "pn_home_widgets"),
        delay_ms=BUILD_DELAY_MS,
        start=_start_params(name),
    )


# -- who is connected ------------------------------------------------------------------


def _service_url(name: str | None) -> str:
    return _pub().site.settings.public_url + (f"{name}.html" if name else "")


def _current_user() -> PronoteUser | None:
    uid = session.get("uid")
    return next((u for u in _pub().site.users if u.person.uid == uid), None) if uid else None


def _open_space(user: PronoteUser) -> Response:
    if _pub().world.refuses("pronote_second_factor", user.person):
        return _second_factor(user)  # recognised (and linked), the space waits for a code
    session.clear()
    session["uid"] = user.person.uid
    target = f"/pronote/{SPACE_PAGES[user.person.profile]}"
    if _pub().site.settings.recognition_mode == "identite_pronote":
        # After SSO the real space URL often carries ?identifiant=<16 characters>
        # (DOMAIN.md); what it stands for is not public: a random one per connection.
        token = "".join(secrets.choice(_ID_ALPHABET) for _ in range(16))
        target += "?" + urlencode({"identifiant": token})
    return redirect(target)


def _validate(ticket: str, service: str) -> TicketCheck | Response:
    """CAS 3.0 validation of the ticket; an error page if PRONOTE cannot use it."""
    pub = _pub()
    try:
        check = check_ticket(pub.http, pub.site.settings.cas_url, service, ticket)
    except httpx.HTTPError:
        return _error(pub.w["pn_cas_down"])  # wording: inference
    # An outdated MsXML on the DMZ server cannot parse the XML answer (seed I.2, II.9).
    if not pub.site.settings.msxml_ok or check.failure_code == "UNREADABLE":
        return _error(pub.w["pn_cas_unreadable"])  # wording: inference
    if not check.ok:
        return _error(pub.w["pn_cas_refused"])  # wording: inference
    return check


def _by_identity(site: Establishment, check: TicketCheck) -> PronoteUser | None:
    """ "Avec l'identité de l'utilisateur": names, birth date and category match."""
    return next(
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


def _second_factor(user: PronoteUser) -> Response:
    """PRONOTE's own second factor for an account (PRONOTE 2024: a PIN code, trusted
    devices; DOMAIN.md): single sign-on is done, the space waits for a code the ENT never
    gave. The texts are inferences (the real step is drawn by PRONOTE's script)."""
    w = _pub().w
    name = SPACE_PAGES[user.person.profile].removesuffix(".html")
    return _form(
        title=f"PRONOTE - {w['pn_pin_title']}",
        fields=[(w["pn_pin_label"], "password")],
        name=name,
        heading=w["pn_pin_title"],
        intro=w["pn_pin_intro"],
        text=w["pn_pin_device"],
        button=w["pn_pin_button"],
        action=f"/pronote/{name}.html",
    )


def _refused(user: PronoteUser) -> Response | None:
    """PRONOTE's own refusal of a recognised user: over its authentication errors, or not
    allowed into its profile's space (lab faults; the texts are PRONOTE's, DOMAIN.md)."""
    pub = _pub()
    if pub.world.refuses("pronote_too_many_errors", user.person):
        return _error(pub.w["pn_too_many_errors"])
    if pub.world.refuses("space_access_denied", user.person):
        space = SPACES[SPACE_PAGES[user.person.profile].removesuffix(".html")]
        return _error(pub.w["pn_space_refused"].format(space=space.removeprefix("Espace ")))
    return None


def recognise(check: TicketCheck) -> Response:
    """PRONOTE's recognition of the CAS user (DOMAIN.md, "user-recognition modes")."""
    pub = _pub()
    site, settings = pub.site, pub.site.settings
    cas_user = check.user or ""
    with pub.world.lock:
        known = site.user_by_cas(cas_user)
        if known:
            return _refused(known) or _open_space(known)
        user: PronoteUser | None = None
        if settings.recognition_mode == "identite_pronote" and settings.identifier_management:
            code = check.attribute(pub.world.identifier_attribute)
            user = site.user_by_identifier(code) if code else None
        elif settings.recognition_mode == "identite_utilisateur":
            user = _by_identity(site, check)
        if user is not None:
            refused = _refused(user)
            if refused:
                return refused
            user.id_cas = cas_user  # PRONOTE fills "Identifiant CAS" by itself
            return _open_space(user)
    # Identifier not released, not used, or matching nobody in PRONOTE's base:
    # PRONOTE cannot link this ENT user.
    session.clear()
    session["pending_cas"] = cas_user
    return _not_linked()


def _posted_fields() -> list[str]:
    """The values PRONOTE's form script posted, in the order of its inputs."""
    try:
        values = json.loads(request.form.get("champs", "[]"))
    except ValueError:
        return []
    return [str(v) for v in values] if isinstance(values, list) else []


# -- views -----------------------------------------------------------------------------


@pronote.before_request
def _published() -> Response | None:
    """A stopped publication answers nothing but its unavailable page."""
    gated = ("root", "space_page", "direct_login", "info_mobile_app")
    if request.endpoint in {f"pronote.{name}" for name in gated}:
        if not _pub().site.settings.published:
            return _unavailable()
    return None


@pronote.get("/pronote/")
def root() -> Response:
    pub = _pub()
    spaces = [(n, label) for n, label in SPACES.items() if n in START_GENRE]
    return _page(
        "pronote/home.html", title=pub.w["pn_home_title"], etab=pub.site.name, spaces=spaces
    )


@pronote.get("/pronote/<name>.html")
def space_page(name: str) -> Response:
    pub = _pub()
    space_name = name.removeprefix("mobile.")
    if space_name not in SPACES:
        return _error(pub.w["pn_not_found"], status=404)
    if pub.listener == "classic":
        return _classic_page(name)
    if pub.world.has("pronote_ip_suspended"):
        # PRONOTE.net answers the suspended address with its message, whatever the page.
        return _error(pub.w["pn_ip_suspended"])
    ticket = request.args.get("ticket")
    if ticket:
        result = _validate(ticket, _service_url(name))
        return result if isinstance(result, Response) else recognise(result)
    user = _current_user()
    if user:
        own = SPACE_PAGES[user.person.profile].removesuffix(".html")
        return _space(own) if name == own else redirect(f"/pronote/{own}.html")
    if not pub.site.settings.cas_auth_enabled:
        return _login_form(request.full_path, space_name)
    query = urlencode({"service": _service_url(name)})
    return redirect(f"{pub.site.settings.cas_url}login?{query}")


def _classic_page(name: str) -> Response:
    site = _pub().site
    user = _current_user()
    if user:
        own = SPACE_PAGES[user.person.profile].removesuffix(".html")
        return _space(own) if name == own else redirect(f"/pronote/{own}.html")
    direct = request.args.get("login") == "true"
    if site.settings.cas_auth_enabled and not (direct and site.settings.direct_auth_allowed):
        return redirect(f"{site.cas_listener_url}{name}.html")
    return _login_form(request.full_path, name.removeprefix("mobile."))


@pronote.post("/pronote/<name>.html")
def direct_login(name: str) -> Response:
    pub = _pub()
    login, password, *_ = [*_posted_fields(), "", ""]
    with pub.world.lock:
        user = next((u for u in pub.site.users if u.person.pronote_login == login), None)
    if user is None or not check_password(password, user.person.pronote_password_hash):
        return _login_form(request.full_path, name.removeprefix("mobile."), pub.w["pn_login_bad"])
    return _open_space(user)


@pronote.post("/pronote/appelfonction/<int:genre>/<h>")
def parameters(genre: int, h: str) -> Response:
    """Who is connected: what the space's script needs to draw the banner."""
    user = _current_user()
    if user is None or session.get("h") != h:
        return Response('{"Erreur": {"G": 1}}', status=403, mimetype="application/json")
    person = user.person
    space_name = SPACE_PAGES[person.profile].removesuffix(".html")
    data = {
        "espace": SPACES[space_name],
        "etablissement": _pub().site.name,
        "libelle": banner_label(person),
        "membre": member_label(person),
    }
    return Response(json.dumps(data, ensure_ascii=False), mimetype="application/json")


def _first_connection_user(values: list[str]) -> tuple[PronoteUser | None, str]:
    """Who the first-connection answer names (PRONOTE's login, or the identifier), and the
    message for a wrong answer."""
    pub = _pub()
    if pub.site.settings.recognition_mode == "double_authentification":
        login, password = values[0], values[1]
        user = next((u for u in pub.site.users if u.person.pronote_login == login), None)
        ok = user is not None and check_password(password, user.person.pronote_password_hash)
        return (user if ok else None), pub.w["pn_login_bad"]
    return pub.site.user_by_identifier(values[0].strip().upper()), pub.w["pn_prompt_bad"]


@pronote.post("/pronote/premiere-connexion")
def answer_first_connection() -> Response:
    pub = _pub()
    cas_user = session.get("pending_cas")
    if not cas_user:
        return _error(pub.w["pn_session_expired"])
    with pub.world.lock:
        user, bad = _first_connection_user([*_posted_fields(), "", ""])
        if user is None or user.id_cas not in (None, cas_user):
            return _not_linked(bad)
        user.id_cas = cas_user
    return _open_space(user)


@pronote.post("/pronote/identification")
def link_request() -> Response:
    """The "Identification impossible" form: the request waits for the administrator."""
    pub = _pub()
    cas_user = session.get("pending_cas")
    if not cas_user:
        return _error(pub.w["pn_session_expired"])
    with pub.world.lock:
        pub.site.link_requests.append(LinkRequest(cas_user, _posted_fields()))
    session.clear()
    return _error(pub.w["pn_unlinked_sent"], heading=pub.w["pn_unlinked_title"])


@pronote.get("/pronote/infoMobileApp.json")
@pronote.get("/pronote/InfoMobileApp.json")  # both spellings are used by working clients
def info_mobile_app() -> Response:
    pub = _pub()
    if request.args.get("id") != INFO_MOBILE_APP_ID:
        return _error(pub.w["pn_not_found"], status=404)
    settings = pub.site.settings
    info = {
        "modeModif": False,
        "version": VERSIONS[pub.site.pronote_generation],
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
        "nomEtab": pub.site.name,
    }
    return Response(json.dumps(info, ensure_ascii=False), mimetype="application/json")
