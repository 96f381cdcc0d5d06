"""The verifier's settings: `.env` plus the environment (the environment wins).

Every key is documented in `.env.example`. With no `VERIFIER_ENT_URL`, the run
targets the lab, which then fills the URLs and accounts itself.
"""

from __future__ import annotations

import json
import os
import stat
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AnyHttpUrl,
    BaseModel,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from pydantic_settings import SettingsError as SourceError

from pages.locators import Locators
from verdict.wording import Wording

Profile = Literal["eleve", "parent", "professeur", "personnel"]
PROFILE_ALIASES = {
    "élève": "eleve",
    "eleve": "eleve",
    "parent": "parent",
    "responsable": "parent",
    "professeur": "professeur",
    "enseignant": "professeur",
    "personnel": "personnel",
}


class Account(BaseModel):
    """One account to check. Its password comes from .env, an environment variable or a file."""

    login: str = Field(min_length=1)
    profile: Profile
    password: SecretStr | None = None
    password_env: str | None = None  # name of an environment variable holding the password
    password_file: Path | None = None  # a file holding the password (CI secrets)
    display_name: str | None = None  # expected name shown in PRONOTE
    establishment: str | None = None  # UAI or name, for report grouping
    # How this account logs into the ENT: its local form (staff, older ENTs), or ÉduConnect
    # (élèves and parents of most ENTs today, DOMAIN.md), with ÉduConnect's profile choice.
    route: Literal["local", "educonnect"] = "local"
    educonnect_profile: Literal["eleve", "responsable"] | None = None
    birth_date: date | None = None  # for ÉduConnect's identity check, when it asks

    @field_validator("profile", mode="before")
    @classmethod
    def _profile_alias(cls, value: Any) -> Any:
        if isinstance(value, str):
            folded = value.strip().casefold()
            if folded not in PROFILE_ALIASES:
                raise ValueError(
                    f"profil inconnu « {value} » : choisir parmi élève, parent, professeur, personnel"
                )
            return PROFILE_ALIASES[folded]
        return value

    @model_validator(mode="after")
    def _educonnect_profile(self) -> Account:
        if self.route == "educonnect" and self.educonnect_profile is None:
            self.educonnect_profile = "responsable" if self.profile == "parent" else "eleve"
        return self

    @model_validator(mode="after")
    def _resolve_password(self) -> Account:
        if self.password is None and self.password_env:
            value = os.environ.get(self.password_env)
            if not value:
                raise ValueError(
                    f"compte {self.login} : la variable d'environnement {self.password_env} "
                    "(password_env) est vide ou absente"
                )
            self.password = SecretStr(value)
        if self.password is None and self.password_file:
            try:
                value = self.password_file.read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise ValueError(
                    f"compte {self.login} : fichier de mot de passe illisible "
                    f"({self.password_file}: {exc.strerror})"
                ) from None
            self.password = SecretStr(value)
        if self.password is None or not self.password.get_secret_value():
            raise ValueError(
                f"compte {self.login} : aucun mot de passe (password, password_env ou password_file)"
            )
        return self

    @property
    def id(self) -> str:
        """Test id that reads as words: `eleve-<login>`."""
        return f"{self.profile}-{self.login}"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="VERIFIER_",
        env_file=".env",
        env_file_encoding="utf-8",
        env_nested_delimiter="__",
        extra="ignore",
        env_ignore_empty=True,
    )

    ent_url: AnyHttpUrl | None = None  # none: run against the lab
    cas_url: AnyHttpUrl | None = None
    pronote_url: AnyHttpUrl | None = None  # public URL of the PRONOTE.net CAS listener
    pronote_classic_url: AnyHttpUrl | None = None  # classic listener, if published apart
    pronote_direct_url: AnyHttpUrl | None = None  # direct-login URL, when direct auth is expected
    shortcut_label: str = "Pronote"
    # Other labels the shortcut may carry (matched case-insensitively, like shortcut_label).
    shortcut_labels: list[str] = Field(default_factory=list)
    ent_preset: str | None = None  # a known ENT (`python -m e2e presets`); .env keys win
    ent_catalogue: Path | None = None  # the user's own ENT entries, over e2e/ents.toml
    # WAYF choices per login route ("local", "educonnect"), e.g. {"educonnect": "EDU"}.
    wayf_selections: dict[str, str] = Field(default_factory=dict)
    login_family: str | None = None  # kosmos, opentent, apereo (from a preset; informative)
    # Where the portal's shortcut leads, besides the PRONOTE.net host (e.g. a preset's
    # "index-education.net/pronote/"): a link whose href contains it is the shortcut.
    shortcut_pattern: str | None = None
    identifier_attribute: str = "identifiantPronote"
    establishment: str = ""  # UAI or name of the establishment, for the report
    accounts: Annotated[list[Account], NoDecode] = Field(default_factory=list)
    accounts_file: Path | None = None  # JSON list of accounts, instead of VERIFIER_ACCOUNTS
    targets_file: Path | None = None  # TOML list of establishments (replaces the single target)
    identifiers_file: Path | None = None  # PRONOTE's identifiers export, audited and looked up
    timeout_s: float = Field(default=20, gt=0, le=600)  # one page or action
    journey_timeout_s: float = Field(default=90, gt=0, le=1800)
    retries: int = Field(default=2, ge=0, le=5)  # transient network failures
    slow_hop_s: float | None = Field(default=None, gt=0)  # median server time per hop = slow
    headless: bool = True
    browser_executable: Path | None = None
    # Running Playwright browser servers to connect to, comma-separated: used in turn.
    browser_ws_endpoint: str | None = None
    # Journeys at once in one browser (each in its own contexts). 1: one after the other.
    # 8 per CPU: a journey mostly waits for the servers (bench/RESULTS.md, 0.3 s per hop:
    # 48.5 s at 8 on 2 CPUs, 39.2 s at 16, for 0.37 GiB more memory).
    concurrency: int = Field(
        default_factory=lambda: min(16, 8 * (os.cpu_count() or 1)), ge=1, le=64
    )
    proxy: SecretStr | None = None  # http://[user:password@]host:port; else HTTPS_PROXY/NO_PROXY
    ca_bundle: Path | None = None  # a PEM file of extra certificate authorities (TLS proxies)
    mode: Literal["browser", "probe"] = "browser"  # probe: plain HTTP, no browser evidence
    report_dir: Path = Path("reports")
    insecure_tls: bool = False  # accept a staging certificate (the report says so)
    lab_faults: str = Field(default="", validation_alias="LAB_FAULTS")
    lab_establishments: int = Field(default=1, ge=1, le=200, validation_alias="LAB_ESTABLISHMENTS")
    lab_per_profile: int = Field(default=2, ge=1, le=100, validation_alias="LAB_PER_PROFILE")
    lab_educonnect_per_profile: int = Field(
        default=1, ge=0, le=100, validation_alias="LAB_EDUCONNECT_PER_PROFILE"
    )
    lab_wording: Literal["default", "alt"] = Field(
        default="default", validation_alias="LAB_WORDING"
    )
    lab_pronote_generation: str = Field(default="2025", validation_alias="LAB_PRONOTE_GENERATION")
    lab_latency: float = Field(default=0.0, ge=0, le=10, validation_alias="LAB_LATENCY")
    lab_ent_family: Literal["kosmos", "opentent"] = Field(
        default="kosmos", validation_alias="LAB_ENT_FAMILY"
    )
    locators: Locators = Field(default_factory=Locators)
    wording: Wording = Field(default_factory=Wording)

    @model_validator(mode="before")
    @classmethod
    def _preset(cls, data: Any) -> Any:
        """A known ENT's public facts (`VERIFIER_ENT_PRESET`) under what the user set."""
        if isinstance(data, dict) and data.get("ent_preset"):
            from e2e.presets import apply_preset

            data = apply_preset(data, str(data["ent_preset"]), data.get("ent_catalogue") or "")
        return data

    @field_validator("accounts", mode="before")
    @classmethod
    def _accounts_json(cls, value: Any) -> Any:
        if isinstance(value, str):
            if not value.strip():
                return []
            try:
                return json.loads(value)
            except json.JSONDecodeError as exc:
                raise ValueError(f"JSON invalide ({exc.msg}, colonne {exc.colno})") from None
        return value

    @model_validator(mode="after")
    def _target_complete(self) -> Settings:
        if self.accounts_file and not self.accounts:
            try:
                raw = json.loads(self.accounts_file.read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError) as exc:
                raise ValueError(f"accounts_file {self.accounts_file} illisible : {exc}") from None
            self.accounts = [Account.model_validate(a) for a in raw]
        if self.targets_file is not None:
            if not self.targets_file.is_file():
                raise ValueError(
                    f"VERIFIER_TARGETS_FILE : fichier introuvable ({self.targets_file})"
                )
            return self
        if self.ent_preset and self.ent_url is None:
            raise ValueError(
                f"VERIFIER_ENT_PRESET={self.ent_preset} : l'adresse de l'ENT n'est pas publique "
                "pour ce préréglage, renseignez VERIFIER_ENT_URL (et les comptes)"
            )
        if self.ent_url is not None:
            missing = [
                f"VERIFIER_{name.upper()}"
                for name in ("cas_url", "pronote_url")
                if getattr(self, name) is None
            ]
            if not self.accounts:
                missing.append("VERIFIER_ACCOUNTS")
            if missing:
                raise ValueError(
                    "VERIFIER_ENT_URL est renseigné : il faut aussi " + ", ".join(missing)
                )
        return self

    @property
    def browser_ws_endpoints(self) -> list[str]:
        return [e.strip() for e in (self.browser_ws_endpoint or "").split(",") if e.strip()]

    @property
    def uses_lab(self) -> bool:
        return self.ent_url is None and self.targets_file is None

    def lab_fault_list(self) -> list[str]:
        return [f.strip() for f in self.lab_faults.split(",") if f.strip()]


class SettingsError(Exception):
    """Bad settings, explained field by field (raised before any browser starts)."""


def load_settings(**overrides: Any) -> Settings:
    """Read and validate the settings; turn validation errors into one readable message."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        lines = ["Réglages invalides (voir .env.example) :"]
        for error in exc.errors():
            where = ".".join(str(p) for p in error["loc"]) or "réglages"
            field_name = f"VERIFIER_{where.upper()}" if where != "réglages" else where
            message = error["msg"].removeprefix("Value error, ")
            lines.append(f"  - {field_name} : {message}")
        raise SettingsError("\n".join(lines)) from None
    except SourceError as exc:
        raise SettingsError(f"Réglages invalides (voir .env.example) : {exc}") from None


def env_file_warning(path: Path = Path(".env")) -> str | None:
    """A warning when .env (which may hold passwords) is readable by other users."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return None
    if mode & (stat.S_IRGRP | stat.S_IROTH):
        return f"Attention : {path} est lisible par d'autres utilisateurs ; faites chmod 600 {path}"
    return None
