"""The lab's mutable world: PRONOTE.net settings, PRONOTE's user table, the ENT's imports.

One `World` is shared by every lab app (CAS, ENT, PRONOTE.net) in the lab process.
Faults are applied as the misconfigurations they stand for: `World.reset()`
rebuilds the healthy set-up, then each fault changes a setting or a table the
way a wrong click in the procedure would.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from lab.directory import EXPORT_SECTIONS, PROFILES, Person
from lab.identifiers import ImportRow

# Fault names are a public contract: scripts and CI use them.
FAULTS: dict[str, str] = {
    "msxml_outdated": "PRONOTE.net cannot read the CAS validation answer (I.2, II.9)",
    "cas_port_blocked": "the PRONOTE.net CAS listener cannot be reached (PFS, I.2)",
    "wrong_public_url": "PRONOTE.net announces a wrong public URL as its CAS service (II.6)",
    "wrong_cas_url": "PRONOTE.net sends users to a wrong CAS URL (II.3)",
    "cas_auth_disabled": "'activer l'authentification' is off in PRONOTE.net (II.2)",
    "not_published": "the PRONOTE.net publication is stopped (II)",
    "identifier_management_off": "'Activer la gestion des identifiants ENT' is off (III)",
    "identifiers_not_imported": "the identifiers file was never imported into the ENT (V)",
    "user_missing_from_import": "one user was added after the last partial import (V)",
    "shortcut_missing": "no Pronote shortcut in the portal (IV)",
    "shortcut_direct_url": "the shortcut points at the direct-login URL (IV, II.7)",
    "service_not_registered": "the CAS does not know the PRONOTE.net service",
    "user_unknown_to_pronote": "one CAS user does not exist in PRONOTE",
    "double_authentication": "PRONOTE asks for its own login and password on first connection",
    "slow_network": "added latency on every hop",
    "flaky_network": "the first request of a journey fails with 502, then it recovers",
    # ÉduConnect routes. Procedure/contact: ÉduConnect is run by the Ministry
    # (the académie's assistance); certificates and the identity mapping are the ENT's.
    "educonnect_unavailable": "ÉduConnect answers 503, its maintenance page (Ministry's service)",
    "educonnect_certificate_expired": (
        "ÉduConnect signs with a renewed certificate the ENT's metadata lacks: the ENT refuses "
        "the assertion (ENT provider: update ÉduConnect's metadata)"
    ),
    "saml_clock_skew": (
        "the assertion's validity window is outside the ENT's tolerance (clocks: NTP on the "
        "ENT's servers)"
    ),
    "educonnect_identity_unmapped": (
        "one ÉduConnect identity is linked to no ENT account (ENT administrator: link it)"
    ),
    "educonnect_identity_check": (
        "ÉduConnect asks each account its birth date before answering: passes with the right "
        "date, stops an account whose birth date is unknown (the parent)"
    ),
    "wayf_choice_missing": "the CAS's WAYF offers no ÉduConnect choice (ENT administrator)",
    "educonnect_new_step": (
        "ÉduConnect adds a step after the password (new terms of use to accept) that no "
        "verifier knows yet"
    ),
    # PRONOTE's own refusals after single sign-on (DOMAIN.md, "What breaks in the real
    # world"): the address suspended after repeated failures, one account over its
    # authentication errors, one account not allowed into its profile's space.
    "pronote_ip_suspended": "PRONOTE.net suspends the address the journeys come from",
    "pronote_too_many_errors": "PRONOTE refuses one account: too many authentication errors",
    "space_access_denied": "PRONOTE does not let one account into its profile's space",
    # A load balancer in front of the ENT's login that fails the login POST itself (502): the
    # credential reached it, no answer came back.
    "ent_login_bad_gateway": "the ENT's login POST answers 502 Bad Gateway",
    # The ENT closed for maintenance: every page of its portal is its maintenance page.
    "ent_maintenance": "the ENT answers its maintenance page (HTTP 200)",
    "ent_maintenance_503": "the ENT answers its maintenance page (HTTP 503)",
    # The ENT's CAS protecting itself (DOMAIN.md, "What breaks in the real world"): one
    # account locked after failed logins, or a captcha in the login form.
    "cas_account_locked": "the ENT's CAS refuses one account, locked after failed logins",
    "cas_captcha": "the ENT's CAS login form asks for a captcha",
    # PRONOTE 2024's own second factor for some accounts (DOMAIN.md): a PIN code step after
    # single sign-on, distinct from double_authentication (PRONOTE's own login).
    "pronote_second_factor": "PRONOTE asks one account for its PIN code after single sign-on",
    # ENT hosts move (DOMAIN.md: Île-de-France to auth.monlycee.net in 2024, ENT77 to
    # ent.seine-et-marne.fr, Netocentre to auth.recia.fr/cas in 2025; pronotepy #307, #310):
    # the old login address answers a redirect chain (301, then 302) to the new host, which
    # serves the same CAS. Users get through; the catalogue and the settings are out of date.
    "ent_login_moved": "the ENT's login answers 301 then 302 to a new host serving the same CAS",
    # A server failing at one step answers 5xx there (DOMAIN.md: "HTTP Error 503", "Impossible
    # d'afficher la page" on real PRONOTE pages; a load balancer's 502, as for the ENT's login
    # POST): the ENT's SAML return (ÉduConnect's SAMLResponse posted to its ACS), ÉduConnect
    # after it checked the password, PRONOTE.net (or the proxy in front of it) on the request
    # that carries the CAS ticket. Each must be named at its step, not by a later symptom.
    "saml_return_bad_gateway": "the ENT's SAML ACS answers ÉduConnect's return with 502",
    "educonnect_error_after_password": "ÉduConnect answers 500 once it has checked the password",
    "pronote_server_error": "PRONOTE.net answers 500 to the request carrying the CAS ticket",
    "pronote_bad_gateway": "the proxy in front of PRONOTE.net answers 502 to the ticket request",
}

# Faults of one login family's own pages (lab.families), apart from FAULTS, whose every
# entry the verifier's fault matrices name; other families ignore them.
FAMILY_FAULTS: dict[str, dict[str, str]] = {
    # Edifice's answers after ÉduConnect (lab.login_edifice); the ENT's administrator fixes them.
    "edifice": {
        "edifice_user_not_found": "Edifice finds no ENT account for one ÉduConnect identity "
        "(fed.auth.error.user.not.found)",
        "edifice_blocked_user": "Edifice's account of one ÉduConnect identity is blocked "
        "(auth.error.blockedUser)",
        "edifice_several_accounts": "several Edifice accounts match one ÉduConnect identity "
        "(selectFederatedUser)",
    },
}
# Every name `set_faults`, `--faults` and `LAB_FAULTS` take.
ALL_FAULTS: dict[str, str] = {
    **FAULTS,
    **{name: why for faults in FAMILY_FAULTS.values() for name, why in faults.items()},
}

RECOGNITION_MODES = ("identite_pronote", "identite_utilisateur", "double_authentification")

# How the portal opens the shortcut: a new tab, the same tab, a pop-up window, a portal frame.
SHORTCUT_MODES = ("onglet", "meme_onglet", "popup", "cadre")

# PRONOTE generations the lab can stand for, per establishment: what PRONOTE shows an ENT
# user it cannot link. "2011": the seed's first-connection prompt for the "identifiant
# PRONOTE ENT"; "2025": Index Éducation's documented "Identification impossible" (DOMAIN.md).
PRONOTE_GENERATIONS = ("2025", "2011")


class UnknownFaultError(ValueError):
    pass


@dataclass
class PronoteSettings:
    """PRONOTE.net's "ENT" panel (seed part II) and PRONOTE Client's switch (part III)."""

    cas_url: str
    public_url: str  # the CAS listener's public URL, announced as `service`
    cas_auth_enabled: bool = True
    direct_auth_allowed: bool = True
    published: bool = True
    identifier_management: bool = True
    recognition_mode: str = "identite_pronote"
    msxml_ok: bool = True


@dataclass
class PronoteUser:
    person: Person
    id_cas: str | None = None  # filled on first connection


@dataclass
class Shortcut:
    """The portal's Pronote shortcut (seed part IV)."""

    url: str
    code: str = "PRONOTE"
    intitule: str = "Pronote"
    mode: str = "onglet"


@dataclass
class LinkRequest:
    """A filled-in "Identification impossible" form, waiting in PRONOTE Client's
    "Résolution des échecs d'interconnexion" (DOMAIN.md)."""

    id_cas: str
    fields: list[str]


@dataclass
class Establishment:
    """One establishment: its PRONOTE.net and its slice of the ENT."""

    uai: str
    name: str
    classic_url: str  # classic listener root, ".../pronote/"
    cas_listener_url: str  # CAS listener root, ".../pronote/"
    settings: PronoteSettings
    pronote_generation: str = "2025"
    users: list[PronoteUser] = field(default_factory=list)
    shortcut: Shortcut | None = None
    imported: dict[str, str] = field(default_factory=dict)  # ENT uid -> PRONOTE identifier
    link_requests: list[LinkRequest] = field(default_factory=list)

    @property
    def direct_url(self) -> str:
        return f"{self.classic_url}eleve.html?login=true"

    def user_by_cas(self, id_cas: str) -> PronoteUser | None:
        return next((u for u in self.users if u.id_cas == id_cas), None)

    def user_by_identifier(self, pronote_id: str) -> PronoteUser | None:
        return next((u for u in self.users if u.person.pronote_id == pronote_id), None)

    def export(self) -> str:
        """PRONOTE Client's identifiers file, as text (encode it as cp1252 with CRLF)."""
        lines: list[str] = []
        for profile in PROFILES:
            rows = [u for u in self.users if u.person.profile == profile]
            if not rows:
                continue
            if lines:
                lines.append("")
            lines.append(f"{EXPORT_SECTIONS[profile]}\tIdentifiant PRONOTE\tIdentifiant CAS")
            lines.extend(
                f"{u.person.export_name}\t{u.person.pronote_id}\t{u.id_cas or ''}" for u in rows
            )
        return "\r\n".join(lines) + "\r\n"


class World:
    """Everything the lab apps read and the control API changes, behind one lock."""

    def __init__(
        self,
        people: list[Person],
        establishments: list[Establishment],
        *,
        cas_url: str,
        ent_url: str,
        identifier_attribute: str,
        wording: str = "default",
        latency_s: float = 0.0,
        slow_network_delay_s: float = 0.3,
    ) -> None:
        self.lock = threading.RLock()
        self.people = people
        self.establishments = establishments
        self.cas_url = cas_url
        self.ent_url = ent_url
        self.identifier_attribute = identifier_attribute
        self.wording = wording  # "default" or "alt": see lab.wording
        self.latency_s = latency_s  # every hop, always (a realistic network)
        self.slow_network_delay_s = slow_network_delay_s  # every hop, under slow_network
        self.faults: list[str] = []
        self.service_registered = True
        # POSTs seen by the lab's apps, by "<app> <path>" (its own lock: counted on every hop).
        self._posts: dict[str, int] = {}
        self._posts_lock = threading.Lock()
        self._baseline = [(e.settings, e.shortcut) for e in establishments]
        self.reset()

    # -- lookups -------------------------------------------------------------
    def person(self, login: str) -> Person | None:
        return next((p for p in self.people if p.login == login), None)

    def establishment(self, uai: str) -> Establishment:
        return next(e for e in self.establishments if e.uai == uai)

    def count_post(self, where: str) -> None:
        with self._posts_lock:
            self._posts[where] = self._posts.get(where, 0) + 1

    def posts_seen(self) -> dict[str, int]:
        with self._posts_lock:
            return dict(self._posts)

    def has(self, fault: str) -> bool:
        return fault in self.faults

    def has_any(self, *faults: str) -> bool:
        return any(f in self.faults for f in faults)

    def refuses(self, fault: str, person: Person) -> bool:
        """Whether the per-user *fault* is on and applies to *person*."""
        return self.has(fault) and self.affected(fault) is person

    def affected(self, fault: str) -> Person | None:
        """The one demo person a per-user fault applies to (the last of its profile and route)."""
        profile = {
            "user_missing_from_import": ("eleve", "local"),
            "user_unknown_to_pronote": ("professeur", "local"),
            "educonnect_identity_unmapped": ("parent", "educonnect"),
            # Every ÉduConnect account is asked; the parent's birth date is not in the
            # lab's account list, so the check stops the parent.
            "educonnect_identity_check": ("parent", "educonnect"),
            "pronote_too_many_errors": ("professeur", "local"),
            "space_access_denied": ("personnel", "local"),
            "cas_account_locked": ("eleve", "local"),
            "pronote_second_factor": ("parent", "local"),
            "edifice_user_not_found": ("parent", "educonnect"),
            "edifice_blocked_user": ("eleve", "educonnect"),
            "edifice_several_accounts": ("eleve", "educonnect"),
        }
        wanted, route = profile.get(fault, (None, None))
        candidates = [
            p
            for p in self.people
            if p.profile == wanted
            and p.route == route
            and p.uai == self.establishments[0].uai
            and not p.admin
        ]
        return candidates[-1] if candidates else None

    # -- state changes -------------------------------------------------------
    def reset(self) -> None:
        """The healthy set-up: procedure followed, full import done, nobody connected yet."""
        with self.lock:
            self.faults = []
            with self._posts_lock:
                self._posts = {}
            self.service_registered = True
            for site, (settings, shortcut) in zip(self.establishments, self._baseline, strict=True):
                site.settings = PronoteSettings(**vars(settings))
                site.shortcut = Shortcut(**vars(shortcut)) if shortcut else None
                members = [p for p in self.people if p.uai == site.uai and not p.admin]
                site.users = [PronoteUser(p) for p in members]
                site.imported = {p.uid: p.pronote_id for p in members}
                site.link_requests = []

    def set_faults(self, names: list[str]) -> None:
        """Reset, then switch on each named fault."""
        unknown = [n for n in names if n not in ALL_FAULTS]
        if unknown:
            raise UnknownFaultError(
                f"unknown fault(s): {', '.join(unknown)}; known: {', '.join(ALL_FAULTS)}"
            )
        with self.lock:
            self.reset()
            for name in dict.fromkeys(names):
                self._apply(name)
                self.faults.append(name)

    def _apply(self, name: str) -> None:
        for site in self.establishments:
            s = site.settings
            if name == "msxml_outdated":
                s.msxml_ok = False
            elif name == "wrong_public_url":
                # The seed's own warning: an address copied from the example, not ours.
                s.public_url = s.public_url.replace("/pronote/", "/pronote.net/cas/")
            elif name == "wrong_cas_url":
                s.cas_url = self.cas_url.rstrip("/") + "/cas/"
            elif name == "cas_auth_disabled":
                s.cas_auth_enabled = False
            elif name == "not_published":
                s.published = False
            elif name == "identifier_management_off":
                s.identifier_management = False
            elif name == "double_authentication":
                s.recognition_mode = "double_authentification"
            elif name == "identifiers_not_imported":
                site.imported = {}
            elif name == "shortcut_missing":
                site.shortcut = None
            elif name == "shortcut_direct_url" and site.shortcut:
                site.shortcut.url = site.direct_url
        if name == "service_not_registered":
            self.service_registered = False
        elif name == "user_missing_from_import":
            late = self.affected(name)
            if late:
                self.establishment(late.uai).imported.pop(late.uid, None)
        elif name == "user_unknown_to_pronote":
            unknown = self.affected(name)
            if unknown:
                site = self.establishment(unknown.uai)
                site.users = [u for u in site.users if u.person is not unknown]
        # cas_port_blocked, slow_network, flaky_network act on the transport (lab.runner);
        # the ÉduConnect faults in lab.educonnect and lab.login_routes.

    def import_identifiers(self, uai: str, rows: list[ImportRow], *, full: bool) -> int:
        """The ENT's import (seed part V), matched by profile and "NOM Prénom". Returns matches."""
        site = self.establishment(uai)
        by_name = {
            (p.profile, p.export_name.casefold()): p
            for p in self.people
            if p.uai == uai and not p.admin
        }
        with self.lock:
            if full:
                site.imported = {}
            matched = 0
            for row in rows:
                person = by_name.get((row.profile, row.name.casefold()))
                if person:
                    site.imported[person.uid] = row.code
                    matched += 1
            return matched

    def snapshot(self) -> dict:
        with self.lock:
            return {
                "faults": list(self.faults),
                "service_registered": self.service_registered,
                "wording": self.wording,
                "sites": [  # the establishments, under the key scripts read
                    {
                        "uai": s.uai,
                        "name": s.name,
                        "pronote_generation": s.pronote_generation,
                        "link_requests": len(s.link_requests),
                        "settings": vars(s.settings).copy(),
                        "shortcut": vars(s.shortcut).copy() if s.shortcut else None,
                        "imported": len(s.imported),
                        "users": [
                            {
                                "login": u.person.login,
                                "uid": u.person.uid,
                                "profile": u.person.profile,
                                "id_connexion": u.person.pronote_login,
                                "id_pronote_ent": u.person.pronote_id,
                                "id_cas": u.id_cas,
                            }
                            for u in s.users
                        ],
                    }
                    for s in self.establishments
                ],
            }
