"""The discovery-WAYF family (e-lyco, Toutatice): a discovery service in front of ÉduConnect.

DOMAIN.md ("The login routes of real ENTs": e-lyco's `cas3.e-lyco.fr/discovery/WAYF`,
Toutatice's WAYF, `origin=educonnect`) and pronotepy's `_wayf` (`entityID`, `returnX`,
`returnIDParam=entityID`, `action=selection`, `origin=<ÉduConnect's entity id>`): the
CAS sends an anonymous `/login` to its discovery service with the SAML IdP Discovery
parameters; the service lists the identity providers, each a link back to `return`
with the chosen `entityID`, or goes straight back when `origin` names one it offers.
The service provider's `Shibboleth.sso/Login` then auto-posts a SAMLRequest to the
chosen IdP (ÉduConnect), whose answer returns on the CAS's `/saml/acs`; the ENT's own
accounts choose the local provider and get the CAS's form.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render

from lab import login_routes

# The ENT's own login, as an entry of the list (its name is the lab's).
LOCAL_IDP = "urn:lab:ent:comptes-locaux"


def _with(url: str, **params: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}{urlencode(params)}"


def _providers() -> list[dict[str, str]]:
    routes = login_routes.current_routes()
    alt = routes.wording == "alt"
    providers = []
    if not routes.world.has("wayf_choice_missing"):
        label = "ÉduConnect (élèves et parents)" if not alt else "Avec mon compte ÉduConnect"
        providers.append({"entity_id": routes.federation.idp_entity_id, "label": label})
    local = "Compte ENT (personnels)" if not alt else "Avec un compte de l'ENT"
    return [*providers, {"entity_id": LOCAL_IDP, "label": local}]


def discovery_login(request: HttpRequest) -> HttpResponse:
    """`/login`: single sign-on, the local form once chosen, else the discovery service."""
    from cas_server.views import LoginView

    authenticated = request.session.get("authenticated") and not request.GET.get("renew")
    if request.method == "POST" or authenticated or request.GET.get("idp") == "local":
        return LoginView.as_view()(request)
    cas = login_routes.current_routes().world.cas_url
    back = _with(f"{cas}Shibboleth.sso/Login", target=request.get_full_path())
    query = {
        "entityID": f"{cas}shibboleth",
        "return": back,
        "returnIDParam": "entityID",
        "action": "selection",
    }
    return HttpResponseRedirect(f"/discovery/WAYF?{urlencode(query)}")


def discovery_service(request: HttpRequest) -> HttpResponse:
    """`/discovery/WAYF`: the list of identity providers, or straight back for `origin`."""
    back = request.GET.get("return", "")
    if not back.startswith(login_routes.current_routes().world.cas_url):
        return HttpResponse("Adresse de retour non autorisée.", status=400)  # open redirect
    origin = request.GET.get("origin")
    return _providers_page(request, back, request.GET.get("returnIDParam") or "entityID", origin)


def _providers_page(request: HttpRequest, back: str, key: str, origin: str | None) -> HttpResponse:
    providers = [{**p, "href": _with(back, **{key: p["entity_id"]})} for p in _providers()]
    chosen = next((p for p in providers if origin and p["entity_id"] == origin), None)
    if chosen is not None:
        return HttpResponseRedirect(chosen["href"])
    context = {"idps": providers, "unknown": bool(origin)}
    return render(request, "discovery/wayf.html", context, status=404 if origin else 200)


def shibboleth_login(request: HttpRequest) -> HttpResponse:
    """`/Shibboleth.sso/Login`: start the login at the IdP the discovery service returned."""
    target = login_routes.local_callback(request.GET.get("target", "/"))
    entity = request.GET.get("entityID", "")
    if entity == LOCAL_IDP:
        return HttpResponseRedirect(_with(target, idp="local"))
    if entity in {p["entity_id"] for p in _providers()}:
        return login_routes.saml_start(request, target)
    # An IdP the service does not offer (any more): its list again, with the error.
    cas = login_routes.current_routes().world.cas_url
    back = _with(f"{cas}Shibboleth.sso/Login", target=target)
    return _providers_page(request, back, "entityID", entity or "?")


def urls() -> list[Any]:
    from django.urls import include, path

    return [
        path("login", discovery_login),
        path("discovery/WAYF", discovery_service),
        path("Shibboleth.sso/Login", shibboleth_login),
        path("saml/acs", login_routes.saml_acs),
        path("", include("cas_server.urls", namespace="cas_server")),
    ]
