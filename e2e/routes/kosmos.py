"""Kosmos (eCollège 31, ENT Occitanie, ENT AURA…): a WAYF on the CAS host, then its form.

DOMAIN.md ("The login routes of real ENTs", Kosmos row): the CAS `/login` shows
`.cas__wayf-form`; the ÉduConnect choice (`EDU_parent_eleve`) sits behind a toggle
`button.js-wayftoggle` "Élève ou parent", the local form (`ATS_parent_eleve`) is
`form.cas__login-form`. The selectors are `Locators` (overridable), the page object
`pages/wayf.py`.
"""

from __future__ import annotations

from collections.abc import Iterable

from e2e.driver import Landing
from e2e.routes.base import LoginRoute, Walk
from pages.locators import Locators


class Kosmos(LoginRoute):
    name = "kosmos"
    source = "DOMAIN.md, Kosmos row: .cas__wayf-form, #idp-<selection>, form.cas__login-form"

    def marks(self, loc: Locators) -> Iterable[str]:
        return (loc.wayf_form, "form.cas__login-form")

    async def to_form(self, w: Walk) -> bool:
        if await w.d.visible(w.loc.login_password):
            return True
        chosen = await w.d.choose_wayf(w.t.wayf_selection("local"), "local")
        return chosen is not None and await w.d.visible(w.loc.login_password)

    async def to_educonnect(self, w: Walk) -> Landing | None:
        return await w.d.choose_wayf(w.t.wayf_selection("educonnect"), "educonnect")
