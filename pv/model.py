"""What a PV holds: the establishment, its accounts and their steps; the PV's error."""

from __future__ import annotations

import importlib.metadata
from dataclasses import dataclass, field
from typing import Any


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
    state: str  # passed, failed or non_verifie (verdict.record)
    result: str
    cas_user: str | None
    seconds: float | None
    mode: str
    warnings: list[str]
    steps: list[Step]
    diagnosis: dict[str, str] | None
    details: str
    notes: list[str]
    reason: str = ""  # why it was not verified


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
        return sum(a.state == "passed" for a in self.accounts)

    @property
    def failed(self) -> int:
        return sum(a.state == "failed" for a in self.accounts)

    @property
    def not_verified(self) -> list[AccountSection]:
        """The accounts no credential was sent for: listed apart, never counted as failed."""
        return [a for a in self.accounts if a.state == "non_verifie"]


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
