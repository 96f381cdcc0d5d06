"""The lab's Python API: start it in a child process, drive it through its control endpoint.

    with running_lab(faults=["identifiers_not_imported"]) as lab:
        lab.urls["ent"], lab.accounts, lab.set_faults([...]), lab.reset()

The child process stops when the `with` block ends, and by itself if the parent
dies (it watches its standard input), so no test failure leaves a lab behind.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from lab.options import LabOptions

ROOT = Path(__file__).resolve().parent.parent


class LabError(RuntimeError):
    pass


# The line a lab that could not start ends its output with (`python -m lab` writes it).
START_FAILED = "Le lab n'a pas pu démarrer : "


@dataclass
class LabAccount:
    login: str
    password: str
    profile: str
    display_name: str
    uid: str
    uai: str
    route: str = "local"  # or "educonnect"
    educonnect_profile: str | None = None  # "eleve" or "responsable"
    birth_date: str | None = None  # YYYY-MM-DD, what ÉduConnect's identity check asks


class LabClient:
    """Talks to a running lab's control endpoint (token-protected)."""

    def __init__(self, info: dict[str, Any]) -> None:
        self.info = info
        self.urls = {k: v for k, v in info.items() if isinstance(v, str) and k != "token"}
        self.accounts = [LabAccount(**a) for a in info["accounts"]]
        self._http = httpx.Client(
            base_url=info["control"], headers={"X-Lab-Token": info["token"]}, timeout=30
        )

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self._http.request(method, path, **kwargs)
        if response.status_code >= 400:
            raise LabError(f"lab control {method} {path}: {response.status_code} {response.text}")
        return response.json() if "json" in response.headers.get("content-type", "") else response

    def state(self) -> dict[str, Any]:
        return self._call("GET", "state")

    def reset(self) -> dict[str, Any]:
        return self._call("POST", "reset")

    def set_faults(self, faults: list[str]) -> dict[str, Any]:
        """Reset, then switch these faults on (an empty list means a healthy lab)."""
        return self._call("POST", "faults", json={"faults": faults})

    def posts(self) -> dict[str, int]:
        """POSTs the lab's apps received since the last reset, by `<app> <path>`."""
        return self._call("GET", "posts")

    def affected(self, fault: str) -> str | None:
        """Login of the one account a per-user fault applies to."""
        return self._call("GET", f"affected/{fault}")["login"]

    def pronote_users(self, uai: str | None = None) -> list[dict[str, Any]]:
        sites = self.state()["sites"]
        site = next(s for s in sites if s["uai"] == (uai or sites[0]["uai"]))
        return site["users"]

    def export_identifiers(self, uai: str | None = None) -> bytes:
        uai = uai or self.info["establishments"][0]["uai"]
        return self._call("GET", f"pronote/{uai}/export").content

    def import_identifiers(self, data: bytes, *, full: bool, uai: str | None = None) -> dict:
        uai = uai or self.info["establishments"][0]["uai"]
        kind = "complet" if full else "partiel"
        return self._call("POST", f"ent/{uai}/import", params={"type": kind}, content=data)

    def close(self) -> None:
        self._http.close()


@contextlib.contextmanager
def running_lab(
    options: LabOptions | None = None,
    *,
    startup_timeout: float = 60,
    failure_log: Path | None = None,
    **fields: Any,
) -> Iterator[LabClient]:
    """Start `python -m lab` in a child process and yield its client; stop it afterwards.

    The lab's options are a `LabOptions`, or its fields as keywords
    (`running_lab(faults=[...], wording="alt")`); a bad one raises `LabOptionError`
    before any process starts. The child's `LAB_*` environment does not apply. A lab that
    cannot start raises LabError with one line saying why; its whole output is kept in
    *failure_log* (by default `pronote-lab.log` in the system's temporary folder).
    """
    options = dataclasses.replace(options or LabOptions(), **fields)
    with tempfile.TemporaryDirectory(prefix="lab-") as tmp:
        urls_file = Path(tmp) / "lab.json"
        command = [
            sys.executable,
            "-m",
            "lab",
            "--quiet",
            "--stop-on-stdin-eof",
            "--urls-file",
            str(urls_file),
            *options.to_argv(),
        ]
        log = open(Path(tmp) / "lab.log", "w+b")
        env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
        process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT, env=env
        )
        client: LabClient | None = None
        try:
            deadline = time.monotonic() + startup_timeout
            while not urls_file.exists():
                if process.poll() is not None:
                    log.seek(0)
                    raise LabError(_start_failure(log.read(), failure_log))
                if time.monotonic() > deadline:
                    raise LabError(f"the lab did not start within {startup_timeout:.0f} s")
                time.sleep(0.05)  # polling a child process's start, not a browser flow
            client = LabClient(json.loads(urls_file.read_text(encoding="utf-8")))
            yield client
        finally:
            if client:
                client.close()
            _stop(process)
            log.close()


def _start_failure(output: bytes, kept: Path | None) -> str:
    """The lab's own one line on why it could not start (else its last line), and where its
    whole output is kept."""
    kept = kept or Path(tempfile.gettempdir()) / "pronote-lab.log"
    kept.parent.mkdir(parents=True, exist_ok=True)
    kept.write_bytes(output)
    lines = [line.strip() for line in output.decode(errors="replace").splitlines() if line.strip()]
    said = next((line for line in reversed(lines) if line.startswith(START_FAILED)), None)
    reason = said.removeprefix(START_FAILED) if said else (lines[-1] if lines else "aucune sortie")
    return f"{reason.removeprefix('python -m lab: error: ')} (détails : {kept})"


def _stop(process: subprocess.Popen) -> None:
    with contextlib.suppress(OSError):
        if process.stdin:
            process.stdin.close()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
