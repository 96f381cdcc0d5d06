"""Known-ENT presets: well-formed facts with sources, the user's keys win, clear errors."""

from __future__ import annotations

import json
import subprocess
import sys
from urllib.parse import urlsplit

import pytest

from e2e.__main__ import main
from e2e.presets import PRESETS, UnknownPreset, apply_preset, get_preset, preset_values

KOSMOS_SELECTION_CHARS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


@pytest.mark.parametrize("name", list(PRESETS))
def test_preset_urls_are_https_roots_with_a_host(name: str) -> None:
    values = preset_values(name)

    for key in ("ent_url", "cas_url"):
        if key in values:
            url = urlsplit(str(values[key]))
            assert url.scheme == "https", key
            assert url.hostname and "." in url.hostname, key
            assert not url.query and not url.fragment, key
            assert url.path.endswith("/"), f"{key}: a root ends with / (python-cas needs it)"


@pytest.mark.parametrize("name", list(PRESETS))
def test_preset_every_fact_has_a_source_and_every_gap_is_named(name: str) -> None:
    preset = get_preset(name)
    values = preset.values()

    for key in ("ent_url", "cas_url", "shortcut_pattern"):
        assert (key in values) != (key in preset.unknown), f"{key}: set, or named unknown"
        if key in values:
            assert preset.sources.get(key), f"{key} has no source"
    for route, selection in preset.wayf_selections.items():
        assert route in {"local", "educonnect"}
        assert set(selection) <= KOSMOS_SELECTION_CHARS, selection  # `#idp-<selection>` id
        assert preset.sources.get(f"wayf_selections.{route}"), route
    assert preset.login_family in {"kosmos", "opentent"}


def test_kosmos_presets_send_educonnect_and_local_routes_to_different_selections() -> None:
    for preset in PRESETS.values():
        if preset.login_family == "kosmos" and len(preset.wayf_selections) == 2:
            assert preset.wayf_selections["local"] != preset.wayf_selections["educonnect"]


def test_occitanie_presets_share_the_cas_but_not_the_selections() -> None:
    toulouse = preset_values("ent-occitanie-toulouse")
    montpellier = preset_values("ent-occitanie-montpellier")

    assert toulouse["cas_url"] == montpellier["cas_url"] == "https://cas.mon-ent-occitanie.fr/"
    assert toulouse["wayf_selections"] == {
        "local": "TOULO-ENT_parent_eleve",
        "educonnect": "TOULO-EDU_parent_eleve",
    }
    assert montpellier["wayf_selections"]["educonnect"] == "MONT-EDU_parent_eleve"


def test_apply_preset_user_keys_win() -> None:
    user = {"cas_url": "https://cas.staging.example/", "ent_url": "https://college.example/"}

    merged = apply_preset(user, "ecollege31")

    assert merged["cas_url"] == "https://cas.staging.example/"
    assert merged["ent_url"] == "https://college.example/"
    assert merged["wayf_selections"] == {
        "local": "ATS_parent_eleve",
        "educonnect": "EDU_parent_eleve",
    }
    assert merged["shortcut_pattern"] == "index-education.net/pronote/"


def test_apply_preset_wayf_selections_merge_per_route() -> None:
    merged = apply_preset({"wayf_selections": {"local": "AUTRE_local"}}, "monbureaunumerique")

    assert merged["wayf_selections"] == {"local": "AUTRE_local", "educonnect": "EDU"}


def test_apply_preset_does_not_change_the_preset() -> None:
    apply_preset({"wayf_selections": {"educonnect": "X"}}, "ecollege31")

    assert preset_values("ecollege31")["wayf_selections"]["educonnect"] == "EDU_parent_eleve"


def test_preset_names_are_read_case_insensitively() -> None:
    assert preset_values(" ECollege31 ") == preset_values("ecollege31")


def test_unknown_preset_is_a_french_error_listing_the_known_ones() -> None:
    with pytest.raises(UnknownPreset) as caught:
        apply_preset({}, "ent-inconnu")

    message = str(caught.value)
    assert message.startswith("préréglage d'ENT inconnu « ent-inconnu »")
    assert all(name in message for name in PRESETS)
    assert isinstance(caught.value, ValueError)  # pydantic turns it into a field error


def test_cli_presets_lists_every_preset_with_its_facts() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "e2e", "presets"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    for preset in PRESETS.values():
        assert f"{preset.name}: {preset.ent}" in done.stdout
        for selection in preset.wayf_selections.values():
            assert selection in done.stdout
    assert "https://cas.monbureaunumerique.fr/" in done.stdout
    assert "pronotepy" in done.stdout and "DOMAIN.md" in done.stdout
    assert "not public" in done.stdout


def test_cli_presets_json_is_what_the_settings_receive(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["presets", "--json"]) == 0

    data = json.loads(capsys.readouterr().out)
    assert set(data) == set(PRESETS)
    for name, entry in data.items():
        for key, value in preset_values(name).items():
            assert entry[key] == value


def test_cli_without_a_command_is_a_usage_error_not_a_traceback() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "e2e"], capture_output=True, text=True, timeout=60, check=False
    )

    assert done.returncode == 2
    assert "usage: python -m e2e" in done.stderr
    assert "Traceback" not in done.stderr
