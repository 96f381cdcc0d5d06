"""The lab's start options, defined once (lab/options.py): the CLI, the environment, the
verifier's settings and the Python API read the same definition and say the same errors."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import pytest

from e2e.settings import SettingsError, load_settings
from lab.client import running_lab
from lab.options import LabOptionError, LabOptions


def _cli(*argv: str, environ: dict[str, str] | None = None) -> LabOptions:
    parser = argparse.ArgumentParser()
    LabOptions.add_arguments(parser)
    return LabOptions.from_cli(parser.parse_args(list(argv)), environ or {})


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """No VERIFIER_* or LAB_* from outside, and no .env: a working directory of our own."""
    for key in list(os.environ):
        if key.startswith(("VERIFIER_", "LAB_")):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)
    return monkeypatch


def test_options_every_option_has_its_own_flag_and_variable() -> None:
    flags = [arg for arg in LabOptions().to_argv() if arg.startswith("--")]
    names = LabOptions.env_names()

    assert len(set(flags)) == len(flags) == len(names) == len(set(names))
    assert all(name.startswith("LAB_") for name in names)


def test_options_command_line_of_some_options_gives_them_back() -> None:
    options = LabOptions(
        faults=("slow_network", "shortcut_missing"),
        establishments=3,
        latency=0.05,
        wording="alt",
        pronote_generation=("2011", "2025"),
        ent_family="opentent",
        ticket_validity_s=5,
    )

    assert _cli(*options.to_argv()) == options


def test_options_flag_wins_over_variable_which_wins_over_default() -> None:
    environ = {"LAB_PER_PROFILE": "7", "LAB_WORDING": "alt", "LAB_LATENCY": ""}

    options = _cli("--wording", "default", environ=environ)

    assert (options.per_profile, options.wording, options.latency) == (7, "default", 0.0)


def test_options_keywords_take_lists_and_comma_text() -> None:
    options = LabOptions(faults=["slow_network"], pronote_generation="2011, 2025")

    assert options.faults == ("slow_network",)
    assert options.pronote_generation == ("2011", "2025")


@pytest.mark.parametrize(
    ("argv", "environ", "message"),
    [
        pytest.param(
            ("--establishments", "0"),
            {},
            "--establishments : doit valoir de 1 à 600 (reçu « 0 »)",
            id="range-flag",
        ),
        pytest.param(
            (),
            {"LAB_PER_PROFILE": "x"},
            "--per-profile : doit valoir de 1 à 100 (reçu « x ») (d'après $LAB_PER_PROFILE)",
            id="number-from-variable",
        ),
        pytest.param(
            ("--ent-family", "kdecole"),
            {},
            "--ent-family : « kdecole » inconnu ; connus : kosmos",
            id="choice",
        ),
        pytest.param(
            ("--faults", "a,slow_network"),
            {},
            "--faults : panne(s) inconnue(s) : a ; connues :",
            id="faults",
        ),
        pytest.param(
            ("--pronote-generation", ","),
            {},
            "--pronote-generation : vide ; connues",
            id="empty-generation",
        ),
        pytest.param(
            ("--latency", "nan"),
            {},
            "--latency : doit valoir de 0 à 10 secondes",
            id="not-a-latency",
        ),
    ],
)
def test_options_bad_value_is_one_line_naming_the_flag(
    argv: tuple[str, ...], environ: dict[str, str], message: str
) -> None:
    with pytest.raises(LabOptionError) as error:
        _cli(*argv, environ=environ)

    assert message in str(error.value)
    assert "\n" not in str(error.value)


def test_options_from_environment_name_the_variable() -> None:
    with pytest.raises(
        LabOptionError, match=r"^LAB_ESTABLISHMENTS : doit valoir de 1 à 600 \(reçu « 0 »\)$"
    ):
        LabOptions.from_env({"LAB_ESTABLISHMENTS": "0"})


def test_settings_bad_lab_key_names_the_key_the_user_typed(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("LAB_ESTABLISHMENTS", "0")

    with pytest.raises(SettingsError) as error:
        load_settings()

    assert "  - LAB_ESTABLISHMENTS : doit valoir de 1 à 600 (reçu « 0 »)" in str(error.value)
    assert "VERIFIER_LAB" not in str(error.value)


def test_settings_read_lab_keys_from_env_file_and_environment(
    clean_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / ".env").write_text(
        "LAB_PER_PROFILE=5\nLAB_WORDING=alt\nLAB_FAULTS=slow_network\n", encoding="utf-8"
    )
    clean_env.setenv("LAB_WORDING", "default")  # the environment wins over .env

    lab = load_settings().lab

    assert (lab.per_profile, lab.wording, lab.faults) == (5, "default", ("slow_network",))


def test_settings_without_lab_keys_give_the_lab_defaults(clean_env: pytest.MonkeyPatch) -> None:
    assert load_settings().lab == LabOptions()


def test_running_lab_bad_option_raises_before_any_process() -> None:
    with pytest.raises(
        LabOptionError, match=r"^per_profile : doit valoir de 1 à 100 \(reçu « 0 »\)$"
    ):
        with running_lab(per_profile=0):
            pass  # pragma: no cover - never reached
