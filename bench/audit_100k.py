"""Time reading, parsing and auditing a 100,000-line PRONOTE identifiers export.

Usage: python bench/audit_100k.py [--lines N] [--runs N]

The export is written the way the lab's PRONOTE stand-in writes it (Windows-1252,
CRLF, tabs), with a secondary school's mix of profiles, accented names and about
two users in five already linked to the ENT. The time printed is the median of
the runs, each reading the file from disk, parsing it and auditing it.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
SURNAMES = (
    "MARTIN BERNARD DUBOIS THOMAS ROBERT RICHARD PETIT DURAND LEROY MOREAU SIMON LAURENT "
    "LEFÈVRE MICHEL GARCIA DAVID BERTRAND ROUX VINCENT FOURNIER MOREL GIRARD ANDRÉ MERCIER "
    "DUPONT LAMBERT BONNET FRANÇOIS MARTINEZ N'DIAYE"
).split()
FIRST_NAMES = (
    "Léa Hugo Chloé Noé Zoé Inès Jérôme Hélène Cécile Agnès Benoît Éric Françoise Gaëlle "
    "Anaïs Maël Loïc Clément Théo Manon Camille Lucas Emma Louise Jade Raphaël Noël Léon"
).split()
# Share of the file's users per section, as in a collège: parents outnumber students.
PROFILES = (("Elèves", 0.38), ("Responsables", 0.55), ("Professeurs", 0.05), ("Personnels", 0.02))


def make_export(lines: int, rng: random.Random) -> bytes:
    """An export of about *lines* lines (headers and blank separators included)."""
    users = lines - 2 * len(PROFILES) + 1
    blocks = []
    cas_number = 30000
    for profile, share in PROFILES:
        rows = [f"{profile}\tIdentifiant PRONOTE\tIdentifiant CAS"]
        for _ in range(round(users * share)):
            name = f"{rng.choice(SURNAMES)} {rng.choice(FIRST_NAMES)}"
            code = "".join(rng.choices(ALPHABET, k=16))
            cas_id = ""
            if rng.random() < 0.4:
                cas_number += 1
                cas_id = f"NA{rng.choice('ABCDE')}{cas_number}"
            rows.append(f"{name}\t{code}\t{cas_id}")
        blocks.append("\r\n".join(rows) + "\r\n")
    return "\r\n".join(blocks).encode("cp1252")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=100_000, help="lines in the export")
    parser.add_argument("--runs", type=int, default=3, help="timed runs (median printed)")
    args = parser.parse_args(argv)

    # Run as a script from anywhere: the repository root holds the verdict package.
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from audit import audit, parse_identifiers

    with tempfile.TemporaryDirectory(prefix="audit-bench-") as folder:
        path = Path(folder) / "identifiants.txt"
        path.write_bytes(make_export(args.lines, random.Random(2011)))
        timings = []
        for _ in range(args.runs):
            start = time.perf_counter()
            result = audit(parse_identifiers(path.read_bytes(), source=str(path)))
            timings.append(time.perf_counter() - start)
        size = path.stat().st_size
        line_count = path.read_bytes().count(b"\n")

    print(
        f"{line_count} lines ({size / 1_000_000:.1f} MB, {result.totals.users} users, "
        f"{result.totals.linked} linked): read + parse + audit, median of {args.runs} runs: "
        f"{statistics.median(timings):.3f} s "
        f"(runs: {', '.join(f'{t:.3f}' for t in timings)})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
