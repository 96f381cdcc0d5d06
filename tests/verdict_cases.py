"""Targets and observations for the verdict tests, built the way the journeys build them.

The target stands for a real set-up as the seed describes it: PRONOTE.net with a classic
listener (port 80) and a CAS listener (port 82), the ENT and its CAS apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from pages.locators import Locators
from verdict.cas import CasValidation
from verdict.observation import Observation, Retry
from verdict.page import page_kind, visible_text
from verdict.wording import Wording

ENT = "https://ent.example.fr/"
CAS = "https://cas.example.fr/"
BANNER = Locators().space_user_label  # PRONOTE's banner, as the page objects find it
PRONOTE = "http://pronote.college.example.fr:82/pronote/"  # the CAS listener (seed: port 82)
CLASSIC = "http://pronote.college.example.fr/pronote/"
DIRECT = "http://pronote.college.example.fr/pronote/eleve.html?login=true"
CODE = "AZKH9C7WSQ2R54DP"  # an identifiant PRONOTE from the seed's export
PAGES = Path(__file__).resolve().parent / "fixtures" / "pages"


@dataclass
class FakeTarget:
    """What `verdict.target.TargetLike` asks for, nothing more."""

    name: str = "0310001A Collège Test"
    ent_url: str = ENT
    cas_url: str = CAS
    pronote_url: str = PRONOTE
    pronote_classic_url: str | None = CLASSIC
    pronote_direct_url: str | None = DIRECT
    shortcut_label: str = "Pronote"
    identifier_attribute: str = "identifiantPronote"
    is_lab: bool = False

    @property
    def pronote_hosts(self) -> set[str]:
        urls = (self.pronote_url, self.pronote_classic_url, self.pronote_direct_url)
        return {urlsplit(u).netloc for u in urls if u}


TARGET = FakeTarget()


def validation(*, identifier: bool = True, service: str = PRONOTE) -> CasValidation:
    """Our own p3/serviceValidate of a fresh ticket, with or without the identifier."""
    attributes = {"nom": ["MARTIN"], "prenom": ["Léa"]}
    if identifier:
        attributes["identifiantPronote"] = [CODE]
    return CasValidation(service, user="NAA30191", attributes=attributes)


def journey(**changes: Any) -> Observation:
    """A journey that logged into the ENT, followed the shortcut, and got a CAS ticket."""
    values: dict[str, Any] = dict(
        target=TARGET.name,
        account="lea.martin",
        profile="eleve",
        mode="probe",
        step="pronote",
        reached_portal=True,
        shortcut_found=True,
        shortcut_url=PRONOTE,
        pronote_service=PRONOTE + "eleve.html",
        pronote_cas_login_url=f"{CAS}login?service={quote(PRONOTE + 'eleve.html', safe='')}",
        ticket_issued=True,
        final_url=PRONOTE + "eleve.html",
        final_status=200,
        final_kind="space",
        final_text="PRONOTE",
        cas_validation=validation(),
        urls=[ENT, CAS + "login", ENT + "portail", PRONOTE, CAS + "login", PRONOTE + "eleve.html"],
        timings={"ent_login_page": 0.2, "portal": 0.3, "pronote": 0.4, "total": 1.0},
    )
    values.update(changes)
    return Observation(**values)


def landing(
    page: str, url: str, status: int = 200, *, wording: Wording | None = None, **changes: Any
) -> Observation:
    """`journey()` ending on the corpus page *page*, read as the journeys read a landing."""
    html = (PAGES / page).read_text(encoding="utf-8")
    kind = page_kind(
        url,
        status,
        html,
        pronote_hosts=TARGET.pronote_hosts,
        cas_url=CAS,
        banner=BANNER,
        wording=wording,
    )
    values = dict(
        final_url=url,
        final_status=status,
        final_kind=kind,
        final_text=visible_text(html, limit=600),
    )
    return journey(**{**values, **changes})


def refused_by_cas(page: str, service: str = PRONOTE + "eleve.html", **changes: Any) -> Observation:
    """PRONOTE sent the browser to the CAS for *service*; the CAS answered *page*."""
    login = f"{CAS}login?service={quote(service, safe='')}"
    values: dict[str, Any] = dict(
        pronote_service=service,
        pronote_cas_login_url=login,
        ticket_issued=False,
        cas_validation=None,
    )
    return landing(page, login, **{**values, **changes})


def at_portal(**changes: Any) -> Observation:
    """A journey that logged into the ENT and stopped on the portal."""
    values: dict[str, Any] = dict(
        step="portal",
        pronote_service=None,
        pronote_cas_login_url=None,
        ticket_issued=False,
        cas_validation=None,
        final_url=ENT + "portail",
        final_kind="unknown",
        final_text="Mon espace Bonjour Léa, bienvenue sur votre ENT. Mes services",
    )
    return journey(**{**values, **changes})


def before_login(**changes: Any) -> Observation:
    """A journey that never got past the ENT's login."""
    values: dict[str, Any] = dict(
        step="start",
        reached_portal=False,
        shortcut_found=None,
        shortcut_url=None,
        final_url=None,
        final_status=None,
        final_kind=None,
        final_text="",
    )
    return at_portal(**{**values, **changes})


def retried(url: str, cause: str = "http_502") -> list[Retry]:
    return [Retry(url, cause)]
