"""Warnings: what slowed or shook a journey without stopping it. They never fail a check."""

from __future__ import annotations

from verdict.cas import safe_url
from verdict.judge.evidence import Evidence
from verdict.observation import Observation
from verdict.target import TargetLike

# When is a journey slow? When the servers' median time per page ("hop_median", which the
# journeys record) is over SLOW_HOP_S and, for the probe, even its fastest step (one
# action and its redirects: two requests or more) took twice that. The probe's steps are
# pure network; the browser's also hold rendering and screenshots, so only the hops count
# there. Two measures, because on a loaded machine CPU contention alone can push the
# median of a healthy lab over the lab threshold, seldom every step as well. On loopback a
# lab hop takes milliseconds and the lab's `slow_network` adds 0.3 s to every request.
# And always when the whole journey took over SLOW_JOURNEY_S.
SLOW_HOP_S = 1.5
LAB_SLOW_HOP_S = 0.28
MIN_TIMED_STEPS = 3
SLOW_JOURNEY_S = 60.0
NOT_STEPS = {"total", "hop_median"}  # timings that are not steps of the journey


def warning_codes(obs: Observation, target: TargetLike, evidence: Evidence) -> list[str]:
    """PN-RESEAU-INSTABLE for requests that succeeded only when retried, PN-RESEAU-LENT,
    PN-CONNEXION-ENT-DEPLACEE for a login page served by a host the settings do not name."""
    codes = []
    if obs.login_moved_to:
        codes.append("PN-CONNEXION-ENT-DEPLACEE")
    if unstable(obs):
        codes.append("PN-RESEAU-INSTABLE")
    if slow(obs, target, evidence):
        codes.append("PN-RESEAU-LENT")
    return codes


def unstable(obs: Observation) -> bool:
    # Retries of the very page the journey failed on are the failure, not instability.
    failed_at = set()
    if not obs.space_reached():
        failed_at = {safe_url(u) for u in (obs.final_url, obs.network_error_url) if u}
    return any(safe_url(retry.url) not in failed_at for retry in obs.retries)


def slow(obs: Observation, target: TargetLike, evidence: Evidence) -> bool:
    hop_s = evidence.slow_hop_s or (LAB_SLOW_HOP_S if target.is_lab else SLOW_HOP_S)
    journey_s = _given(evidence.slow_journey_s, None if target.is_lab else SLOW_JOURNEY_S)
    total = obs.timings.get("total")
    if journey_s is not None and total is not None and total >= journey_s:
        return True
    hop = obs.timings.get("hop_median")
    steps = [s for name, s in obs.timings.items() if name not in NOT_STEPS]
    measures = [] if hop is None else [hop >= hop_s]
    if obs.mode != "browser" and len(steps) >= MIN_TIMED_STEPS:
        measures.append(min(steps) >= 2 * hop_s)
    return bool(measures) and all(measures)


def _given(value: float | None, default: float | None) -> float | None:
    return default if value is None else value
