"""The nights read per establishment: its state each night, since when it is broken, and
what changed from one night to the next (what the alerts say)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from verdict.board.nights import EstablishmentNight, Night

# What a change is called, in the alerts and on the board.
BROKE = "en panne"
REPAIRED = "réparé"
OTHER_CAUSE = "autre cause"
INCONCLUSIVE = "non concluant"


@dataclass(frozen=True)
class Row:
    """One establishment across the nights: `cells[i]` is its state on `nights[i]` (None when
    that night did not judge it)."""

    uai: str
    name: str
    ent: str
    cells: tuple[EstablishmentNight | None, ...]
    latest: EstablishmentNight
    latest_night: str
    broken_since: str | None  # the first night of the not-ok streak that runs to its latest
    cause_since: str | None  # the first night of the same cause, within that streak


@dataclass(frozen=True)
class Change:
    """An establishment whose state or cause differs from the last night that judged it."""

    kind: str  # BROKE, REPAIRED, OTHER_CAUSE or INCONCLUSIVE
    night: str
    now: EstablishmentNight
    before: EstablishmentNight | None
    since: str | None  # broken since (BROKE, OTHER_CAUSE, INCONCLUSIVE) or was since (REPAIRED)


def rows(nights: Sequence[Night]) -> list[Row]:
    """One row per establishment ever judged, the most recent name and ENT kept."""
    seen: dict[str, list[tuple[str, EstablishmentNight]]] = {}
    for night in nights:
        for establishment in night.establishments:
            seen.setdefault(establishment.uai, []).append((night.night, establishment))
    result = []
    for uai, history in seen.items():
        by_night = dict(history)
        latest_night, latest = history[-1]
        broken_since, cause_since = _streak(history)
        result.append(
            Row(
                uai=uai,
                name=latest.name,
                ent=latest.ent,
                cells=tuple(by_night.get(n.night) for n in nights),
                latest=latest,
                latest_night=latest_night,
                broken_since=broken_since,
                cause_since=cause_since,
            )
        )
    return sorted(result, key=lambda r: r.uai)


def changes(nights: Sequence[Night], night: str) -> list[Change]:
    """What *night* changed, per establishment, against the last earlier night that judged it.
    An establishment seen for the first time is a change only when it is not ok; one that
    *night* did not judge (an interrupted run) has no news."""
    current = next((n for n in nights if n.night == night), None)
    if current is None:
        return []
    histories: dict[str, list[tuple[str, EstablishmentNight]]] = {}
    for earlier in nights:
        if earlier.night < night:
            for establishment in earlier.establishments:
                histories.setdefault(establishment.uai, []).append((earlier.night, establishment))
    found = []
    for now in current.establishments:
        history = histories.get(now.uai, [])
        before = history[-1][1] if history else None
        kind = _kind(before, now)
        if kind is None:
            continue
        if kind == REPAIRED:
            since, _ = _streak(history)
        else:
            since, _ = _streak([*history, (night, now)])
        found.append(Change(kind=kind, night=night, now=now, before=before, since=since))
    return found


def _kind(before: EstablishmentNight | None, now: EstablishmentNight) -> str | None:
    if before is None:
        return None if now.state == "ok" else _bad(now)
    if (before.state, before.cause) == (now.state, now.cause):
        return None
    if now.state == "ok":
        return REPAIRED
    if before.state == now.state:
        return OTHER_CAUSE
    return _bad(now)


def _bad(now: EstablishmentNight) -> str:
    return BROKE if now.state == "panne" else INCONCLUSIVE


def _streak(history: Sequence[tuple[str, EstablishmentNight]]) -> tuple[str | None, str | None]:
    """The first night of the not-ok streak ending with *history*'s last, and the first night
    of its last cause; (None, None) when the last is ok."""
    if not history or history[-1][1].state == "ok":
        return None, None
    broken = cause = history[-1][0]
    last = history[-1][1]
    same_cause = True
    for night, establishment in reversed(history):
        if establishment.state == "ok":
            break
        broken = night
        same_cause = same_cause and (establishment.state, establishment.cause) == (
            last.state,
            last.cause,
        )
        if same_cause:
            cause = night
    return broken, cause
