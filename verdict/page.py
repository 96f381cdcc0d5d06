"""What a page is, judged from where it was served, its status and its HTML.

Markup a real product guarantees comes first (DOMAIN.md, "The real PRONOTE space"):
a PRONOTE page is `<body id="id_body" onload="try { Start ({…}) } catch…">` both for
a space and for PRONOTE's own login screen, so that alone proves nothing; a space built
for a user has a non-empty `.ObjetBandeauEspace .ibe_util_texte`. Texts (`Wording`)
only name what the markup and the address leave open.
"""

from __future__ import annotations

import html as html_lib
import re
from urllib.parse import urlsplit

from bs4 import BeautifulSoup, Tag

from verdict.wording import Wording, found

PAGE_KINDS = (
    "space",  # a PRONOTE space page, built (or, for HTTP, about to be built) for the user
    "identifier_prompt",  # PRONOTE cannot link the ENT user and asks for something
    "password_prompt",  # PRONOTE asks for its own login and password
    "code_prompt",  # PRONOTE asks for a code alone (its own second factor, a PIN)
    "cas_login",  # a CAS (or ENT) login form
    "cas_service_refused",  # the CAS says it refuses the service
    "pronote_unavailable",  # "Le site n'est pas disponible", 502/503/504 and friends
    "pronote_error",  # another PRONOTE error page
    "http_error",  # a bare 4xx/5xx page elsewhere
    "unknown",
)

UNAVAILABLE_STATUSES = {502, 503, 504}
# Input types that ask the user nothing.
_SILENT_INPUTS = {"hidden", "submit", "checkbox", "radio", "button", "image", "reset", "file"}
_START_RE = re.compile(r"\bStart\s*\(")
_TAG_RE = re.compile(r"<(script|style)\b.*?</\1>|<[^>]+>", re.S | re.I)
_SPACE_RE = re.compile(r"\s+")


def visible_text(html: str, limit: int = 2000) -> str:
    """The page's text, roughly as a reader sees it (for messages and phrase checks)."""
    text = html_lib.unescape(_TAG_RE.sub(" ", html)).replace("\u00a0", " ")
    return _SPACE_RE.sub(" ", text).strip()[:limit]


def banner_user(soup: BeautifulSoup, banner: str) -> str:
    """The logged-in banner's user text ("Espace Élèves - NOM Prénom (CLASSE)"), or "".

    *banner*: its selector (`pages.locators.Locators.space_user_label`, overridable)."""
    for node in soup.select(banner):
        text = " ".join(node.get_text(" ").split())
        if text:
            return text
    return ""


def _inputs(soup: BeautifulSoup) -> list[str]:
    """Types of the inputs that ask the user something ("text", "password", ...)."""
    kinds = []
    for node in soup.find_all(["input", "textarea"]):
        if not isinstance(node, Tag):
            continue
        kind = str(node.get("type") or "text").lower() if node.name == "input" else "text"
        if kind not in _SILENT_INPUTS:
            kinds.append(kind)
    return kinds


def _pronote_started(soup: BeautifulSoup) -> bool:
    body = soup.find("body")
    onload = str(body.get("onload") or "") if isinstance(body, Tag) else ""
    return bool(_START_RE.search(onload))


def page_kind(
    url: str,
    status: int | None,
    html: str,
    *,
    pronote_hosts: set[str],
    cas_url: str,
    banner: str,
    wording: Wording | None = None,
) -> str:
    """Classify a page; one of `PAGE_KINDS`. *banner*: the selector of the user's banner."""
    wording = wording or Wording()
    soup = BeautifulSoup(html, "html.parser")
    text = visible_text(html, limit=5000)
    host = urlsplit(url).netloc
    on_pronote = host in pronote_hosts
    on_cas = url.startswith(cas_url) or (host == urlsplit(cas_url).netloc and not on_pronote)
    lockout = wording.unavailable + wording.ip_suspended + wording.too_many_errors
    if found(text, lockout) or (on_pronote and status in UNAVAILABLE_STATUSES):
        return "pronote_unavailable"
    if on_cas and found(text, wording.cas_refused):
        return "cas_service_refused"
    inputs = _inputs(soup)
    if on_pronote:
        if banner_user(soup, banner):
            return "space"
        if found(text, wording.not_linked):
            return "identifier_prompt"
        if "password" in inputs:
            # A secret alone is a code (PRONOTE 2024's PIN); with a login field, its own login.
            alone = all(kind == "password" for kind in inputs) or found(text, wording.pronote_pin)
            return "code_prompt" if alone else "password_prompt"
        if inputs:
            return "identifier_prompt"
        errors = wording.pronote_error + wording.space_refused + wording.pronote_login_refused
        if (status or 200) >= 400 or found(text, errors):
            return "pronote_error"
        # HTTP cannot run PRONOTE's JavaScript: a started PRONOTE page asking nothing is
        # a space for the probe (the rules ask for the CAS ticket that let it in).
        if _pronote_started(soup):
            return "space"
        return "unknown"
    if "password" in inputs:
        return "cas_login"
    if (status or 200) >= 400:
        return "http_error"
    return "unknown"
