"""Time `python -m e2e discover` over the lab's 200 establishments, writing a targets file.

Usage: python bench/discover_200.py [--establishments N] [--runs N] [--per-host N]

Starts the lab with N establishments (200: `LAB_ESTABLISHMENTS=200`, timed from the
`running_lab()` call to its client being ready), writes a CSV of its establishments and
accounts as an académie keeps one (UAI, PRONOTE.net address, logins, `password_env` names,
never a password) and a catalogue entry for the lab's CAS (its port is random), then runs
`python -m e2e discover academie.csv --write cibles.toml` --runs times, each a new process
writing a new file, as a user types it. Prints the lab's start, then the median, min and max
of the runs' wall time (Python's start included) and the establishments each found.
The goal (issue 22): 200 establishments within 10 s.
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from lab.client import LabClient

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--establishments", type=int, default=200, help="lab establishments")
    parser.add_argument("--runs", type=int, default=5, help="discover runs (median printed)")
    parser.add_argument("--per-host", type=int, default=None, help="discover's --per-host")
    args = parser.parse_args(argv)

    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from lab.client import running_lab

    began = time.perf_counter()
    with running_lab(establishments=args.establishments, per_profile=1, startup_timeout=300) as lab:
        started = time.perf_counter() - began
        print(f"lab, {args.establishments} établissements : démarré en {started:.1f} s")
        with tempfile.TemporaryDirectory(prefix="bench-discover-") as tmp:
            folder = Path(tmp)
            table, catalogue = folder / "academie.csv", folder / "ent-labo.toml"
            _write_csv(lab, table)
            _write_catalogue(lab, catalogue)
            env = {k: v for k, v in os.environ.items() if not k.startswith(("VERIFIER_", "LAB_"))}
            timings = []
            for n in range(args.runs):
                targets = folder / f"cibles-{n}.toml"
                command = [
                    sys.executable,
                    "-m",
                    "e2e",
                    "discover",
                    str(table),
                    "--write",
                    str(targets),
                    "--catalogue",
                    str(catalogue),
                ]
                if args.per_host:
                    command += ["--per-host", str(args.per_host)]
                t0 = time.perf_counter()
                done = subprocess.run(
                    command, capture_output=True, text=True, env=env, cwd=ROOT, check=False
                )
                elapsed = time.perf_counter() - t0
                written = (
                    tomllib.loads(targets.read_text(encoding="utf-8")) if targets.exists() else {}
                )
                found = len(written.get("establishments", []))
                print(f"  run {n + 1} : {elapsed:.2f} s, exit {done.returncode}, {found} écrits")
                if done.returncode != 0 or found != args.establishments:
                    print(done.stdout[-2000:] + done.stderr[-2000:], file=sys.stderr)
                    return 1
                timings.append(elapsed)
    print(
        f"discover, {args.establishments} établissements, fichier de cibles écrit : "
        f"médiane {statistics.median(timings):.2f} s, min {min(timings):.2f} s, "
        f"max {max(timings):.2f} s ({len(timings)} runs)"
    )
    return 0


def _write_csv(lab: LabClient, path: Path) -> None:
    """One row per account: the establishment's UAI and PRONOTE.net address, the login and a
    `password_env` name (the passwords stay in the lab's report)."""
    info = lab.info
    sites = {s["uai"]: s["pronote"] for s in info["establishments"]}
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, delimiter=";")
        writer.writerow(["uai", "pronote_url", "login", "profile", "route", "password_env"])
        for n, account in enumerate(a for a in lab.accounts if a.route == "local"):
            writer.writerow(
                [
                    account.uai,
                    sites[account.uai],
                    account.login,
                    account.profile,
                    "local",
                    f"PW_{n}",
                ]
            )


def _write_catalogue(lab: LabClient, path: Path) -> None:
    """The user's own catalogue entry for the lab's ENT (its CAS host has a random port)."""
    info = lab.info
    source = 'source = "python -m lab --urls-file"'
    path.write_text(
        "[labo]\n"
        f'name = {{ value = "ENT du labo", {source} }}\n'
        f'family = {{ value = "kosmos", {source} }}\n'
        f'login_hosts = {{ value = ["{urlsplit(info["cas"]).netloc}"], {source} }}\n'
        f'ent_url = {{ value = "{info["ent"]}", {source} }}\n',
        encoding="utf-8",
    )


if __name__ == "__main__":
    sys.exit(main())
