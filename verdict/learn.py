"""What a run learns from its good logins: the facts only a login shows.

Public answers (`e2e/discover.py`) cannot tell which CAS attribute carries the PRONOTE
identifier, nor how the portal labels its Pronote shortcut. A login that reached its PRONOTE
space shows both: the attributes our own `p3/serviceValidate` saw released to PRONOTE's
service, and the portal link that led to the PRONOTE.net host. Each value is the one most
good logins agree on; a tie teaches nothing. The choice reads every observation of a target
at once, so it is the same whichever journey ended first.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from verdict.observation import Observation

# "Id. PRONOTE-ENT": the 16-character code of PRONOTE's identifiers export (DOMAIN.md).
PRONOTE_ID = re.compile(r"[A-Z0-9]{16}")


@dataclass(frozen=True)
class LoginSeen:
    """What learning reads of one account's journey: small enough to travel from a pytest-xdist
    worker to the controller, which learns once from every process's journeys."""

    account: str
    good: bool  # the journey reached a PRONOTE space: PRONOTE recognised the user
    attributes: dict[str, list[str]] | None = None  # released to PRONOTE, when validated
    shortcut_label: str | None = None
    shortcut_found_by: str | None = None
    shortcut_url: str | None = None


def seen(obs: Observation) -> LoginSeen:
    validation = obs.cas_validation
    return LoginSeen(
        account=obs.account,
        good=obs.space_reached(),
        attributes=dict(validation.attributes) if validation and validation.ok else None,
        shortcut_label=obs.shortcut_label,
        shortcut_found_by=obs.shortcut_found_by,
        shortcut_url=obs.shortcut_url,
    )


@dataclass(frozen=True)
class Learnt:
    """One value learnt (or not) from a target's good logins, with its evidence in French."""

    key: str  # the settings key it would fill: "identifier_attribute", "shortcut_label"
    value: str | None  # None: nothing learnt (no good login showed it, or a tie)
    evidence: str = ""
    warning: str | None = None  # why nothing was learnt, when the logins disagree


def good_logins(logins: Iterable[LoginSeen]) -> list[LoginSeen]:
    """The logins that reached a PRONOTE space, in account order (whichever ended first)."""
    return sorted((login for login in logins if login.good), key=lambda login: login.account)


def _choose(key: str, votes: Counter[str], logins: int, how: str) -> Learnt:
    """The value most logins agree on; a tie at the top teaches nothing."""
    if not votes:
        return Learnt(key, None)
    ranked = votes.most_common()
    best, count = ranked[0]
    tied = sorted(value for value, n in ranked if n == count)
    if len(tied) > 1:
        counts = ", ".join(f"{value} ({count})" for value in tied)
        return Learnt(
            key,
            None,
            warning=f"{key} non appris : les connexions réussies se partagent à égalité "
            f"entre {counts} ; renseignez-le",
        )
    return Learnt(key, best, f"{how}, {count} connexion(s) réussie(s) sur {logins}")


def identifier_attribute(
    observations: Iterable[LoginSeen], known_codes: Collection[str] | None = None
) -> Learnt:
    """The CAS attribute released to PRONOTE whose value PRONOTE stores as its identifier.

    Each good login votes for every attribute of its ticket validation whose value is a
    PRONOTE identifier: one of *known_codes* (the identifiers file's "Id. PRONOTE-ENT"
    column) when given, else a 16-character A-Z0-9 code.
    """
    logins = [login for login in good_logins(observations) if login.attributes is not None]
    votes: Counter[str] = Counter()
    for login in logins:
        for name, values in (login.attributes or {}).items():
            present = [v for v in values if v]
            if not present:
                continue
            if known_codes is not None:
                fits = any(v in known_codes for v in present)
            else:
                fits = all(PRONOTE_ID.fullmatch(v) for v in present)
            if fits:
                votes[name] += 1
    how = "attribut de la réponse p3/serviceValidate pour PRONOTE dont la valeur est un " + (
        "identifiant du fichier des identifiants PRONOTE"
        if known_codes is not None
        else "identifiant PRONOTE (16 caractères A-Z0-9)"
    )
    return _choose("identifier_attribute", votes, len(logins), how)


def shortcut_label(observations: Iterable[LoginSeen], pronote_hosts: Collection[str]) -> Learnt:
    """The label of the portal link that led a good login to the PRONOTE.net host."""
    logins = good_logins(observations)
    votes: Counter[str] = Counter(
        login.shortcut_label
        for login in logins
        if login.shortcut_label
        and login.shortcut_found_by == "href"
        and urlsplit(login.shortcut_url or "").netloc in pronote_hosts
    )
    hosts = ", ".join(sorted(pronote_hosts))
    return _choose(
        "shortcut_label", votes, len(logins), f"lien du portail vers {hosts} suivi jusqu'à l'espace"
    )
