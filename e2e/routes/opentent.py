"""Open ENT NG (Monlycée.net, Paris Classe Numérique…): profile dominos, then `/auth/login`.

DOMAIN.md ("The login routes of real ENTs", Open ENT NG row): the ENT is its own CAS; its
login page `/auth/login` has `input#email[name=email]` and `input#password`; a WAYF of
"dominos" `a.domino.<profile>` may come first. entcore's WAYF (`view-src/wayf.html`,
`SamlController`, DOMAIN.md "Edifice (Open ENT NG) facts") sends a provider whose key starts
with `login` to `/auth/login` and the others to `/auth/saml/authn/<provider>`: when no domino
carries the profile's name, the domino is chosen by where it leads. Dominos are links:
followed as any link is; the form is filled as every family's (`pages/cas.py`).
"""

from __future__ import annotations

from collections.abc import Iterable

from e2e.driver import Landing
from e2e.routes.base import Link, LoginRoute, Walk, follow, links
from pages.locators import Locators, domino_candidates
from verdict.wording import fold

LOCAL_FORM = "/auth/login"  # entcore: a provider key starting with `login`
FEDERATION = "/auth/saml/authn/"  # entcore: every other provider (ÉduConnect…)
WAYF_LINK = 'a[href*="/auth/saml/wayf"]'


class OpenEntNg(LoginRoute):
    name = "opentent"
    source = "DOMAIN.md, Open ENT NG row: /auth/login (input#email), a.domino.<profile>"

    def marks(self, loc: Locators) -> Iterable[str]:
        return (loc.domino_any, 'input#email[name="email"]')

    async def to_form(self, w: Walk) -> bool:
        if await w.d.visible(w.loc.login_password):
            return True
        chosen = await self.domino(w, "local")
        return chosen is not None and await w.d.visible(w.loc.login_password)

    async def to_educonnect(self, w: Walk) -> Landing | None:
        if not await w.d.visible(w.loc.domino_any) and await w.d.visible(WAYF_LINK):
            await w.d.follow_link(WAYF_LINK, [])  # the login page's way to the WAYF
        return await self.domino(w, "educonnect")

    async def domino(self, w: Walk, route: str) -> Landing | None:
        """The account's domino: by its profile's name, else by where it leads."""
        for name in domino_candidates(w.loc.domino_names, w.a.profile, route):
            for domino in await links(w, w.loc.domino.format(profile=name)):
                if (chosen := await follow(w, domino)) is not None:
                    return chosen
        return await follow(w, provider(await links(w, w.loc.domino_any), route, w))


def provider(dominos: list[Link], route: str, w: Walk) -> Link | None:
    """The provider domino for *route*: the one the settings name (`wayf_selections`), else
    for ÉduConnect a federation whose key or words say ÉduConnect, else the only federation;
    for a local account the one leading to `/auth/login`."""
    if route == "local":
        return next((d for d in dominos if LOCAL_FORM in d.href), None)
    federations = [d for d in dominos if FEDERATION in d.href]
    named = w.t.wayf_selection("educonnect")
    if named:
        return next((d for d in federations if named in d.classes), None)
    educonnect = [
        d for d in federations if "educonnect" in fold(f"{d.href} {d.text} {' '.join(d.classes)}")
    ]
    if educonnect:
        return educonnect[0]
    return federations[0] if len(federations) == 1 else None
