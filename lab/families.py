"""The ENT login families the lab can stand for (`--ent-family`, `LAB_ENT_FAMILY`), as data.

Each family says how its ENT and CAS are laid out; its login pages are one module
(`lab/login_*.py`, listed in `lab.cas_site.FAMILY_ROUTES`). The facts are DOMAIN.md's
("The login routes of real ENTs", "Edifice (Open ENT NG) facts") and pronotepy's `ent/`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Family:
    name: str
    ent_name: str  # the ENT it looks like, on its pages
    own_cas_host: bool  # a CAS on its own host (Kosmos, Apereo), or the ENT is its CAS (/cas/)
    educonnect: bool  # élèves and parents may log in through ÉduConnect
    ng_portal: bool  # an Open ENT NG portal (apps page), else the eCollège-like one

    @property
    def cas_prefix(self) -> str:
        """Path of the CAS root on its host."""
        return "/" if self.own_cas_host else "/cas/"


FAMILIES: dict[str, Family] = {
    # Kosmos (eCollège 31, ENT Occitanie): a WAYF on the CAS host, ÉduConnect or a local form.
    "kosmos": Family("kosmos", "eCollège 31", True, True, False),
    # Open ENT NG (Monlycée.net): /auth/login and profile dominos, the ENT is its own CAS.
    "opentent": Family("opentent", "Monlycée.net", False, True, True),
    # Apereo CAS (Atrium Sud, pronotepy's atrium_sud): form#fm1 with `execution`, local only.
    "apereo": Family("apereo", "Atrium Sud", True, False, False),
    # Edifice with its SAML WAYF (ENT HDF, l'Éduc de Normandie): /cas/login sends to
    # /auth/login, /auth/saml/wayf lists the providers, ÉduConnect returns on /auth/saml/acs.
    "edifice": Family("edifice", "l'Éduc de Normandie", False, True, True),
    # A discovery WAYF in front of ÉduConnect (e-lyco's /discovery/WAYF, Toutatice's WAYF).
    "discovery": Family("discovery", "e-lyco", True, True, False),
}
