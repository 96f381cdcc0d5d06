"""Video with a system ffmpeg: `pytest e2e/ --video on` where Playwright cannot download its own.

Playwright records video by piping frames to the ffmpeg of its own registry, at
`<registry>/ffmpeg-<revision>/ffmpeg-linux`, where `<registry>` is
`PLAYWRIGHT_BROWSERS_PATH` (or `~/.cache/ms-playwright`) and `<revision>` comes from the
installed package's `browsers.json`. Where `playwright install` cannot download (no network,
Debian's Chromium), that file is missing and every filmed test fails with "Executable doesn't
exist". Playwright only checks that the file is there and runs it with VP9/WebM encoder
arguments, which Debian's ffmpeg (libvpx) accepts: a symlink at that exact path is enough.
`playwright install` replaces it by the real one later, if it can.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

HOW_TO = (
    "Vidéo (--video) impossible : Playwright ne trouve pas son ffmpeg et aucun ffmpeg avec "
    "l'encodeur VP9 n'est installé : `playwright install ffmpeg`, ou sous Debian/Ubuntu "
    "`apt-get install ffmpeg`."
)
PLATFORM_EXECUTABLE = {"linux": "ffmpeg-linux", "darwin": "ffmpeg-mac", "win32": "ffmpeg-win64.exe"}


def driver_package() -> Path:
    import playwright

    return Path(playwright.__file__).parent / "driver" / "package"


def registry_directory() -> Path:
    """Where Playwright looks for its browsers and tools (its own `registryDirectory`)."""
    env = os.environ.get("PLAYWRIGHT_BROWSERS_PATH")
    if env == "0":
        return driver_package() / ".local-browsers"
    if env:
        return Path(os.environ.get("INIT_CWD") or os.getcwd(), env).resolve()
    if sys.platform == "darwin":
        cache = Path.home() / "Library" / "Caches"
    elif sys.platform == "win32":
        cache = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    else:
        cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "ms-playwright"


def playwright_ffmpeg_path() -> Path | None:
    """The exact file Playwright runs to encode video, or None if this package has none."""
    try:
        browsers = json.loads((driver_package() / "browsers.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    entry = next((b for b in browsers.get("browsers", []) if b.get("name") == "ffmpeg"), None)
    executable = PLATFORM_EXECUTABLE.get(sys.platform)
    if entry is None or executable is None or entry.get("revisionOverrides"):
        return None  # a per-platform override would need Playwright's host-platform naming
    return registry_directory() / f"ffmpeg-{entry['revision']}" / executable


def system_ffmpeg() -> str | None:
    """A system ffmpeg that can encode VP9 (what Playwright asks for), or None."""
    found = shutil.which("ffmpeg")
    if found is None:
        return None
    try:
        encoders = subprocess.run(
            [found, "-hide_banner", "-encoders"], capture_output=True, text=True, timeout=30
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return found if "libvpx-vp9" in encoders else None


def ensure_ffmpeg() -> str | None:
    """Make Playwright's ffmpeg path exist (a link to the system's); None when video can work.

    Otherwise one French line saying how to get it, to print before any browser starts.
    """
    target = playwright_ffmpeg_path()
    if target is None:
        return HOW_TO
    if os.access(target, os.X_OK):
        return None
    found = system_ffmpeg()
    if found is None:
        return HOW_TO
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.is_symlink():  # a dangling link from an ffmpeg since removed
            target.unlink()
        target.symlink_to(found)
    except OSError as exc:
        return (
            f"Vidéo (--video) impossible : lien {target} → {found} non créé "
            f"({exc.strerror or exc.__class__.__name__}) : `playwright install ffmpeg`, ou "
            "PLAYWRIGHT_BROWSERS_PATH vers un dossier accessible en écriture."
        )
    return None
