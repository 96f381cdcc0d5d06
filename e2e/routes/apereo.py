"""Apereo CAS (Atrium Sud, and any CAS on Apereo's default pages): `form#fm1`.

DOMAIN.md ("Real login pages", the Apereo row): `form#fm1` with `username`, `password`, the
web flow's hidden `execution` and `_eventId=submit`; pronotepy's `atrium_sud` submits
`form#fm1`. Atrium's accounts are local (DOMAIN.md's ENT table): no ÉduConnect route.
"""

from __future__ import annotations

from collections.abc import Iterable

from e2e.routes.base import LoginRoute
from pages.locators import Locators


class Apereo(LoginRoute):
    name = "apereo"
    source = "DOMAIN.md, Apereo row; pronotepy atrium_sud (form#fm1)"

    def marks(self, loc: Locators) -> Iterable[str]:
        return ("form#fm1",)
