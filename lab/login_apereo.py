"""The Apereo CAS login family (Atrium Sud): the CAS's own form, local accounts only.

DOMAIN.md ("The login routes of real ENTs", "Real login pages") and pronotepy's
`atrium_sud` (`_simple_auth` on `form#fm1`): `/login?service=` shows `form#fm1` with
`username`, `password`, the hidden `execution` (the web flow's state) and
`_eventId=submit`, submitted by `button[name=submit]`; a bad password shows the same
form again; an unknown service gets "Application Not Authorized to Use CAS".
Like Apereo's web flow, a post whose `execution` the CAS did not issue starts a
fresh login page instead of logging in.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

# Apereo keeps its web flow's state in the `execution` itself, encrypted and signed, so a
# server knows its own executions without a session: here a nonce and its signature.
_FLOW_KEY = secrets.token_bytes(32)


def _sign(nonce: str) -> str:
    return hmac.new(_FLOW_KEY, nonce.encode(), hashlib.sha256).hexdigest()


def _is_ours(execution: str) -> bool:
    nonce, _, signature = execution.rpartition(".")
    return bool(nonce) and hmac.compare_digest(signature, _sign(nonce))


def apereo_login(request: HttpRequest) -> HttpResponse:
    """`/login`: single sign-on, the login page, or the check of a posted form."""
    from cas_server.views import LoginView

    authenticated = request.session.get("authenticated") and not request.GET.get("renew")
    if request.method == "POST" and not authenticated:
        if not _is_ours(request.POST.get("execution", "")):
            return HttpResponseRedirect(request.get_full_path())
    nonce = secrets.token_urlsafe(24)
    # Read by the template; the form shown again after a bad password gets a fresh one.
    request.lab_execution = f"{nonce}.{_sign(nonce)}"
    return LoginView.as_view()(request)


def urls() -> list[Any]:
    from django.urls import include, path

    return [
        path("login", apereo_login),
        path("", include("cas_server.urls", namespace="cas_server")),
    ]
