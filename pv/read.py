"""Reading what the run wrote: summary.json and the Allure results beside it."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pv.model import PvError


@dataclass
class RunFiles:
    summary: dict[str, Any]
    accounts: list[dict[str, Any]]
    results_dir: Path
    allure: list[dict[str, Any]]
    environment: dict[str, str]


def read_run(reports: Path) -> RunFiles:
    path = reports / "summary.json"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PvError(
            f"{path} : introuvable : lancer d'abord les vérifications (pytest e2e/ ou make e2e)."
        ) from None
    except OSError as exc:
        raise PvError(f"{path} : illisible ({exc.strerror or exc.__class__.__name__}).") from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise PvError(f"{path} : JSON invalide ({exc}) : fichier tronqué ou abîmé.") from None
    if isinstance(data, list):
        summary, accounts = {}, data
    elif isinstance(data, dict) and isinstance(data.get("results", []), list):
        summary, accounts = data, data.get("results", [])
    else:
        raise PvError(
            f"{path} : une liste de comptes (ou un objet avec « results ») était attendue."
        )
    accounts = [a for a in accounts if isinstance(a, dict)]
    results_dir = reports / "allure-results"
    allure = []
    for result in sorted(results_dir.glob("*-result.json")) if results_dir.is_dir() else []:
        try:
            item = json.loads(result.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(item, dict):
            allure.append(item)
    return RunFiles(summary, accounts, results_dir, allure, _environment(results_dir))


def _environment(results_dir: Path) -> dict[str, str]:
    """Allure's environment.properties (the target URLs the run wrote), unescaped."""
    path = results_dir / "environment.properties"
    values: dict[str, str] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return values
    for line in lines:
        found = re.search(r"(?<!\\)=", line)
        if found and not line.startswith("#"):
            values[_unescape(line[: found.start()])] = _unescape(line[found.end() :])
    return values


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)
