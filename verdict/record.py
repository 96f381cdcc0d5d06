"""What a run records: `reports/summary.json`, the console summary, Allure's environment and categories."""

from __future__ import annotations

import json
import platform
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from verdict.judge import Verdict, message
from verdict.observation import Observation
from verdict.target import TargetLike


@dataclass
class AccountResult:
    """One account checked: the contract of `reports/summary.json` (one object per account)."""

    target: str
    account: str
    profile: str
    outcome: str  # passed, failed or skipped
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

    @classmethod
    def from_verdict(
        cls,
        target: TargetLike,
        account_login: str,
        profile: str,
        verdict: Verdict,
        *,
        skipped: bool = False,
    ) -> AccountResult:
        """The record of one account: what the judge concluded, and the evidence it kept.

        *skipped*: the account was not checked (the preflight failed); the verdict says why.
        """
        obs = verdict.observation or Observation(target.name, account_login, profile)
        outcome = "skipped" if skipped else verdict.outcome
        return cls(
            target=target.name,
            account=account_login,
            profile=profile,
            outcome=outcome,
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

    def console_line(self) -> str:
        mark = {"passed": "OK ", "failed": "KO ", "skipped": "-- "}.get(self.outcome, "?? ")
        parts = [f"{mark}{self.target} | {self.profile:<10} | {self.account:<24}"]
        parts.append(self.diagnosis or "-")
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
        summary = {
            **(run or {}),
            "results": [{k: v for k, v in asdict(r).items() if k != "message"} for r in results],
        }
        path.write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
        return path

    def console_lines(self) -> list[str]:
        lines = []
        for target in dict.fromkeys(r.target for r in self.results):
            results = [r for r in self.results if r.target == target]
            passed = sum(r.outcome == "passed" for r in results)
            lines.append(f"{target} : {passed}/{len(results)} compte(s) OK")
            lines.extend("  " + r.console_line() for r in results)
        return lines


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
    """Allure's `categories.json`: failures grouped by diagnosis code."""
    categories = [
        {
            "name": f"{code} — {diagnosis.title}",
            "matchedStatuses": ["failed", "broken", "skipped"],
            "messageRegex": f".*\\[{code}\\].*",
        }
        for code, diagnosis in catalogue.items()
    ]
    categories.append({"name": "Autres échecs", "matchedStatuses": ["failed", "broken"]})
    results_dir.mkdir(parents=True, exist_ok=True)
    (results_dir / "categories.json").write_text(
        json.dumps(categories, ensure_ascii=False, indent=2), encoding="utf-8"
    )
