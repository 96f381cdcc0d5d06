"""Simulated nights of an académie: 50 establishments behind two ENTs, 4 accounts each, with
faults switched on and off from one night to the next. Each night's `summary.json` is written
by the verifier's own RunRecorder, as `pytest e2e/` writes it.

`SCHEDULE[uai][n]` is what night n holds for that establishment: None (healthy), a code (two
of its four accounts fail with it), ("skipped", code) (the preflight found the ENT down:
every account skipped) or "absent" (the night did not judge it).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from verdict.record import AccountResult, RunRecorder

NIGHTS = 7
ESTABLISHMENTS = 50
FIRST_NIGHT = datetime.fromisoformat("2026-11-27T02:17:00+01:00")
ENTS = ("ent.occitanie.example", "ecollege.example")
CODES = ("PN-RACCOURCI-ABSENT", "PN-SERVICE-NON-AUTORISE", "PN-IDENTIFIANTS-NON-IMPORTES")
DOWN = ("skipped", "PN-ENT-INJOIGNABLE")
PROFILES = ("eleve", "parent", "professeur", "personnel")

Cell = Any  # None | str | tuple[str, str] | "absent"


def uai(n: int) -> str:
    return f"{310000 + n:07d}{'ABCDEFGHJK'[n % 10]}"


def night_start(n: int) -> str:
    return (FIRST_NIGHT + timedelta(days=n)).isoformat()


def ent_of(n: int) -> str:
    return ENTS[0] if n % 3 == 0 else ENTS[1]


def _schedule() -> dict[str, list[Cell]]:
    rng = random.Random(24)
    schedule: dict[str, list[Cell]] = {}
    for n in range(ESTABLISHMENTS):
        nights: list[Cell] = []
        state: Cell = None
        for _ in range(NIGHTS):
            roll = rng.random()
            if state is None and roll < 0.25:
                state = rng.choice(CODES)
            elif state is not None and roll < 0.3:
                state = None
            elif state is not None and roll < 0.45:
                state = rng.choice([c for c in CODES if c != state])
            nights.append(state)
        schedule[uai(n)] = nights
    # Cases named on purpose, beside the random ones.
    schedule[uai(0)] = [CODES[0]] * NIGHTS  # broken since the first night kept
    schedule[uai(1)] = [None, CODES[0], CODES[0], None, None, CODES[1], CODES[1]]  # again
    schedule[uai(2)] = [None, None, CODES[0], CODES[1], CODES[2], CODES[2], CODES[2]]  # causes
    schedule[uai(3)] = [None] * NIGHTS  # never broken
    schedule[uai(4)] = [None, None, None, DOWN, DOWN, CODES[0], None]  # down, broken, repaired
    schedule[uai(5)] = [None, CODES[1], "absent", CODES[1], CODES[1], CODES[1], CODES[1]]
    schedule[uai(6)] = [None, None, None, None, None, None, CODES[2]]  # broken tonight
    return schedule


SCHEDULE = _schedule()


def state_of(cell: Cell) -> str:
    if cell is None:
        return "ok"
    if cell == "absent":
        return "absent"
    return "non_concluant" if isinstance(cell, tuple) else "panne"


def write_night(n: int, folder: Path) -> Path:
    """Night *n*'s `summary.json` in *folder*, written by RunRecorder."""
    recorder = RunRecorder(folder)
    targets = []
    for k in range(ESTABLISHMENTS):
        code = uai(k)
        cell = SCHEDULE[code][n]
        if cell == "absent":
            continue
        name = f"{code} Collège numéro {k}"
        targets.append(
            {
                "name": name,
                "uai": code,
                "ent_url": f"https://{ent_of(k)}/",
                "cas_url": f"https://cas.{ent_of(k)}/",
                "pronote_url": f"https://{code.lower()}.index-education.net/pronote/",
                "is_lab": False,
                "preflight": [],
            }
        )
        for p, profile in enumerate(PROFILES):
            if cell is None:
                outcome, diagnosis = "passed", None
            elif isinstance(cell, tuple):
                outcome, diagnosis = cell
            else:
                outcome, diagnosis = ("failed", cell) if p < 2 else ("passed", None)
            recorder.add(
                AccountResult(
                    target=name,
                    account=f"test.{profile}{k}",
                    profile=profile,
                    outcome=outcome,
                    diagnosis=diagnosis,
                    timings={"total": 2.0},
                )
            )
    return recorder.write_summary({"started_at": night_start(n), "targets": targets})


def first_broken(code: str, upto: int = NIGHTS - 1) -> int | None:
    """The oracle: the first night of the not-ok streak that ends with the last night that
    judged *code* (absent nights neither break nor end a streak)."""
    judged = [(n, state_of(c)) for n, c in enumerate(SCHEDULE[code][: upto + 1])]
    judged = [(n, s) for n, s in judged if s != "absent"]
    if not judged or judged[-1][1] == "ok":
        return None
    first = judged[-1][0]
    for n, state in reversed(judged):
        if state == "ok":
            break
        first = n
    return first
