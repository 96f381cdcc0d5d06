"""Phrases as settings, URL comparisons, and the rule that no rule matches a lone word."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.verdict_cases import CAS, PRONOTE, TARGET
from verdict.urls import host_role, is_direct, norm, under, wrong_cas
from verdict.wording import Wording, found

VERDICT = Path(__file__).resolve().parents[1] / "verdict"


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        pytest.param("LE SITE EST MOMENTANEMENT INDISPONIBLE", "Le site est momentanément indisponible", id="case-accents"),
        pytest.param("Le site  n’est pas\u00a0disponible", "Le site n'est pas disponible", id="apostrophe-spaces"),
        pytest.param("le service http://x/pronote/ n'est pas autorisé.", "le service … n'est pas autorisé", id="gap"),
        pytest.param("Service https://a.fr/p/ not allowed.", "Service … not allowed", id="gap-en"),
    ],
)  # fmt: skip
def test_found_matches_whole_phrases_loosely(text: str, phrase: str) -> None:
    assert found(text, [phrase]) == phrase


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        pytest.param("Identification impossibleX", "Identification impossible", id="word-boundary"),
        pytest.param(
            "Ce service n'est pas autorisé", "le service … n'est pas autorisé", id="not-le"
        ),
        pytest.param("Service not allowed", "Service … not allowed", id="gap-needs-text-around"),
        pytest.param("anything", "", id="empty-phrase"),
    ],
)
def test_found_does_not_match_parts_of_words_or_empty_phrases(text: str, phrase: str) -> None:
    assert found(text, [phrase]) is None


def test_wording_defaults_are_whole_phrases() -> None:
    # Every default is several words, or a product name ("MsXML"): never a common word.
    for name, phrases in Wording().model_dump().items():
        for phrase in phrases:
            assert len(phrase.split()) >= 2 or phrase == "MsXML", f"{name}: {phrase!r}"


def test_wording_rejects_unknown_fields() -> None:
    with pytest.raises(ValueError, match="unavailble"):
        Wording.model_validate({"unavailble": ["x"]})


def test_no_rule_matches_a_text_outside_wording() -> None:
    # Texts are matched only through `found(…, wording.<field>)`: no `"word" in text` left.
    literal_in = re.compile(r"""["'][^"'\n]{1,40}["']\s+in\s+(text|obs\.final_text|html)\b""")
    for path in ("judge/rules.py", "page.py", "judge/__init__.py", "judge/details.py"):
        source = (VERDICT / path).read_text(encoding="utf-8")
        assert not literal_in.findall(source), path
        for word in ("ticket", "erreur", "autorisé", "illisible", "identifiant"):
            assert not re.search(rf"""found\([^)]*["']{word}["']""", source), (path, word)


@pytest.mark.parametrize(
    ("url", "root", "expected"),
    [
        ("HTTPS://Cas.Example.fr:443/login", "https://cas.example.fr/", True),
        ("http://pronote.college.example.fr:82/pronote/eleve.html", PRONOTE, True),
        ("http://pronote.college.example.fr:82/pronote2/", PRONOTE, False),
        (
            "http://pronote.college.example.fr/pronote/",
            PRONOTE,
            False,
        ),  # port 80 is another listener
    ],
)
def test_under_compares_as_cas_does(url: str, root: str, expected: bool) -> None:
    assert under(url, root) is expected


def test_norm_drops_only_the_default_port() -> None:
    assert norm("https://A.fr:443/x") == "https://a.fr/x"
    assert norm("http://a.fr:443/x") == "http://a.fr:443/x"


@pytest.mark.parametrize(
    ("url", "role"),
    [
        ("https://ent.example.fr/portail", "ent"),
        (CAS + "login?service=x", "cas"),
        (PRONOTE + "eleve.html", "pronote"),
        ("http://pronote.college.example.fr/pronote/", "pronote"),
        ("https://educonnect.education.gouv.fr/idp", None),
        (None, None),
    ],
)
def test_host_role_names_the_targets_sites(url: str | None, role: str | None) -> None:
    assert host_role(url, TARGET) == role


def test_wrong_cas_and_direct_urls() -> None:
    assert not wrong_cas(CAS + "login?service=x", TARGET)
    assert wrong_cas("https://cas.example.fr/cas/login?service=x", TARGET)
    assert is_direct("http://pronote.college.example.fr/pronote/eleve.html?login=true", TARGET)
    assert not is_direct(PRONOTE + "eleve.html", TARGET)
