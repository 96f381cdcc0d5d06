"""The judge: the one place a verdict is decided, from all the evidence of a target.

`judge(obs, target, evidence)` takes one account's observation, its target and the run's
evidence for that target (every account's observation, the identifiers file, what the
preflight read: `Evidence`) and returns the whole `Verdict`: the outcome, one `Diagnosis`
(`verdict.catalogue`: a stable code, French texts, the step of the set-up procedure to
revisit), the other causes the same evidence allows, the warnings, what was seen, and the
evidence the reports show. It is called once a target's journeys have all ended, so a
verdict never depends on which journey ended first; `summary.json`, Allure and the PV
read the verdict and nothing else.

Inside: `rules` picks the cause, protocol evidence first, texts (`verdict.wording`)
second; `warnings` what slowed or shook a journey; `details` what the French "Constaté"
says. A timeout alone proves nothing: it is reported with what the page showed.

    python -m verdict.docs          # the catalogue as a Markdown table
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from audit import Row
from verdict.catalogue import CATALOGUE, Diagnosis
from verdict.judge.details import details
from verdict.judge.evidence import Evidence
from verdict.judge.rules import classify
from verdict.judge.warnings import warning_codes
from verdict.observation import Observation
from verdict.target import TargetLike

__all__ = [
    "CATALOGUE",
    "Diagnosis",
    "Evidence",
    "Verdict",
    "judge",
    "message",
]

Outcome = Literal["passed", "failed"]
MISSING_FROM_FILE = "PN-COMPTE-ABSENT-FICHIER"


@dataclass(frozen=True)
class Verdict:
    """What one account's check concludes, and the evidence the reports show for it."""

    outcome: Outcome
    diagnosis: Diagnosis | None
    alternatives: list[Diagnosis] = field(default_factory=list)
    warnings: list[Diagnosis] = field(default_factory=list)
    details: str = ""
    observation: Observation | None = None  # what was judged
    identifier_released: bool | None = None  # the PRONOTE identifier attribute, by the CAS
    file_row: Row | None = None  # the account's line of the identifiers file, when found
    file_checked: bool = False  # the account was looked up in an identifiers file

    @property
    def code(self) -> str | None:
        return self.diagnosis.code if self.diagnosis else None

    @property
    def cas_user(self) -> str | None:
        """The Identifiant CAS PRONOTE stores for this account (our own validation's cas:user)."""
        validation = self.observation.cas_validation if self.observation else None
        return validation.user if validation is not None and validation.ok else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "diagnosis": asdict(self.diagnosis) if self.diagnosis else None,
            "alternatives": [d.code for d in self.alternatives],
            "warnings": [d.code for d in self.warnings],
            "details": self.details,
        }


def judge(obs: Observation, target: TargetLike, evidence: Evidence | None = None) -> Verdict:
    """The verdict on *obs*: only a PRONOTE space, without any prompt, passes.

    An account missing from the identifiers file fails a check that passed otherwise
    (`PN-COMPTE-ABSENT-FICHIER`), and is an alternative cause of a failing one; an account
    the preflight kept from being checked is not looked up.
    """
    evidence = evidence or Evidence()
    warnings = [CATALOGUE[c] for c in warning_codes(obs, target, evidence)]
    code, alternatives = classify(obs, target, evidence)
    checked = evidence.identifiers is not None and obs.mode != "preflight"
    row = evidence.file_row(obs, target) if checked else None
    if checked and row is None:
        if code is None:
            code = MISSING_FROM_FILE
        else:
            alternatives = [*alternatives, MISSING_FROM_FILE]
    alternatives = [a for a in dict.fromkeys(alternatives) if a != code]
    return Verdict(
        "passed" if code is None else "failed",
        CATALOGUE[code] if code else None,
        [CATALOGUE[a] for a in alternatives],
        warnings,
        details(obs, target, code, evidence),
        observation=obs,
        identifier_released=obs.identifier_released(evidence.attribute(target)),
        file_row=row,
        file_checked=checked,
    )


def message(verdict: Verdict) -> str:
    """One French paragraph for the report.

    "[CODE] Titre — explication. À corriger : … (procédure : étape). Constaté : …"
    """
    d = verdict.diagnosis
    if d is None:
        text = "Réussi : PRONOTE s'ouvre depuis l'ENT sans demander d'identifiant PRONOTE."
    else:
        fix = d.fix[:1].lower() + d.fix[1:].rstrip(".")
        text = (
            f"[{d.code}] {d.title} — {_sentence(d.explanation)} À corriger : {fix} "
            f"(procédure : {d.step})."
        )
        if verdict.alternatives:
            others = " ; ".join(f"[{a.code}] {a.title}" for a in verdict.alternatives)
            text += f" Autres causes possibles : {others}."
    if verdict.warnings:
        text += (
            " Avertissements : "
            + " ; ".join(f"[{w.code}] {w.title}" for w in verdict.warnings)
            + "."
        )
    if verdict.details:
        text += f" Constaté : {_sentence(verdict.details)}"
    return text


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?", "»")) else text + "."
