"""The login routes of the lab ENT's CAS: WAYF, local forms, ÉduConnect (SAML SP), Open ENT NG.

DOMAIN.md ("The login routes of real ENTs", "Real login pages"):
- Kosmos: the CAS `/login` shows a WAYF (`.cas__wayf-form`, toggle
  `button.js-wayftoggle` "Élève ou parent", radios `#idp-<selection>`,
  `#button-submit`); `?selection=` skips it; `EDU_parent_eleve` sends élèves and
  parents to ÉduConnect, `ATS_parent_eleve` to the local form
  (`form.cas__login-form`, `div.msg--error` on a bad password). Apereo's form
  (`form#fm1`) stands in for it under the alt wording.
- Open ENT NG: the ENT is its own CAS (`/cas/login`), its login page is
  `/auth/login` (`#email`, `#password`, a `type="button"` toggle, a submit
  `<button>` without `type`, `p.warning`), its WAYF shows "dominos"
  `a.domino.<profile>`.
- ÉduConnect answers with a signed `SAMLResponse`; the CAS, a SAML service
  provider (pysaml2 checks the signature and the validity window), maps the
  ÉduConnect identity to an ENT account and only then opens the CAS session
  that PRONOTE's tickets come from, the way django-cas-server's `LoginView`
  does after a good password.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from saml2 import BINDING_HTTP_POST

from lab.directory import Person, check_password
from lab.families import FAMILIES
from lab.saml import EDUCONNECT_ID_ATTRIBUTE, PendingFederation
from lab.state import World

log = logging.getLogger("lab.login_routes")

# Kosmos selections (seen on eCollège 31 and ENT Occitanie, DOMAIN.md).
EDUCONNECT_SELECTION = "EDU_parent_eleve"
LOCAL_SELECTION = "ATS_parent_eleve"


@dataclass
class LoginRoutes:
    world: World
    federation: PendingFederation
    family: str = "kosmos"
    wording: str = "default"

    @property
    def ent_name(self) -> str:
        return FAMILIES[self.family].ent_name

    @property
    def cas_prefix(self) -> str:
        """Path of the CAS root on its host: `/` for Kosmos, `/cas/` for Open ENT NG."""
        return FAMILIES[self.family].cas_prefix

    @property
    def ng(self) -> bool:
        """An Open ENT NG (Edifice) ENT: its pages are NG's."""
        return FAMILIES[self.family].ng_portal


_installed: LoginRoutes | None = None


def install(routes: LoginRoutes | None) -> None:
    """The routes the lab's CAS serves (`lab.cas_site.configure`); None: its own pages."""
    global _installed
    _installed = routes


def installed() -> LoginRoutes | None:
    return _installed


def current_routes() -> LoginRoutes:
    if _installed is None:
        raise RuntimeError("lab login routes used before lab.cas_site.configure()")
    return _installed


def template_context(request: HttpRequest) -> dict[str, Any]:
    routes = _installed
    if routes is None:
        return {}
    world = routes.world
    posted = request.POST.get("username", "") if request.method == "POST" else ""
    return {
        "lab_family": routes.family,
        "lab_wording": routes.wording,
        "lab_ent_name": routes.ent_name,
        "lab_execution": getattr(request, "lab_execution", ""),
        # The CAS's own refusals (lab faults): a locked account, a captcha to solve.
        "lab_locked": bool(posted) and locked(world, posted),
        "lab_captcha": world.has("cas_captcha"),
    }


def password_accepted(world: World, login: str, password: str) -> bool:
    """Whether the ENT's CAS lets *login* in with *password*: never under a captcha no robot
    solves, nor for a locked account, whatever its password; an ÉduConnect account has no ENT
    password (ÉduConnect checks it)."""
    person = world.person(login)
    if world.has("cas_captcha") or locked(world, login):
        return False
    return (
        person is not None
        and person.route == "local"
        and check_password(password, person.password_hash)
    )


def locked(world: World, login: str) -> bool:
    """The CAS locked this account after failed logins (the cas_account_locked fault)."""
    person = world.affected("cas_account_locked")
    return world.has("cas_account_locked") and person is not None and person.login == login


def _alt() -> bool:
    return current_routes().wording == "alt"


# -- the CAS session ---------------------------------------------------------------


def open_cas_session(request: HttpRequest, person: Person) -> None:
    """What django-cas-server's LoginView.user_login does after a good password."""
    from cas_server import models
    from django.utils import timezone

    request.session.cycle_key()  # a new session id at login (session fixation)
    request.session.set_expiry(0)
    request.session["username"] = person.login
    request.session["warn"] = False
    request.session["authenticated"] = True
    request.session.save()
    user = models.User.objects.get_or_create(
        username=person.login, session_key=request.session.session_key
    )[0]
    user.last_login = timezone.now()
    user.save()


def session_user(session_key: str | None) -> str | None:
    """The ENT login of an open CAS session (the Open ENT NG portal shares it)."""
    if not session_key:
        return None
    from cas_server import models
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import close_old_connections

    close_old_connections()
    session = SessionStore(session_key=session_key)
    username = session.get("username")
    if not session.get("authenticated") or not username:
        return None
    if not models.User.objects.filter(username=username, session_key=session_key).exists():
        return None  # the lab was reset: every CAS session ended
    return username


def _login_url(service: str | None, **extra: str) -> str:
    params = {**extra, **({"service": service} if service else {})}
    query = f"?{urlencode(params)}" if params else ""
    return f"{current_routes().cas_prefix}login{query}"


# -- Kosmos: WAYF, local form, ÉduConnect -----------------------------------------


def _wayf(request: HttpRequest, *, unknown: bool = False) -> HttpResponse:
    world = current_routes().world
    students = []
    if not world.has("wayf_choice_missing"):
        label = (
            "Avec mon compte ÉduConnect"
            if _alt()
            else "Élève ou parent d'un établissement public (ÉduConnect)"
        )
        students.append({"selection": EDUCONNECT_SELECTION, "label": label})
    others = [
        {
            "selection": LOCAL_SELECTION,
            "label": "Avec un compte de l'ENT" if _alt() else "Compte ENT (personnels, invités)",
        }
    ]
    context = {
        "action": request.path,
        "service": request.GET.get("service", ""),
        "student_choices": students,
        "other_choices": others,
        "unknown_selection": unknown,
    }
    return render(request, "cas/wayf.html", context)


def kosmos_login(request: HttpRequest) -> HttpResponse:
    """The CAS `/login` of a Kosmos ENT: SSO, WAYF, local form or ÉduConnect."""
    from cas_server.views import LoginView

    authenticated = request.session.get("authenticated") and not request.GET.get("renew")
    if request.method == "POST" or authenticated:
        return LoginView.as_view()(request)
    selection = request.GET.get("selection")
    if selection is None:
        return _wayf(request)
    offered = {LOCAL_SELECTION} | (
        set() if current_routes().world.has("wayf_choice_missing") else {EDUCONNECT_SELECTION}
    )
    if selection not in offered:
        return _wayf(request, unknown=True)
    if selection == EDUCONNECT_SELECTION:
        return saml_start(request, _login_url(request.GET.get("service") or None))
    request.lab_execution = secrets.token_urlsafe(32)  # Apereo's web-flow id, for the alt form
    return LoginView.as_view()(request)


# -- ÉduConnect: the ENT's SAML service provider ---------------------------------------


def saml_start(request: HttpRequest, return_to: str) -> HttpResponse:
    """Auto-post a SAMLRequest to ÉduConnect; where to go back waits in the session."""
    routes = current_routes()
    relay_state = secrets.token_urlsafe(16)
    request_id, info = routes.federation.sp.prepare_for_authenticate(
        entityid=routes.federation.idp_entity_id,
        relay_state=relay_state,
        binding=BINDING_HTTP_POST,
    )
    outstanding = dict(request.session.get("saml_outstanding", {}))
    outstanding[request_id] = return_to
    request.session["saml_outstanding"] = dict(list(outstanding.items())[-10:])
    return HttpResponse(info["data"], content_type="text/html; charset=utf-8")


def ent_error(
    request: HttpRequest, title: str, message: str, advice: str, status: int
) -> HttpResponse:
    routes = current_routes()
    template = "ng/error.html" if routes.ng else "cas/ent_error.html"
    retry = "/" if routes.ng else _login_url(None)
    context = {"title": title, "message": message, "advice": advice, "retry": retry}
    return render(request, template, context, status=status)


def mapped_person(educonnect_id: str | None) -> Person | None:
    """The ENT account linked to this ÉduConnect identity (the ENT's own table)."""
    world = current_routes().world
    person = next(
        (p for p in world.people if educonnect_id and p.educonnect_id == educonnect_id), None
    )
    if person is not None and world.has("educonnect_identity_unmapped"):
        if person is world.affected("educonnect_identity_unmapped"):
            return None  # the link was never made (or was lost) in the ENT's directory
    return person


def saml_answer(request: HttpRequest) -> tuple[str | None, str] | HttpResponse:
    """The ÉduConnect identifier a posted SAMLResponse carries and the page to go back to;
    the ENT's refusal page when the response does not pass (signature, dates, audience)."""
    routes = current_routes()
    outstanding = dict(request.session.get("saml_outstanding", {}))
    try:
        answer = routes.federation.sp.parse_authn_request_response(
            request.POST.get("SAMLResponse", ""), BINDING_HTTP_POST, outstanding=outstanding
        )
    except Exception as exc:  # pysaml2 raises many types: signature, time, audience, status…
        log.info("SAML response refused: %s: %s", type(exc).__name__, exc)
        answer = None
    if answer is None:
        # Inference: real ENTs show a generic authentication error (no public wording).
        return ent_error(
            request,
            "Erreur d'authentification" if not _alt() else "Connexion impossible",
            (
                "La réponse du fournisseur d'identité ÉduConnect n'a pas pu être validée."
                if not _alt()
                else "Le service d'authentification n'a pas accepté la réponse d'ÉduConnect."
            ),
            "Réessayez plus tard. Si le problème persiste, contactez l'assistance de votre ENT.",
            403,
        )
    return_to = outstanding.pop(answer.in_response_to, "/")
    request.session["saml_outstanding"] = outstanding
    return (answer.ava.get(EDUCONNECT_ID_ATTRIBUTE) or [None])[0], local_callback(return_to)


@csrf_exempt  # the IdP posts here from its own site; the SAML signature is the proof
def saml_acs(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return HttpResponse(status=405)
    answer = saml_answer(request)
    if isinstance(answer, HttpResponse):
        return answer
    educonnect_id, return_to = answer
    person = mapped_person(educonnect_id)
    if person is None:
        # Real ENTs say something like this (DOMAIN.md); wording is the lab's.
        return ent_error(
            request,
            "Compte non trouvé" if not _alt() else "Compte introuvable",
            (
                "Votre compte ÉduConnect n'est rattaché à aucun compte ENT."
                if not _alt()
                else "Aucun compte de l'ENT ne correspond à votre identité ÉduConnect."
            ),
            "Contactez l'administrateur ENT de votre établissement pour rattacher votre compte.",
            403,
        )
    open_cas_session(request, person)
    return HttpResponseRedirect(return_to)


# -- Open ENT NG: /cas/login, /auth/login, the dominos ------------------------------------


def local_callback(value: str) -> str:
    """Only a path on this host (an open redirect otherwise)."""
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not value.startswith("/"):
        return "/"
    return value


def ng_cas_login(request: HttpRequest) -> HttpResponse:
    from cas_server.views import LoginView

    authenticated = request.session.get("authenticated") and not request.GET.get("renew")
    if authenticated or request.method == "POST":
        return LoginView.as_view()(request)
    callback = request.get_full_path()
    return HttpResponseRedirect(f"/auth/saml/wayf?{urlencode({'callBack': callback})}")


def ng_wayf(request: HttpRequest) -> HttpResponse:
    callback = local_callback(request.GET.get("callBack", "/"))
    query = urlencode({"callBack": callback})
    dominos = []
    if not current_routes().world.has("wayf_choice_missing"):
        dominos += [
            {"profile": "eleve", "label": "Élève", "href": f"/auth/saml/authn/educonnect?{query}"},
            {
                "profile": "parent",
                "label": "Parent",
                "href": f"/auth/saml/authn/educonnect?{query}",
            },
        ]
    dominos += [
        {"profile": "enseignant", "label": "Enseignant", "href": f"/auth/login?{query}"},
        {"profile": "personnel", "label": "Personnel", "href": f"/auth/login?{query}"},
    ]
    return render(request, "ng/wayf.html", {"dominos": dominos})


def ngsaml_start(request: HttpRequest) -> HttpResponse:
    if current_routes().world.has("wayf_choice_missing"):
        return ng_wayf(request)
    # The page to come back to (the CAS login with its `service`) is the callBack.
    return saml_start(request, local_callback(request.GET.get("callBack", "/")))


def ng_login(request: HttpRequest) -> HttpResponse:
    world = current_routes().world
    # NG's own /cas/login sends `callback`; its WAYF and this form, `callBack`.
    asked = request.POST.get("callBack") or request.GET.get("callBack")
    callback = local_callback(asked or request.GET.get("callback", "/"))
    # The CAS's own refusals (cas_captcha, cas_account_locked) on the ENT that is its own CAS:
    # the same form and texts as the other families' CAS (lab/templates/cas/), inferences.
    context = {
        "callback": callback,
        "error": False,
        "login": "",
        "lab_captcha": world.has("cas_captcha"),
        "lab_locked": False,
    }
    if request.method == "POST":
        login = request.POST.get("email", "").strip()
        context["lab_locked"] = locked(world, login)
        person = world.person(login)
        if person is not None and password_accepted(world, login, request.POST.get("password", "")):
            open_cas_session(request, person)
            return HttpResponseRedirect(callback)
        context.update(error=True, login=login)
        return render(request, "ng/login.html", context, status=401)
    return render(request, "ng/login.html", context)


def ng_urls() -> list[Any]:
    """Open ENT NG: the ENT is its own CAS; /auth/login, the dominos, ÉduConnect."""
    from django.urls import include, path

    return [
        path("cas/login", ng_cas_login),
        path("cas/", include("cas_server.urls", namespace="cas_server")),
        path("auth/login", ng_login),
        path("auth/saml/wayf", ng_wayf),
        path("auth/saml/authn/educonnect", ngsaml_start),
        path("auth/saml/acs", saml_acs),
    ]


def kosmos_urls() -> list[Any]:
    """Kosmos: the CAS on its own host, its WAYF, ÉduConnect's return."""
    from django.urls import include, path

    return [
        path("login", kosmos_login),
        path("saml/acs", saml_acs),
        path("", include("cas_server.urls", namespace="cas_server")),
    ]
