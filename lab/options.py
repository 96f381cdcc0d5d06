"""The lab's start options, defined once.

Each option is one field of `LabOptions`, with its command-line flag, its environment
variable, its help and its check. Everything that starts a lab reads this one
definition: `python -m lab` (`add_arguments`, `from_cli`), the Python API
(`lab.client.running_lab(**options)`, which hands the child process `to_argv()`),
`lab.runner.Lab(options)`, and the verifier's settings (`from_env`, the `LAB_*` keys).
A bad value is one line naming what the user typed (the flag, or the variable).
"""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from lab.families import FAMILIES
from lab.state import ALL_FAULTS, PRONOTE_GENERATIONS
from lab.wording import WORDINGS


class LabOptionError(ValueError):
    """A start option with a bad value; the message is one line, naming the option."""


@dataclass(frozen=True)
class _Spec:
    flag: str
    env: str
    help: str
    parse: Callable[[str], Any]  # the option's text to its value (ValueError when it cannot)
    check: Callable[[Any], str | None]  # what is wrong with a value, after the option's name


def _option(default: Any, *, flag: str, env: str, help: str, **rules: Any) -> Any:
    return field(default=default, metadata={"spec": _Spec(flag=flag, env=env, help=help, **rules)})


def _names(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


def _between(low: float, high: float, unit: str = "") -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        if isinstance(value, int | float) and low <= value <= high:
            return None
        return f" : doit valoir de {low} à {high}{unit}" + (
            f" (reçu « {value} »)" if value is not None else ""
        )

    return check


def _one_of(known: Sequence[str]) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        return None if value in known else f" : « {value} » inconnu ; connus : {', '.join(known)}"

    return check


def _known_faults(names: tuple[str, ...]) -> str | None:
    unknown = [name for name in names if name not in ALL_FAULTS]
    if unknown:
        return f" : panne(s) inconnue(s) : {', '.join(unknown)} ; connues : {', '.join(ALL_FAULTS)}"
    return None


def _generations(names: tuple[str, ...]) -> str | None:
    wrong = [name for name in names if name not in PRONOTE_GENERATIONS]
    if wrong or not names:
        given = ", ".join(wrong) or "vide"
        return f" : {given} ; connues : {', '.join(PRONOTE_GENERATIONS)}"
    return None


def _text(value: str) -> str | None:
    return None if value.strip() else " : ne doit pas être vide"


@dataclass(frozen=True)
class LabOptions:
    """How a lab starts: its size, its faults, its wording, its login family, its network."""

    faults: tuple[str, ...] = _option(
        (),
        flag="--faults",
        env="LAB_FAULTS",
        help="comma-separated fault names to switch on",
        parse=_names,
        check=_known_faults,
    )
    establishments: int = _option(
        1,
        flag="--establishments",
        env="LAB_ESTABLISHMENTS",
        help="PRONOTE.net sites behind the one ENT and CAS",
        parse=int,
        check=_between(1, 600),
    )
    per_profile: int = _option(
        2,
        flag="--per-profile",
        env="LAB_PER_PROFILE",
        help="local accounts per profile and establishment",
        parse=int,
        check=_between(1, 100),
    )
    educonnect_per_profile: int = _option(
        1,
        flag="--educonnect-per-profile",
        env="LAB_EDUCONNECT_PER_PROFILE",
        help="ÉduConnect accounts per élève and parent profile, besides those",
        parse=int,
        check=_between(0, 100),
    )
    identifier_attribute: str = _option(
        "identifiantPronote",
        flag="--identifier-attribute",
        env="LAB_IDENTIFIER_ATTRIBUTE",
        help="CAS attribute that carries the PRONOTE identifier",
        parse=str.strip,
        check=_text,
    )
    latency: float = _option(
        0.0,
        flag="--latency",
        env="LAB_LATENCY",
        help="delay added to every HTTP response of every lab app, seconds",
        parse=float,
        check=_between(0, 10, " secondes"),
    )
    slow_network_delay: float = _option(
        0.3,
        flag="--slow-network-delay",
        env="LAB_SLOW_NETWORK_DELAY",
        help="delay per response under the slow_network fault, seconds",
        parse=float,
        check=_between(0, 10, " secondes"),
    )
    wording: str = _option(
        "default",
        flag="--wording",
        env="LAB_WORDING",
        help="texts and class names of the lab's PRONOTE and ENT pages: " + ", ".join(WORDINGS),
        parse=str.strip,
        check=_one_of(WORDINGS),
    )
    pronote_generation: tuple[str, ...] = _option(
        ("2025",),
        flag="--pronote-generation",
        env="LAB_PRONOTE_GENERATION",
        help="PRONOTE generation, 2025 or 2011, or a comma list, one per establishment",
        parse=_names,
        check=_generations,
    )
    ent_family: str = _option(
        "kosmos",
        flag="--ent-family",
        env="LAB_ENT_FAMILY",
        help="login routes and portal: kosmos (WAYF, ÉduConnect, own CAS host), opentent "
        "(Open ENT NG, its own CAS under /cas/), apereo (Apereo CAS form, local accounts), "
        "edifice (Open ENT NG with its SAML WAYF) or discovery (a discovery WAYF before "
        "ÉduConnect)",
        parse=str.strip,
        check=_one_of(tuple(FAMILIES)),
    )
    ticket_validity_s: int = _option(
        60,
        flag="--ticket-validity",
        env="LAB_TICKET_VALIDITY",
        help="CAS service ticket validity, seconds",
        parse=int,
        check=_between(1, 3600, " secondes"),
    )

    def __post_init__(self) -> None:
        # Keyword callers may give a list, or the option's text ("2011,2025"): one form kept.
        for spec_field in dataclasses.fields(self):
            spec: _Spec = spec_field.metadata["spec"]
            value = getattr(self, spec_field.name)
            if isinstance(value, str):
                value = _parse(spec, value, spec_field.name)
            elif isinstance(value, list):
                value = tuple(value)
            object.__setattr__(self, spec_field.name, value)
            _check(spec, value, spec_field.name)

    # -- where options come from ------------------------------------------------------
    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> LabOptions:
        """The `LAB_*` keys of *environ* (empty ones unset); errors name the variable."""
        values = {}
        for spec_field in dataclasses.fields(cls):
            spec: _Spec = spec_field.metadata["spec"]
            raw = environ.get(spec.env)
            if raw is not None and raw.strip():
                values[spec_field.name] = _checked(spec, raw, spec.env)
        return cls(**values)

    @classmethod
    def env_names(cls) -> list[str]:
        return [spec_field.metadata["spec"].env for spec_field in dataclasses.fields(cls)]

    @staticmethod
    def add_arguments(parser: argparse.ArgumentParser) -> None:
        """One flag per option; unset flags fall back to the `LAB_*` variable, then the default."""
        for spec_field in dataclasses.fields(LabOptions):
            spec: _Spec = spec_field.metadata["spec"]
            default = spec_field.default
            shown = ",".join(default) if isinstance(default, tuple) else default
            parser.add_argument(
                spec.flag,
                dest=spec_field.name,
                default=None,
                help=f"{spec.help} (${spec.env}, default: {shown if shown != '' else 'none'})",
            )

    @classmethod
    def from_cli(cls, args: argparse.Namespace, environ: Mapping[str, str]) -> LabOptions:
        """The options of a `python -m lab` command line; errors name the flag."""
        values = {}
        for spec_field in dataclasses.fields(cls):
            spec: _Spec = spec_field.metadata["spec"]
            given = getattr(args, spec_field.name, None)
            if given is not None:
                values[spec_field.name] = _checked(spec, given, spec.flag)
            elif (raw := environ.get(spec.env)) is not None and raw.strip():
                values[spec_field.name] = _checked(spec, raw, spec.flag, f" (d'après ${spec.env})")
        return cls(**values)

    def to_argv(self) -> list[str]:
        """The `python -m lab` flags that start a lab with these options, every one explicit."""
        argv = []
        for spec_field in dataclasses.fields(self):
            spec: _Spec = spec_field.metadata["spec"]
            value = getattr(self, spec_field.name)
            argv += [spec.flag, ",".join(value) if isinstance(value, tuple) else str(value)]
        return argv


def _parse(spec: _Spec, raw: str, name: str, origin: str = "") -> Any:
    try:
        return spec.parse(raw)
    except ValueError:
        raise LabOptionError(f"{name}{spec.check(None)} (reçu « {raw} »){origin}") from None


def _check(spec: _Spec, value: Any, name: str, origin: str = "") -> None:
    problem = spec.check(value)
    if problem:
        raise LabOptionError(f"{name}{problem}{origin}")


def _checked(spec: _Spec, raw: str, name: str, origin: str = "") -> Any:
    value = _parse(spec, raw, name, origin)
    _check(spec, value, name, origin)
    return value
