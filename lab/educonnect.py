"""ÉduConnect stand-in: a real SAML 2.0 IdP (pysaml2) with ÉduConnect's steps and markup.

DOMAIN.md ("The login routes of real ENTs", "Real login pages"): the ENT
auto-posts a `SAMLRequest` to `…/idp/profile/SAML2/POST/SSO`; step 1 chooses
the profile (`#bouton_eleve` / `#bouton_responsable` in `.choixProfil__btn`,
the login block `#div_connexion` hidden until then); step 2 posts
`j_username` / `j_password` / `csrf_token` with `#bouton_valider`
(`_eventId_proceed`); sometimes an identity check by birth date (`#theForm`:
`#jour`, `#mois`, `#annee`, `#submit-button`); then a signed `SAMLResponse`
and the `RelayState` are auto-posted back to the ENT.

Like the Shibboleth IdP it stands for, the SSO endpoint answers the request
with a redirect to `?execution=<flow>` and keeps the flow on the server side.
"""

from __future__ import annotations

import base64
import hmac
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, Response, redirect, render_template_string, request
from saml2 import BINDING_HTTP_POST, saml
from saml2.assertion import Policy
from saml2.s_utils import factory
from saml2.saml import NAMEID_FORMAT_TRANSIENT, NameID
from saml2.time_util import in_a_while

from lab.directory import Person, check_password
from lab.saml import EDUCONNECT_ID_ATTRIBUTE, PendingFederation, auto_post_page
from lab.state import World

SSO_PATH = "/idp/profile/SAML2/POST/SSO"
FLOW_TTL_S = 600
# An IdP clock this far ahead puts the assertion's NotBefore past the ENT's tolerance.
CLOCK_SKEW_MINUTES = 15
PROFILES = {"eleve": "eleve", "parent": "responsable"}  # ENT profile -> ÉduConnect profile

_STYLE = """body{font-family:Marianne,Arial,sans-serif;margin:0;background:#f6f6f6;color:#161616}
header{background:#fff;border-bottom:1px solid #ddd;padding:1rem 2rem}
header b{font-size:1.3rem}main{max-width:34rem;margin:2rem auto;background:#fff;padding:2rem}
.fr-btn{background:#000091;color:#fff;border:0;padding:.7rem 1.2rem;font-size:1rem;cursor:pointer}
.choixProfil__btn{display:flex;gap:1rem}.choixProfil__btn button{flex:1}
label{display:block;margin:.8rem 0 .3rem}input{padding:.5rem;width:100%;box-sizing:border-box}
.fr-alert{background:#ffe9e9;color:#ce0500;padding:.7rem;margin:1rem 0}
.date{display:flex;gap:.5rem}.date input{width:5rem}"""

_PAGE = """<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8">
<title>{{ title }} - ÉduConnect</title><style>{{ style }}</style></head>
<body><header><b>ÉduConnect</b> · Un compte unique pour suivre et accompagner la scolarité
</header><main>{{ body|safe }}</main>{% if script %}<script>{{ script|safe }}</script>{% endif %}
</body></html>"""

_LOGIN = """<h1>Je me connecte avec mon compte ÉduConnect</h1>
{% if error %}<p class="fr-alert" role="alert">{{ error }}</p>{% endif %}
<h2>Je sélectionne mon profil</h2>
<div class="choixProfil__btn">
<button type="button" class="fr-btn" id="bouton_responsable" data-profil="responsable">
Représentant légal</button>
<button type="button" class="fr-btn" id="bouton_eleve" data-profil="eleve">Élève</button>
</div>
<div id="div_connexion"{% if not profil %} hidden{% endif %}>
<form method="post" action="{{ action }}" autocomplete="off">
<input type="hidden" name="csrf_token" value="{{ csrf }}">
<input type="hidden" name="profil" id="profil" value="{{ profil }}">
<label for="username">Identifiant</label>
<input type="text" id="username" name="j_username" value="{{ login }}" autocomplete="username">
<label for="password">Mot de passe</label>
<input type="password" id="password" name="j_password" autocomplete="current-password">
<p><button type="submit" class="fr-btn" id="bouton_valider" name="_eventId_proceed">
Se connecter</button></p>
</form></div>"""

# The profile buttons show the login block and say which directory to look in.
_LOGIN_SCRIPT = """document.querySelectorAll('.choixProfil__btn button').forEach(function (b) {
  b.addEventListener('click', function () {
    document.getElementById('profil').value = b.dataset.profil;
    document.getElementById('div_connexion').hidden = false;
    document.getElementById('username').focus();
  });
});"""

_IDENTITY = """<h1>Vérification de votre identité</h1>
<p>Pour sécuriser votre compte, confirmez votre date de naissance.</p>
{% if error %}<p class="fr-alert" role="alert">{{ error }}</p>{% endif %}
<form id="theForm" method="post" action="{{ action }}">
<input type="hidden" name="csrf_token" value="{{ csrf }}">
<fieldset><legend>Date de naissance</legend><div class="date">
<div><label for="jour">Jour</label><input id="jour" name="jour" inputmode="numeric"
 maxlength="2" placeholder="JJ"></div>
<div><label for="mois">Mois</label><input id="mois" name="mois" inputmode="numeric"
 maxlength="2" placeholder="MM"></div>
<div><label for="annee">Année</label><input id="annee" name="annee" inputmode="numeric"
 maxlength="4" placeholder="AAAA"></div></div></fieldset>
<p><button type="submit" class="fr-btn" id="submit-button" name="_eventId_proceed">
Valider</button></p></form>"""

# Inference: the wording of ÉduConnect's maintenance page is not quoted in DOMAIN.md.
_MAINTENANCE = """<h1>Service momentanément indisponible</h1>
<p>ÉduConnect est en cours de maintenance. Nous vous prions de nous excuser pour la gêne
occasionnée. Veuillez réessayer ultérieurement.</p>"""

_BAD_CREDENTIALS = "L'identifiant et/ou le mot de passe sont incorrects."
_BAD_BIRTH_DATE = "La date de naissance saisie ne correspond pas à celle de votre compte."


@dataclass
class _Flow:
    """One authentication in progress (Shibboleth's `execution`)."""

    saml_request: Any
    relay_state: str
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    person: Person | None = None  # set once the password is right
    created: float = field(default_factory=time.monotonic)


class _SkewedClockPolicy(Policy):
    """The assertion's validity window as written by an IdP whose clock runs ahead."""

    def conditions(self, sp_entity_id: str) -> saml.Conditions:
        return factory(
            saml.Conditions,
            not_before=in_a_while(minutes=CLOCK_SKEW_MINUTES),
            not_on_or_after=in_a_while(minutes=CLOCK_SKEW_MINUTES + 5),
            audience_restriction=[
                factory(
                    saml.AudienceRestriction,
                    audience=[factory(saml.Audience, text=sp_entity_id)],
                )
            ],
        )


def educonnect_identity(person: Person) -> dict[str, list[str]]:
    """What ÉduConnect releases: its own identifier, names, profile (attribute names as
    ÉduConnect's; the affiliation values are an inference)."""
    identity = {
        EDUCONNECT_ID_ATTRIBUTE: [person.educonnect_id],
        "sn": [person.nom.upper()],
        "givenName": [person.prenom],
        "FrEduCtPersonAffiliation": [PROFILES[person.profile]],
    }
    if person.profile == "eleve":
        identity["FrEduCtEleveUAI"] = [person.uai]
    return identity


def create_educonnect_app(world: World, federation: PendingFederation, *, port: int) -> Flask:
    app = Flask(f"educonnect_{port}")
    flows: dict[str, _Flow] = {}
    lock = threading.Lock()

    def page(title: str, body: str, status: int = 200, script: str = "") -> Response:
        html = render_template_string(_PAGE, title=title, body=body, style=_STYLE, script=script)
        return Response(html, status=status, mimetype="text/html")

    def login_page(
        flow_id: str, flow: _Flow, *, error: str = "", profil: str = "", login: str = ""
    ):
        body = render_template_string(
            _LOGIN,
            action=f"{SSO_PATH}?execution={flow_id}",
            csrf=flow.csrf,
            error=error,
            profil=profil,
            login=login,
        )
        return page("Connexion", body, 401 if error else 200, _LOGIN_SCRIPT)

    def identity_page(flow_id: str, flow: _Flow, *, error: str = "") -> Response:
        body = render_template_string(
            _IDENTITY, action=f"{SSO_PATH}?execution={flow_id}", csrf=flow.csrf, error=error
        )
        return page("Vérification de l'identité", body, 401 if error else 200)

    def needs_identity_check(person: Person) -> bool:
        # After an account campaign ÉduConnect asks every account of the establishment.
        return world.has("educonnect_identity_check") and person.uai == world.establishments[0].uai

    @app.before_request
    def maintenance() -> Response | None:
        if world.has("educonnect_unavailable"):
            return page("Maintenance", _MAINTENANCE, 503)
        return None

    @app.post(SSO_PATH)
    def sso() -> Response:
        if "execution" in request.args:
            return proceed(request.args["execution"])
        try:
            parsed = federation.idp.parse_authn_request(
                request.form.get("SAMLRequest", ""), BINDING_HTTP_POST
            )
        except Exception:  # any malformed or untrusted request gets the same answer
            return page("Erreur", "<h1>Requête d'authentification invalide</h1>", 400)
        flow_id = secrets.token_urlsafe(16)
        with lock:
            now = time.monotonic()
            for key in [k for k, f in flows.items() if now - f.created > FLOW_TTL_S]:
                del flows[key]
            flows[flow_id] = _Flow(parsed.message, request.form.get("RelayState", ""))
        return redirect(f"{SSO_PATH}?execution={flow_id}", 302)

    @app.get(SSO_PATH)
    def login_form() -> Response:
        flow_id = request.args.get("execution", "")
        flow = flows.get(flow_id)
        if flow is None:
            return expired()
        if flow.person is not None and needs_identity_check(flow.person):
            return identity_page(flow_id, flow)
        return login_page(flow_id, flow)

    def expired() -> Response:
        body = (
            "<h1>Votre session a expiré</h1><p>Retournez sur le site de votre établissement "
            "pour vous reconnecter.</p>"
        )
        return page("Session expirée", body, 400)

    def proceed(flow_id: str) -> Response:
        flow = flows.get(flow_id)
        if flow is None:
            return expired()
        if not hmac.compare_digest(request.form.get("csrf_token", ""), flow.csrf):
            return page("Erreur", "<h1>Requête invalide</h1><p>Rechargez la page.</p>", 403)
        if flow.person is None:
            return check_password_step(flow_id, flow)
        return check_birth_date_step(flow_id, flow)

    def check_password_step(flow_id: str, flow: _Flow) -> Response:
        login = request.form.get("j_username", "").strip()
        profil = request.form.get("profil", "")
        if profil not in PROFILES.values():
            return login_page(flow_id, flow, error="Sélectionnez votre profil.")
        person = next(
            (p for p in world.people if p.educonnect_login and p.educonnect_login == login),
            None,
        )
        password = request.form.get("j_password", "")
        # Élève and responsable accounts are separate directories: the wrong one is a bad login.
        if (
            person is None
            or PROFILES.get(person.profile) != profil
            or not check_password(password, person.password_hash)
        ):
            return login_page(flow_id, flow, error=_BAD_CREDENTIALS, profil=profil, login=login)
        flow.person = person
        if needs_identity_check(person):
            return redirect(f"{SSO_PATH}?execution={flow_id}", 302)
        return respond(flow_id, flow)

    def check_birth_date_step(flow_id: str, flow: _Flow) -> Response:
        assert flow.person is not None
        typed = "/".join(
            request.form.get(k, "").strip().zfill(width)
            for k, width in (("jour", 2), ("mois", 2), ("annee", 4))
        )
        if not needs_identity_check(flow.person) or typed == flow.person.date_naissance:
            return respond(flow_id, flow)
        return identity_page(flow_id, flow, error=_BAD_BIRTH_DATE)

    def respond(flow_id: str, flow: _Flow) -> Response:
        assert flow.person is not None
        with lock:
            flows.pop(flow_id, None)
        idp = federation.idp
        signer = federation.rotated_idp if world.has("educonnect_certificate_expired") else idp
        args = idp.response_args(flow.saml_request, [BINDING_HTTP_POST])
        policy = _SkewedClockPolicy(mds=idp.metadata) if world.has("saml_clock_skew") else None
        response = signer.create_authn_response(
            educonnect_identity(flow.person),
            args["in_response_to"],
            args["destination"],
            args["sp_entity_id"],
            name_id=NameID(format=NAMEID_FORMAT_TRANSIENT, text=secrets.token_hex(16)),
            authn={
                "class_ref": "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"
            },
            sign_response=True,
            sign_assertion=True,
            release_policy=policy,
        )
        encoded = base64.b64encode(str(response).encode()).decode()
        fields = {"SAMLResponse": encoded, "RelayState": flow.relay_state}
        html = auto_post_page(args["destination"], fields, title="ÉduConnect")
        return Response(html, mimetype="text/html")

    return app
