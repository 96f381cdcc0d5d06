"""A discovery WAYF in front of ÉduConnect (e-lyco, Toutatice): a list of identity providers.

DOMAIN.md (the ENT table, "Shibboleth WAYF" row: Toutatice, e-lyco; "Finding an
establishment's set-up": e-lyco's `cas3.e-lyco.fr/discovery/WAYF`, `origin=educonnect`) and
pronotepy's `_wayf` (`entityID`, `returnIDParam=entityID`, `action=selection`): the CAS sends
an anonymous login to a discovery service (OASIS SAML IdP Discovery Protocol) whose page
lists the identity providers, each a link back to the CAS carrying the provider's
`entityID`. ÉduConnect is the provider whose entity id or words say so, or the one the
settings name (`VERIFIER_WAYF_SELECTIONS`, matched against the link's address); the ENT's
own accounts take another provider, which leads to the CAS's login form.
"""

from __future__ import annotations

from collections.abc import Iterable

from e2e.driver import Landing
from e2e.routes.base import Link, LoginRoute, Walk, follow, links
from pages.locators import Locators
from verdict.wording import fold

PROVIDER = 'a[href*="entityID="]'  # a provider of the list: a link back with its entity id


class Discovery(LoginRoute):
    name = "discovery"
    source = "DOMAIN.md, Shibboleth WAYF row (e-lyco, Toutatice); pronotepy _wayf (entityID)"

    def marks(self, loc: Locators) -> Iterable[str]:
        return (PROVIDER,)

    async def to_form(self, w: Walk) -> bool:
        if await w.d.visible(w.loc.login_password):
            return True
        chosen = await follow(w, choose(await links(w, PROVIDER), "local", w))
        return chosen is not None and await w.d.visible(w.loc.login_password)

    async def to_educonnect(self, w: Walk) -> Landing | None:
        return await follow(w, choose(await links(w, PROVIDER), "educonnect", w))


def choose(providers: list[Link], route: str, w: Walk) -> Link | None:
    """The provider for *route*: the one whose address holds the selection the settings name,
    else ÉduConnect by its entity id or words, and for a local account the only other one."""
    named = w.t.wayf_selection(route)
    if named:
        return next((p for p in providers if named in p.href), None)
    educonnect = [p for p in providers if "educonnect" in fold(f"{p.href} {p.text}")]
    if route == "educonnect":
        return educonnect[0] if educonnect else None
    others = [p for p in providers if p not in educonnect]
    return others[0] if len(others) == 1 else None
