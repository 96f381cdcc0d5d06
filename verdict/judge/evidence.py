"""Everything a run knows of one target once its journeys are all done: the judge's input."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from audit import IdentifiersFile, Row, lookup
from verdict.observation import Observation
from verdict.target import TargetLike
from verdict.wording import Wording


@dataclass(frozen=True)
class Evidence:
    """One target's evidence, complete: every account's observation, the identifiers file,
    what the preflight read, and how the run reads pages and time.

    Whether the CAS released the PRONOTE identifier to the *other* accounts of the target,
    and whether they entered with it, tells a missing import (nobody gets it) from one user
    missing (others get it), and an identifier PRONOTE ignores (nobody enters with it) from
    one PRONOTE does not know (others enter with theirs). The evidence is gathered once the
    target's journeys have all ended, so it is the same whichever journey ended first.
    """

    observations: tuple[Observation, ...] = ()
    identifiers: IdentifiersFile | None = None  # PRONOTE's export (VERIFIER_IDENTIFIERS_FILE)
    names: Mapping[str, str] = field(default_factory=dict)  # login → the name PRONOTE shows
    pronote_cas_active: bool | None = None  # the preflight's infoMobileApp.json: CAS.actif
    wording: Wording = field(default_factory=Wording)
    slow_hop_s: float | None = None  # None: the default threshold (verdict.judge.warnings)
    slow_journey_s: float | None = None  # None: the default (no limit for the lab)
    # The attribute a zero-configuration run learnt from the target's good logins (where the
    # user set none; `verdict.learn`): PRONOTE's administrator names it, the logins show it.
    identifier_attribute: str | None = None

    def attribute(self, target: TargetLike) -> str:
        """The CAS attribute carrying the PRONOTE identifier, as the judge reads it: the one
        learnt from the target's good logins, else the target's (set or default)."""
        return self.identifier_attribute or target.identifier_attribute

    def observation_of(self, target: TargetLike, account: str) -> Observation | None:
        """What *account* of *target* observed, when the run has it."""
        return next(
            (o for o in self.observations if o.target == target.name and o.account == account),
            None,
        )

    def _others(self, target: TargetLike, besides: str) -> list[Observation]:
        return [
            obs for obs in self.observations if obs.target == target.name and obs.account != besides
        ]

    def identifier_released(self, target: TargetLike, *, besides: str) -> tuple[int, int]:
        """(other accounts of *target* that got the identifier, other accounts known)."""
        known = [
            released
            for obs in self._others(target, besides)
            if (released := obs.identifier_released(self.attribute(target))) is not None
        ]
        return sum(known), len(known)

    def entered_with_identifier(self, target: TargetLike, *, besides: str) -> int:
        """Other accounts of *target* that got the identifier and reached their space."""
        return sum(
            bool(obs.identifier_released(self.attribute(target))) and obs.space_reached()
            for obs in self._others(target, besides)
        )

    def educonnect_accepted(self, target: TargetLike, *, besides: str, certificate: str) -> bool:
        """Whether the ENT accepted another account's ÉduConnect return signed the same way."""
        return any(
            obs.login_route == "educonnect"
            and obs.reached_portal
            and (obs.saml_response or {}).get("certificate_sha256") == certificate
            for obs in self._others(target, besides)
        )

    def released_code(self, obs: Observation, target: TargetLike) -> str | None:
        """The PRONOTE identifier the CAS released for *obs*'s account, if our validation saw one."""
        validation = obs.cas_validation
        if validation is None or not validation.ok:
            return None
        return validation.attribute(self.attribute(target)) or None

    def file_row(self, obs: Observation, target: TargetLike) -> Row | None:
        """The account's line of the identifiers file: by released code, Id. CAS, then name."""
        f = self.identifiers
        if f is None:
            return None
        code = self.released_code(obs, target)
        validation = obs.cas_validation if obs.cas_validation and obs.cas_validation.ok else None
        names: list[str] = []
        if name := self.names.get(obs.account):
            words = name.split()
            names = [name, " ".join(words[1:] + words[:1])]  # "Léa MARTIN", "MARTIN Léa"
        return (
            (lookup(f, pronote_id=code) if code else None)
            or (lookup(f, cas_id=validation.user) if validation and validation.user else None)
            or next((r for n in names if (r := lookup(f, name=n))), None)
        )

    def code_missing_from_file(self, obs: Observation, target: TargetLike) -> bool:
        """The CAS released a code the identifiers file does not hold: PRONOTE cannot know it."""
        code = self.released_code(obs, target)
        return (
            bool(code)
            and self.identifiers is not None
            and not lookup(self.identifiers, pronote_id=code)
        )
