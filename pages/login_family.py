"""Which kind of login page a page shows, read from its DOM, so the journey can pick its step.

Each family rests on DOMAIN.md ("The login routes of real ENTs", "Real login pages"):
- `identity_check`: ÉduConnect's birth-date check `#theForm`;
- `educonnect_login`: ÉduConnect's `j_username` field shown (after the profile choice);
- `educonnect_profile`: ÉduConnect's `#bouton_eleve` / `#bouton_responsable`;
- `kosmos_wayf`: a Kosmos CAS showing its WAYF `.cas__wayf-form`;
- `kosmos_local`: a Kosmos CAS showing its local form `form.cas__login-form`;
- `apereo`: Apereo CAS's `form#fm1`;
- `opentent`: Open ENT NG's `/auth/login` (`input#email[name=email]`) or its dominos;
- `unknown`: none of these.
"""

from __future__ import annotations

from typing import Literal

from playwright.async_api import Frame, Page

from pages.locators import Locators

LoginFamily = Literal[
    "identity_check",
    "educonnect_login",
    "educonnect_profile",
    "kosmos_wayf",
    "kosmos_local",
    "apereo",
    "opentent",
    "unknown",
]

# Page-wide signatures that are not fields the page objects fill (DOMAIN.md): the form
# classes and ids that tell the families apart.
KOSMOS_LOGIN_FORM = "form.cas__login-form"
APEREO_LOGIN_FORM = "form#fm1"
EDUCONNECT_LOGIN_FIELD = 'input[name="j_username"]'
OPENTENT_LOGIN_FIELD = 'input#email[name="email"]'


async def login_family(page: Page | Frame, locators: Locators) -> LoginFamily:
    """The login family the page shows now (no waiting: call it once the page has loaded)."""

    async def shown(selector: str) -> bool:
        return await page.locator(selector).filter(visible=True).count() > 0

    if await shown(locators.identity_check_form):
        return "identity_check"
    if await shown(EDUCONNECT_LOGIN_FIELD):
        return "educonnect_login"
    profiles = [locators.educonnect_profile.format(profile=p) for p in ("eleve", "responsable")]
    if await shown(", ".join(profiles)):
        return "educonnect_profile"
    if await shown(locators.wayf_form):
        return "kosmos_wayf"
    if await shown(KOSMOS_LOGIN_FORM):
        return "kosmos_local"
    if await shown(APEREO_LOGIN_FORM):
        return "apereo"
    any_domino = locators.domino.replace(".{profile}", "").replace("{profile}", "")
    if await shown(OPENTENT_LOGIN_FIELD) or await shown(any_domino):
        return "opentent"
    return "unknown"
