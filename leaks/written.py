"""What a run wrote: the files and folders under its artifact folders that are new or changed
since its start. The end-of-run scrub reads and cleans only those, so a file the run did not
write (a user's `.env` beside the reports, an older report) is never modified, and a password
found there is not the run's leak.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

# What tells a file apart from its earlier self: inode, size, modification time.
Signature = tuple[int, int, int]
Snapshot = dict[str, Signature]


def snapshot(folders: Iterable[Path]) -> Snapshot:
    """Every entry under *folders* (links not followed), by path, as it is now."""
    seen: Snapshot = {}
    for folder in _outermost(folders):
        for path in _entries(folder):
            signature = _signature(path)
            if signature is not None:
                seen[str(path)] = signature
    return seen


def written_since(before: Snapshot, folders: Iterable[Path]) -> list[Path]:
    """The entries under *folders* that are not in *before*, or whose content changed: a new
    folder as a whole (everything in it is new), else each new or changed file."""
    written: list[Path] = []
    for folder in _outermost(folders):
        if not folder.exists():
            continue
        if str(folder) not in before:
            written.append(folder)
            continue
        _changed(folder, before, written)
    return written


def _changed(folder: Path, before: Snapshot, written: list[Path]) -> None:
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return  # the scan of what it could not list says so when it walks it
    for entry in entries:
        path = Path(entry.path)
        old = before.get(str(path))
        if old is None:
            written.append(path)
        elif entry.is_dir(follow_symlinks=False):
            _changed(path, before, written)
        elif _signature(path) != old:
            written.append(path)


def _outermost(folders: Iterable[Path]) -> list[Path]:
    """The folders as absolute paths, less those inside another (walked with it)."""
    paths = sorted({Path(os.path.abspath(f)) for f in folders})
    return [p for p in paths if not any(o != p and o in p.parents for o in paths)]


def _entries(folder: Path) -> Iterable[Path]:
    if not folder.exists():
        return
    yield folder
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            yield Path(root) / name


def _signature(path: Path) -> Signature | None:
    try:
        stat = path.lstat()
    except OSError:
        return None
    return (stat.st_ino, stat.st_size, stat.st_mtime_ns)
