"""The Edifice family with its SAML WAYF (ENT HDF, l'Éduc de Normandie, Lycée connecté).

DOMAIN.md ("Edifice (Open ENT NG) facts", from edificeio/entcore): the ENT is its own
CAS; `GET /cas/login` without a session answers 302 to
`/auth/login?callback=<encoded /cas/login?service=…>`; `/auth/saml/wayf` lists the
providers as dominos (`section.dominos > div.item > a.centered-text.domino.<key>`: a
key starting with `login` goes to `/auth/login`, the others to
`/auth/saml/authn/<providerId>`, `callBack` appended); élèves and parents go to
ÉduConnect and come back on `/auth/saml/acs`. There entcore's `loginResult` renders
its login page with the translated error (`fed.auth.error.user.not.found`,
`auth.error.blockedUser`), or `selectFederatedUser.html` when several ENT accounts
match one identity. Those three are lab faults (`edifice_user_not_found`,
`edifice_blocked_user`, `edifice_several_accounts`); their French texts are entcore's
own (`auth/src/main/resources/i18n/fr.json`, see `_ERRORS`).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt

from lab import login_routes
from lab.directory import Person

_SIGNING_KEY = secrets.token_bytes(32)  # signs the accounts offered by selectFederatedUser
# entcore's i18n keys and their texts (default, alt wording). Default: entcore's own French,
# `auth/src/main/resources/i18n/fr.json` (edificeio/entcore aa39df0); alt: the variant of its
# en.json for `fed.auth.error.user.not.found`, and for `auth.error.blockedUser` (absent from
# en.json) a rewording that keeps the key phrase (inference).
_ERRORS = {
    "fed.auth.error.user.not.found": (
        "Votre compte académique n'est pas reconnu dans l'ENT. Merci de vous connecter avec "
        "vos identifiants ENT ou contactez votre établissement.",
        "Votre compte académique n'est pas reconnu dans l'ENT. Merci de vous connecter avec "
        "vos identifants ENT ou contactez votre administrateur.",
    ),
    "auth.error.blockedUser": (
        "L'administrateur de votre établissement a bloqué votre accès à votre réseau éducatif. "
        "Veuillez le contacter.",
        "Votre administrateur ENT a bloqué votre accès à votre réseau éducatif.",
    ),
}


def edifice_cas_login(request: HttpRequest) -> HttpResponse:
    from cas_server.views import LoginView

    authenticated = request.session.get("authenticated") and not request.GET.get("renew")
    if authenticated or request.method == "POST":
        return LoginView.as_view()(request)
    return HttpResponseRedirect(f"/auth/login?{urlencode({'callback': request.get_full_path()})}")


def edifice_wayf(request: HttpRequest) -> HttpResponse:
    routes = login_routes.current_routes()
    alt = routes.wording == "alt"
    query = urlencode({"callBack": login_routes.local_callback(request.GET.get("callBack", "/"))})
    providers = []
    if not routes.world.has("wayf_choice_missing"):
        label = "Élève ou parent (ÉduConnect)" if not alt else "Avec ÉduConnect"
        href = f"/auth/saml/authn/educonnect?{query}"
        providers.append({"key": "educonnect", "label": label, "href": href})
    label = "Enseignant ou personnel" if not alt else "Avec mon compte de l'ENT"
    providers.append({"key": "login-ent", "label": label, "href": f"/auth/login?{query}"})
    return render(request, "ng/edifice_wayf.html", {"providers": providers})


def edifice_authn(request: HttpRequest, provider: str) -> HttpResponse:
    world = login_routes.current_routes().world
    if provider != "educonnect" or world.has("wayf_choice_missing"):
        return edifice_wayf(request)
    callback = login_routes.local_callback(request.GET.get("callBack", "/"))
    return login_routes.saml_start(request, callback)


def _login_result(request: HttpRequest, error: str, callback: str) -> HttpResponse:
    """entcore's loginResult: its login page, with the error's translation."""
    alt = login_routes.current_routes().wording == "alt"
    message = _ERRORS[error][1 if alt else 0]
    context = {"callback": callback, "error": True, "error_message": message, "login": ""}
    return render(request, "ng/login.html", context)


def _signature(login: str, callback: str) -> str:
    return hmac.new(_SIGNING_KEY, f"{login}\n{callback}".encode(), hashlib.sha256).hexdigest()


def _select_user(request: HttpRequest, person: Person, callback: str) -> HttpResponse:
    """selectFederatedUser.html: the account of this identity and an older one left behind."""
    homonym = f"{person.login}1"  # a duplicate the ENT's import made (inference)
    users = [
        {"login": login, "label": person.display_name, "key": _signature(login, callback)}
        for login in (person.login, homonym)
    ]
    return render(request, "ng/select_federated_user.html", {"users": users, "callback": callback})


@csrf_exempt  # the IdP posts here from its own site; the SAML signature is the proof
def edifice_acs(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return HttpResponse(status=405)
    answer = login_routes.saml_answer(request)
    if isinstance(answer, HttpResponse):
        return answer
    educonnect_id, callback = answer
    person = login_routes.mapped_person(educonnect_id)
    if person is None or _affected(person, "edifice_user_not_found"):
        return _login_result(request, "fed.auth.error.user.not.found", callback)
    if _affected(person, "edifice_blocked_user"):
        return _login_result(request, "auth.error.blockedUser", callback)
    if _affected(person, "edifice_several_accounts"):
        return _select_user(request, person, callback)
    login_routes.open_cas_session(request, person)
    return HttpResponseRedirect(callback)


def _affected(person: Person, fault: str) -> bool:
    world = login_routes.current_routes().world
    return world.has(fault) and person is world.affected(fault)


@csrf_exempt  # posted from selectFederatedUser's own forms, checked by their signature
def select_user(request: HttpRequest) -> HttpResponse:
    login = request.POST.get("login", "")
    callback = login_routes.local_callback(request.POST.get("callBack", "/"))
    signed = hmac.compare_digest(request.POST.get("key", ""), _signature(login, callback))
    person = login_routes.current_routes().world.person(login)
    if not signed or person is None:
        return HttpResponseRedirect("/auth/login")  # entcore: any doubt, the login page
    login_routes.open_cas_session(request, person)
    return HttpResponseRedirect(callback)


def urls() -> list[Any]:
    from django.urls import include, path

    return [
        path("cas/login", edifice_cas_login),
        path("cas/", include("cas_server.urls", namespace="cas_server")),
        path("auth/login", login_routes.ng_login),
        path("auth/saml/wayf", edifice_wayf),
        path("auth/saml/authn/<str:provider>", edifice_authn),
        path("auth/saml/acs", edifice_acs),
        path("auth/saml/selectUser", select_user),
    ]
