"""Merge N CI jobs' records into one run: ``python -m verdict merge OUT_DIR JOB_DIR...``.

Each JOB_DIR is one job's report folder (what `pytest e2e/ --shard i/n` wrote in
`reports/`): its `summary.json` and its `allure-results/`. The merged `summary.json` lists
every account once, sorted by target then account, so a sharded run reads like one run; the
Allure results are copied side by side (result, container and attachment files are named by
uuid), `environment.properties` and `categories.json` are merged, and
`npx allure generate OUT_DIR/allure-results` builds one report.
"""

from __future__ import annotations

import argparse
import filecmp
import json
import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import javaproperties

from verdict.record import AccountResult, RunRecorder, _escape, totals
from verdict.report_view import OVERVIEW

SUMMARY = "summary.json"
RESULTS = "allure-results"
ENVIRONMENT = "environment.properties"
CATEGORIES = "categories.json"

EXIT_OK = 0
EXIT_FAILED = 1  # an account's check failed, as pytest says it
EXIT_ERROR = 2


class MergeError(Exception):
    """Jobs that cannot be merged: one French sentence naming the folder or file."""


@dataclass
class Job:
    """One job's records as read from its folder."""

    path: Path
    results: list[dict[str, Any]]
    extra: dict[str, Any] | None = None  # the other keys of an object-shaped summary


@dataclass
class Merged:
    results: list[dict[str, Any]]
    copied: int = 0
    sources: list[Path] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return sum(r.get("outcome") == "failed" for r in self.results)


# -- summary.json ----------------------------------------------------------------------------
def sort_key(record: dict[str, Any]) -> tuple[str, str]:
    """The order of a merged summary: by target, then account."""
    return (record["target"], record["account"])


def read_job(path: Path) -> Job:
    """A job's folder: its `summary.json` checked, its `allure-results/` present."""
    if not path.exists():
        raise MergeError(f"{path} : dossier de job introuvable : vérifier le chemin.")
    if not path.is_dir():
        raise MergeError(f"{path} : c'est un fichier, pas le dossier d'un job.")
    summary = path / SUMMARY
    try:
        text = summary.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise MergeError(
            f"{summary} : absent : ce job n'a pas écrit son résumé (a-t-il tourné jusqu'au bout ?)."
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or exc.__class__.__name__
        raise MergeError(f"{summary} : illisible ({reason}).") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise MergeError(
            f"{summary}, ligne {exc.lineno} : JSON invalide ({exc.msg}) : fichier tronqué ou abîmé."
        ) from None
    extra = None
    if isinstance(data, dict) and isinstance(data.get("results"), list):
        extra = {k: v for k, v in data.items() if k != "results"}
        data = data["results"]
    if not isinstance(data, list):
        raise MergeError(f"{summary} : une liste de comptes était attendue, pas {_kind(data)}.")
    for n, record in enumerate(data, start=1):
        if not isinstance(record, dict):
            raise MergeError(
                f"{summary}, compte n°{n} : un objet était attendu, pas {_kind(record)}."
            )
        for key in ("target", "account", "outcome"):
            if not isinstance(record.get(key), str) or not record[key]:
                raise MergeError(f"{summary}, compte n°{n} : champ « {key} » absent ou vide.")
    if not (path / RESULTS).is_dir():
        raise MergeError(f"{path / RESULTS} : absent : ce job n'a pas laissé de résultats Allure.")
    return Job(path=path, results=data, extra=extra)


def _kind(value: object) -> str:
    kinds: dict[type, str] = {dict: "un objet", list: "une liste", str: "un texte"}
    return kinds.get(type(value), "une valeur")


def merge_summaries(jobs: Sequence[Job]) -> list[dict[str, Any]]:
    """Every job's accounts in one list sorted by target then account; an account checked
    by two jobs (overlapping shards) is refused."""
    seen: dict[tuple[str, str], Path] = {}
    merged = []
    for job in jobs:
        for record in job.results:
            key = sort_key(record)
            if key in seen:
                where = (
                    f"deux fois dans {job.path / SUMMARY}"
                    if seen[key] == job.path
                    else f"dans {seen[key]} et dans {job.path}"
                )
                raise MergeError(
                    f"compte « {key[1]} » de « {key[0]} » présent {where} : les parts se "
                    "chevauchent (chaque job doit avoir --shard i/n avec le même n, i de 1 à n)."
                )
            seen[key] = job.path
            merged.append(record)
    return sorted(merged, key=sort_key)


def _merge_extras(jobs: Sequence[Job]) -> dict[str, Any] | None:
    shaped = [job for job in jobs if job.extra is not None]
    if not shaped:
        return None
    if len(shaped) != len(jobs):
        raise MergeError("les summary.json des jobs n'ont pas la même forme (liste ou objet).")
    extra: dict[str, Any] = {}
    for job in shaped:
        for key, value in (job.extra or {}).items():
            if key == "totals":
                continue  # counted again over every job's accounts
            if key == "targets" and isinstance(value, list):
                # Each job checked its own establishments: the run checked them all.
                known = {t.get("name") for t in extra.get(key, []) if isinstance(t, dict)}
                extra[key] = [
                    *extra.get(key, []),
                    *(t for t in value if t.get("name") not in known),
                ]
                continue
            if key == "started_at" and key in extra and value is not None:
                extra[key] = min(extra[key] or value, value)  # the run began with its first job
                continue
            if key == "identifiers_audit" and extra.get(key) is None:
                extra[key] = value
                continue
            if value is None and key in extra:
                continue
            if key in extra and extra[key] != value:
                raise MergeError(f"{job.path / SUMMARY} : « {key} » diffère d'un job à l'autre.")
            extra[key] = value
    return extra


# -- Allure's environment.properties and categories.json -------------------------------------
def merge_environment(tables: Sequence[dict[str, str]]) -> dict[str, str]:
    """Every key of every job; where jobs disagree (one target each, different versions), the
    distinct values are listed in job order."""
    values: dict[str, list[str]] = {}
    for table in tables:
        for key, value in table.items():
            seen = values.setdefault(key, [])
            if value not in seen:
                seen.append(value)
    return {key: " | ".join(found) for key, found in values.items()}


def merge_categories(lists: Sequence[list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """One category per name, first definition kept, catch-alls (no message pattern) last so
    Allure (first match wins) still sorts failures by diagnosis code."""
    by_name: dict[str, dict[str, Any]] = {}
    for categories in lists:
        for category in categories:
            by_name.setdefault(str(category.get("name", "")), category)
    ordered = list(by_name.values())
    return [c for c in ordered if "messageRegex" in c] + [
        c for c in ordered if "messageRegex" not in c
    ]


def _read_environment(path: Path) -> dict[str, str]:
    try:
        return dict(javaproperties.loads(path.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError) as exc:
        raise MergeError(f"{path} : illisible ({exc.__class__.__name__}).") from None


def _read_categories(path: Path) -> list[dict[str, Any]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MergeError(
            f"{path} : illisible ou JSON invalide ({exc.__class__.__name__})."
        ) from None
    if not isinstance(data, list) or not all(isinstance(c, dict) for c in data):
        raise MergeError(f"{path} : une liste de catégories Allure était attendue.")
    return data


# -- the whole merge -------------------------------------------------------------------------
def merge(out_dir: Path, job_dirs: Sequence[Path]) -> Merged:
    """Read and check every job first, then write OUT_DIR's summary.json and allure-results/.

    Nothing is written when a job is missing, corrupt or overlaps another.
    """
    if not job_dirs:
        raise MergeError("aucun dossier de job à fusionner.")
    out_results = out_dir / RESULTS
    for path in job_dirs:
        if path.resolve() == out_dir.resolve():
            raise MergeError(f"{path} : le dossier de sortie ne peut pas être l'un des jobs.")
    if out_results.is_dir() and any(out_results.iterdir()):
        raise MergeError(
            f"{out_results} : existe déjà et n'est pas vide : le vider ou choisir un autre "
            "dossier de sortie (les résultats d'une autre exécution s'y mélangeraient)."
        )
    jobs = [read_job(path) for path in job_dirs]
    results = merge_summaries(jobs)
    extra = _merge_extras(jobs)

    # Plan every copy before writing: two different files under one name is an error.
    copies: dict[Path, Path] = {}
    environments: list[dict[str, str]] = []
    categories: list[list[dict[str, Any]]] = []
    for job in jobs:
        source_dir = job.path / RESULTS
        for source in sorted(p for p in source_dir.rglob("*") if p.is_file()):
            relative = source.relative_to(source_dir)
            if relative == Path(ENVIRONMENT):
                environments.append(_read_environment(source))
                continue
            if relative == Path(CATEGORIES):
                categories.append(_read_categories(source))
                continue
            if relative.name.startswith(f"{OVERVIEW}-"):
                continue  # each job's overview: `make report` rebuilds it for the merged run
            earlier = copies.get(relative)
            if earlier is not None and not filecmp.cmp(earlier, source, shallow=False):
                raise MergeError(
                    f"{relative} : présent dans {earlier.parent} et {source.parent} avec des "
                    "contenus différents : ces résultats ne viennent pas de jobs distincts."
                )
            copies.setdefault(relative, source)

    out_results.mkdir(parents=True, exist_ok=True)
    for relative, source in copies.items():
        target = out_results / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
    if environments:
        lines = [f"{_escape(k)}={_escape(v)}" for k, v in merge_environment(environments).items()]
        (out_results / ENVIRONMENT).write_text("\n".join(lines) + "\n", encoding="utf-8")
    if categories:
        (out_results / CATEGORIES).write_text(
            json.dumps(merge_categories(categories), ensure_ascii=False, indent=2),
            encoding="utf-8",
        )
    summary: Any = (
        results if extra is None else {**extra, "totals": totals(results), "results": results}
    )
    (out_dir / SUMMARY).write_text(
        json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    return Merged(results=results, copied=len(copies), sources=[job.path for job in jobs])


def console_lines(results: Sequence[dict[str, Any]]) -> list[str]:
    """The per-account summary pytest prints, for the merged run."""
    known = {f.name for f in fields(AccountResult)}
    recorder = RunRecorder(Path("."))
    for record in results:
        recorder.add(AccountResult(**{k: v for k, v in record.items() if k in known}))
    return [*recorder.console_lines(), recorder.totals_line()]


# -- command line ----------------------------------------------------------------------------
def add_parser(commands: Any) -> None:
    """`python -m verdict merge`: registered by `verdict.__main__`."""
    parser = commands.add_parser(
        "merge",
        help="fusionner les résultats de plusieurs jobs (--shard i/n) en un seul rapport",
        description=(
            "Fusionne les summary.json et les allure-results/ de plusieurs jobs dans "
            "SORTIE/summary.json et SORTIE/allure-results/ (puis : npx allure generate "
            "SORTIE/allure-results). Code de sortie : 0 tout est passé, 1 au moins un "
            "compte en échec, 2 jobs absents, abîmés ou qui se chevauchent."
        ),
    )
    parser.add_argument("out_dir", type=Path, metavar="SORTIE", help="dossier du rapport fusionné")
    parser.add_argument(
        "job_dirs", type=Path, nargs="+", metavar="JOB", help="dossier reports/ d'un job"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        merged = merge(args.out_dir, args.job_dirs)
    except MergeError as exc:
        print(f"erreur : {exc}", file=sys.stderr)
        return EXIT_ERROR
    print(f"{len(merged.sources)} job(s) fusionné(s) : {len(merged.results)} compte(s).")
    print("Résumé par compte")
    for line in console_lines(merged.results):
        print(line)
    print(f"Détails : {args.out_dir / SUMMARY}")
    return EXIT_FAILED if merged.failed else EXIT_OK
