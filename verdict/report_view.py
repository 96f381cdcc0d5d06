"""The Allure report as school staff read it: French groups and parameters, no pytest noise.

Two halves:

* called by a test while it runs (one call each): `present_account` (establishment and
  profile group, readable parameters), `attach_timings` (a small table), `show_diagnosis`
  (title, explanation, fix and procedure step, as the test's description);
* run once at session end, or by `make report` before `allure generate`: `tidy_results`,
  which post-processes `allure-results/`;
* run by `make report` after `allure generate`: `strip_analytics`, which takes Google
  Analytics out of the report's `index.html`.

Why strip analytics: Allure Report 3 (3.18) writes a Google Tag Manager script into every
report with no switch to turn it off (`analyticsEnable: true` is hard-coded in its awesome
plugin; allure-framework/allure3#476, the opt-out PR #784 is not released). A report opened
by a school's staff or an académie's support desk would then call googletagmanager.com, which
public-education rules on personal data forbid, and on a machine where that host neither
answers nor fails (a closed network) the page waits for it.

Why post-processing: allure-pytest 2.x records every pytest fixture as a setup/teardown
entry (`*-container.json` "befores"/"afters": `browser_type_launch_args`,
`journey::<lambda>`…) with no switch to turn it off, and records pytest's parametrize values
as parameters with `repr()` (`Target(name=…`); a parameter of the same name set by the test
keeps its place and its `excluded`/`mode`. Allure Report 3 has no option to hide fixtures
either (its `hideLabels` hides labels only). So `tidy_results` rewrites the result files:
fixture entries are dropped (their attachments, if any, move to the test), the parametrize
reprs are dropped or turned into readable values, quoted string values lose their quotes,
outcome parameters (Identifiant CAS, URL finale) are `excluded` so Allure's history key stays
"test + establishment + account" across runs, host/thread/framework labels go, and one
overview per establishment is written as a global attachment. It is idempotent and also runs
on merged shard results.
"""

from __future__ import annotations

import html
import json
import re
import sys
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

PROFILE_GROUPS = {
    "eleve": "Élèves",
    "parent": "Parents",
    "responsable": "Parents",
    "professeur": "Professeurs",
    "enseignant": "Professeurs",
    "personnel": "Personnels",
}

# The journey's timing keys, in the words of the report.
STEP_LABELS = {
    "ent_login_page": "Page de connexion de l'ENT",
    "portal": "Connexion et portail de l'ENT",
    "shortcut": "Raccourci Pronote",
    "pronote": "Arrivée dans PRONOTE",
    "cas_identifier": "Identifiant CAS",
    "total": "Total",
    "hop_median": "Médiane par requête",
}

# Parameters named by pytest's parametrize (Python reprs) → their readable name.
PYTEST_PARAMETERS = {"target": "Établissement", "account": "Compte"}
# What a run found, not what it checked: outside Allure's history key.
OUTCOME_PARAMETERS = ("Identifiant CAS", "URL finale")
NOISE_LABELS = ("host", "thread", "framework", "language", "package")
OVERVIEW = "vue-ensemble"  # fixed file stem: tidying twice rewrites the same overview


class DiagnosisLike(Protocol):
    @property
    def code(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def explanation(self) -> str: ...
    @property
    def fix(self) -> str: ...
    @property
    def step(self) -> str: ...


def profile_group(profile: str) -> str:
    """The report's group for a profile: `eleve` → "Élèves", `personnel` → "Personnels"."""
    return PROFILE_GROUPS.get(profile.strip().lower(), profile.strip().capitalize() or "Autres")


def step_label(name: str) -> str:
    return STEP_LABELS.get(name, name.replace("_", " ").capitalize())


# -- during a test -------------------------------------------------------------------------
def present_account(establishment: str, login: str, profile: str) -> None:
    """Group the running test under its establishment and profile group, with French parameters."""
    import allure

    allure.dynamic.parent_suite(establishment)
    allure.dynamic.suite(profile_group(profile))
    allure.dynamic.parameter("Établissement", establishment)
    allure.dynamic.parameter("Compte", login)
    allure.dynamic.parameter("Profil", profile_group(profile))


def timings_csv(timings: Mapping[str, float]) -> str:
    """Per-step durations as CSV (Allure 3 shows a CSV attachment as a table)."""
    lines = ["Étape;Durée (s)"]
    lines += [f"{step_label(k)};{v:.2f}".replace(".", ",") for k, v in timings.items()]
    return "\n".join(lines) + "\n"


def attach_timings(timings: Mapping[str, float]) -> None:
    import allure

    allure.attach(
        timings_csv(timings), name="Durées par étape", attachment_type=allure.attachment_type.CSV
    )


def diagnosis_markdown(diagnosis: DiagnosisLike, details: str = "") -> str:
    """The diagnosis as a Markdown block (Allure 3 renders a test's description as Markdown)."""
    parts = [
        f"### {diagnosis.code} — {diagnosis.title}",
        f"**Ce que voit l'utilisateur.** {diagnosis.explanation}",
        f"**Quoi corriger.** {diagnosis.fix}",
        f"**Étape de la procédure.** {diagnosis.step}",
    ]
    if details:
        parts.append(f"**Constaté.** {details}")
    return "\n\n".join(parts) + "\n"


def show_diagnosis(diagnosis: DiagnosisLike, details: str = "") -> None:
    """Put the diagnosis at the top of the failed test's page, as its description."""
    import allure

    allure.dynamic.description(diagnosis_markdown(diagnosis, details))


# -- after the run -------------------------------------------------------------------------
@dataclass
class Tidied:
    results: int = 0
    fixtures_dropped: int = 0
    attachments_moved: int = 0
    establishments: list[str] = field(default_factory=list)


def tidy_results(
    results_dir: Path | str,
    *,
    pytest_parameters: Mapping[str, str] = PYTEST_PARAMETERS,
    outcome_parameters: Sequence[str] = OUTCOME_PARAMETERS,
    drop_labels: Sequence[str] = NOISE_LABELS,
    overview: bool = True,
) -> Tidied:
    """Rewrite `results_dir` (allure-results) for readers who are not Python developers."""
    folder = Path(results_dir)
    done = Tidied()
    if not folder.is_dir():
        return done
    results = {}
    for path in sorted(folder.glob("*-result.json")):
        data = _read(path)
        if isinstance(data, dict):
            results[str(data.get("uuid", ""))] = (path, data)
    for path in sorted(folder.glob("*-container.json")):
        container = _read(path)
        if isinstance(container, dict):
            done.fixtures_dropped += len(container.get("befores") or [])
            done.fixtures_dropped += len(container.get("afters") or [])
            for child in container.get("children") or []:
                if child in results:
                    done.attachments_moved += _hoist(container, results[child][1])
        path.unlink()
    for path, data in results.values():
        _tidy_result(data, pytest_parameters, outcome_parameters, drop_labels)
        _write(path, data)
        done.results += 1
    if overview:
        done.establishments = write_overview(folder, [d for _, d in results.values()])
    return done


def _hoist(container: dict[str, Any], result: dict[str, Any]) -> int:
    """A fixture's attachments (a video, a log) belong to the test it served."""
    moved = 0
    for fixture in [*(container.get("befores") or []), *(container.get("afters") or [])]:
        for attachment in _attachments(fixture):
            if attachment not in result.setdefault("attachments", []):
                result["attachments"].append(attachment)
                moved += 1
    return moved


def _attachments(item: dict[str, Any]) -> Iterable[dict[str, Any]]:
    yield from item.get("attachments") or []
    for step in item.get("steps") or []:
        yield from _attachments(step)


_REPR_FIRST_FIELD = re.compile(r"^\w+\(\w+=(['\"])(.*?)\1")


def readable_parameters(
    result: dict[str, Any], pytest_parameters: Mapping[str, str] = PYTEST_PARAMETERS
) -> dict[str, str]:
    """A result's parameters by readable name, whether or not it has been tidied."""
    found: dict[str, str] = {}
    for p in result.get("parameters") or []:
        if not isinstance(p, dict):
            continue
        name, value = str(p.get("name", "")), _unquote(str(p.get("value", "")))
        if name in pytest_parameters:
            match = _REPR_FIRST_FIELD.match(value)
            if not match:
                continue
            name, value = pytest_parameters[name], match.group(2)
        found.setdefault(name, value)
    return found


def _tidy_result(
    data: dict[str, Any],
    pytest_parameters: Mapping[str, str],
    outcome_parameters: Sequence[str],
    drop_labels: Sequence[str],
) -> None:
    parameters = [p for p in data.get("parameters") or [] if isinstance(p, dict)]
    present = {p.get("name") for p in parameters}
    tidy: list[dict[str, Any]] = []
    for p in parameters:
        name, value = str(p.get("name", "")), _unquote(str(p.get("value", "")))
        if name in pytest_parameters:
            readable = pytest_parameters[name]
            found = _REPR_FIRST_FIELD.match(value)
            if readable in present or not found:
                continue  # the test named it itself, or there is nothing readable in it
            name, value = readable, found.group(2)
            present.add(readable)
        p = {**p, "name": name, "value": value}
        if name in outcome_parameters:
            p["excluded"] = True
        tidy.append(p)
    data["parameters"] = tidy
    labels = [
        lb
        for lb in data.get("labels") or []
        if isinstance(lb, dict) and lb.get("name") not in drop_labels
    ]
    for label in labels:
        if label.get("name") == "suite" and str(label.get("value", "")).lower() in PROFILE_GROUPS:
            label["value"] = profile_group(str(label["value"]))
    data["labels"] = labels


def _unquote(value: str) -> str:
    """allure-pytest writes a str parameter as `'value'` (its `represent()`); keep the value."""
    if len(value) >= 2 and value[0] == value[-1] == "'":
        return value[1:-1]
    return value


def _label(data: dict[str, Any], name: str) -> str | None:
    return next(
        (str(lb.get("value")) for lb in data.get("labels") or [] if lb.get("name") == name),
        None,
    )


def _parameter(data: dict[str, Any], name: str) -> str | None:
    return next(
        (str(p.get("value")) for p in data.get("parameters") or [] if p.get("name") == name),
        None,
    )


def write_overview(folder: Path, results: Sequence[dict[str, Any]]) -> list[str]:
    """One table per run, a row per establishment: Allure 3 shows it as a global attachment."""
    rows: dict[str, dict[str, int]] = {}
    causes: dict[str, dict[str, int]] = {}
    accounts: dict[str, set[str]] = {}
    for data in results:
        establishment = _parameter(data, "Établissement")
        if establishment is None:
            continue  # a check of no one establishment (the identifiers-file audit…)
        login = _parameter(data, "Compte")
        if login:
            accounts.setdefault(establishment, set()).add(login)
        status = str(data.get("status") or "unknown")
        counts = rows.setdefault(
            establishment, {"passed": 0, "failed": 0, "broken": 0, "skipped": 0}
        )
        counts[status] = counts.get(status, 0) + 1
        code = _label(data, "diagnosis")
        if code and status != "passed":
            per = causes.setdefault(establishment, {})
            per[code] = per.get(code, 0) + 1
    for stale in folder.glob(f"{OVERVIEW}-*"):
        stale.unlink()
    if not rows:
        return []
    cells = []
    for name, counts in sorted(rows.items()):
        total = sum(counts.values())
        failed = counts.get("failed", 0) + counts.get("broken", 0)
        found = ", ".join(f"{c} ({n})" for c, n in sorted(causes.get(name, {}).items())) or "—"
        cells.append(
            f"<tr><td>{html.escape(name)}</td><td>{len(accounts.get(name, ()))}</td>"
            f"<td>{total}</td><td>{counts.get('passed', 0)}</td>"
            f"<td>{failed}</td><td>{counts.get('skipped', 0)}</td><td>{html.escape(found)}</td></tr>"
        )
    page = (
        '<!doctype html><html lang="fr"><meta charset="utf-8"><title>Vue d\'ensemble</title>'
        "<style>body{font-family:sans-serif;font-size:14px}table{border-collapse:collapse}"
        "td,th{border:1px solid #bbb;padding:4px 8px;text-align:left}</style>"
        "<h1>Vue d'ensemble par établissement</h1><table><thead><tr><th>Établissement</th>"
        "<th>Comptes</th><th>Vérifications</th><th>OK</th><th>En échec</th><th>Non vérifiés</th><th>Causes</th></tr>"
        f"</thead><tbody>{''.join(cells)}</tbody></table></html>"
    )
    source = f"{OVERVIEW}-{uuid.uuid5(uuid.NAMESPACE_URL, page)}-attachment.html"
    (folder / source).write_text(page, encoding="utf-8")
    globals_item = {
        "attachments": [
            {"name": "Vue d'ensemble par établissement", "source": source, "type": "text/html"}
        ],
        "errors": [],
    }
    _write(folder / f"{OVERVIEW}-globals.json", globals_item)
    return sorted(rows)


def _read(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _write(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


# Allure's analytics: the gtag.js loader and the inline script that configures it.
_ANALYTICS = re.compile(
    r"<script[^>]*\bsrc=\"https://www\.googletagmanager\.com/[^\"]*\"[^>]*>\s*</script>\s*"
    r"(?:<script>(?:(?!</script>).)*?\bgtag\((?:(?!</script>).)*</script>\s*)?",
    re.DOTALL,
)


def strip_analytics(index: Path) -> int:
    """Remove Allure's Google Analytics from a generated report; the number of blocks removed.

    Idempotent: a report already stripped (or from an Allure with analytics off) is left as is.
    """
    text = index.read_text(encoding="utf-8")
    stripped, removed = _ANALYTICS.subn("", text)
    if removed:
        index.write_text(stripped, encoding="utf-8")
    return removed


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["--strip-analytics"]:
        index = Path(args[1]) if len(args) > 1 else Path("reports/allure-report/index.html")
        if not index.is_file():
            print(f"erreur : {index} : rapport Allure introuvable.", file=sys.stderr)
            return 2
        strip_analytics(index)
        return 0
    folder = Path(args[0]) if args else Path("reports/allure-results")
    if not folder.is_dir():
        print(f"erreur : {folder} : dossier des résultats Allure introuvable.", file=sys.stderr)
        return 2
    done = tidy_results(folder)
    print(
        f"Résultats Allure nettoyés : {done.results} test(s), {done.fixtures_dropped} entrée(s) "
        f"de fixtures retirée(s), {len(done.establishments)} établissement(s) en vue d'ensemble."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
