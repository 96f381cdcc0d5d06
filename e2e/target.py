"""A target: one establishment's ENT, CAS and PRONOTE.net, and the accounts to check there."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, ValidationError

from e2e.settings import Account, Settings
from e2e.settings_errors import explain


@dataclass
class Target:
    name: str  # establishment name or UAI, for grouping the report
    ent_url: str
    cas_url: str
    pronote_url: str  # public URL of the CAS listener, as announced in `service`
    shortcut_label: str
    identifier_attribute: str
    accounts: list[Account] = field(default_factory=list)
    pronote_classic_url: str | None = None
    pronote_direct_url: str | None = None
    is_lab: bool = False
    insecure_tls: bool = False
    wayf_selections: dict[str, str] = field(default_factory=dict)

    def wayf_selection(self, route: str) -> str | None:
        """The WAYF choice configured for a login route; None: recognised on the page."""
        return self.wayf_selections.get(route)

    @property
    def pronote_hosts(self) -> set[str]:
        urls = (self.pronote_url, self.pronote_classic_url, self.pronote_direct_url)
        return {urlsplit(u).netloc for u in urls if u}

    def urls(self) -> dict[str, str]:
        urls = {"ENT": self.ent_url, "CAS": self.cas_url, "PRONOTE.net (CAS)": self.pronote_url}
        if self.pronote_classic_url:
            urls["PRONOTE.net (classique)"] = self.pronote_classic_url
        if self.pronote_direct_url:
            urls["PRONOTE.net (authentification directe)"] = self.pronote_direct_url
        return urls


def _slash(url: object) -> str:
    text = str(url)
    return text if text.endswith("/") else text + "/"


def target_from_settings(settings: Settings) -> Target:
    assert settings.ent_url and settings.cas_url and settings.pronote_url
    return Target(
        name=settings.establishment or urlsplit(str(settings.pronote_url)).netloc,
        ent_url=_slash(settings.ent_url),
        cas_url=_slash(settings.cas_url),
        pronote_url=str(settings.pronote_url),
        shortcut_label=settings.shortcut_label,
        identifier_attribute=settings.identifier_attribute,
        accounts=list(settings.accounts),
        pronote_classic_url=str(settings.pronote_classic_url)
        if settings.pronote_classic_url
        else None,
        pronote_direct_url=str(settings.pronote_direct_url)
        if settings.pronote_direct_url
        else None,
        insecure_tls=settings.insecure_tls,
        wayf_selections=dict(settings.wayf_selections),
    )


def targets_from_lab(info: dict, settings: Settings) -> list[Target]:
    """One target per lab establishment, with the lab's demo accounts."""
    targets = []
    for site in info["establishments"]:
        accounts = [
            Account(
                login=a["login"],
                profile=a["profile"],
                password=a["password"],
                display_name=a["display_name"],
                establishment=site["uai"],
                route=a.get("route", "local"),
                educonnect_profile=a.get("educonnect_profile"),
                birth_date=a.get("birth_date"),
            )
            for a in info["accounts"]
            if a["uai"] == site["uai"]
        ]
        targets.append(
            Target(
                name=f"{site['uai']} {site['name']}",
                ent_url=info["ent"],
                cas_url=info["cas"],
                pronote_url=site["pronote"],
                pronote_classic_url=site["pronote_classic"],
                pronote_direct_url=site["pronote_direct"],
                shortcut_label=settings.shortcut_label,
                identifier_attribute=info["identifier_attribute"],
                accounts=accounts,
                is_lab=True,
            )
        )
    return targets


class TargetsFileError(ValueError):
    """A targets file that cannot be used, explained in French with the place of the error."""


def targets_from_file(path: Path, settings: Settings) -> list[Target]:
    """Establishments from a TOML targets file (see `targets.example.toml`).

    `[defaults]` holds what establishments share (usually the ENT and its CAS); each
    `[[establishments]]` has `uai`, `name`, `pronote_url`, optional overrides, and its
    `[[establishments.accounts]]`, whose passwords are read from the environment variable
    each names in `password_env` (or a `password_file`).
    """
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise TargetsFileError(f"{path} : illisible ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise TargetsFileError(f"{path} : TOML invalide ({exc})") from None
    defaults = data.get("defaults", {})
    establishments = data.get("establishments")
    if not isinstance(establishments, list) or not establishments:
        raise TargetsFileError(f"{path} : aucune section [[establishments]]")
    targets = []
    seen: dict[str, str] = {}  # UAI or PRONOTE.net address -> the entry that named it first
    for n, raw in enumerate(establishments, start=1):
        entry = {**defaults, **raw}
        where = f"{path}, établissement n°{n} ({entry.get('uai') or entry.get('name') or '?'})"
        try:
            parsed = _EstablishmentEntry.model_validate(entry)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc'])} : {explain(e)}" for e in exc.errors()
            )
            raise TargetsFileError(f"{where} : {problems}") from None
        # One establishment listed twice would run twice and keep one in summary.json.
        for key in (parsed.uai.upper(), str(parsed.pronote_url).rstrip("/").lower()):
            if key and key in seen:
                raise TargetsFileError(
                    f"{path} : {seen[key]} et établissement n°{n} ({parsed.uai or parsed.name}) "
                    f"désignent le même établissement ({key}) : gardez-en un seul"
                )
            seen.setdefault(key, f"établissement n°{n} ({parsed.uai or parsed.name})")
        label = " ".join(x for x in (parsed.uai, parsed.name) if x)
        targets.append(
            Target(
                name=label,
                ent_url=_slash(parsed.ent_url),
                cas_url=_slash(parsed.cas_url),
                pronote_url=str(parsed.pronote_url),
                pronote_classic_url=_opt(parsed.pronote_classic_url),
                pronote_direct_url=_opt(parsed.pronote_direct_url),
                shortcut_label=parsed.shortcut_label or settings.shortcut_label,
                identifier_attribute=parsed.identifier_attribute or settings.identifier_attribute,
                accounts=[a.model_copy(update={"establishment": label}) for a in parsed.accounts],
                insecure_tls=settings.insecure_tls,
                wayf_selections=parsed.wayf_selections or dict(settings.wayf_selections),
            )
        )
    return targets


class _EstablishmentEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    uai: str = ""
    name: str = ""
    ent_url: AnyHttpUrl
    cas_url: AnyHttpUrl
    pronote_url: AnyHttpUrl
    pronote_classic_url: AnyHttpUrl | None = None
    pronote_direct_url: AnyHttpUrl | None = None
    shortcut_label: str | None = None
    identifier_attribute: str | None = None
    wayf_selections: dict[str, str] = Field(default_factory=dict)
    accounts: list[Account] = Field(min_length=1)


def _opt(url: object) -> str | None:
    return str(url) if url else None
