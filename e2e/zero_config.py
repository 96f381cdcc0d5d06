"""Zero configuration: at the start of `pytest e2e/`, discover what the user did not set.

With `VERIFIER_PRONOTE_URL`, `VERIFIER_ENT_URL` and the accounts, the run asks PRONOTE.net and
its CAS (`e2e.discover`, plain HTTP, no login) for the CAS root, the WAYF choices and, from
the ENT catalogue, the shortcut pattern; the login family is recorded (the journey recognises
each login page itself). A value the user set always wins (`.env`, the environment, a preset);
a discovered value that contradicts it is reported, since it is often the misconfiguration
itself. What was discovered, and how, goes to `summary.json`. Discovery runs when the CAS root
is unset, and stops the run when it cannot find one.

What only a login shows (the identifier attribute, the shortcut's label) is learnt once all of
the target's journeys have ended (`learn`, choosing with `verdict.learn`), under the same rule:
the user's value wins, a learnt value that contradicts it is reported.
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field
from typing import Any

from e2e.discover import Discovery, Prober, Wanted, pronote_root
from e2e.ent_catalogue import load_catalogue
from e2e.network import NetworkSettings, httpx_client_kwargs
from e2e.routes import route_named
from e2e.settings import Settings, load_settings
from verdict import learn as choose
from verdict.learn import LoginSeen

# Settings keys discovery may fill.
DISCOVERABLE = ("cas_url", "wayf_selections", "shortcut_pattern")
# Settings keys the run learns from its good logins.
LEARNABLE = ("identifier_attribute", "shortcut_label")


class DiscoveryFailed(Exception):
    """Discovery could not give what the run needs (one French line)."""


@dataclass
class Findings:
    """What a run found by itself, as `summary.json` says it: each value with its evidence,
    what contradicts a value you set, and warnings."""

    discovered: dict[str, dict[str, Any]] = field(default_factory=dict)  # key → value, evidence
    contradictions: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def record(self) -> dict[str, Any]:
        return {
            "discovered": self.discovered,
            "contradictions": self.contradictions,
            "warnings": self.warnings,
        }


@dataclass(kw_only=True)
class Completed(Findings):
    """The settings completed by discovery at the start of a run, and what was discovered."""

    settings: Settings


def needs_discovery(settings: Settings) -> bool:
    """A single real target whose CAS root was left unset (a set-up given in full runs as
    given; a targets file is discovered beforehand by `python -m e2e discover`)."""
    return (
        not settings.uses_lab
        and settings.targets_file is None
        and settings.pronote_url is not None
        and settings.cas_url is None
    )


def _discover(settings: Settings) -> Discovery:
    catalogue = load_catalogue(settings.ent_catalogue)
    net = NetworkSettings.of(settings)
    url = pronote_root(str(settings.pronote_url))
    wanted = Wanted(url, url, ent_url=str(settings.ent_url) if settings.ent_url else None)

    async def run() -> Discovery:
        # Capped: a host that hangs must not hold every run's start for a page's timeout.
        kwargs = {**httpx_client_kwargs(net), "timeout": min(settings.timeout_s, 10)}
        prober = Prober(catalogue, client_kwargs=kwargs, net=net)
        try:
            return await prober.discover(wanted)
        finally:
            await prober.aclose()

    # A thread of its own: pytest's start may already run an event loop.
    box: list[Discovery] = []
    thread = threading.Thread(target=lambda: box.append(asyncio.run(run())), daemon=True)
    thread.start()
    thread.join()
    if not box:
        raise DiscoveryFailed("découverte interrompue (voir le journal)")
    return box[0]


def complete(settings: Settings) -> Completed:
    """The settings with what discovery found for the keys the user left unset."""
    found = _discover(settings)
    done = Completed(settings=settings, warnings=list(found.warnings))
    if found.problem is not None and found.problem.blocking:
        if settings.cas_url is None:
            raise DiscoveryFailed(
                f"découverte impossible ({found.problem.code}) : {found.problem.message} ; "
                "renseignez VERIFIER_CAS_URL ou corrigez l'adresse"
            )
        # Everything needed is set: the checks will say what is wrong, better than we can.
        done.warnings.append(f"{found.problem.code} : {found.problem.message}")
        return done
    if found.problem is not None:
        done.warnings.append(f"{found.problem.code} : {found.problem.message}")
    user = settings.model_fields_set
    values: dict[str, Any] = {}
    for key in ("cas_url", "shortcut_pattern", "login_family"):
        fact = found.facts.get(key)
        if fact is None:
            continue
        mine = getattr(settings, key)
        if key in user and mine is not None:
            if str(mine).rstrip("/") != str(fact.value).rstrip("/"):
                done.contradictions.append(
                    f"VERIFIER_{key.upper()}={mine} (réglé) mais la découverte trouve "
                    f"{fact.value} [{fact.evidence}] : la valeur réglée est gardée"
                )
            continue
        if key == "login_family" and route_named(str(fact.value)) is None:
            continue  # a family no route walks ("other"): each page is recognised anyway
        values[key] = fact.value
        done.discovered[key] = {"value": fact.value, "evidence": fact.evidence}
    selections = dict(settings.wayf_selections)
    for route, fact in found.wayf.items():
        mine = settings.wayf_selections.get(route)
        if mine is None:
            selections[route] = fact.value
            done.discovered[f"wayf_selections.{route}"] = {
                "value": fact.value,
                "evidence": fact.evidence,
            }
        elif mine != fact.value:
            done.contradictions.append(
                f"VERIFIER_WAYF_SELECTIONS {route}={mine} (réglé) mais la page de connexion "
                f"propose {fact.value} [{fact.evidence}] : la valeur réglée est gardée"
            )
    if selections != settings.wayf_selections:
        values["wayf_selections"] = selections
    if "cas_url" not in values and settings.cas_url is None:
        raise DiscoveryFailed(
            "découverte : aucun CAS trouvé pour "
            f"{settings.pronote_url} ; renseignez VERIFIER_CAS_URL"
        )
    if values:
        done.settings = load_settings(**values)
    return done


@dataclass
class Learning(Findings):
    """What a zero-configuration run learnt from one target's good logins (each discovered
    value with `"learnt": true`), as recorded."""

    def console_lines(self) -> list[str]:
        """ "Appris : …" with the `.env` line that pins it; contradictions; warnings."""
        lines = [
            f"Appris : {key} = {fact['value']} [{fact['evidence']}] ; à fixer dans .env : "
            f"VERIFIER_{key.upper()}={fact['value']}"
            for key, fact in self.discovered.items()
        ]
        lines += [f"Contradiction : {line}" for line in self.contradictions]
        lines += [f"Attention (apprentissage) : {line}" for line in self.warnings]
        return lines


def learn(
    settings: Settings,
    logins: list[LoginSeen],
    pronote_hosts: set[str],
    known_codes: set[str] | None = None,
) -> Learning:
    """The identifier attribute and the shortcut's label from a target's good logins: learnt
    where the user left them unset, compared where the user set them."""
    learning = Learning()
    facts = (
        choose.identifier_attribute(logins, known_codes),
        choose.shortcut_label(logins, pronote_hosts),
    )
    for fact in facts:
        if fact.warning:
            learning.warnings.append(fact.warning)
        if fact.value is None:
            continue
        if fact.key in settings.model_fields_set:
            mine = str(getattr(settings, fact.key))
            # A label is matched in any case (e2e/journey.py); an attribute name is exact.
            fold = str.casefold if fact.key == "shortcut_label" else str
            if fold(mine) != fold(fact.value):
                learning.contradictions.append(
                    f"VERIFIER_{fact.key.upper()}={mine} (réglé) mais les connexions réussies "
                    f"montrent {fact.value} [{fact.evidence}] : la valeur réglée est gardée"
                )
            continue
        learning.discovered[fact.key] = {
            "value": fact.value,
            "evidence": fact.evidence,
            "learnt": True,
        }
    return learning
