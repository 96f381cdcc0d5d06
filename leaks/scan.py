"""Looking for passwords in a run's artifacts without changing anything."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from leaks.forms import _Forms, secret_warnings
from leaks.results import ScanResult, SecretLike
from leaks.walk import _Inspector


def scan_paths(paths: Iterable[Path], secrets: Iterable[str | SecretLike]) -> ScanResult:
    """Look for every form of every password in the files under `paths`.

    Folders are walked recursively; zip archives (nested ones too, as in a
    Playwright trace) and gzip files are opened and each member scanned; file,
    folder and member names are scanned as well. Nothing is changed on disk.
    """
    secrets = list(secrets)  # read twice, and may be a generator
    inspector = _Inspector(_Forms(secrets), rewrite=False)
    for path in paths:
        inspector.walk(Path(path))
    return ScanResult(
        hits=inspector.hits(),
        files_scanned=inspector.files,
        bytes_scanned=inspector.bytes,
        members_scanned=inspector.members,
        warnings=secret_warnings(secrets) + inspector.warnings,
    )
