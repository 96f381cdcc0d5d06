"""Known ENTs for `VERIFIER_ENT_PRESET=<name>`: entries of the ENT catalogue (`e2e/ents.toml`).

A preset fills the settings keys the catalogue's entry gives (`ent_url`, `cas_url`,
`wayf_selections`, `shortcut_pattern`); any key the user sets wins. The
catalogue is the shipped one, with `VERIFIER_ENT_CATALOGUE`'s entries merged over it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from e2e.ent_catalogue import CatalogueError, Ent, UnknownEnt, get_ent, load_catalogue

__all__ = ["CatalogueError", "UnknownPreset", "apply_preset", "get_preset", "preset_values"]

UnknownPreset = UnknownEnt


def _catalogue(user_file: Path | str | None) -> dict[str, Ent]:
    if user_file is None:
        user_file = os.environ.get("VERIFIER_ENT_CATALOGUE") or None
    return load_catalogue(user_file)


def get_preset(name: str, catalogue_file: Path | str | None = None) -> Ent:
    return get_ent(name, _catalogue(catalogue_file))


def preset_values(name: str, catalogue_file: Path | str | None = None) -> dict[str, Any]:
    """The settings keys the preset `name` fills, e.g. `{"cas_url": …, "wayf_selections": …}`."""
    return get_preset(name, catalogue_file).values()


def apply_preset(
    values_from_user: dict[str, Any], name: str, catalogue_file: Path | str | None = None
) -> dict[str, Any]:
    """The preset's values under the user's: any key the user set wins.

    `wayf_selections` merges per route: a user's `{"local": "X"}` keeps the preset's
    ÉduConnect selection. A key the user left empty (`None`) does not hide the preset's.
    """
    merged: dict[str, Any] = dict(preset_values(name, catalogue_file))
    for key, value in values_from_user.items():
        if value is None:
            merged.setdefault(key, None)
        elif key == "wayf_selections" and isinstance(value, dict):
            merged[key] = {**merged.get(key, {}), **value}
        else:
            merged[key] = value
    return merged
