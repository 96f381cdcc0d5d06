"""Removing passwords from a run's artifacts: redact, drop, delete or rename."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from leaks.forms import _Forms
from leaks.results import Hit, SecretLike
from leaks.walk import _Inspector


def scrub_paths(paths: Iterable[Path], secrets: Iterable[str | SecretLike]) -> list[Hit]:
    """Remove every form of every password under `paths`; return what was removed.

    Text files get `***` in place of the password. Binary files (PNG, WebM, ...)
    where that would corrupt the file are deleted. Zip archives are rewritten
    with each member cleaned the same way (a binary member is dropped) and gzip
    files recompressed. A file, folder or member whose name holds a password is
    renamed with REDACTED in its place. Each `Hit.action` says what was done;
    any hit means the run leaked a password and must fail, naming the file.
    """
    inspector = _Inspector(_Forms(secrets), rewrite=True)
    for path in paths:
        inspector.walk(Path(path))
    return inspector.hits()
