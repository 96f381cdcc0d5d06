"""The nights kept: `reports/nights.jsonl`, one JSON object per run, newest last.

A line is small and holds no login and no password, only what the board and the alerts need:

    {"format": 1, "night": "<the run's started_at>", "interrupted": false,
     "report": "allure-report/index.html",
     "establishments": [{"uai": "0310001A", "name": "Collège …", "ent": "ent.example.fr",
                         "state": "panne", "accounts": 4, "failed": 2, "skipped": 0,
                         "diagnoses": {"PN-…": 2}, "pv": "pv/0310001A.html"}]}

`state` is `ok` (every account passed), `panne` (an account failed) or `non_concluant` (none
failed, some were "non vérifié": the preflight found the ENT or the CAS unreachable, logins
were stopped, the run ended before them); `skipped` counts those accounts, apart from
`failed`.
Links are relative to the reports folder, where the board is written.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from verdict.record import FAILED, NOT_VERIFIED
from verdict.record import STATES as STATES_OF_OUTCOMES
from verdict.target import UAI

FORMAT = 1
NIGHTS_FILE = "nights.jsonl"
REPORT_LINK = "allure-report/index.html"
STATES = ("ok", "panne", "non_concluant")


class NightsError(Exception):
    """A summary or a nights file that cannot be read: one French line says which and why."""


@dataclass(frozen=True)
class EstablishmentNight:
    """One establishment on one night."""

    uai: str
    name: str
    ent: str
    state: str
    accounts: int
    failed: int = 0
    skipped: int = 0
    diagnoses: dict[str, int] = field(default_factory=dict)
    pv: str | None = None

    @property
    def cause(self) -> tuple[str, ...]:
        """The codes that make it not ok, in a stable order: a new code is another cause."""
        return tuple(sorted(self.diagnoses)) if self.state != "ok" else ()

    @property
    def diagnosis(self) -> str | None:
        """The most frequent code (ties by code), what a reader sees first."""
        if not self.diagnoses or self.state == "ok":
            return None
        return min(self.diagnoses, key=lambda code: (-self.diagnoses[code], code))


@dataclass(frozen=True)
class Night:
    """One run: when it started, whether it was cut short, and each establishment it judged."""

    night: str
    establishments: tuple[EstablishmentNight, ...]
    interrupted: bool = False
    report: str | None = REPORT_LINK

    def to_json(self) -> str:
        data = {
            "format": FORMAT,
            "night": self.night,
            "interrupted": self.interrupted,
            "report": self.report,
            "establishments": [asdict(e) for e in self.establishments],
        }
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Night:
        return cls(
            night=str(data["night"]),
            interrupted=bool(data.get("interrupted", False)),
            report=data.get("report"),
            establishments=tuple(
                EstablishmentNight(**{**e, "diagnoses": dict(e.get("diagnoses") or {})})
                for e in data["establishments"]
            ),
        )


def _state(result: dict[str, Any]) -> str:
    """An account's state; a summary written before states existed has its outcome only."""
    return str(result.get("state") or STATES_OF_OUTCOMES.get(str(result.get("outcome")), FAILED))


def night_from_summary(summary: dict[str, Any], reports: Path | None = None) -> Night:
    """The night a `summary.json` describes. *reports*: the folder it sits in, where the
    report and the PVs are looked for (a link is kept only to a file that is there)."""
    started = summary.get("started_at")
    results = summary.get("results")
    if not started or not isinstance(results, list):
        raise NightsError("ce summary.json n'a pas de « started_at » ou de « results ».")
    targets = {str(t.get("name")): t for t in summary.get("targets") or [] if isinstance(t, dict)}
    by_target: dict[str, list[dict[str, Any]]] = {}
    for result in results:
        by_target.setdefault(str(result.get("target", "")), []).append(result)
    establishments = []
    for name, accounts in sorted(by_target.items()):
        target = targets.get(name, {})
        uai = str(target.get("uai") or _uai(name))
        # By the account's state: a "non vérifié" account is counted apart, never as failed.
        states = [_state(a) for a in accounts]
        failed, skipped = states.count(FAILED), states.count(NOT_VERIFIED)
        state = "panne" if failed else "non_concluant" if skipped else "ok"
        judged = FAILED if failed else NOT_VERIFIED
        diagnoses = Counter(
            str(a.get("diagnosis") or "PN-INCONNU") for a in accounts if _state(a) == judged
        )
        pv = f"pv/{uai}.html"
        establishments.append(
            EstablishmentNight(
                uai=uai,
                name=UAI.sub("", name).strip() or name,
                ent=_host(target.get("ent_url")),
                state=state if state in STATES else "panne",
                accounts=len(accounts),
                failed=failed,
                skipped=skipped,
                diagnoses=dict(sorted(diagnoses.items())) if state != "ok" else {},
                pv=pv if reports is not None and (reports / pv).is_file() else None,
            )
        )
    report = REPORT_LINK if reports is None or (reports / REPORT_LINK).is_file() else None
    return Night(
        night=str(started),
        establishments=tuple(establishments),
        interrupted=bool(summary.get("interrupted")) or summary.get("status") == "en cours",
        report=report,
    )


def read_summary(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise NightsError(f"{path} : fichier introuvable.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise NightsError(f"{path} : fichier illisible ({exc.__class__.__name__}).") from None
    except json.JSONDecodeError as exc:
        raise NightsError(f"{path} : JSON invalide (ligne {exc.lineno}).") from None
    if not isinstance(data, dict):
        raise NightsError(f"{path} : un objet JSON est attendu (avec « results »).")
    return data


def read_nights(path: Path) -> list[Night]:
    """The nights of *path*, oldest first (none when the file does not exist yet)."""
    if not path.exists():
        return []
    nights = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise NightsError(f"{path} : fichier illisible ({exc.__class__.__name__}).") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            nights.append(Night.from_dict(json.loads(line)))
        except (json.JSONDecodeError, KeyError, TypeError, ValueError):
            raise NightsError(f"{path}, ligne {number} : nuit illisible.") from None
    return sorted(nights, key=lambda n: n.night)


def record_night(path: Path, night: Night) -> bool:
    """Add *night* to *path*; a night already there (same start) is replaced, not doubled.
    Returns whether the night is new."""
    nights = read_nights(path)
    new = all(n.night != night.night for n in nights)
    kept = sorted([*(n for n in nights if n.night != night.night), night], key=lambda n: n.night)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".tmp")
    partial.write_text("".join(n.to_json() + "\n" for n in kept), encoding="utf-8")
    partial.replace(path)  # a crash while writing leaves the previous nights whole
    return new


def _uai(name: str) -> str:
    found = UAI.match(name)
    if found:
        return found.group(1)
    from slugify import slugify

    return slugify(name) or "etablissement"


def _host(url: Any) -> str:
    host = urlsplit(str(url or "")).hostname
    return host or "ENT inconnu"
