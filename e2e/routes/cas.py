"""Any other CAS or ENT login form: a visible password field, nothing else known.

The last route of the registry: a family no module knows yet still gets its local accounts
checked (the form is filled by `Locators.login_*`), and its ÉduConnect accounts end with
"ÉduConnect not offered" (`PN-WAYF-CHOIX-ABSENT`), which names the page.
"""

from __future__ import annotations

from collections.abc import Iterable

from e2e.routes.base import LoginRoute
from pages.locators import Locators


class AnyForm(LoginRoute):
    name = "formulaire"
    source = "a visible password field (Locators.login_password)"

    def marks(self, loc: Locators) -> Iterable[str]:
        return (loc.login_password,)
