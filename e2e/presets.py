"""Known ENTs: what public facts give for each (`VERIFIER_ENT_PRESET=<name>`).

Each preset holds only facts read from public material, with the source next to each:
DOMAIN.md ("The login routes of real ENTs", "Real login pages") and pronotepy's `ent/`
module (bain3/pronotepy, `pronotepy/ent/ent.py` and `generic_func.py`), which logs into
these ENTs. A fact that is not public stays unset (`None`) and the preset says so in
`unknown`: the user fills it in `.env`, and any key the user sets wins over the preset.

Settings keys a preset fills: `ent_url`, `cas_url`, `wayf_selections` (login route →
WAYF selection value), `shortcut_pattern` (a piece of the shortcut's address). Its
`login_family` (`kosmos` or `opentent`, as the lab's `--ent-family`) is shown to the user
(`python -m e2e presets`), not a setting: the journey recognises each login page itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

LoginFamily = Literal["kosmos", "opentent"]
PRONOTE_HOSTED = "index-education.net/pronote/"

PRONOTEPY = "pronotepy ent/ent.py"
DOMAIN_ROUTES = 'DOMAIN.md "The login routes of real ENTs"'
DOMAIN_LOGIN_PAGES = 'DOMAIN.md "Real login pages"'


@dataclass(frozen=True)
class Preset:
    """One known ENT: public facts only, each with its source."""

    name: str
    ent: str  # the ENT's public name
    login_family: LoginFamily
    cas_url: str | None
    ent_url: str | None
    wayf_selections: dict[str, str]  # login route ("local", "educonnect") → selection value
    shortcut_pattern: str | None
    sources: dict[str, str]  # settings key → where the fact comes from
    unknown: tuple[str, ...] = ()  # settings keys no public fact gives
    notes: tuple[str, ...] = field(default=())

    def values(self) -> dict[str, Any]:
        """The settings keys this preset fills (unset facts are left out)."""
        values: dict[str, Any] = {}
        for key in ("ent_url", "cas_url", "shortcut_pattern"):
            if getattr(self, key) is not None:
                values[key] = getattr(self, key)
        if self.wayf_selections:
            values["wayf_selections"] = dict(self.wayf_selections)
        return values


PRESETS: dict[str, Preset] = {
    preset.name: preset
    for preset in (
        Preset(
            name="ecollege31",
            ent="eCollège 31 (Haute-Garonne)",
            login_family="kosmos",
            cas_url="https://cas.ecollege.haute-garonne.fr/",
            ent_url=None,
            wayf_selections={"local": "ATS_parent_eleve", "educonnect": "EDU_parent_eleve"},
            shortcut_pattern=PRONOTE_HOSTED,
            sources={
                "cas_url": f"{DOMAIN_ROUTES} (CAS hosts); {PRONOTEPY} ecollege_haute_garonne_edu",
                "wayf_selections.local": f"{DOMAIN_LOGIN_PAGES} (eCollège 31's older ATS login)",
                "wayf_selections.educonnect": f"{PRONOTEPY} ecollege_haute_garonne_edu",
                "shortcut_pattern": f"{DOMAIN_ROUTES} (Kosmos portal link)",
            },
            unknown=("ent_url",),
            notes=("Each establishment has its own portal address: set VERIFIER_ENT_URL.",),
        ),
        Preset(
            name="ent-occitanie-toulouse",
            ent="ENT Occitanie, académie de Toulouse",
            login_family="kosmos",
            cas_url="https://cas.mon-ent-occitanie.fr/",
            ent_url=None,
            wayf_selections={
                "local": "TOULO-ENT_parent_eleve",
                "educonnect": "TOULO-EDU_parent_eleve",
            },
            shortcut_pattern=PRONOTE_HOSTED,
            sources={
                "cas_url": f"{DOMAIN_ROUTES} (CAS hosts); {PRONOTEPY} occitanie_toulouse_edu",
                "wayf_selections.local": (
                    f"{DOMAIN_ROUTES} (selections seen); older pronotepy occitanie_toulouse "
                    "posts it to the local form"
                ),
                "wayf_selections.educonnect": f"{PRONOTEPY} occitanie_toulouse_edu",
                "shortcut_pattern": f"{DOMAIN_ROUTES} (Kosmos portal link)",
            },
            unknown=("ent_url",),
            notes=("Each establishment has its own portal address: set VERIFIER_ENT_URL.",),
        ),
        Preset(
            name="ent-occitanie-montpellier",
            ent="ENT Occitanie, académie de Montpellier",
            login_family="kosmos",
            cas_url="https://cas.mon-ent-occitanie.fr/",
            ent_url=None,
            wayf_selections={
                "local": "CSES-ENT_parent_eleve",
                "educonnect": "MONT-EDU_parent_eleve",
            },
            shortcut_pattern=PRONOTE_HOSTED,
            sources={
                "cas_url": f"{DOMAIN_ROUTES} (CAS hosts); {PRONOTEPY} occitanie_montpellier",
                "wayf_selections.local": f"{PRONOTEPY} occitanie_montpellier (local form)",
                "wayf_selections.educonnect": (
                    f"{DOMAIN_ROUTES} (selections seen); {PRONOTEPY} "
                    "occitanie_montpellier_educonnect"
                ),
                "shortcut_pattern": f"{DOMAIN_ROUTES} (Kosmos portal link)",
            },
            unknown=("ent_url",),
            notes=("Each establishment has its own portal address: set VERIFIER_ENT_URL.",),
        ),
        Preset(
            name="monbureaunumerique",
            ent="Mon Bureau Numérique (Grand Est)",
            login_family="kosmos",
            cas_url="https://cas.monbureaunumerique.fr/",
            ent_url=None,
            wayf_selections={"educonnect": "EDU"},
            shortcut_pattern=PRONOTE_HOSTED,
            sources={
                "cas_url": f"{DOMAIN_ROUTES} (CAS hosts); {PRONOTEPY} monbureaunumerique",
                "wayf_selections.educonnect": f"{PRONOTEPY} monbureaunumerique",
                "shortcut_pattern": f"{DOMAIN_ROUTES} (Kosmos portal link)",
            },
            unknown=("ent_url", "wayf_selections.local"),
            notes=(
                "Each establishment has its own portal address: set VERIFIER_ENT_URL.",
                "The local route's selection is not public: without it the verifier picks the "
                "WAYF's non-ÉduConnect choice.",
            ),
        ),
        Preset(
            name="monlycee",
            ent="Monlycée.net (Île-de-France)",
            login_family="opentent",
            cas_url="https://ent.iledefrance.fr/cas/",
            ent_url="https://ent.iledefrance.fr/",
            wayf_selections={},
            shortcut_pattern=None,
            sources={
                "ent_url": f"{PRONOTEPY} ile_de_france (Open ENT NG, /auth/login)",
                "cas_url": f"{DOMAIN_ROUTES} (Open ENT NG is its own CAS at /cas/login)",
                "login_family": f"{PRONOTEPY} ile_de_france; {DOMAIN_ROUTES}",
            },
            unknown=("shortcut_pattern",),
            notes=(
                "That ent.iledefrance.fr is Monlycée.net is our reading of pronotepy's "
                "ile_de_france; public client code from 2025 shows a newer login at "
                "auth.monlycee.net (Keycloak): check the ENT address before relying on it.",
                "Open ENT NG opens Pronote from the apps tile .pronote; the tile's address "
                "is not public.",
            ),
        ),
        Preset(
            name="educ-normandie",
            ent="l'Éduc de Normandie",
            login_family="opentent",
            cas_url="https://ent.l-educdenormandie.fr/cas/",
            ent_url="https://ent.l-educdenormandie.fr/",
            wayf_selections={},
            shortcut_pattern=None,
            sources={
                "ent_url": f"{PRONOTEPY} l_normandie (Open ENT NG with ÉduConnect)",
                "cas_url": f"{DOMAIN_ROUTES} (Open ENT NG is its own CAS at /cas/login)",
                "login_family": f"{PRONOTEPY} l_normandie; {DOMAIN_ROUTES}",
            },
            unknown=("shortcut_pattern",),
            notes=(
                "Élèves and parents go through ÉduConnect; pronotepy enters it at ÉduConnect "
                "with the ENT's SAML entity https://ent.l-educdenormandie.fr/auth/saml/"
                "metadata/idp.xml.",
                "Open ENT NG opens Pronote from the apps tile .pronote; the tile's address "
                "is not public.",
            ),
        ),
    )
}


class UnknownPreset(ValueError):
    """A preset name that is not in `PRESETS` (a French message lists the known ones)."""

    def __init__(self, name: str) -> None:
        super().__init__(
            f"préréglage d'ENT inconnu « {name} » : choisir parmi {', '.join(PRESETS)} "
            "(liste détaillée : python -m e2e presets)"
        )


def get_preset(name: str) -> Preset:
    preset = PRESETS.get(name.strip().casefold())
    if preset is None:
        raise UnknownPreset(name)
    return preset


def preset_values(name: str) -> dict[str, object]:
    """The settings keys the preset `name` fills, e.g. `{"cas_url": …, "wayf_selections": …}`."""
    return get_preset(name).values()


def apply_preset(values_from_user: dict[str, Any], name: str) -> dict[str, Any]:
    """The preset's values under the user's: any key the user set wins.

    `wayf_selections` merges per route: a user's `{"local": "X"}` keeps the preset's
    ÉduConnect selection. A key the user left empty (`None`) does not hide the preset's.
    """
    merged: dict[str, Any] = dict(preset_values(name))
    for key, value in values_from_user.items():
        if value is None:
            merged.setdefault(key, None)
        elif key == "wayf_selections" and isinstance(value, dict):
            merged[key] = {**merged.get(key, {}), **value}
        else:
            merged[key] = value
    return merged
