"""`python -m verdict board`: record tonight's summary among the nights kept, draw the board."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from verdict.board.nights import (
    NIGHTS_FILE,
    NightsError,
    night_from_summary,
    read_nights,
    read_summary,
    record_night,
)
from verdict.board.page import write_board

EXIT_OK = 0
EXIT_ERROR = 2
BOARD_FILE = "board.html"


def add_parser(commands: Any) -> None:
    """Registered by `verdict.__main__`."""
    parser = commands.add_parser(
        "board",
        help="tableau de bord des établissements, nuit après nuit (une page HTML)",
        description=(
            "Ajoute le summary.json de la nuit aux nuits gardées (RAPPORTS/nights.jsonl), "
            "puis écrit le tableau de bord (RAPPORTS/board.html) : un établissement par "
            "ligne, une nuit par colonne, son état, depuis quand il est en panne, le "
            "diagnostic, les liens vers le rapport et le PV. Une nuit déjà gardée (même "
            "début) est remplacée, pas doublée."
        ),
    )
    parser.add_argument(
        "--reports",
        type=Path,
        default=Path("reports"),
        metavar="RAPPORTS",
        help="dossier du rapport de la nuit (défaut : reports)",
    )
    parser.add_argument(
        "--summary",
        type=Path,
        action="append",
        default=None,
        metavar="FICHIER",
        help="summary.json à ajouter (plusieurs possibles ; défaut : RAPPORTS/summary.json)",
    )
    parser.add_argument(
        "--history",
        type=Path,
        default=None,
        metavar="FICHIER",
        help="nuits gardées (défaut : RAPPORTS/nights.jsonl)",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=None,
        metavar="FICHIER",
        help="page écrite (défaut : RAPPORTS/board.html)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    reports: Path = args.reports
    history: Path = args.history or reports / NIGHTS_FILE
    output: Path = args.output or reports / BOARD_FILE
    summaries: list[Path] = args.summary or []
    if not summaries and (reports / "summary.json").exists():
        summaries = [reports / "summary.json"]
    try:
        for path in summaries:
            night = night_from_summary(read_summary(path), path.parent)
            record_night(history, night)
        nights = read_nights(history)
    except NightsError as exc:
        print(f"erreur : {exc}", file=sys.stderr)
        return EXIT_ERROR
    if not nights:
        print(
            f"erreur : aucune nuit : ni {reports / 'summary.json'} ni {history}. "
            "Lancer d'abord pytest e2e/.",
            file=sys.stderr,
        )
        return EXIT_ERROR
    write_board(nights, reports, output)
    print(f"Tableau de bord : {output} ({len(nights)} nuit(s))")
    return EXIT_OK
