"""Split a targets file's establishments across N CI jobs: ``--shard i/n``.

The unit is the establishment, not the test: each establishment costs one ENT session and
one lab or staging portal, so its accounts stay together in one job. Establishments are
dealt round-robin in sorted order, so the split depends only on the names (not on the order
of the file or of collection), every establishment lands in exactly one shard, and shard
sizes differ by one at most. pytest-split balances individual tests by recorded durations,
which would scatter one establishment's accounts over several jobs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

T = TypeVar("T")

_SPEC = re.compile(r"\s*(\d+)\s*/\s*(\d+)\s*")


class ShardError(ValueError):
    """A shard that cannot be taken: the message is one French sentence for the user."""


def parse(spec: str) -> tuple[int, int]:
    """``"2/3"`` → ``(2, 3)``: the shard's number (from 1) and the number of shards."""
    match = _SPEC.fullmatch(spec)
    if match is None:
        raise ShardError(
            f"--shard {spec!r} : format attendu i/n (par exemple 2/3 pour la 2e part sur 3)."
        )
    index, total = int(match.group(1)), int(match.group(2))
    check(index, total)
    return index, total


def check(index: int, total: int) -> None:
    """Refuse a shard outside ``1 <= index <= total``, in French."""
    if total < 1:
        raise ShardError(f"--shard {index}/{total} : le nombre de parts doit être au moins 1.")
    if not 1 <= index <= total:
        raise ShardError(
            f"--shard {index}/{total} : la part doit être comprise entre 1 et {total}."
        )


def select(names: Sequence[str], index: int, total: int) -> list[str]:
    """The establishments of shard *index* of *total*, in the order they were given.

    Names listed twice count once. A shard may be empty when there are fewer establishments
    than shards.
    """
    return select_items(list(dict.fromkeys(names)), index, total, key=lambda name: name)


def select_items(items: Iterable[T], index: int, total: int, *, key: Callable[[T], str]) -> list[T]:
    """Shard *index* of *total* of any items, dealt by ``key`` (the establishment's name).

    Items sharing a key stay in the same shard; the kept items keep their given order.
    """
    check(index, total)
    items = list(items)
    keys = sorted({key(item) for item in items})
    mine = {k for n, k in enumerate(keys) if n % total == index - 1}
    return [item for item in items if key(item) in mine]
