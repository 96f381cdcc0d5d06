"""The ENT catalogue and its presets: every fact sourced, the user's keys and file win, clear errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from e2e.__main__ import main
from e2e.ent_catalogue import CatalogueError, ents_at_host, load_catalogue
from e2e.presets import UnknownPreset, apply_preset, get_preset, preset_values
from e2e.settings import SettingsError, load_settings

SHIPPED = Path(__file__).parents[1] / "e2e" / "ents.toml"
CATALOGUE = load_catalogue()
KOSMOS_SELECTION_CHARS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
# The preset names users had before the catalogue was data: they keep working.
FORMER_PRESETS = (
    "ecollege31",
    "ent-occitanie-toulouse",
    "ent-occitanie-montpellier",
    "monbureaunumerique",
    "monlycee",
    "educ-normandie",
)


def _facts(raw: dict, where: str = ""):
    """Every leaf of an entry as written, with its place (`wayf.local`, `notes.0`…)."""
    for key, value in raw.items():
        place = f"{where}{key}"
        if key == "unknown":
            continue
        if key == "wayf":
            yield from _facts(value, f"{place}.")
        elif key == "notes":
            for n, note in enumerate(value):
                yield f"{place}.{n}", note
        else:
            yield place, value


def test_catalogue_holds_at_least_twenty_ents_and_every_former_preset() -> None:
    assert len(CATALOGUE) >= 20
    assert set(FORMER_PRESETS) <= set(CATALOGUE)


@pytest.mark.parametrize("key", list(tomllib.loads(SHIPPED.read_text(encoding="utf-8"))))
def test_shipped_catalogue_every_value_has_a_source(key: str) -> None:
    raw = tomllib.loads(SHIPPED.read_text(encoding="utf-8"))[key]

    for place, fact in _facts(raw):
        assert isinstance(fact, dict) and set(fact) == {"value", "source"}, place
        assert str(fact["source"]).strip(), f"{key}.{place} has an empty source"


def test_a_value_without_a_source_is_refused_in_one_french_line(tmp_path: Path) -> None:
    mine = tmp_path / "mes-ent.toml"
    mine.write_text(
        '[mon-ent]\nname = { value = "Mon ENT" }\nfamily = { value = "kosmos", source = "x" }\n'
    )

    with pytest.raises(CatalogueError) as caught:
        load_catalogue(mine)

    message = str(caught.value)
    assert "\n" not in message
    assert message == (
        f"catalogue des ENT {mine}, [mon-ent] : name.source : valeur sans source "
        '(attendu { value = …, source = "…" })'
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[a\n", "TOML invalide"),
        ('title = "x"\n', "« title » n'est pas une table"),
        ('[x]\nname = "X"\n', 'name : attendu { value = …, source = "…" }'),
        ('[x]\nfamily = { value = "kdecole", source = "s" }\n', "family.value"),
        ('[x]\ncolour = { value = "red", source = "s" }\n', "colour : clé inconnue"),
        ('[x]\ncas_url = { value = "cas.example", source = "s" }\n', "adresse invalide"),
        ('[x]\nunknown = ["portail"]\n', "fait inconnu portail"),
        (
            '[x]\ncas_url = { value = "https://cas.x.fr/", source = "s" }\n',
            "name et family manquant",
        ),
    ],
    ids=[
        "bad-toml",
        "not-a-table",
        "bare-value",
        "bad-family",
        "unknown-key",
        "bad-url",
        "unknown-fact",
        "new-entry-incomplete",
    ],
)
def test_bad_catalogue_file_is_one_french_line(tmp_path: Path, text: str, expected: str) -> None:
    mine = tmp_path / "mes-ent.toml"
    mine.write_text(text, encoding="utf-8")

    with pytest.raises(CatalogueError) as caught:
        load_catalogue(mine)

    assert expected in str(caught.value)
    assert str(caught.value).startswith(f"catalogue des ENT {mine}")
    assert "\n" not in str(caught.value)


def test_missing_user_catalogue_says_so(tmp_path: Path) -> None:
    with pytest.raises(CatalogueError, match=r"VERIFIER_ENT_CATALOGUE\) : illisible"):
        load_catalogue(tmp_path / "absent.toml")


def test_user_catalogue_adds_an_ent_and_corrects_a_moved_host(tmp_path: Path) -> None:
    mine = tmp_path / "mes-ent.toml"
    mine.write_text(
        '[ent-academie]\nname = { value = "ENT de l\'académie", source = "notre contrat" }\n'
        'family = { value = "kosmos", source = "page de connexion" }\n'
        'cas_url = { value = "https://cas.academie.example/", source = "page de connexion" }\n'
        "[monbureaunumerique]\n"
        'wayf.local = { value = "ATS_parent_eleve", source = "page de connexion, 2026-09" }\n',
        encoding="utf-8",
    )

    catalogue = load_catalogue(mine)

    added = catalogue["ent-academie"]
    assert (added.name, added.cas_url, added.origin) == (
        "ENT de l'académie",
        "https://cas.academie.example/",
        str(mine),
    )
    assert ents_at_host("cas.academie.example", catalogue) == [added]
    patched = catalogue["monbureaunumerique"]
    assert patched.wayf_selections == {"educonnect": "EDU", "local": "ATS_parent_eleve"}
    assert "wayf.local" not in patched.unknown
    assert patched.cas_url == "https://cas.monbureaunumerique.fr/"  # untouched fields stay
    assert load_catalogue()["monbureaunumerique"].wayf_selections == {"educonnect": "EDU"}


@pytest.mark.parametrize("name", list(CATALOGUE))
def test_catalogue_urls_are_https_roots_with_a_host(name: str) -> None:
    values = preset_values(name)

    for key in ("ent_url", "cas_url"):
        if key in values:
            url = urlsplit(str(values[key]))
            assert url.scheme == "https", key
            assert url.hostname and "." in url.hostname, key
            assert url.path.endswith("/"), f"{key}: a root ends with / (python-cas needs it)"


@pytest.mark.parametrize("name", list(CATALOGUE))
def test_catalogue_every_fact_is_set_or_named_unknown(name: str) -> None:
    ent = get_preset(name)

    for key in ("ent_url", "cas_url", "shortcut_pattern"):
        assert (getattr(ent, key) is not None) != (key in ent.unknown), f"{key}: set, or unknown"
    for route in ("local", "educonnect"):
        assert (route in ent.wayf_selections) != (f"wayf.{route}" in ent.unknown), route
    for selection in ent.wayf_selections.values():
        assert set(selection) <= KOSMOS_SELECTION_CHARS, selection  # `#idp-<selection>` id
    assert ent.login_hosts, "discovery maps a CAS host onto an entry"


def test_kosmos_entries_send_educonnect_and_local_routes_to_different_selections() -> None:
    for ent in CATALOGUE.values():
        if ent.family == "kosmos" and len(ent.wayf_selections) == 2:
            assert ent.wayf_selections["local"] != ent.wayf_selections["educonnect"]


def test_occitanie_entries_share_the_cas_but_not_the_selections() -> None:
    toulouse = preset_values("ent-occitanie-toulouse")
    montpellier = preset_values("ent-occitanie-montpellier")

    assert toulouse["cas_url"] == montpellier["cas_url"] == "https://cas.mon-ent-occitanie.fr/"
    assert toulouse["wayf_selections"] == {
        "local": "TOULO-ENT_parent_eleve",
        "educonnect": "TOULO-EDU_parent_eleve",
    }
    assert montpellier["wayf_selections"]["educonnect"] == "MONT-EDU_parent_eleve"
    assert len(ents_at_host("cas.mon-ent-occitanie.fr", CATALOGUE)) == 2


def test_moved_hosts_are_found_under_both_names() -> None:
    assert [e.key for e in ents_at_host("ent77.seine-et-marne.fr", CATALOGUE)] == ["ent77"]
    assert [e.key for e in ents_at_host("auth.recia.fr", CATALOGUE)] == ["netocentre"]
    assert [e.key for e in ents_at_host("ent.netocentre.fr", CATALOGUE)] == ["netocentre"]


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
    assert merged["login_family"] == "kosmos"  # the route tried first


def test_apply_preset_wayf_selections_merge_per_route() -> None:
    merged = apply_preset({"wayf_selections": {"local": "AUTRE_local"}}, "monbureaunumerique")

    assert merged["wayf_selections"] == {"local": "AUTRE_local", "educonnect": "EDU"}


def test_apply_preset_does_not_change_the_catalogue() -> None:
    apply_preset({"wayf_selections": {"educonnect": "X"}}, "ecollege31")

    assert preset_values("ecollege31")["wayf_selections"]["educonnect"] == "EDU_parent_eleve"


def test_preset_names_are_read_case_insensitively() -> None:
    assert preset_values(" ECollege31 ") == preset_values("ecollege31")


def test_unknown_preset_is_a_french_error_listing_the_known_ones() -> None:
    with pytest.raises(UnknownPreset) as caught:
        apply_preset({}, "ent-inconnu")

    message = str(caught.value)
    assert message.startswith("préréglage d'ENT inconnu « ent-inconnu »")
    assert all(name in message for name in CATALOGUE)
    assert isinstance(caught.value, ValueError)  # pydantic turns it into a field error


def test_settings_take_a_preset_from_the_users_catalogue(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mine = tmp_path / "mes-ent.toml"
    mine.write_text(
        '[ent-academie]\nname = { value = "ENT", source = "contrat" }\n'
        'family = { value = "opentent", source = "page" }\n'
        'cas_url = { value = "https://ent.academie.example/cas/", source = "page" }\n'
        'ent_url = { value = "https://ent.academie.example/", source = "page" }\n',
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)  # no .env of ours
    monkeypatch.setenv("PW_T", "x")

    settings = load_settings(
        ent_preset="ent-academie",
        ent_catalogue=mine,
        pronote_url="https://0310001a.index-education.net/pronote/",
        accounts=[{"login": "t", "profile": "professeur", "password_env": "PW_T"}],
    )

    assert str(settings.cas_url) == "https://ent.academie.example/cas/"
    assert str(settings.ent_url) == "https://ent.academie.example/"


def test_settings_with_a_bad_catalogue_say_so_without_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mine = tmp_path / "mes-ent.toml"
    mine.write_text("[ecollege31]\ncas_url = 3\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)

    with pytest.raises(SettingsError) as caught:
        load_settings(ent_preset="ecollege31", ent_catalogue=mine)

    assert f"catalogue des ENT {mine}, [ecollege31] : cas_url" in str(caught.value)


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "e2e", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, **(env or {})},
    )


def test_cli_presets_lists_every_entry_with_its_facts() -> None:
    done = _cli("presets")

    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    for ent in CATALOGUE.values():
        assert f"{ent.key}: {ent.name}" in done.stdout
        for selection in ent.wayf_selections.values():
            assert selection in done.stdout
    assert "https://cas.monbureaunumerique.fr/" in done.stdout
    assert "pronotepy" in done.stdout and "DOMAIN.md" in done.stdout
    assert "not public" in done.stdout


def test_cli_presets_with_a_bad_user_catalogue_is_one_line_and_exit_2(tmp_path: Path) -> None:
    mine = tmp_path / "mes-ent.toml"
    mine.write_text("[x\n", encoding="utf-8")

    done = _cli("presets", env={"VERIFIER_ENT_CATALOGUE": str(mine)})

    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("catalogue des ENT")


def test_cli_presets_json_is_what_the_settings_receive(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["presets", "--json"]) == 0

    data = json.loads(capsys.readouterr().out)
    assert set(data) == set(CATALOGUE)
    for name, entry in data.items():
        for key, value in preset_values(name).items():
            assert entry[key] == value
        assert entry["sources"]


def test_cli_without_a_command_is_a_usage_error_not_a_traceback() -> None:
    done = _cli()

    assert done.returncode == 2
    assert "usage: python -m e2e" in done.stderr
    assert "Traceback" not in done.stderr
