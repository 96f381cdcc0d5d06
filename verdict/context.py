"""What the accounts checked so far in a run tell about the next one."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from verdict.observation import Observation
from verdict.target import TargetLike


@dataclass
class RunContext:
    """Facts gathered across the accounts checked so far in a run.

    Whether the CAS released the PRONOTE identifier to the *other* accounts of a target,
    and whether they entered with it, tells a missing import (nobody gets it) from one
    user missing (others get it), and an identifier PRONOTE ignores (nobody enters with
    it) from one PRONOTE does not know (others enter with theirs).
    """

    observations: dict[tuple[str, str], Observation] = field(default_factory=dict)
    slow_hop_s: float | None = None  # None: the default threshold (verdict.warnings)
    slow_journey_s: float | None = None  # None: the default (no limit for the lab)

    def add(self, obs: Observation) -> None:
        self.observations[(obs.target, obs.account)] = obs

    @classmethod
    def from_observations(cls, observations: list[Observation], **kwargs: Any) -> RunContext:
        context = cls(**kwargs)
        for obs in observations:
            context.add(obs)
        return context

    def _others(self, target: TargetLike, besides: str) -> list[Observation]:
        return [
            obs
            for (name, login), obs in self.observations.items()
            if name == target.name and login != besides
        ]

    def identifier_released(self, target: TargetLike, *, besides: str) -> tuple[int, int]:
        """(other accounts of *target* that got the identifier, other accounts known)."""
        known = [
            released
            for obs in self._others(target, besides)
            if (released := obs.identifier_released(target.identifier_attribute)) is not None
        ]
        return sum(known), len(known)

    def entered_with_identifier(self, target: TargetLike, *, besides: str) -> int:
        """Other accounts of *target* that got the identifier and reached their space."""
        return sum(
            bool(obs.identifier_released(target.identifier_attribute)) and obs.space_reached()
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
