"""What one account's journey showed: the evidence every diagnosis rests on.

The browser journey (`e2e/`) and the HTTP probe fill the same `Observation`, so
one classifier names the cause for both.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from verdict.cas import CasValidation

# What a page is, judged from its HTML and where it was served.
PAGE_KINDS = (
    "space",  # a PRONOTE space page, built (or being built) for the user
    "identifier_prompt",  # PRONOTE asks for the identifiant PRONOTE ENT
    "password_prompt",  # PRONOTE asks for its own login and password
    "cas_login",  # a CAS (or ENT) login form
    "cas_service_refused",  # the CAS refuses the service
    "pronote_unavailable",  # "Le site n'est pas disponible" and friends
    "pronote_error",  # another PRONOTE error page
    "http_error",  # a bare 4xx/5xx page
    "unknown",
)

UNAVAILABLE_TEXTS = (
    "le site n'est pas disponible",
    "le site est momentanément indisponible",
)
IP_SUSPENDED_TEXTS = ("votre adresse ip est provisoirement suspendue",)
TOO_MANY_ERRORS_TEXTS = ("vous avez dépassé le nombre d'erreurs d'authentification",)
SERVICE_REFUSED_TEXTS = (
    "not allowed",
    "non autorisé",
    "application not authorized",
    "n'est pas autorisé",
)

_TAG_RE = re.compile(r"<(script|style)\b.*?</\1>|<[^>]+>", re.S | re.I)
_SPACE_RE = re.compile(r"\s+")


def visible_text(html: str, limit: int = 2000) -> str:
    """The page's text, roughly as a reader sees it (for messages and pattern checks)."""
    text = _TAG_RE.sub(" ", html)
    text = (
        text.replace("&nbsp;", " ")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&quot;", '"')
        .replace("&amp;", "&")
        .replace("&rsquo;", "'")
    )
    return _SPACE_RE.sub(" ", text).strip()[:limit]


@dataclass
class Observation:
    """Evidence from one account's journey, step by step."""

    target: str
    account: str
    profile: str
    mode: str = "browser"  # or "probe" (plain HTTP, no browser evidence)
    step: str = "start"  # the last step reached
    reached_ent: bool = False
    reached_cas_login: bool = False
    credentials_rejected: bool = False
    reached_portal: bool = False
    shortcut_found: bool | None = None
    shortcut_url: str | None = None
    pronote_service: str | None = None  # `service` of the CAS /login request for PRONOTE
    pronote_cas_login_url: str | None = None
    ticket_issued: bool = False  # the CAS redirected to PRONOTE with a ticket
    final_url: str | None = None
    final_status: int | None = None
    final_kind: str | None = None
    final_text: str = ""
    display_name_seen: bool | None = None
    network_error: str | None = None  # e.g. "connection_refused", "timeout", "tls", "dns"
    network_error_url: str | None = None
    timed_out: bool = False
    cas_validation: CasValidation | None = None
    urls: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


_FORM_RE = re.compile(r"<form\b.*?</form>", re.S | re.I)
_PASSWORD_RE = re.compile(r"<input\b[^>]*type=[\"']?password", re.I)
_TEXT_INPUT_RE = re.compile(
    r"<input\b(?![^>]*type=[\"']?(hidden|submit|checkbox|radio|button))", re.I
)


def page_kind(
    url: str, status: int | None, html: str, *, pronote_hosts: set[str], cas_url: str
) -> str:
    """Classify a page from its address, status and HTML (markup shared by real and lab pages)."""
    from urllib.parse import urlsplit

    text = visible_text(html, limit=5000).casefold()
    host = urlsplit(url).netloc
    on_pronote = host in pronote_hosts
    on_cas = url.startswith(cas_url) or (host == urlsplit(cas_url).netloc and not on_pronote)
    if any(t in text for t in UNAVAILABLE_TEXTS + IP_SUSPENDED_TEXTS + TOO_MANY_ERRORS_TEXTS):
        return "pronote_unavailable"
    if on_cas and any(t in text for t in SERVICE_REFUSED_TEXTS) and "service" in text:
        return "cas_service_refused"
    forms = _FORM_RE.findall(html)
    if on_pronote and ('id="id_body"' in html or "GInterface" in html):
        return "space"
    if on_pronote and forms:
        if any(_PASSWORD_RE.search(f) for f in forms):
            return "password_prompt"
        if any(_TEXT_INPUT_RE.search(f) for f in forms) and "identifiant" in text:
            return "identifier_prompt"
    if not on_pronote and any(_PASSWORD_RE.search(f) for f in forms):
        return "cas_login"
    if status is not None and status >= 400:
        return "pronote_error" if on_pronote and "pronote" in text else "http_error"
    if on_pronote and ("impossible d'afficher" in text or "erreur" in text or "autorisé" in text):
        return "pronote_error"
    return "unknown"
