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

from flask import Blueprint, Flask, current_app, redirect, render_template, request
from saml2 import BINDING_HTTP_POST, saml
from saml2.assertion import Policy
from saml2.s_utils import factory
from saml2.saml import NAMEID_FORMAT_TRANSIENT, NameID
from saml2.time_util import in_a_while
from werkzeug.wrappers import Response

from lab.directory import Person, check_password
from lab.saml import EDUCONNECT_ID_ATTRIBUTE, PendingFederation
from lab.server import TEMPLATES
from lab.state import World

SSO_PATH = "/idp/profile/SAML2/POST/SSO"
FLOW_TTL_S = 600
# An IdP clock this far ahead puts the assertion's NotBefore past the ENT's tolerance.
CLOCK_SKEW_MINUTES = 15
PROFILES = {"eleve": "eleve", "parent": "responsable"}  # ENT profile -> ÉduConnect profile

# Inference: the wording of ÉduConnect's maintenance page is not quoted in DOMAIN.md.
_MAINTENANCE = (
    "Service momentanément indisponible",
    "ÉduConnect est en cours de maintenance. Nous vous prions de nous excuser pour la gêne "
    "occasionnée. Veuillez réessayer ultérieurement.",
)
_EXPIRED = (
    "Votre session a expiré",
    "Retournez sur le site de votre établissement pour vous reconnecter.",
)
_SERVER_ERROR = (
    "Une erreur technique est survenue",
    "Le service ne peut pas traiter votre demande pour le moment. Veuillez réessayer plus tard.",
)
_BAD_CREDENTIALS = "L'identifiant et/ou le mot de passe sont incorrects."
_BAD_BIRTH_DATE = "La date de naissance saisie ne correspond pas à celle de votre compte."


@dataclass
class _Flow:
    """One authentication in progress (Shibboleth's `execution`)."""

    saml_request: Any
    relay_state: str
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    person: Person | None = None  # set once the password is right
    accepted: bool = False  # the new terms of use, under the educonnect_new_step fault
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


@dataclass
class _IdP:
    """The IdP's state: the lab's world, the federation's keys, the flows in progress."""

    world: World
    federation: PendingFederation
    flows: dict[str, _Flow] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


educonnect = Blueprint("educonnect", __name__)


def create_educonnect_app(world: World, federation: PendingFederation, *, port: int) -> Flask:
    app = Flask(f"educonnect_{port}", template_folder=TEMPLATES)
    app.extensions["lab_educonnect"] = _IdP(world, federation)
    app.register_blueprint(educonnect)
    return app


def _idp() -> _IdP:
    return current_app.extensions["lab_educonnect"]


def _page(template: str, title: str, status: int = 200, **context: Any) -> Response:
    html = render_template(template, title=title, **context)
    return Response(html, status=status, mimetype="text/html")


def _message(title: str, heading: str, text: str = "", status: int = 200) -> Response:
    return _page("educonnect/base.html", title, status, heading=heading, text=text)


def _login_page(
    flow_id: str, flow: _Flow, *, error: str = "", profil: str = "", login: str = ""
) -> Response:
    return _page(
        "educonnect/login.html",
        "Connexion",
        401 if error else 200,
        action=f"{SSO_PATH}?execution={flow_id}",
        csrf=flow.csrf,
        error=error,
        profil=profil,
        login=login,
    )


def _identity_page(flow_id: str, flow: _Flow, *, error: str = "") -> Response:
    return _page(
        "educonnect/identity.html",
        "Vérification de l'identité",
        401 if error else 200,
        action=f"{SSO_PATH}?execution={flow_id}",
        csrf=flow.csrf,
        error=error,
    )


def _needs_identity_check(person: Person) -> bool:
    # After an account campaign ÉduConnect asks every account of the establishment.
    world = _idp().world
    return world.has("educonnect_identity_check") and person.uai == world.establishments[0].uai


@educonnect.before_request
def _maintenance() -> Response | None:
    if _idp().world.has("educonnect_unavailable"):
        return _message("Maintenance", *_MAINTENANCE, status=503)
    return None


@educonnect.post(SSO_PATH)
def sso() -> Response:
    if "execution" in request.args:
        return _proceed(request.args["execution"])
    idp = _idp()
    try:
        parsed = idp.federation.idp.parse_authn_request(
            request.form.get("SAMLRequest", ""), BINDING_HTTP_POST
        )
    except Exception:  # any malformed or untrusted request gets the same answer
        return _message("Erreur", "Requête d'authentification invalide", status=400)
    flow_id = secrets.token_urlsafe(16)
    with idp.lock:
        now = time.monotonic()
        for key in [k for k, f in idp.flows.items() if now - f.created > FLOW_TTL_S]:
            del idp.flows[key]
        idp.flows[flow_id] = _Flow(parsed.message, request.form.get("RelayState", ""))
    return redirect(f"{SSO_PATH}?execution={flow_id}", 302)


@educonnect.get(SSO_PATH)
def login_form() -> Response:
    flow_id = request.args.get("execution", "")
    flow = _idp().flows.get(flow_id)
    if flow is None:
        return _message("Session expirée", *_EXPIRED, status=400)
    if flow.person is not None and _needs_identity_check(flow.person):
        return _identity_page(flow_id, flow)
    return _login_page(flow_id, flow)


def _proceed(flow_id: str) -> Response:
    flow = _idp().flows.get(flow_id)
    if flow is None:
        return _message("Session expirée", *_EXPIRED, status=400)
    if not hmac.compare_digest(request.form.get("csrf_token", ""), flow.csrf):
        return _message("Erreur", "Requête invalide", "Rechargez la page.", status=403)
    if flow.person is None:
        return _check_password_step(flow_id, flow)
    if _new_step_pending(flow):
        if request.form.get("cgu") != "oui":
            return _new_step_page(flow_id, flow)
        flow.accepted = True
        return _respond(flow_id, flow)
    return _check_birth_date_step(flow_id, flow)


def _new_step_pending(flow: _Flow) -> bool:
    return _idp().world.has("educonnect_new_step") and not flow.accepted


def _new_step_page(flow_id: str, flow: _Flow) -> Response:
    return _page(
        "educonnect/new_step.html",
        "Conditions d'utilisation",
        action=f"{SSO_PATH}?execution={flow_id}",
        csrf=flow.csrf,
    )


def _check_password_step(flow_id: str, flow: _Flow) -> Response:
    login = request.form.get("j_username", "").strip()
    profil = request.form.get("profil", "")
    if profil not in PROFILES.values():
        return _login_page(flow_id, flow, error="Sélectionnez votre profil.")
    person = next(
        (p for p in _idp().world.people if p.educonnect_login and p.educonnect_login == login),
        None,
    )
    password = request.form.get("j_password", "")
    # Élève and responsable accounts are separate directories: the wrong one is a bad login.
    if (
        person is None
        or PROFILES.get(person.profile) != profil
        or not check_password(password, person.password_hash)
    ):
        return _login_page(flow_id, flow, error=_BAD_CREDENTIALS, profil=profil, login=login)
    if _idp().world.has("educonnect_error_after_password"):
        # Its back end fails once the password is checked (wording: inference).
        return _message("Erreur", *_SERVER_ERROR, status=500)
    flow.person = person
    if _needs_identity_check(person):
        return redirect(f"{SSO_PATH}?execution={flow_id}", 302)
    if _new_step_pending(flow):
        return _new_step_page(flow_id, flow)
    return _respond(flow_id, flow)


def _check_birth_date_step(flow_id: str, flow: _Flow) -> Response:
    assert flow.person is not None
    typed = "/".join(
        request.form.get(k, "").strip().zfill(width)
        for k, width in (("jour", 2), ("mois", 2), ("annee", 4))
    )
    if not _needs_identity_check(flow.person) or typed == flow.person.date_naissance:
        return _respond(flow_id, flow)
    return _identity_page(flow_id, flow, error=_BAD_BIRTH_DATE)


def _respond(flow_id: str, flow: _Flow) -> Response:
    """The signed SAMLResponse, auto-posted back to the ENT with the RelayState."""
    assert flow.person is not None
    state = _idp()
    with state.lock:
        state.flows.pop(flow_id, None)
    world, idp = state.world, state.federation.idp
    signer = state.federation.rotated_idp if world.has("educonnect_certificate_expired") else idp
    args = idp.response_args(flow.saml_request, [BINDING_HTTP_POST])
    policy = _SkewedClockPolicy(mds=idp.metadata) if world.has("saml_clock_skew") else None
    response = signer.create_authn_response(
        educonnect_identity(flow.person),
        args["in_response_to"],
        args["destination"],
        args["sp_entity_id"],
        name_id=NameID(format=NAMEID_FORMAT_TRANSIENT, text=secrets.token_hex(16)),
        authn={"class_ref": "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"},
        sign_response=True,
        sign_assertion=True,
        release_policy=policy,
    )
    encoded = base64.b64encode(str(response).encode()).decode()
    fields = {"SAMLResponse": encoded, "RelayState": flow.relay_state}
    html = render_template(
        "educonnect/auto_post.html", action=args["destination"], fields=fields, title="ÉduConnect"
    )
    return Response(html, mimetype="text/html")
