"""Kosmos (eCollège 31, ENT Occitanie, ENT AURA…): a WAYF on the CAS host, then its form.

DOMAIN.md ("The login routes of real ENTs", Kosmos row): the CAS `/login` shows
`.cas__wayf-form`; the ÉduConnect choice (`EDU_parent_eleve`) sits behind a toggle
`button.js-wayftoggle` "Élève ou parent", the local form (`ATS_parent_eleve`) is
`form.cas__login-form`. The WAYF is a form of radios `#idp-<selection>` sent by
`#button-submit`: picked through `Driver.pick`. The selectors are `Locators` (overridable).
"""

from __future__ import annotations

from collections.abc import Iterable

from bs4 import BeautifulSoup

from e2e.driver import Landing
from e2e.routes.base import LoginRoute, Walk
from pages.locators import Locators, wayf_selection_for, wayf_selections


class Kosmos(LoginRoute):
    name = "kosmos"
    source = "DOMAIN.md, Kosmos row: .cas__wayf-form, #idp-<selection>, form.cas__login-form"

    def marks(self, loc: Locators) -> Iterable[str]:
        return (loc.wayf_form, "form.cas__login-form")

    async def to_form(self, w: Walk) -> bool:
        if await w.d.visible(w.loc.login_password):
            return True
        chosen = await self.choose(w, "local")
        return chosen is not None and await w.d.visible(w.loc.login_password)

    async def to_educonnect(self, w: Walk) -> Landing | None:
        return await self.choose(w, "educonnect")

    async def choose(self, w: Walk, route: str) -> Landing | None:
        """The WAYF's choice for *route*: the one the settings name (`wayf_selections`), else
        the one read from what the form offers (`EDU…` for ÉduConnect, another for the form)."""
        loc = w.loc
        selection = w.t.wayf_selection(route)
        if selection is None:
            soup = BeautifulSoup((await w.d.current()).html, "html.parser")
            form = soup.select_one(loc.wayf_form)
            radios = form.select('input[type="radio"]') if form is not None else []
            offered = [(str(r.get("id") or ""), str(r.get("value") or "")) for r in radios]
            selection = wayf_selection_for(route, wayf_selections(loc, offered))
        if selection is None:
            return None
        return await w.d.pick(
            loc.wayf_form,
            loc.wayf_choice.format(selection=selection),
            reveal=loc.wayf_toggle,
            send=loc.wayf_submit,
        )
