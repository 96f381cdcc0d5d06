"""Edifice (Open ENT NG) with its SAML WAYF: ENT HDF, l'Éduc de Normandie, ENT 94…

DOMAIN.md ("Edifice (Open ENT NG) facts"; the ENT table: "ÉduConnect through the ENT's SAML
WAYF"): `/cas/login` without a session sends to `/auth/login`; `/auth/saml/wayf` lists the
providers as dominos `section.dominos > div.item > a.centered-text.domino.<key>`; ÉduConnect
is reached through `/auth/saml/authn/<provider>` and returns to `/auth/saml/acs`. The pages
are Open ENT NG's, so the walk is `opentent`'s; what is Edifice's own is the WAYF and the
answers of `/auth/saml/acs` after ÉduConnect (entcore `SamlController`, its French texts
from `auth/src/main/resources/i18n/fr.json`, edificeio/entcore aa39df0).
"""

from __future__ import annotations

from collections.abc import Iterable

from e2e.routes.base import Refusal
from e2e.routes.opentent import WAYF_LINK, OpenEntNg
from pages.locators import Locators


class Edifice(OpenEntNg):
    name = "edifice"
    source = "DOMAIN.md, Edifice facts: /auth/saml/wayf, section.dominos a.domino, /auth/saml/acs"
    refusals = (
        # selectFederatedUser.html: one form per ENT account posting to /auth/saml/selectUser.
        Refusal("PN-ENT-COMPTES-MULTIPLES", selector='form[action*="/auth/saml/selectUser"]'),
        # auth.error.blockedUser, auth.error.blockedProfileType.
        Refusal(
            "PN-ENT-COMPTE-BLOQUE",
            phrases=(
                "a bloqué votre accès à votre réseau éducatif",
                "est temporairement bloqué pour votre profil",
            ),
        ),
        # fed.auth.error.user.not.found (fr.json; en.json carries a French variant).
        Refusal(
            "PN-EDUCONNECT-COMPTE-NON-RATTACHE",
            phrases=("Votre compte académique n'est pas reconnu dans l'ENT",),
        ),
    )

    def marks(self, loc: Locators) -> Iterable[str]:
        return ("section.dominos a.domino", WAYF_LINK)
