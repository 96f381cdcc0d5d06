"""The ENT catalogue: known ENTs as data (`e2e/ents.toml`), each fact with its source.

The shipped file is read first; a user's own file (`VERIFIER_ENT_CATALOGUE`) of the same
shape is merged over it, entry by entry and field by field, so an ENT can be added or a moved
host corrected without touching the package. Every fact is `{ value = …, source = "…" }`:
a fact without a source is refused, as is anything the shape does not know.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

# The login routes of e2e/routes/ (their `name`), or "other" for a family none walks yet.
Family = Literal["kosmos", "opentent", "edifice", "apereo", "discovery", "other"]
ROUTES = ("local", "educonnect")
SHIPPED = "ents.toml"
# The facts an entry may name as not public (its `unknown` list).
FACTS = (
    "name",
    "family",
    "cas_url",
    "login_hosts",
    "ent_url",
    "portal_pattern",
    "shortcut_pattern",
    "wayf.local",
    "wayf.educonnect",
)


class CatalogueError(ValueError):
    """A catalogue file that cannot be used, in one French line naming the file and the place."""


class _Fact(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    source: str = Field(min_length=1)

    @field_validator("source")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("source vide")
        return value


class _Text(_Fact):
    value: str = Field(min_length=1)


class _Hosts(_Fact):
    value: list[str] = Field(min_length=1)


class _Family(_Fact):
    value: Family


class _Url(_Fact):
    value: str

    @field_validator("value")
    @classmethod
    def _root(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"adresse invalide « {value} » (attendu https://hôte/…)")
        if parts.query or parts.fragment or not parts.path.endswith("/"):
            raise ValueError(f"« {value} » : une racine, sans paramètres, finit par /")
        return value


class _Wayf(BaseModel):
    model_config = ConfigDict(extra="forbid")
    local: _Text | None = None
    educonnect: _Text | None = None


class _Entry(BaseModel):
    """One `[key]` table as written: every field optional, so a user file can patch one."""

    model_config = ConfigDict(extra="forbid")
    name: _Text | None = None
    family: _Family | None = None
    cas_url: _Url | None = None
    login_hosts: _Hosts | None = None
    ent_url: _Url | None = None
    portal_pattern: _Text | None = None
    shortcut_pattern: _Text | None = None
    wayf: _Wayf = Field(default_factory=_Wayf)
    notes: list[_Text] = Field(default_factory=list)
    unknown: list[str] = Field(default_factory=list)

    @field_validator("unknown")
    @classmethod
    def _known_facts(cls, value: list[str]) -> list[str]:
        wrong = [v for v in value if v not in FACTS]
        if wrong:
            raise ValueError(f"fait inconnu {', '.join(wrong)} (connus : {', '.join(FACTS)})")
        return value


@dataclass(frozen=True)
class Ent:
    """One known ENT: its public facts, the source of each, and what is not public."""

    key: str
    name: str
    family: Family
    cas_url: str | None
    login_hosts: tuple[str, ...]
    ent_url: str | None
    portal_pattern: str | None
    shortcut_pattern: str | None
    wayf_selections: dict[str, str]  # login route → WAYF choice
    notes: tuple[str, ...]
    sources: dict[str, str]  # fact ("cas_url", "wayf.local", "notes.0"…) → its source
    unknown: tuple[str, ...]
    origin: str  # the file the entry (or its last patch) came from

    @property
    def hosts(self) -> tuple[str, ...]:
        """Every host a PRONOTE.net of this ENT may send to: the CAS root's, then the login's."""
        first = (urlsplit(self.cas_url).netloc,) if self.cas_url else ()
        return tuple(dict.fromkeys((*first, *self.login_hosts)))

    def values(self) -> dict[str, Any]:
        """The verifier's settings keys this entry fills (facts not public are left out).

        The family names the login route the journey tries first (`login_family`); the
        journey still recognises each login page itself, so an ENT that changed family is
        walked all the same.
        """
        values: dict[str, Any] = {}
        if self.family != "other":
            values["login_family"] = self.family
        for key in ("ent_url", "cas_url", "shortcut_pattern"):
            if getattr(self, key) is not None:
                values[key] = getattr(self, key)
        if self.wayf_selections:
            values["wayf_selections"] = dict(self.wayf_selections)
        return values


def _one_line(path: str, key: str, exc: ValidationError) -> str:
    problems = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error["loc"])
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "missing" and where.endswith("source"):
            message = 'valeur sans source (attendu { value = …, source = "…" })'
        elif error["type"] == "extra_forbidden":
            message = "clé inconnue"
        elif error["type"] == "model_type":
            message = 'attendu { value = …, source = "…" }'
        problems.append(f"{where} : {message}")
    return f"catalogue des ENT {path}, [{key}] : " + " ; ".join(problems)


def _read(text: str, path: str) -> dict[str, _Entry]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogueError(f"catalogue des ENT {path} : TOML invalide ({exc})") from None
    entries = {}
    for key, raw in data.items():
        if not isinstance(raw, dict):
            raise CatalogueError(
                f"catalogue des ENT {path} : « {key} » n'est pas une table [{key}] d'ENT"
            )
        try:
            entries[key.strip().casefold()] = _Entry.model_validate(raw)
        except ValidationError as exc:
            raise CatalogueError(_one_line(path, key, exc)) from None
    return entries


def _merge(base: _Entry, patch: _Entry) -> _Entry:
    fields = patch.model_dump(exclude_unset=True, exclude={"wayf"})
    merged = base.model_copy(update={k: getattr(patch, k) for k in fields})
    wayf = base.wayf.model_copy(
        update={k: getattr(patch.wayf, k) for k in patch.wayf.model_fields_set}
    )
    merged = merged.model_copy(update={"wayf": wayf})
    if "unknown" not in patch.model_fields_set:  # a fact the patch gives is no longer unknown
        given = {k for k in fields if k != "notes"} | {
            f"wayf.{r}" for r in patch.wayf.model_fields_set
        }
        merged = merged.model_copy(update={"unknown": [u for u in base.unknown if u not in given]})
    return merged


def _build(key: str, entry: _Entry, origin: str) -> Ent:
    if entry.name is None or entry.family is None:
        missing = " et ".join(f for f in ("name", "family") if getattr(entry, f) is None)
        raise CatalogueError(f"catalogue des ENT {origin}, [{key}] : {missing} manquant")
    sources: dict[str, str] = {}
    for fact in (
        "name",
        "family",
        "cas_url",
        "login_hosts",
        "ent_url",
        "portal_pattern",
        "shortcut_pattern",
    ):
        value = getattr(entry, fact)
        if value is not None:
            sources[fact] = value.source
    wayf = {}
    for route in ROUTES:
        choice = getattr(entry.wayf, route)
        if choice is not None:
            wayf[route] = choice.value
            sources[f"wayf.{route}"] = choice.source
    for n, note in enumerate(entry.notes):
        sources[f"notes.{n}"] = note.source
    return Ent(
        key=key,
        name=entry.name.value,
        family=entry.family.value,
        cas_url=entry.cas_url.value if entry.cas_url else None,
        login_hosts=tuple(h.strip().casefold() for h in entry.login_hosts.value)
        if entry.login_hosts
        else (),
        ent_url=entry.ent_url.value if entry.ent_url else None,
        portal_pattern=entry.portal_pattern.value if entry.portal_pattern else None,
        shortcut_pattern=entry.shortcut_pattern.value if entry.shortcut_pattern else None,
        wayf_selections=wayf,
        notes=tuple(n.value for n in entry.notes),
        sources=sources,
        unknown=tuple(entry.unknown),
        origin=origin,
    )


@cache
def _shipped() -> dict[str, _Entry]:
    text = resources.files("e2e").joinpath(SHIPPED).read_text(encoding="utf-8")
    return _read(text, f"e2e/{SHIPPED}")


def load_catalogue(user_file: Path | str | None = None) -> dict[str, Ent]:
    """The shipped catalogue with `user_file`'s entries merged over it, by key."""
    entries = dict(_shipped())
    origins = {key: f"e2e/{SHIPPED}" for key in entries}
    if user_file:
        path = Path(user_file)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else "pas en UTF-8"
            raise CatalogueError(
                f"catalogue des ENT {path} (VERIFIER_ENT_CATALOGUE) : illisible ({reason})"
            ) from None
        for key, patch in _read(text, str(path)).items():
            entries[key] = _merge(entries[key], patch) if key in entries else patch
            origins[key] = str(path)
    return {key: _build(key, entry, origins[key]) for key, entry in entries.items()}


class UnknownEnt(ValueError):
    """A preset name that is not in the catalogue (a French message lists the known ones)."""

    def __init__(self, name: str, known: list[str]) -> None:
        super().__init__(
            f"préréglage d'ENT inconnu « {name} » : choisir parmi {', '.join(known)} "
            "(liste détaillée : python -m e2e presets)"
        )


def get_ent(name: str, catalogue: dict[str, Ent]) -> Ent:
    ent = catalogue.get(name.strip().casefold())
    if ent is None:
        raise UnknownEnt(name, list(catalogue))
    return ent


def ents_at_host(host: str, catalogue: dict[str, Ent]) -> list[Ent]:
    """The entries whose CAS or login hosts include `host` (with its port, if any)."""
    host = host.strip().casefold()
    return [ent for ent in catalogue.values() if host in ent.hosts]
