"""Procès-verbal de recette: one French PDF and one self-contained HTML file per establishment.

`python -m verdict.pv [--reports reports]` reads `reports/summary.json` and the Allure results
next to it (`reports/allure-results/`: screenshots, preflight, audit) and writes
`reports/pv/<UAI>.pdf` and `reports/pv/<UAI>.html`: what was checked, where, when, with which
accounts, the result and Identifiant CAS of each, its step screenshots, each failure's cause
and fix, the preflight, the identifiers-file audit, and a block to sign.

It reads the richer `summary.json` described in `docs/pv.md` (an object with `targets`,
`started_at`, per-account `steps` and `diagnosis_detail`) and today's list of accounts alike:
what the summary does not say is taken from the Allure results, and what neither says becomes
one plain line in the PV, never a traceback. The HTML is rendered by Jinja2 and the PDF by
WeasyPrint from the same HTML. No password, CAS ticket or cookie is ever read: URLs go through
`verdict.cas.safe_url`, and `verdict.secrets` scans the PDF's text like any other artifact.
"""

from __future__ import annotations

import argparse
import base64
import importlib.metadata
import json
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from verdict.cas import safe_url
from verdict.report_view import PROFILE_GROUPS, profile_group, readable_parameters, step_label

TEMPLATES = Path(__file__).parent / "templates"
UAI = re.compile(r"^(\d{7}[A-Z])\b")
OUTCOMES = {"passed": "Conforme", "failed": "Non conforme", "broken": "Non conforme"}
GROUP_ORDER = list(dict.fromkeys(PROFILE_GROUPS.values()))
PREFLIGHT_SUITE = "Vérifications préalables (HTTP)"
TIMING_KEYS_NOT_STEPS = {"total", "hop_median"}


class PvError(Exception):
    """A failure to report as one French line, without a traceback."""


@dataclass
class Step:
    title: str
    seconds: float | None = None
    screenshots: list[tuple[str, str]] = field(default_factory=list)  # (caption, data URI)


@dataclass
class AccountSection:
    login: str
    masked: str
    profile: str
    group: str
    outcome: str
    result: str
    cas_user: str | None
    seconds: float | None
    mode: str
    warnings: list[str]
    steps: list[Step]
    diagnosis: dict[str, str] | None
    details: str
    notes: list[str]


@dataclass
class Pv:
    uai: str
    name: str
    school: str
    checked_at: str
    version: str
    urls: list[tuple[str, str]]
    accounts: list[AccountSection]
    preflight: list[dict[str, str]]
    audit: dict[str, Any] | None
    notes: list[str]
    is_lab: bool = False

    @property
    def passed(self) -> int:
        return sum(a.outcome == "passed" for a in self.accounts)


def mask_login(login: str) -> str:
    """`lea.martin` → `l***.martin`: enough to find the account, not to hand it around."""
    if not login:
        return ""
    if "." in login[1:]:
        return f"{login[0]}***{login[login.index('.', 1) :]}"
    return f"{login[0]}***{login[-1]}" if len(login) > 2 else f"{login[0]}***"


def verifier_version() -> str:
    try:
        return importlib.metadata.version("pronote-ent-verifier")
    except importlib.metadata.PackageNotFoundError:
        return "inconnue (paquet non installé)"


# -- reading what the run wrote ------------------------------------------------------------
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


# -- building one PV per establishment -------------------------------------------------------
def build_pvs(reports: Path) -> list[Pv]:
    run = read_run(reports)
    targets = {
        str(t.get("name")): t for t in run.summary.get("targets") or [] if isinstance(t, dict)
    }
    names = list(dict.fromkeys([*targets, *(str(a.get("target", "")) for a in run.accounts)]))
    several = len(names) > 1
    pvs = []
    for name in names:
        if not name:
            continue
        target = targets.get(name, {})
        uai = str(target.get("uai") or _uai(name) or _slug(name))
        notes: list[str] = []
        urls = _urls(target, run.environment, uai if several else "", notes)
        accounts = [
            _account(a, run, name) for a in run.accounts if str(a.get("target", "")) == name
        ]
        accounts.sort(key=lambda a: (_group_rank(a.group), a.login))
        pvs.append(
            Pv(
                uai=uai,
                name=name,
                school=UAI.sub("", name).strip() or name,
                checked_at=_checked_at(run, name, reports, notes),
                version=str(run.summary.get("verifier_version") or verifier_version()),
                urls=urls,
                accounts=accounts,
                preflight=_preflight(target, run, name, notes),
                audit=_audit(run, notes),
                notes=notes,
                is_lab=bool(target.get("is_lab", run.environment.get("cible") == "lab")),
            )
        )
    return pvs


def _uai(name: str) -> str | None:
    found = UAI.match(name)
    return found.group(1) if found else None


def _slug(name: str) -> str:
    from slugify import slugify

    return slugify(name) or "etablissement"


def _group_rank(group: str) -> int:
    return GROUP_ORDER.index(group) if group in GROUP_ORDER else len(GROUP_ORDER)


def _urls(
    target: dict[str, Any], env: dict[str, str], prefix: str, notes: list[str]
) -> list[tuple[str, str]]:
    wanted = [
        ("ENT", "ent_url", "ENT"),
        ("CAS de l'ENT", "cas_url", "CAS"),
        ("PRONOTE.net", "pronote_url", "PRONOTE.net (CAS)"),
    ]
    urls = []
    for label, key, env_key in wanted:
        value = target.get(key) or env.get(f"{prefix}.{env_key}" if prefix else env_key)
        urls.append((label, safe_url(str(value)) if value else "non indiqué"))
    if any(v == "non indiqué" for _, v in urls):
        notes.append("Adresses de l'ENT, du CAS ou de PRONOTE.net absentes des résultats du run.")
    return urls


def _checked_at(run: RunFiles, name: str, reports: Path, notes: list[str]) -> str:
    started = run.summary.get("started_at")
    if started:
        try:
            return _french_datetime(datetime.fromisoformat(str(started)))
        except ValueError:
            pass
    starts = [
        int(r["start"])
        for r in run.allure
        if isinstance(r.get("start"), int) and readable_parameters(r).get("Établissement") == name
    ]
    if starts:
        return _french_datetime(datetime.fromtimestamp(min(starts) / 1000).astimezone())
    notes.append("Heure de début du run absente : date de summary.json.")
    return _french_datetime(
        datetime.fromtimestamp((reports / "summary.json").stat().st_mtime).astimezone()
    )


def _french_datetime(when: datetime) -> str:
    months = "janvier février mars avril mai juin juillet août septembre octobre novembre décembre"
    zone = when.strftime(" (%Z)") if when.tzinfo else ""
    return f"{when.day} {months.split()[when.month - 1]} {when.year} à {when:%H:%M}{zone}"


def _account(record: dict[str, Any], run: RunFiles, name: str) -> AccountSection:
    login = str(record.get("account", ""))
    profile = str(record.get("profile", ""))
    outcome = str(record.get("outcome", "unknown"))
    timings = record.get("timings") if isinstance(record.get("timings"), dict) else {}
    allure = _allure_result(run.allure, name, login)
    notes: list[str] = []
    steps = _steps(record, allure, run.results_dir, timings, notes)
    diagnosis = _diagnosis(record, notes)
    details = str(record.get("details") or "")
    if not details and allure and outcome != "passed":
        details = _constate(str((allure.get("statusDetails") or {}).get("message", "")))
    return AccountSection(
        login=login,
        masked=mask_login(login),
        profile=profile,
        group=profile_group(profile),
        outcome=outcome,
        result=OUTCOMES.get(outcome, "Non vérifié"),
        cas_user=record.get("cas_user") or None,
        seconds=timings.get("total"),
        mode=str(record.get("mode", "browser")),
        warnings=[str(w) for w in record.get("warnings") or []],
        steps=steps,
        diagnosis=diagnosis,
        details=safe_url(details) if details.startswith("http") else _cut_tickets(details),
        notes=notes,
    )


def _cut_tickets(text: str) -> str:
    return re.sub(r"ticket=ST-[^\s&;)»]*", "ticket=ST-…", text)


def _constate(message: str) -> str:
    _, sep, rest = message.partition("Constaté : ")
    return rest.strip() if sep else ""


def _allure_result(results: list[dict[str, Any]], name: str, login: str) -> dict[str, Any] | None:
    """The account's own test in the Allure results (the one with step screenshots)."""
    matches = [
        r
        for r in results
        if (p := readable_parameters(r)).get("Compte") == login and p.get("Établissement") == name
    ]
    matches.sort(key=lambda r: -len(r.get("steps") or []))
    return matches[0] if matches else None


def _steps(
    record: dict[str, Any],
    allure: dict[str, Any] | None,
    results_dir: Path,
    timings: dict[str, float],
    notes: list[str],
) -> list[Step]:
    steps: list[Step] = []
    if isinstance(record.get("steps"), list):
        for s in record["steps"]:
            if not isinstance(s, dict):
                continue
            step = Step(str(s.get("title") or step_label(str(s.get("name", "")))), s.get("seconds"))
            shots = s.get("screenshots") or ([s["screenshot"]] if s.get("screenshot") else [])
            for shot in shots:
                uri = _image(results_dir, str(shot))
                if uri:
                    step.screenshots.append((step.title, uri))
                else:
                    notes.append(f"Capture « {step.title} » introuvable dans les résultats Allure.")
            steps.append(step)
        return steps
    if allure is not None:
        for s in allure.get("steps") or []:
            seconds = None
            if isinstance(s.get("start"), int) and isinstance(s.get("stop"), int):
                seconds = round((s["stop"] - s["start"]) / 1000, 2)
            step = Step(str(s.get("name", "")), seconds)
            for a in _images(s):
                uri = _image(results_dir, str(a.get("source", "")))
                if uri:
                    step.screenshots.append((str(a.get("name", step.title)), uri))
            steps.append(step)
        return steps
    if timings:
        notes.append(
            "Étapes détaillées et captures d'écran absentes des résultats : durées seules."
        )
        return [
            Step(step_label(k), v) for k, v in timings.items() if k not in TIMING_KEYS_NOT_STEPS
        ]
    notes.append("Aucune étape enregistrée pour ce compte.")
    return []


def _images(step: dict[str, Any]) -> list[dict[str, Any]]:
    found = [
        a for a in step.get("attachments") or [] if str(a.get("type", "")).startswith("image/")
    ]
    for child in step.get("steps") or []:
        found += _images(child)
    return found


def _image(results_dir: Path, source: str) -> str | None:
    """An image of the run: a name in the Allure results, or a path under the report folder
    (`screenshots/<test>/…`, as summary.json records them); nothing outside those."""
    path = results_dir / Path(source).name
    report = results_dir.parent.resolve()
    beside = (report / source).resolve()
    if not path.is_file() and beside.is_relative_to(report) and beside.is_file():
        path = beside
    suffix = path.suffix.lower()
    mime = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}.get(suffix)
    if mime is None or not path.is_file():
        return None
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def _diagnosis(record: dict[str, Any], notes: list[str]) -> dict[str, str] | None:
    detail = record.get("diagnosis_detail")
    if isinstance(detail, dict):
        return {k: str(detail.get(k, "")) for k in ("code", "title", "explanation", "fix", "step")}
    code = record.get("diagnosis")
    if not code:
        return None
    known = _catalogue().get(str(code))
    if known is None:
        notes.append(f"Texte du diagnostic {code} indisponible : voir le rapport Allure.")
        return {"code": str(code), "title": "", "explanation": "", "fix": "", "step": ""}
    return {
        "code": str(code),
        "title": known.title,
        "explanation": known.explanation,
        "fix": known.fix,
        "step": known.step,
    }


def _catalogue() -> dict[str, Any]:
    """The diagnoses' French texts by code, wherever this version of verdict keeps them."""
    for module in ("verdict.catalogue", "verdict.diagnoses"):
        try:
            found = getattr(__import__(module, fromlist=["CATALOGUE"]), "CATALOGUE", None)
        except Exception:  # a half-refactored module must not stop the PV
            continue
        if isinstance(found, dict):
            return found
    return {}


def _preflight(
    target: dict[str, Any], run: RunFiles, name: str, notes: list[str]
) -> list[dict[str, str]]:
    status_fr = {True: "OK", False: "Échec", None: "Non applicable"}
    if isinstance(target.get("preflight"), list):
        return [
            {
                "title": str(c.get("title") or c.get("name", "")),
                "status": status_fr.get(c.get("ok"), "Non applicable"),
                "detail": _cut_tickets(str(c.get("detail", ""))),
            }
            for c in target["preflight"]
            if isinstance(c, dict)
        ]
    rows = []
    for r in run.allure:
        labels = {lb.get("name"): lb.get("value") for lb in r.get("labels") or []}
        if labels.get("suite") != PREFLIGHT_SUITE or labels.get("parentSuite") != name:
            continue
        detail = _attachment_text(run.results_dir, r, "Constaté") or _status_message(r)
        status = {"passed": "OK", "failed": "Échec", "broken": "Échec"}.get(
            r.get("status"), "Non applicable"
        )
        rows.append(
            {"title": str(r.get("name", "")), "status": status, "detail": _cut_tickets(detail)}
        )
    if not rows:
        notes.append("Vérifications préalables absentes des résultats du run.")
    return sorted(rows, key=lambda row: row["title"])


def _status_message(result: dict[str, Any]) -> str:
    message = str((result.get("statusDetails") or {}).get("message", ""))
    return re.sub(r"^(Skipped|Failed): ", "", message).strip()


def _attachment_text(results_dir: Path, result: dict[str, Any], name: str) -> str:
    for a in result.get("attachments") or []:
        if a.get("name") == name:
            try:
                return (results_dir / Path(str(a.get("source", ""))).name).read_text(
                    encoding="utf-8"
                )
            except OSError:
                return ""
    return ""


def _audit(run: RunFiles, notes: list[str]) -> dict[str, Any] | None:
    audit = run.summary.get("identifiers_audit")
    if isinstance(audit, dict):
        return audit
    for r in run.allure:
        text = _attachment_text(run.results_dir, r, "Audit (JSON)")
        if text:
            try:
                found = json.loads(text)
            except ValueError:
                notes.append("Audit du fichier des identifiants illisible dans les résultats.")
                return None
            return found if isinstance(found, dict) else None
    return None


# -- writing -----------------------------------------------------------------------------------
def render_html(pv: Pv) -> str:
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    env = Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]), trim_blocks=True
    )
    env.filters["seconds"] = lambda v: "—" if v is None else f"{float(v):.1f} s".replace(".", ",")
    css = (TEMPLATES / "pv.css").read_text(encoding="utf-8")
    return env.get_template("pv.html").render(pv=pv, css=css)


def write_pvs(reports: Path, out: Path | None = None, *, pdf: bool = True) -> list[Path]:
    """Write `<out>/<UAI>.html` and `.pdf` for each establishment; return the files written."""
    out = out or reports / "pv"
    pvs = build_pvs(reports)
    if not pvs:
        raise PvError(f"{reports / 'summary.json'} : aucun compte vérifié, pas de PV à écrire.")
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for pv in pvs:
        page = render_html(pv)
        html_path = out / f"{pv.uai}.html"
        html_path.write_text(page, encoding="utf-8")
        written.append(html_path)
        if pdf:
            written.append(_write_pdf(page, out / f"{pv.uai}.pdf"))
    return written


def _write_pdf(page: str, path: Path) -> Path:
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as exc:  # OSError: pango missing from the system
        raise PvError(
            "PDF impossible : WeasyPrint ou ses bibliothèques système manquent "
            f"({exc.__class__.__name__}) : pip install weasyprint, et sous Debian "
            "apt-get install libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core. "
            "Le PV HTML est écrit."
        ) from None
    HTML(string=page).write_pdf(path)
    return path


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m verdict.pv",
        description="Procès-verbal de recette (PDF et HTML) par établissement, depuis un run.",
    )
    parser.add_argument("--reports", type=Path, default=Path("reports"), help="dossier du run")
    parser.add_argument("--out", type=Path, default=None, help="dossier des PV (REPORTS/pv)")
    parser.add_argument("--html-only", action="store_true", help="sans PDF")
    args = parser.parse_args(argv)
    try:
        written = write_pvs(args.reports, args.out, pdf=not args.html_only)
    except PvError as exc:
        print(f"erreur : {exc}", file=sys.stderr)
        return 2
    for path in written:
        print(f"PV de recette : {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
