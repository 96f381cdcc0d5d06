"""The verifier's settings: `.env` plus the environment (the environment wins).

Every key is documented in `.env.example`. With no `VERIFIER_ENT_URL`, the run
targets the lab, which then fills the URLs and accounts itself.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AnyHttpUrl,
    BaseModel,
    Field,
    InstanceOf,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)
from pydantic_settings import SettingsError as SourceError

from e2e.settings_errors import french
from lab.options import LabOptions
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


# Logins per minute to one real host by default: one every two seconds, far under what an
# ENT serves at 8 a.m., and never a burst of a whole académie's accounts at once.
REAL_LOGINS_PER_MINUTE = 30.0


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
    # The ENT's login family (a module of e2e/routes/: kosmos, opentent, edifice, apereo…),
    # tried first on every login page; unset: each page is recognised as it comes.
    login_family: str | None = None
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
    # Logins sent to one host per minute, by every journey and worker of the run; unset: 30
    # for a real target, no pace for the lab; 0: no pace.
    max_logins_per_minute: float | None = Field(default=None, ge=0, le=6000)
    slow_hop_s: float | None = Field(default=None, gt=0)  # median server time per hop = slow
    headless: bool = True
    browser_executable: Path | None = None
    # Running Playwright browser servers to connect to, comma-separated: used in turn.
    browser_ws_endpoint: str | None = None
    # Journeys at once in one browser (each in its own contexts). 1: one after the other.
    # 8 per CPU: a journey mostly waits for the servers, and waiting overlaps.
    concurrency: int = Field(
        default_factory=lambda: min(16, 8 * (os.cpu_count() or 1)), ge=1, le=64
    )
    proxy: SecretStr | None = None  # http://[user:password@]host:port; else HTTPS_PROXY/NO_PROXY
    ca_bundle: Path | None = None  # a PEM file of extra certificate authorities (TLS proxies)
    mode: Literal["browser", "probe"] = "browser"  # probe: plain HTTP, no browser evidence
    report_dir: Path = Path("reports")
    insecure_tls: bool = False  # accept a staging certificate (the report says so)
    # The lab's start options (`LAB_*`, defined once in lab.options), read by _LabOptionsSource.
    lab: InstanceOf[LabOptions] = Field(default_factory=LabOptions)
    locators: Locators = Field(default_factory=Locators)
    wording: Wording = Field(default_factory=Wording)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        lab = _LabOptionsSource(settings_cls, dotenv_settings)
        return init_settings, lab, env_settings, dotenv_settings, file_secret_settings

    @field_validator("login_family")
    @classmethod
    def _known_family(cls, value: str | None) -> str | None:
        return known_login_family(value)

    @field_validator("lab", mode="before")
    @classmethod
    def _lab_options(cls, value: Any) -> Any:
        return LabOptions.from_env(value) if isinstance(value, dict) else value

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
                raise ValueError(
                    f"JSON invalide (ligne {exc.lineno}, colonne {exc.colno})"
                ) from None
        return value

    @model_validator(mode="after")
    def _target_complete(self) -> Settings:
        if self.accounts_file and not self.accounts:
            try:
                raw = json.loads(self.accounts_file.read_text(encoding="utf-8"))
            except OSError as exc:
                raise ValueError(
                    f"VERIFIER_ACCOUNTS_FILE : {self.accounts_file} illisible ({exc.strerror})"
                ) from None
            except json.JSONDecodeError as exc:
                raise ValueError(
                    f"VERIFIER_ACCOUNTS_FILE : {self.accounts_file} n'est pas du JSON valide "
                    f"(ligne {exc.lineno}, colonne {exc.colno})"
                ) from None
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
            # No CAS root: the run discovers it from PRONOTE.net (e2e/zero_config.py).
            missing = ["VERIFIER_PRONOTE_URL"] if self.pronote_url is None else []
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
    def logins_per_minute(self) -> float:
        """The pace of logins to one host (0: none): a safe default for real targets."""
        if self.max_logins_per_minute is not None:
            return self.max_logins_per_minute
        return 0.0 if self.uses_lab else REAL_LOGINS_PER_MINUTE

    @property
    def uses_lab(self) -> bool:
        return self.ent_url is None and self.targets_file is None


class _LabOptionsSource(PydanticBaseSettingsSource):
    """The lab's `LAB_*` keys, from `.env` then the environment (the environment wins)."""

    def __init__(
        self, settings_cls: type[BaseSettings], dotenv: PydanticBaseSettingsSource
    ) -> None:
        super().__init__(settings_cls)
        self._dotenv = dotenv

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # one value for the whole field, from __call__

    def __call__(self) -> dict[str, Any]:
        names = LabOptions.env_names()
        in_file: Mapping[str, str | None] = getattr(self._dotenv, "env_vars", {})
        raw = {name: value for name in names if (value := in_file.get(name.lower()))}
        raw |= {name: os.environ[name] for name in names if os.environ.get(name)}
        return {"lab": raw}


def known_login_family(value: str | None) -> str | None:
    """*value* when it names a login route of `e2e/routes/` (any case), else a French error."""
    from e2e.routes import ROUTES  # the routes read targets, which read these settings

    if not value or not value.strip():
        return None
    names = [r.name for r in ROUTES]
    if value.strip().casefold() not in names:
        raise ValueError(
            f"famille de connexion inconnue « {value} » (connues : {', '.join(names)})"
        )
    return value.strip().casefold()


class SettingsError(Exception):
    """Bad settings, explained field by field (raised before any browser starts)."""


def load_settings(**overrides: Any) -> Settings:
    """Read and validate the settings; turn validation errors into one readable message."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        lines = ["Réglages invalides (voir .env.example) :"]
        lines += [f"  - {french(error)}" for error in exc.errors()]
        raise SettingsError("\n".join(lines)) from None
    except SourceError as exc:
        raise SettingsError(f"Réglages invalides (voir .env.example) : {exc}") from None


def env_file_warning(path: Path = Path(".env")) -> str | None:
    """A warning when .env (which may hold passwords) is readable by other users."""
    return readable_by_others_warning(path)


def readable_by_others_warning(path: Path) -> str | None:
    """A warning when a file that holds passwords (.env, a password_file) is readable by
    other users of the machine."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return None
    if mode & (stat.S_IRGRP | stat.S_IROTH):
        return f"Attention : {path} est lisible par d'autres utilisateurs ; faites chmod 600 {path}"
    return None
