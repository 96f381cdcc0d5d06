"""What a run records: `reports/summary.json`, the console summary, Allure's environment and categories."""

from __future__ import annotations

import json
import platform
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from verdict.judge import Verdict, message
from verdict.observation import Observation
from verdict.report_view import profile_group
from verdict.target import TargetLike

# An account's state in summary.json: what its outcome means for the establishment. An
# account not verified (no credential sent) is never counted as failed.
PASSED, FAILED, NOT_VERIFIED = "passed", "failed", "non_verifie"
STATES = {"passed": PASSED, "failed": FAILED, "broken": FAILED, "skipped": NOT_VERIFIED}
# Why an account was not verified, in the words of the reports.
RUN_END = "fin du run : la vérification a été interrompue avant ce compte"


def preflight_stopped(code: str | None) -> str:
    """The reason of an account whose target failed its preflight's hard checks."""
    return f"vérifications préalables en échec ({code or 'PN-INCONNU'}) : aucune connexion tentée"


def logins_stopped(code: str | None, stopper: str) -> str:
    """The reason of an account whose target's logins were stopped by another's answer."""
    return (
        f"connexions à l'établissement arrêtées après {code or 'PN-INCONNU'} "
        f"(compte {stopper}) : aucun mot de passe envoyé"
    )


def not_verified_message(reason: str, message: str = "") -> str:
    """The skip message of an account not verified: Allure's category matches its start."""
    return f"Non vérifié — {reason}" + (f". {message}" if message else "")


@dataclass
class AccountResult:
    """One account checked: the contract of `reports/summary.json` (one object per account)."""

    target: str
    account: str
    profile: str
    outcome: str  # passed, failed or skipped
    state: str = ""  # passed, failed or non_verifie (from the outcome when not given)
    reason: str = ""  # why it is non_verifie, in French
    diagnosis: str | None = None
    alternatives: list[str] = field(default_factory=list)  # the other causes the evidence allows
    warnings: list[str] = field(default_factory=list)
    cas_user: str | None = None
    timings: dict[str, float] = field(default_factory=dict)
    mode: str = "browser"  # or "probe": plain HTTP, no browser evidence
    login_family: str | None = None  # the login route walked (e2e/routes/), once recognised
    identifier_released: bool | None = None
    final_url: str | None = None
    retries: list[dict[str, str]] = field(default_factory=list)  # {"url", "cause"}
    # The journey's steps: {"name", "title", "seconds", "screenshot"} (a file under the
    # report folder, for the acceptance record), and the diagnosis in full for people.
    steps: list[dict[str, Any]] = field(default_factory=list)
    diagnosis_detail: dict[str, str] | None = None
    details: str = ""
    message: str = ""

    def __post_init__(self) -> None:
        if not self.state:  # a record written before states existed
            self.state = STATES.get(self.outcome, FAILED)

    @classmethod
    def from_verdict(
        cls,
        target: TargetLike,
        account_login: str,
        profile: str,
        verdict: Verdict,
        *,
        skipped: bool = False,
        reason: str = "",
    ) -> AccountResult:
        """The record of one account: what the judge concluded, and the evidence it kept.

        *skipped*: the account was not verified (no credential sent), for *reason*; the
        verdict names the cause.
        """
        obs = verdict.observation or Observation(target.name, account_login, profile)
        outcome = "skipped" if skipped else verdict.outcome
        return cls(
            target=target.name,
            account=account_login,
            profile=profile,
            outcome=outcome,
            reason=reason if skipped else "",
            diagnosis=verdict.code,
            alternatives=[d.code for d in verdict.alternatives],
            warnings=[w.code for w in verdict.warnings] + list(obs.warnings),
            cas_user=verdict.cas_user,
            timings=dict(obs.timings),
            mode=obs.mode,
            login_family=obs.login_family,
            identifier_released=verdict.identifier_released,
            final_url=obs.final_url,
            retries=[{"url": r.url, "cause": r.cause} for r in obs.retries],
            diagnosis_detail=(
                {
                    "code": verdict.diagnosis.code,
                    "title": verdict.diagnosis.title,
                    "explanation": verdict.diagnosis.explanation,
                    "fix": verdict.diagnosis.fix,
                    "step": verdict.diagnosis.step,
                }
                if verdict.diagnosis is not None
                else None
            ),
            # A pass keeps what was seen only when it carries a warning (the host a moved
            # login answered from, the requests retried): what the warning is about.
            details=verdict.details if outcome != "passed" or verdict.warnings else "",
            message="" if outcome == "passed" and not verdict.warnings else message(verdict),
        )

    @classmethod
    def not_reached(cls, target: str, account: str, profile: str) -> AccountResult:
        """An account the run ended before: nothing was observed, nothing is concluded."""
        return cls(
            target=target,
            account=account,
            profile=profile,
            outcome="skipped",
            state=NOT_VERIFIED,
            reason=RUN_END,
            message=not_verified_message(RUN_END),
        )

    def console_line(self) -> str:
        mark = {PASSED: "OK ", FAILED: "KO ", NOT_VERIFIED: "NV "}.get(self.state, "?? ")
        parts = [f"{mark}{self.target} | {self.profile:<10} | {self.account:<24}"]
        parts.append(self.diagnosis or "-")
        if self.reason:
            parts.append(f"non vérifié : {self.reason}")
        if self.cas_user:
            parts.append(f"Id. CAS {self.cas_user}")
        if "total" in self.timings:
            parts.append(f"{self.timings['total']:.1f} s")
        if self.warnings:
            parts.append(f"{len(self.warnings)} avertissement(s)")
        return " | ".join(parts)


class RunRecorder:
    """Collects one AccountResult per account and writes the run's records at the end."""

    def __init__(self, report_dir: Path) -> None:
        self.report_dir = report_dir
        self.results: list[AccountResult] = []

    def add(self, result: AccountResult) -> None:
        self.results = [
            r for r in self.results if (r.target, r.account) != (result.target, result.account)
        ]
        self.results.append(result)

    def write_summary(self, run: dict[str, Any] | None = None) -> Path:
        """`summary.json`: the run (*run*: start time, version, targets and their preflight,
        identifiers audit) and one object per account under `results`, sorted by target then
        account so that merged shards equal one run."""
        self.report_dir.mkdir(parents=True, exist_ok=True)
        path = self.report_dir / "summary.json"
        # The failure message is in the report and the console; the summary keeps the code.
        results = sorted(self.results, key=lambda r: (r.target, r.account))
        records = [{k: v for k, v in asdict(r).items() if k != "message"} for r in results]
        summary = {**(run or {}), "totals": totals(records), "results": records}
        path.write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
        return path

    def console_lines(self) -> list[str]:
        lines = []
        for target in dict.fromkeys(r.target for r in self.results):
            results = [r for r in self.results if r.target == target]
            counts = totals([asdict(r) for r in results])
            header = f"{target} : {counts[PASSED]}/{counts['total']} compte(s) OK"
            if counts[NOT_VERIFIED]:
                header += f" · {counts[NOT_VERIFIED]} non vérifié(s)"
            lines.append(header)
            lines.extend("  " + r.console_line() for r in results)
        return lines

    def totals_line(self) -> str:
        """The run's end-of-run line: the accounts by state, non vérifié apart from failures."""
        return f"Total : {count_line(totals([asdict(r) for r in self.results]))}"


def totals(results: list[dict[str, Any]]) -> dict[str, int]:
    """summary.json's `totals`: accounts by state; non vérifié is never counted as failed."""
    states = [r.get("state") or STATES.get(str(r.get("outcome")), FAILED) for r in results]
    return {
        PASSED: states.count(PASSED),
        FAILED: states.count(FAILED),
        NOT_VERIFIED: states.count(NOT_VERIFIED),
        "total": len(states),
    }


def count_line(counts: dict[str, int]) -> str:
    """`3/5 compte(s) OK · 1 en échec · 1 non vérifié(s)`, as the console and the PV say it."""
    return (
        f"{counts[PASSED]}/{counts['total']} compte(s) OK · {counts[FAILED]} en échec · "
        f"{counts[NOT_VERIFIED]} non vérifié(s)"
    )


def write_environment(results_dir: Path, values: dict[str, str]) -> None:
    """Allure's `environment.properties`: target URLs and versions."""
    import importlib.metadata as md

    versions = {}
    for package in ("playwright", "pytest", "allure-pytest", "pydantic-settings"):
        try:
            versions[f"version.{package}"] = md.version(package)
        except md.PackageNotFoundError:
            continue
    entries = {**values, **versions, "python": platform.python_version()}
    results_dir.mkdir(parents=True, exist_ok=True)
    lines = [f"{_escape(k)}={_escape(str(v))}" for k, v in entries.items()]
    (results_dir / "environment.properties").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(" ", "\\ ").replace(":", "\\:").replace("=", "\\=")


def write_categories(results_dir: Path, catalogue: dict[str, Any]) -> None:
    """Allure's `categories.json`: the accounts not verified first, in a category of their
    own (never among failures), then failures grouped by diagnosis code."""
    categories = [
        {
            "name": "Non vérifié (aucune connexion envoyée : ni réussi, ni en échec)",
            "matchedStatuses": ["skipped"],
            # Allure 3 takes the first category whose regex finds the message (JavaScript).
            "messageRegex": "^(Skipped: )?Non vérifié",
        }
    ]
    categories += [
        {
            "name": f"{code} — {diagnosis.title}",
            "matchedStatuses": ["failed", "broken"],
            "messageRegex": f".*\\[{code}\\].*",
        }
        for code, diagnosis in catalogue.items()
    ]
    categories.append({"name": "Autres échecs", "matchedStatuses": ["failed", "broken"]})
    results_dir.mkdir(parents=True, exist_ok=True)
    (results_dir / "categories.json").write_text(
        json.dumps(categories, ensure_ascii=False, indent=2), encoding="utf-8"
    )


NOT_REACHED_PREFIX = "nonverifie-"  # the Allure results written for accounts never reached


def write_not_reached(results_dir: Path, results: list[AccountResult]) -> None:
    """One Allure result per account the run ended before reaching, as allure-pytest writes a
    skipped test's: skipped, with the account's parameters and groups, and its reason as the
    message, so the report shows every account of the run. A file per account, named after
    it, so that a second interruption replaces it and `--resume` can remove it."""
    results_dir.mkdir(parents=True, exist_ok=True)
    now = int(time.time() * 1000)
    for result in results:
        key = uuid.uuid5(uuid.NAMESPACE_URL, f"{result.target}\n{result.account}")
        group = profile_group(result.profile)
        data = {
            "uuid": str(key),
            "historyId": key.hex,
            "name": f"Première connexion sans identifiant PRONOTE : {result.account}",
            "fullName": "e2e.test_first_connection#test_first_connection",
            "status": "skipped",
            "statusDetails": {"message": result.message or not_verified_message(result.reason)},
            "start": now,
            "stop": now,
            "labels": [
                {"name": "parentSuite", "value": result.target},
                {"name": "suite", "value": group},
                {"name": "establishment", "value": result.target},
            ],
            "parameters": [
                {"name": "Établissement", "value": result.target},
                {"name": "Compte", "value": result.account},
                {"name": "Profil", "value": group},
            ],
        }
        path = results_dir / f"{NOT_REACHED_PREFIX}{key}-result.json"
        path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
