"""What a zero-configuration run learns from its good logins: the choosing logic, pure."""

from __future__ import annotations

import itertools
from urllib.parse import urlsplit

import pytest

from e2e.settings import Settings
from e2e.zero_config import learn
from tests.verdict_cases import CODE, PRONOTE, TARGET, journey
from verdict import learn as choose
from verdict.cas import CasValidation
from verdict.learn import LoginSeen, seen

OTHER_CODE = "B7QX2M9KD4TR1ZPA"
HOSTS = TARGET.pronote_hosts


def login(account: str, attributes: dict[str, list[str]], **changes: object) -> LoginSeen:
    """A good login of *account* whose ticket validation released *attributes*, as learning
    reads it from the journey's observation."""
    validation = CasValidation(PRONOTE, user=f"NA{account.upper()}", attributes=attributes)
    return seen(journey(account=account, cas_validation=validation, **changes))


def shortcut(label: str, found_by: str = "href", url: str = PRONOTE) -> dict[str, object]:
    return {"shortcut_label": label, "shortcut_found_by": found_by, "shortcut_url": url}


def names(code: str = CODE) -> dict[str, list[str]]:
    return {"uid": ["NAA30191"], "nom": ["MARTIN"], "prenom": ["Léa"], "idPronote": [code]}


def test_the_identifier_attribute_is_the_one_carrying_a_pronote_code() -> None:
    observations = [login("a", names()), login("b", names(OTHER_CODE))]

    fact = choose.identifier_attribute(observations)

    assert fact.value == "idPronote"
    assert fact.warning is None
    assert fact.evidence.endswith("(16 caractères A-Z0-9), 2 connexion(s) réussie(s) sur 2")


def test_the_identifier_attribute_is_the_one_most_good_logins_agree_on() -> None:
    observations = [
        login("a", names()),
        login("b", names(OTHER_CODE)),
        # A third login also shows a code-shaped value under another name: outvoted.
        login("c", {**names("C0DE16CARACTERES"), "ENTPersonJointure": ["ZZZZZZZZZZZZZZZZ"]}),
    ]

    assert choose.identifier_attribute(observations).value == "idPronote"


def test_a_tie_between_attributes_teaches_nothing_and_says_so() -> None:
    observations = [
        login("a", {"idPronote": [CODE]}),
        login("b", {"codePronote": [OTHER_CODE]}),
    ]

    fact = choose.identifier_attribute(observations)

    assert fact.value is None
    assert fact.warning == (
        "identifier_attribute non appris : les connexions réussies se partagent à égalité "
        "entre codePronote (1), idPronote (1) ; renseignez-le"
    )


def test_only_good_logins_vote() -> None:
    refused = dict(final_kind="identification_impossible", final_text="Identification impossible")
    observations = [
        login("a", {"idPronote": [CODE]}),
        login("b", {"codePronote": [OTHER_CODE]}, **refused),
        login("c", {"codePronote": ["C0DE16CARACTERES"]}, **refused),
    ]

    fact = choose.identifier_attribute(observations)

    assert fact.value == "idPronote"
    assert fact.evidence.endswith("1 connexion(s) réussie(s) sur 1")


def test_nothing_is_learnt_when_no_attribute_looks_like_a_pronote_code() -> None:
    observations = [
        login("a", {"uid": ["NAA30191"], "nom": ["MARTIN"], "id": ["azkh9c7wsq2r54dp"]})
    ]

    fact = choose.identifier_attribute(observations)

    assert (fact.value, fact.warning) == (None, None)


def test_the_identifiers_file_names_the_codes_when_given() -> None:
    observations = [
        login("a", {"idPronote": [CODE], "jeton": ["QQQQQQQQQQQQQQQQ"]}),
        login("b", {"idPronote": [OTHER_CODE], "jeton": ["RRRRRRRRRRRRRRRR"]}),
    ]

    fact = choose.identifier_attribute(observations, known_codes={CODE, OTHER_CODE})

    assert fact.value == "idPronote"
    assert "identifiant du fichier des identifiants PRONOTE" in fact.evidence


def test_the_choice_does_not_depend_on_which_journey_ended_first() -> None:
    observations = [
        login("a", {"idPronote": [CODE]}, **shortcut("Pronote")),
        login("b", {"codePronote": [OTHER_CODE], "idPronote": ["C0DE16CARACTERES"]}),
        login("c", {"codePronote": ["D0DE16CARACTERES"]}, **shortcut("PRONOTE - ENT")),
        login("d", {"idPronote": ["E0DE16CARACTERES"]}, **shortcut("Pronote")),
    ]
    seen = {
        (
            choose.identifier_attribute(order),
            choose.shortcut_label(order, HOSTS),
        )
        for order in itertools.permutations(observations)
    }

    assert len(seen) == 1
    (attribute, label) = next(iter(seen))
    assert attribute.value == "idPronote"  # 3 logins against 2
    assert label.value == "Pronote"  # 2 against 1


def test_the_shortcut_is_the_label_of_the_link_that_led_to_pronote() -> None:
    observations = [
        login("a", {}, **shortcut("PRONOTE - Vie scolaire")),
        login("b", {}, **shortcut("PRONOTE - Vie scolaire")),
        login("c", {}, **shortcut("Pronote", found_by="label")),  # found by its label only
        login("d", {}, **shortcut("Mon Pronote", url="https://ent.example.fr/pronote")),
    ]

    fact = choose.shortcut_label(observations, HOSTS)

    assert fact.value == "PRONOTE - Vie scolaire"
    host = urlsplit(PRONOTE).netloc
    assert host in fact.evidence
    assert fact.evidence.endswith("2 connexion(s) réussie(s) sur 4")


def test_a_tie_between_labels_teaches_nothing() -> None:
    observations = [
        login("a", {}, **shortcut("Pronote")),
        login("b", {}, **shortcut("PRONOTE - Vie scolaire")),
    ]

    fact = choose.shortcut_label(observations, HOSTS)

    assert fact.value is None
    assert fact.warning is not None and fact.warning.startswith("shortcut_label non appris")


# -- the user's value wins ---------------------------------------------------------------------


def settings(**given: object) -> Settings:
    """Settings with *given* as the keys the user set (no environment read)."""
    return Settings.model_construct(_fields_set=set(given), **given)


GOOD = [
    login("a", {"idPronote": [CODE]}, **shortcut("PRONOTE - Vie scolaire")),
    login("b", {"idPronote": [OTHER_CODE]}, **shortcut("PRONOTE - Vie scolaire")),
]


def test_what_the_user_left_unset_is_learnt_and_marked_so() -> None:
    learning = learn(settings(), GOOD, HOSTS)

    assert learning.discovered["identifier_attribute"]["value"] == "idPronote"
    assert learning.discovered["identifier_attribute"]["learnt"] is True
    assert learning.discovered["shortcut_label"]["value"] == "PRONOTE - Vie scolaire"
    assert learning.contradictions == [] and learning.warnings == []
    assert learning.console_lines()[0].startswith("Appris : identifier_attribute = idPronote [")
    assert learning.console_lines()[0].endswith(
        "à fixer dans .env : VERIFIER_IDENTIFIER_ATTRIBUTE=idPronote"
    )


@pytest.mark.parametrize(
    ("given", "contradicts"),
    [
        ({"identifier_attribute": "identifiantPronote"}, True),
        ({"identifier_attribute": "idPronote"}, False),
        ({"identifier_attribute": "IDPRONOTE"}, True),  # an attribute name is exact
        ({"shortcut_label": "Pronote"}, True),
        ({"shortcut_label": "pronote - vie scolaire"}, False),  # a label is any case
    ],
    ids=["attribute-other", "attribute-same", "attribute-case", "label-other", "label-case"],
)
def test_a_value_the_user_set_wins_and_a_different_one_is_a_contradiction(
    given: dict[str, str], contradicts: bool
) -> None:
    learning = learn(settings(**given), GOOD, HOSTS)

    (key,) = given
    assert key not in learning.discovered
    assert len(learning.contradictions) == int(contradicts)
    if contradicts:
        assert learning.contradictions[0].startswith(
            f"VERIFIER_{key.upper()}={given[key]} (réglé) mais les connexions réussies montrent "
        )
        assert learning.contradictions[0].endswith(": la valeur réglée est gardée")
