"""Does the built report show every account the run checked, as the run judged it?

`make report` ends with `python -m verdict.report_check REPORTS`: a report that shows fewer
tests than accounts, or says "passed" over a failed account, is worse than no report, so the
command then fails with one French line per problem. It reads what the run wrote
(`summary.json`, one object per account) and what Allure was given and built
(`allure-results/*-result.json`, `allure-report/summary.json`).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

# The account test's parameters, as verdict.report_view names them.
ESTABLISHMENT, ACCOUNT, CAS_ID = "Établissement", "Compte", "Identifiant CAS"
_OUTCOME = {"broken": "failed"}  # Allure's status for an error other than a failed check


def check_report(reports: Path) -> list[str]:
    """The report's problems, in French; none when it shows every account as judged."""
    accounts = _read(reports / "summary.json")
    built = _read(reports / "allure-report" / "summary.json")
    if isinstance(accounts, str) or isinstance(built, str):
        return [p for p in (accounts, built) if isinstance(p, str)]
    results = accounts.get("results", [])
    problems = []
    total = built.get("stats", {}).get("total", 0)
    if total < len(results):
        problems.append(
            f"le rapport Allure montre {total} test(s) pour {len(results)} compte(s) vérifié(s)."
        )
    if built.get("status") == "passed" and any(r["outcome"] == "failed" for r in results):
        problems.append("le rapport Allure se dit « passed » alors qu'un compte a échoué.")
    shown = _account_tests(reports / "allure-results")
    for result in results:
        test = shown.get((result["target"], result["account"]))
        who = f"{result['target']} / {result['account']}"
        if test is None:
            problems.append(f"{who} : aucun test dans les résultats Allure.")
            continue
        if _OUTCOME.get(test["status"], test["status"]) != result["outcome"]:
            problems.append(
                f"{who} : « {test['status']} » dans le rapport, « {result['outcome']} » "
                "dans summary.json."
            )
        if result.get("cas_user") and test["cas_id"] != result["cas_user"]:
            problems.append(f"{who} : l'Identifiant CAS manque au rapport.")
    return problems


def _read(path: Path) -> dict[str, Any] | str:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return f"{path} introuvable."
    except (OSError, ValueError) as exc:
        return f"{path} illisible ({type(exc).__name__})."


def _account_tests(results: Path) -> dict[tuple[str, str], dict[str, str]]:
    """Each account test's status and Identifiant CAS, by (establishment, login)."""
    tests = {}
    for path in sorted(results.glob("*-result.json")):
        data = _read(path)
        if isinstance(data, str):
            continue
        parameters = {p.get("name"): p.get("value") for p in data.get("parameters", [])}
        if ESTABLISHMENT in parameters and ACCOUNT in parameters:
            tests[(parameters[ESTABLISHMENT], parameters[ACCOUNT])] = {
                "status": data.get("status", ""),
                "cas_id": parameters.get(CAS_ID, ""),
            }
    return tests


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    reports = Path(args[0]) if args else Path("reports")
    problems = check_report(reports)
    for problem in problems:
        print(f"Rapport incomplet : {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
