"""The login routes, one module per ENT family, and the registry the journey asks.

A new family is one module beside these (its `LoginRoute` subclass, and its page object in
`pages/` when it needs more than links) and one line below; `docs/login-families.md` says
which files it adds and which it must not touch. Order matters: the first route whose marks
the page shows is walked, so a family whose pages are another's plus something of their own
comes before it (Edifice before Open ENT NG), and the bare form comes last.
"""

from __future__ import annotations

from bs4 import BeautifulSoup

from e2e.routes.apereo import Apereo
from e2e.routes.base import LoginRoute, Refusal, Walk
from e2e.routes.cas import AnyForm
from e2e.routes.discovery import Discovery
from e2e.routes.edifice import Edifice
from e2e.routes.kosmos import Kosmos
from e2e.routes.opentent import OpenEntNg
from pages.locators import Locators

ROUTES: tuple[LoginRoute, ...] = (
    Edifice(),
    OpenEntNg(),
    Kosmos(),
    Apereo(),
    Discovery(),
    AnyForm(),
)

__all__ = [
    "ROUTES",
    "LoginRoute",
    "Refusal",
    "Walk",
    "recognise",
    "recognise_markup",
    "route_named",
]


def route_named(name: str) -> LoginRoute | None:
    return next((r for r in ROUTES if r.name == name), None)


async def recognise(w: Walk, family: str | None = None) -> LoginRoute | None:
    """The route whose pages are in front of *w*; the named *family*'s first, when one is set
    (a preset, `discover` or `VERIFIER_LOGIN_FAMILY`), then the others in order."""
    pinned = [r for r in ROUTES if r.name == family]
    for route in pinned + [r for r in ROUTES if r not in pinned]:
        if await route.fits(w):
            return route
    return None


def recognise_markup(html: str, loc: Locators | None = None) -> LoginRoute | None:
    """The route whose marks a page's markup holds, without a browser (what `discover` reads
    anonymously): the same marks, present rather than visible."""
    soup = BeautifulSoup(html, "html.parser")
    marks = loc or Locators()
    return next((r for r in ROUTES if any(soup.select_one(m) for m in r.marks(marks))), None)
