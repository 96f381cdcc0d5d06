"""`--shard i/n`: a targets file's establishments dealt across n CI jobs."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from verdict.shard import ShardError, parse, select, select_items

NAMES = [f"03100{n:02d}X Collège n°{n}" for n in range(1, 12)]


@pytest.mark.parametrize("total", [1, 2, 3, 4, 11, 15])
def test_shards_cover_every_establishment_exactly_once(total: int) -> None:
    shards = [select(NAMES, i, total) for i in range(1, total + 1)]
    counts = Counter(name for shard in shards for name in shard)
    assert counts == Counter(NAMES)


@pytest.mark.parametrize("total", [2, 3, 4, 5])
def test_shards_are_even_by_establishment(total: int) -> None:
    sizes = [len(select(NAMES, i, total)) for i in range(1, total + 1)]
    assert max(sizes) - min(sizes) <= 1
    assert sum(sizes) == len(NAMES)


def test_shard_depends_on_the_names_not_on_their_order() -> None:
    shuffled = NAMES[:]
    random.Random(13).shuffle(shuffled)
    for i in (1, 2, 3):
        assert set(select(shuffled, i, 3)) == set(select(NAMES, i, 3))
        # The kept establishments are run in the order the targets file gives them.
        kept = select(shuffled, i, 3)
        assert kept == [name for name in shuffled if name in kept]


def test_shard_deals_sorted_names_round_robin() -> None:
    names = ["C lycée", "A collège", "D collège", "B lycée"]
    assert select(names, 1, 3) == ["A collège", "D collège"]
    assert select(names, 2, 3) == ["B lycée"]
    assert select(names, 3, 3) == ["C lycée"]


def test_more_shards_than_establishments_leaves_some_shards_empty() -> None:
    assert [select(["A", "B"], i, 3) for i in (1, 2, 3)] == [["A"], ["B"], []]


def test_an_establishment_listed_twice_is_counted_once() -> None:
    assert select(["A", "B", "A"], 1, 2) == ["A"]
    assert select(["A", "B", "A"], 2, 2) == ["B"]


def test_select_items_keeps_one_establishments_accounts_together() -> None:
    accounts = [("B", "parent"), ("A", "eleve"), ("B", "eleve"), ("A", "prof"), ("C", "eleve")]
    first = select_items(accounts, 1, 2, key=lambda account: account[0])
    second = select_items(accounts, 2, 2, key=lambda account: account[0])
    assert first == [("A", "eleve"), ("A", "prof"), ("C", "eleve")]
    assert second == [("B", "parent"), ("B", "eleve")]


@pytest.mark.parametrize(
    ("spec", "expected"), [("1/3", (1, 3)), ("3/3", (3, 3)), (" 2 / 5 ", (2, 5)), ("1/1", (1, 1))]
)
def test_parse_reads_i_over_n(spec: str, expected: tuple[int, int]) -> None:
    assert parse(spec) == expected


@pytest.mark.parametrize(
    ("spec", "words"),
    [
        ("0/3", "entre 1 et 3"),
        ("4/3", "entre 1 et 3"),
        ("1/0", "au moins 1"),
        ("2", "format attendu i/n"),
        ("a/b", "format attendu i/n"),
        ("-1/3", "format attendu i/n"),
        ("", "format attendu i/n"),
    ],
    ids=["zero", "past_the_last", "no_shard", "no_total", "letters", "negative", "empty"],
)
def test_parse_refuses_a_bad_shard_in_french(spec: str, words: str) -> None:
    with pytest.raises(ShardError, match=words) as error:
        parse(spec)
    assert str(error.value).startswith("--shard ")


@pytest.mark.parametrize(("index", "total"), [(0, 2), (3, 2), (1, 0), (-1, 2)])
def test_select_refuses_a_shard_outside_one_to_n(index: int, total: int) -> None:
    with pytest.raises(ShardError, match="--shard"):
        select(NAMES, index, total)
