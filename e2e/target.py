"""A target: one establishment's ENT, CAS and PRONOTE.net, and the accounts to check there."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from e2e.settings import Account, Settings


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
