"""Targets: one builder for settings, a targets file and the lab; every fact of a target in it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from e2e.settings import load_settings
from e2e.target import Target, target_from_settings, targets_from_file, targets_from_lab
from tests.test_settings import REAL

PRONOTE = REAL["VERIFIER_PRONOTE_URL"]
ACCOUNT = {"login": "lea.martin", "profile": "eleve", "password": "x"}
# A PRONOTE page whose user's banner is under another selector than PRONOTE's own, and that
# does not start PRONOTE's application (so only the banner can make it a space).
BANNER_ELSEWHERE = (
    "<html><body><div class='monBandeau'><span class='utilisateur'>"
    "Espace Élèves - MARTIN Léa (3A)</span></div></body></html>"
)
COMMON = {
    "VERIFIER_SHORTCUT_LABEL": "Pronote 2025",
    "VERIFIER_SHORTCUT_LABELS": '["Vie scolaire"]',
    "VERIFIER_SHORTCUT_PATTERN": "index-education.net/pronote/",
    "VERIFIER_WAYF_SELECTIONS": '{"educonnect": "EDU"}',
    "VERIFIER_LOCATORS__SPACE_USER_LABEL": ".monBandeau .utilisateur",
    "VERIFIER_WORDING__NOT_LINKED": '["Utilisateur inconnu"]',
}


def set_all(env: pytest.MonkeyPatch, values: dict[str, str]) -> None:
    for key, value in values.items():
        env.setenv(key, value)


def from_settings(env: pytest.MonkeyPatch) -> Target:
    set_all(env, {**REAL, **COMMON, "VERIFIER_ESTABLISHMENT": "0310001A Collège Jean Jaurès"})
    env.setenv("VERIFIER_ACCOUNTS", json.dumps([ACCOUNT]))
    return target_from_settings(load_settings())


def from_file(env: pytest.MonkeyPatch, tmp_path: Path) -> Target:
    set_all(env, COMMON)
    path = tmp_path / "targets.toml"
    path.write_text(
        f"""
[[establishments]]
uai = "0310001A"
name = "Collège Jean Jaurès"
ent_url = "{REAL["VERIFIER_ENT_URL"]}"
cas_url = "{REAL["VERIFIER_CAS_URL"]}"
pronote_url = "{PRONOTE}"
[[establishments.accounts]]
login = "lea.martin"
profile = "eleve"
password = "x"
""",
        encoding="utf-8",
    )
    return targets_from_file(path, load_settings())[0]


def from_lab(env: pytest.MonkeyPatch) -> Target:
    set_all(env, COMMON)
    info = {
        "ent": REAL["VERIFIER_ENT_URL"],
        "cas": REAL["VERIFIER_CAS_URL"],
        "identifier_attribute": "identifiantPronote",
        "establishments": [
            {
                "uai": "0310001A",
                "name": "Collège Jean Jaurès",
                "pronote": PRONOTE,
                "pronote_classic": None,
                "pronote_direct": None,
            }
        ],
        "accounts": [{**ACCOUNT, "uai": "0310001A", "display_name": "Léa MARTIN"}],
    }
    return targets_from_lab(info, load_settings())[0]


@pytest.mark.parametrize("source", ["settings", "file", "lab"])
def test_target_every_source_gives_the_same_complete_target(
    env: pytest.MonkeyPatch,
    tmp_path: Path,
    source: str,
) -> None:
    # Given the same settings, and a target from each source
    target = {
        "settings": lambda: from_settings(env),
        "file": lambda: from_file(env, tmp_path),
        "lab": lambda: from_lab(env),
    }[source]()
    # Then the target carries every fact the journeys read, from the one builder
    assert target.uai == "0310001A"
    assert target.name == "0310001A Collège Jean Jaurès"
    assert target.shortcut_labels == ["Pronote 2025", "Vie scolaire"]
    assert target.shortcut_label == "Pronote 2025"
    assert target.shortcut_pattern == "index-education.net/pronote/"
    assert target.wayf_selection("educonnect") == "EDU"
    assert target.locators.space_user_label == ".monBandeau .utilisateur"
    assert target.wording.not_linked == ["Utilisateur inconnu"]
    assert target.cas_url == REAL["VERIFIER_CAS_URL"] and target.pronote_url == PRONOTE


def test_target_space_user_label_setting_reaches_the_page_classifier(
    env: pytest.MonkeyPatch,
) -> None:
    # Given the same PRONOTE page, read with PRONOTE's own banner selector
    set_all(env, REAL)
    env.setenv("VERIFIER_ACCOUNTS", json.dumps([ACCOUNT]))
    default = target_from_settings(load_settings())
    assert default.page_kind(PRONOTE + "eleve.html", 200, BANNER_ELSEWHERE) == "unknown"
    # When VERIFIER_LOCATORS__SPACE_USER_LABEL names where this PRONOTE shows the user
    env.setenv("VERIFIER_LOCATORS__SPACE_USER_LABEL", ".monBandeau .utilisateur")
    overridden = target_from_settings(load_settings())
    # Then the classifier the drivers call reads the banner there: the page is a space
    assert overridden.page_kind(PRONOTE + "eleve.html", 200, BANNER_ELSEWHERE) == "space"
