"""Building one `Pv` per establishment from the run's files, with a note for each gap."""

from __future__ import annotations

import base64
import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

from pv.model import AccountSection, Pv, Step, mask_login, verifier_version
from pv.read import RunFiles, read_run
from verdict.cas import safe_url
from verdict.record import FAILED, NOT_VERIFIED, STATES
from verdict.report_view import PROFILE_GROUPS, profile_group, readable_parameters, step_label
from verdict.target import UAI

RESULTS = {"passed": "Conforme", FAILED: "Non conforme", NOT_VERIFIED: "Non vérifié"}
GROUP_ORDER = list(dict.fromkeys(PROFILE_GROUPS.values()))
PREFLIGHT_SUITE = "Vérifications préalables (HTTP)"
TIMING_KEYS_NOT_STEPS = {"total", "hop_median"}


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
    state = str(record.get("state") or STATES.get(outcome, NOT_VERIFIED))
    timings: dict[str, float] = record["timings"] if isinstance(record.get("timings"), dict) else {}
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
        state=state,
        result=RESULTS.get(state, "Non vérifié"),
        reason=str(record.get("reason") or ""),
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
    for module in ("verdict.catalogue", "verdict.judge"):
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
            str(r.get("status")), "Non applicable"
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
