"""What a journey's observation means: the verdict, and its message for school staff.

Every failing check names one `Diagnosis` (`verdict.catalogue`: a stable code, French
texts, the step of the set-up procedure to revisit) and lists the other causes the
same evidence allows; `verdict.rules` picks them from protocol evidence first, texts
(`verdict.wording`) second. A timeout alone proves nothing: it is reported with what
the page showed.

    python -m verdict.docs          # the catalogue as a Markdown table
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal

from verdict.catalogue import CATALOGUE, Diagnosis
from verdict.context import RunContext
from verdict.details import details
from verdict.identifiers import IdentifiersFile, Row, lookup
from verdict.observation import Observation
from verdict.rules import classify
from verdict.target import TargetLike
from verdict.warnings import warning_codes
from verdict.wording import Wording

__all__ = [
    "CATALOGUE",
    "Diagnosis",
    "RunContext",
    "Verdict",
    "check_identifiers_file",
    "diagnose",
    "message",
]

Outcome = Literal["passed", "failed"]


@dataclass(frozen=True)
class Verdict:
    """What one account's check concludes."""

    outcome: Outcome
    diagnosis: Diagnosis | None
    alternatives: list[Diagnosis] = field(default_factory=list)
    warnings: list[Diagnosis] = field(default_factory=list)
    details: str = ""

    @property
    def code(self) -> str | None:
        return self.diagnosis.code if self.diagnosis else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "diagnosis": asdict(self.diagnosis) if self.diagnosis else None,
            "alternatives": [d.code for d in self.alternatives],
            "warnings": [d.code for d in self.warnings],
            "details": self.details,
        }


def diagnose(
    obs: Observation,
    *,
    target: TargetLike,
    context: RunContext | None = None,
    wording: Wording | None = None,
) -> Verdict:
    """Name the cause of what *obs* shows; only a PRONOTE space, without any prompt, passes."""
    context = context or RunContext()
    warnings = [CATALOGUE[c] for c in warning_codes(obs, target, context)]
    code, alternatives = classify(obs, target, context, wording or Wording())
    if code is None:
        return Verdict("passed", None, [], warnings, details(obs, target, None, context))
    alternatives = [a for a in dict.fromkeys(alternatives) if a != code]
    return Verdict(
        "failed",
        CATALOGUE[code],
        [CATALOGUE[a] for a in alternatives],
        warnings,
        details(obs, target, code, context),
    )


def check_identifiers_file(
    verdict: Verdict,
    obs: Observation,
    target: TargetLike,
    display_name: str | None,
    f: IdentifiersFile,
) -> tuple[Verdict, Row | None]:
    """Look the account up in PRONOTE's export: by released code, Id. CAS, then name.

    An account missing from the file fails a check that passed otherwise
    (`PN-COMPTE-ABSENT-FICHIER`), and is an alternative cause of a failing one. A
    released code the export does not hold is one PRONOTE cannot know.
    """
    validation = obs.cas_validation if obs.cas_validation and obs.cas_validation.ok else None
    code = validation.attribute(target.identifier_attribute) if validation else None
    if (
        code
        and verdict.code == "PN-GESTION-IDENTIFIANTS-DESACTIVEE"
        and not lookup(f, pronote_id=code)
    ):
        unknown = CATALOGUE["PN-UTILISATEUR-INCONNU-PRONOTE"]
        others = [d for d in verdict.alternatives if d.code != unknown.code]
        verdict = replace(
            verdict, diagnosis=unknown, alternatives=[CATALOGUE[verdict.code], *others]
        )
    names: list[str] = []
    if display_name:
        words = display_name.split()
        names = [display_name, " ".join(words[1:] + words[:1])]  # "Léa MARTIN", "MARTIN Léa"
    row = (
        (lookup(f, pronote_id=code) if code else None)
        or (lookup(f, cas_id=validation.user) if validation and validation.user else None)
        or next((r for n in names if (r := lookup(f, name=n))), None)
    )
    if row is not None:
        return verdict, row
    missing = CATALOGUE["PN-COMPTE-ABSENT-FICHIER"]
    if verdict.outcome == "passed":
        return replace(verdict, outcome="failed", diagnosis=missing), None
    return replace(verdict, alternatives=[*verdict.alternatives, missing]), None


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


if __name__ == "__main__":
    from verdict.docs import main

    raise SystemExit(main())
