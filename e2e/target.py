"""A target: one establishment's ENT, CAS and PRONOTE.net, and the accounts to check there."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, ValidationError, field_validator

from e2e.settings import Account, Settings, known_login_family
from e2e.settings_errors import explain
from pages.locators import Locators
from verdict.page import page_kind
from verdict.wording import Wording


@dataclass
class Target:
    """One establishment as checked: its addresses, what it expects, how its pages are read.

    Made only by `build_target`, whatever the source (settings, targets file, lab), so the
    journeys, the drivers and the judge read every fact of a target here, never `Settings`.
    """

    uai: str  # the establishment's UAI (else PRONOTE.net's host): its short id in tests, reports
    name: str  # "UAI name", grouping the report
    ent_url: str
    cas_url: str
    pronote_url: str  # public URL of the CAS listener, as announced in `service`
    identifier_attribute: str  # the CAS attribute carrying the PRONOTE identifier
    shortcut_labels: list[str]  # the shortcut's label first, then others it may carry (any case)
    locators: Locators  # the selectors of its pages (VERIFIER_LOCATORS__*)
    wording: Wording  # the phrases its pages say (VERIFIER_WORDING__*)
    accounts: list[Account] = field(default_factory=list)
    pronote_classic_url: str | None = None
    pronote_direct_url: str | None = None
    # Where the portal's shortcut leads, besides the PRONOTE.net host (e.g. a preset's
    # "index-education.net/pronote/"): a link whose href contains it is the shortcut.
    shortcut_pattern: str | None = None
    wayf_selections: dict[str, str] = field(default_factory=dict)  # WAYF choice per route
    # The ENT's login family (`e2e.routes`), tried first; None: recognised page by page.
    login_family: str | None = None
    is_lab: bool = False
    insecure_tls: bool = False

    @property
    def shortcut_label(self) -> str:
        return self.shortcut_labels[0]

    def wayf_selection(self, route: str) -> str | None:
        """The WAYF choice configured for a login route; None: recognised on the page."""
        return self.wayf_selections.get(route)

    @property
    def pronote_hosts(self) -> set[str]:
        urls = (self.pronote_url, self.pronote_classic_url, self.pronote_direct_url)
        return {urlsplit(u).netloc for u in urls if u}

    def page_kind(self, url: str, status: int | None, html: str) -> str:
        """What a page of this target is (`verdict.page.page_kind`), read with its locators
        and wording."""
        return page_kind(
            url,
            status,
            html,
            pronote_hosts=self.pronote_hosts,
            cas_url=self.cas_url,
            wording=self.wording,
            banner=self.locators.space_user_label,
        )

    def urls(self) -> dict[str, str]:
        urls = {"ENT": self.ent_url, "CAS": self.cas_url, "PRONOTE.net (CAS)": self.pronote_url}
        if self.pronote_classic_url:
            urls["PRONOTE.net (classique)"] = self.pronote_classic_url
        if self.pronote_direct_url:
            urls["PRONOTE.net (authentification directe)"] = self.pronote_direct_url
        return urls


def build_target(
    settings: Settings,
    *,
    name: str,
    ent_url: object,
    cas_url: object,
    pronote_url: object,
    accounts: list[Account],
    uai: str | None = None,
    pronote_classic_url: object | None = None,
    pronote_direct_url: object | None = None,
    shortcut_label: str | None = None,
    identifier_attribute: str | None = None,
    wayf_selections: dict[str, str] | None = None,
    login_family: str | None = None,
    is_lab: bool = False,
) -> Target:
    """The one way to make a `Target`: what its source gives (settings, a targets file's
    entry, the lab's report), every fact it leaves unset from *settings*.

    *name* labels the report ("UAI name"); the UAI is its first word unless given.
    """
    return Target(
        uai=uai or name.split()[0],
        name=name,
        ent_url=_slash(ent_url),
        cas_url=_slash(cas_url),
        pronote_url=str(pronote_url),
        identifier_attribute=identifier_attribute or settings.identifier_attribute,
        shortcut_labels=list(
            dict.fromkeys([shortcut_label or settings.shortcut_label, *settings.shortcut_labels])
        ),
        locators=settings.locators,
        wording=settings.wording,
        accounts=accounts,
        pronote_classic_url=_opt(pronote_classic_url),
        pronote_direct_url=_opt(pronote_direct_url),
        shortcut_pattern=settings.shortcut_pattern,
        wayf_selections=dict(
            settings.wayf_selections if wayf_selections is None else wayf_selections
        ),
        login_family=login_family or settings.login_family,
        is_lab=is_lab,
        insecure_tls=settings.insecure_tls,
    )


def _slash(url: object) -> str:
    text = str(url)
    return text if text.endswith("/") else text + "/"


def target_from_settings(settings: Settings) -> Target:
    """The one target `VERIFIER_ENT_URL` and its neighbours describe."""
    assert settings.ent_url and settings.cas_url and settings.pronote_url
    return build_target(
        settings,
        name=settings.establishment or urlsplit(str(settings.pronote_url)).netloc,
        ent_url=settings.ent_url,
        cas_url=settings.cas_url,
        pronote_url=settings.pronote_url,
        pronote_classic_url=settings.pronote_classic_url,
        pronote_direct_url=settings.pronote_direct_url,
        accounts=list(settings.accounts),
    )


def targets_from_lab(info: dict[str, Any], settings: Settings) -> list[Target]:
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
            build_target(
                settings,
                uai=site["uai"],
                name=f"{site['uai']} {site['name']}",
                ent_url=info["ent"],
                cas_url=info["cas"],
                pronote_url=site["pronote"],
                pronote_classic_url=site["pronote_classic"],
                pronote_direct_url=site["pronote_direct"],
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
    seen: dict[str, str] = {}  # UAI -> the entry that named it first
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
        # One establishment listed twice would run twice and keep one in summary.json. (One
        # PRONOTE.net for two UAIs is a cité scolaire's: allowed.)
        key = parsed.uai.upper()
        if key and key in seen:
            raise TargetsFileError(
                f"{path} : {seen[key]} et établissement n°{n} ({parsed.uai}) désignent le même "
                f"établissement ({key}) : gardez-en un seul"
            )
        seen.setdefault(key, f"établissement n°{n} ({parsed.uai or parsed.name})")
        label = " ".join(x for x in (parsed.uai, parsed.name) if x)
        targets.append(
            build_target(
                settings,
                name=label,
                ent_url=parsed.ent_url,
                cas_url=parsed.cas_url,
                pronote_url=parsed.pronote_url,
                pronote_classic_url=parsed.pronote_classic_url,
                pronote_direct_url=parsed.pronote_direct_url,
                shortcut_label=parsed.shortcut_label,
                identifier_attribute=parsed.identifier_attribute,
                accounts=[a.model_copy(update={"establishment": label}) for a in parsed.accounts],
                wayf_selections=parsed.wayf_selections or None,
                login_family=parsed.login_family,
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
    login_family: str | None = None
    accounts: list[Account] = Field(min_length=1)

    @field_validator("login_family")
    @classmethod
    def _known_family(cls, value: str | None) -> str | None:
        return known_login_family(value)


def _opt(url: object) -> str | None:
    return str(url) if url else None
