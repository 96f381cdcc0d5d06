"""What `python -m e2e discover` reads and writes: a CSV of establishments and accounts, the
French report of what was found, a ready `.env`, a targets file for a whole académie.

Nothing written here holds a password: each account names the environment variable that will
hold it (`password_env`). An existing file is never replaced unless the user says so.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from datetime import datetime
from pathlib import Path
from typing import Any

from e2e.discover import ROUTE_WORDS, Discovery, DiscoveryInputError, Wanted, wanted_from_argument
from e2e.routes import route_named
from e2e.settings import PROFILE_ALIASES

CSV_KEYS = ("uai", "pronote_url")
CSV_COLUMNS = (
    "uai",
    "pronote_url",
    "name",
    "ent_url",
    "login",
    "profile",
    "route",
    "educonnect_profile",
    "birth_date",
    "display_name",
    "password_env",
)
PLACEHOLDER_LOGIN = "A-RENSEIGNER"


class OutputError(ValueError):
    """A file that cannot be read or written, in one French line."""


# -- reading a CSV -------------------------------------------------------------------------------


def _env_name(*parts: str) -> str:
    return re.sub(r"[^A-Z0-9]+", "_", "_".join(("PW", *parts)).upper()).strip("_")


def wanted_from_csv(path: Path, pattern: str | list[str]) -> list[Wanted]:
    """Establishments from a CSV (`,`, `;` or tab): one row per account, or per establishment.

    Columns: `uai` or `pronote_url` (one of them), and optionally `name`, `ent_url`, `login`,
    `profile`, `route`, `educonnect_profile`, `birth_date`, `display_name`, `password_env`.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "pas en UTF-8"
        raise OutputError(f"{path} : illisible ({reason})") from None
    try:
        dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = list(csv.DictReader(io.StringIO(text), dialect=dialect))
    header = [h.strip().casefold() for h in (rows[0].keys() if rows else [])]
    if not any(k in header for k in CSV_KEYS):
        raise OutputError(
            f"{path} : il faut une colonne uai ou pronote_url (colonnes : {', '.join(header) or 'aucune'})"
        )
    unknown = [h for h in header if h not in CSV_COLUMNS]
    if unknown:
        raise OutputError(
            f"{path} : colonne inconnue {', '.join(unknown)} (connues : {', '.join(CSV_COLUMNS)})"
        )
    by_key: dict[str, Wanted] = {}
    for line, raw in enumerate(rows, start=2):
        row = {str(k).strip().casefold(): (v or "").strip() for k, v in raw.items() if k}
        where = f"{path}, ligne {line}"
        key = row.get("pronote_url") or row.get("uai") or ""
        if not key:
            raise OutputError(f"{where} : ni uai ni pronote_url")
        try:
            wanted = by_key.get(key) or wanted_from_argument(key, pattern)
        except DiscoveryInputError as exc:
            raise OutputError(f"{where} : {exc}") from None
        if row.get("uai"):
            wanted.uai = row["uai"].upper()
        wanted.name = wanted.name or row.get("name") or None
        wanted.ent_url = wanted.ent_url or row.get("ent_url") or None
        if row.get("login"):
            wanted.accounts.append(_account(row, wanted, where))
        by_key[key] = wanted
    if not by_key:
        raise OutputError(f"{path} : aucun établissement")
    return list(by_key.values())


def _account(row: dict[str, str], wanted: Wanted, where: str) -> dict[str, Any]:
    profile = PROFILE_ALIASES.get(row.get("profile", "").casefold())
    if profile is None:
        raise OutputError(
            f"{where} : profil « {row.get('profile', '')} » inconnu (élève, parent, "
            "professeur, personnel)"
        )
    route = row.get("route") or "local"
    if route not in ("local", "educonnect"):
        raise OutputError(f"{where} : route « {route} » inconnue (local ou educonnect)")
    account: dict[str, Any] = {"login": row["login"], "profile": profile}
    if route != "local":
        account["route"] = route
    for key in ("educonnect_profile", "birth_date", "display_name"):
        if row.get(key):
            account[key] = row[key]
    account["password_env"] = row.get("password_env") or _env_name(wanted.uai or "", row["login"])
    return account


def placeholder_accounts(d: Discovery, tag: str = "") -> list[dict[str, Any]]:
    """One account to fill per profile; élèves and parents by ÉduConnect when the ENT offers it.

    `tag` names the establishment in the variables when it has no UAI (`PW_ETAB3_ELEVE`).
    """
    educonnect = "educonnect" in d.wayf or any(
        c.route == "educonnect" for c in (d.login.choices if d.login else [])
    )
    uai = d.wanted.uai or tag
    accounts = []
    for profile in ("eleve", "parent", "professeur", "personnel"):
        account: dict[str, Any] = {"login": PLACEHOLDER_LOGIN, "profile": profile}
        if educonnect and profile in ("eleve", "parent"):
            account["route"] = "educonnect"
        account["password_env"] = _env_name(uai, profile)
        accounts.append(account)
    return accounts


# -- the report --------------------------------------------------------------------------------


def describe(d: Discovery) -> list[str]:
    """What was found for one establishment, with the evidence, and what is left."""
    lines = [f"{d.label} — {d.wanted.pronote_url}"]
    if d.problem and d.problem.blocking:
        lines.append(f"  ✗ {d.problem.code} : {d.problem.message}")
        return lines
    state = "CAS actif" if d.cas_active else "CAS inactif"
    lines.append(f"  PRONOTE {d.version or '?'}, {state} ({d.info_url})")
    for key, title in (("cas_url", "CAS"), ("login_family", "famille de connexion")):
        if key in d.facts:
            lines.append(f"  {title} : {d.facts[key].value}  [{d.facts[key].evidence}]")
    for space in d.spaces:
        if space.service:
            lines.append(f"  service annoncé par {space.page} : {space.service}")
            break
    if d.ent:
        hosts = ", ".join(d.ent.hosts)
        lines.append(f"  ENT : {d.ent.name} (catalogue : {d.ent.key} ; hôtes {hosts})")
        lines += [f"    note : {note}" for note in d.ent.notes]
    for route, choice in d.wayf.items():
        lines.append(f"  choix {ROUTE_WORDS[route]} : {choice.value}  [{choice.evidence}]")
    if d.login and d.login.family == "opentent" and d.login.choices:
        dominos = ", ".join(f"{c.key} ({ROUTE_WORDS[c.route]})" for c in d.login.choices)
        lines.append(f"  profils proposés (dominos) : {dominos}")
    for key, title in (("ent_url", "portail"), ("shortcut_pattern", "raccourci")):
        if key in d.facts:
            lines.append(f"  {title} : {d.facts[key].value}  [{d.facts[key].evidence}]")
    lines += [f"  ! {w}" for w in d.warnings]
    if d.problem:
        lines.append(f"  ✗ {d.problem.code} : {d.problem.message}")
    lines += [f"  reste à renseigner : {item}" for item in d.left_for_user()]
    return lines


def one_line(d: Discovery) -> str:
    if d.problem and d.problem.blocking:
        return f"✗ {d.label} : {d.problem.code} : {d.problem.message}"
    facts = [str(d.facts[k].value) for k in ("cas_url", "login_family") if k in d.facts]
    if d.ent:
        facts.append(d.ent.name)
    mark = "✗" if d.problem else ("!" if d.warnings else "✓")
    line = f"{mark} {d.label} : " + ", ".join(facts)
    if d.problem:
        line += f" ; {d.problem.code} : {d.problem.message}"
    return line + "".join(f" ; ! {w}" for w in d.warnings)


# -- writing -----------------------------------------------------------------------------------


def _write(path: Path, text: str, *, force: bool, private: bool) -> None:
    if path.exists() and not force:
        raise OutputError(f"{path} existe déjà : rien n'est écrit (--force pour le remplacer)")
    tmp = path.with_name(f".{path.name}.discover-tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        if private:
            os.chmod(tmp, 0o600)
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"{path} : écriture impossible ({exc.strerror})") from None


def _header(discoveries: list[Discovery]) -> list[str]:
    when = datetime.now().astimezone().isoformat(timespec="seconds")
    return [
        f"# Écrit par python -m e2e discover le {when}, sans connexion : chaque valeur",
        "# découverte est suivie de sa preuve. Aucun mot de passe ici : chaque compte nomme la",
        "# variable d'environnement qui le contiendra (password_env).",
    ]


def env_text(d: Discovery) -> str:
    """A ready `.env` for one establishment (the keys of `.env.example`)."""
    lines = _header([d])
    lines.append(f"# Établissement : {d.label}")

    def put(key: str, value: str, evidence: str) -> None:
        lines.append(f"# découvert : {evidence}")
        lines.append(f"{key}={value}")

    put("VERIFIER_PRONOTE_URL", d.facts["pronote_url"].value, d.facts["pronote_url"].evidence)
    if "ent_url" in d.facts:
        put("VERIFIER_ENT_URL", d.facts["ent_url"].value, d.facts["ent_url"].evidence)
    else:
        lines.append("# À RENSEIGNER : l'adresse du portail de l'ENT de l'établissement")
        lines.append("# VERIFIER_ENT_URL=https://…")
    for key in ("cas_url", "shortcut_pattern"):
        if key in d.facts:
            put(f"VERIFIER_{key.upper()}", str(d.facts[key].value), d.facts[key].evidence)
    if "login_family" in d.facts:  # the route tried first; each page is recognised anyway
        family = d.facts["login_family"]
        if route_named(str(family.value)) is not None:
            put("VERIFIER_LOGIN_FAMILY", str(family.value), family.evidence)
        else:
            lines.append(f"# famille de connexion : {family.value} [{family.evidence}]")
    if d.wayf:
        for route, choice in d.wayf.items():
            lines.append(f"# découvert ({route}) : {choice.evidence}")
        selections = {route: c.value for route, c in d.wayf.items()}
        lines.append(f"VERIFIER_WAYF_SELECTIONS={json.dumps(selections, ensure_ascii=False)}")
    if "establishment" in d.facts:
        put(
            "VERIFIER_ESTABLISHMENT",
            d.facts["establishment"].value,
            d.facts["establishment"].evidence,
        )
    for warning in d.warnings:
        lines.append(f"# attention : {warning}")
    lines.append("# À CONFIRMER : l'attribut CAS qui porte l'identifiant PRONOTE")
    lines.append("VERIFIER_IDENTIFIER_ATTRIBUTE=identifiantPronote")
    accounts = d.wanted.accounts or placeholder_accounts(d)
    if not d.wanted.accounts:
        lines.append(
            f"# À RENSEIGNER : les identifiants ({PLACEHOLDER_LOGIN}) et, dans l'environnement, "
            "les mots de passe des variables password_env"
        )
    lines.append(f"VERIFIER_ACCOUNTS={json.dumps(accounts, ensure_ascii=False)}")
    return "\n".join(lines) + "\n"


def _toml(value: Any) -> str:
    """A TOML value: JSON's strings, numbers and booleans are TOML's too."""
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_toml_key(k)} = {_toml(v)}" for k, v in value.items()) + " }"
    return json.dumps(value, ensure_ascii=False)


def _toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key, ensure_ascii=False)


def targets_text(discoveries: list[Discovery]) -> str:
    """A targets file (`targets.example.toml`'s shape) with every usable establishment."""
    lines = [*_header(discoveries), "# VERIFIER_TARGETS_FILE=<ce fichier> pytest e2e/", ""]
    skipped = [d for d in discoveries if not d.usable]
    for d in skipped:
        assert d.problem is not None
        lines.append(f"# non écrit : {d.label} : {d.problem.code} : {d.problem.message}")
    if skipped:
        lines.append("")
    for n, d in enumerate(discoveries, start=1):
        if not d.usable:
            continue
        lines.append("[[establishments]]")
        if d.wanted.uai:
            lines.append(f"uai = {_toml(d.wanted.uai)}")
        name = d.name or d.wanted.name
        if name:
            lines.append(f"name = {_toml(name)}")
        lines.append(f"pronote_url = {_toml(d.facts['pronote_url'].value)}")
        if "ent_url" in d.facts:
            lines.append(f"# {d.facts['ent_url'].evidence}")
            lines.append(f"ent_url = {_toml(d.facts['ent_url'].value)}")
        else:
            lines.append("# À RENSEIGNER : l'adresse du portail de l'ENT de l'établissement")
            lines.append('# ent_url = "https://…"')
        if "cas_url" in d.facts:
            lines.append(f"# {d.facts['cas_url'].evidence}")
            lines.append(f"cas_url = {_toml(d.facts['cas_url'].value)}")
        if d.wayf:
            for route, choice in d.wayf.items():
                lines.append(f"# {route} : {choice.evidence}")
            lines.append(f"wayf_selections = {_toml({r: c.value for r, c in d.wayf.items()})}")
        if "login_family" in d.facts:
            family = d.facts["login_family"]
            if route_named(str(family.value)) is not None:
                lines.append(f"# famille de connexion : {family.evidence}")
                lines.append(f"login_family = {_toml(family.value)}")
            else:
                lines.append(f"# famille de connexion : {family.value}")
        for warning in d.warnings:
            lines.append(f"# attention : {warning}")
        if d.problem:
            lines.append(f"# attention : {d.problem.code} : {d.problem.message}")
        accounts = d.wanted.accounts or placeholder_accounts(d, f"ETAB{n}")
        if not d.wanted.accounts:
            lines.append(f"# À RENSEIGNER : les identifiants ({PLACEHOLDER_LOGIN}) des comptes")
        for account in accounts:
            lines.append("")
            lines.append("  [[establishments.accounts]]")
            lines += [f"  {k} = {_toml(v)}" for k, v in account.items()]
        lines.append("")
    return "\n".join(lines)


def write_env(path: Path, d: Discovery, *, force: bool) -> None:
    _write(path, env_text(d), force=force, private=True)


def write_targets(path: Path, discoveries: list[Discovery], *, force: bool) -> None:
    _write(path, targets_text(discoveries), force=force, private=False)
