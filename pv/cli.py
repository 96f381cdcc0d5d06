"""`python -m pv`: write the PVs of a run, or say in French why not."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from pv.model import PvError
from pv.render import write_pvs


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m pv",
        description="Procès-verbal de recette (PDF et HTML) par établissement, depuis un run.",
    )
    parser.add_argument("--reports", type=Path, default=Path("reports"), help="dossier du run")
    parser.add_argument("--out", type=Path, default=None, help="dossier des PV (REPORTS/pv)")
    parser.add_argument("--html-only", action="store_true", help="sans PDF")
    args = parser.parse_args(argv)
    try:
        written = write_pvs(args.reports, args.out, pdf=not args.html_only)
    except PvError as exc:
        print(f"erreur : {exc}", file=sys.stderr)
        return 2
    for path in written:
        print(f"PV de recette : {path}")
    return 0
