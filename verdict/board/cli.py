"""`python -m verdict board`: record tonight's summary among the nights kept, draw the board."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from verdict.board.alerts import AlertError, AlertSettings, alert_for, send
from verdict.board.nights import (
    NIGHTS_FILE,
    NightsError,
    night_from_summary,
    read_nights,
    read_summary,
    record_night,
)
from verdict.board.page import NIGHT_COLUMNS, write_board
from verdict.board.timeline import changes

EXIT_OK = 0
EXIT_ERROR = 2
EXIT_ALERTS_FAILED = 3
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
            "début) est remplacée, pas doublée. Une nuit nouvelle envoie une alerte par "
            "établissement dont l'état a changé (VERIFIER_NOTIFY_URLS, Apprise). Code de "
            "sortie : 0, 2 (résumé ou nuits illisibles), 3 (alerte non envoyée)."
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
    parser.add_argument(
        "--nights",
        type=int,
        default=NIGHT_COLUMNS,
        metavar="N",
        help=f"nuits montrées en colonnes, les plus récentes (défaut : {NIGHT_COLUMNS} ; 0 : toutes)",
    )
    parser.add_argument(
        "--no-alerts", action="store_true", help="ne pas envoyer d'alerte pour cette nuit"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    reports: Path = args.reports
    history: Path = args.history or reports / NIGHTS_FILE
    output: Path = args.output or reports / BOARD_FILE
    summaries: list[Path] = args.summary or []
    if not summaries and (reports / "summary.json").exists():
        summaries = [reports / "summary.json"]
    added: list[str] = []
    try:
        for path in summaries:
            night = night_from_summary(read_summary(path), path.parent)
            if record_night(history, night):
                added.append(night.night)
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
    write_board(nights, reports, output, columns=args.nights)
    print(f"Tableau de bord : {output} ({len(nights)} nuit(s))")
    # Only a night never seen before, and the latest: rebuilding the board or adding old
    # nights must not send yesterday's news again.
    if args.no_alerts or not added or nights[-1].night not in added:
        return EXIT_OK
    return _alert(nights, reports)


def _alert(nights: list[Any], reports: Path) -> int:
    tonight = nights[-1]
    found = changes(nights, tonight.night)
    if not found:
        print("Aucun changement d'état cette nuit : aucune alerte.")
        return EXIT_OK
    settings = AlertSettings()
    if settings.notify_urls is None or not settings.notify_urls.get_secret_value().strip():
        print(f"{len(found)} changement(s) d'état ; VERIFIER_NOTIFY_URLS vide : aucune alerte.")
        return EXIT_OK
    alerts = [alert_for(c, tonight, settings.board_url, str(reports)) for c in found]
    try:
        sent = send(alerts, settings.notify_urls)
    except AlertError as exc:
        print(f"erreur : {exc}", file=sys.stderr)
        return EXIT_ALERTS_FAILED
    print(f"{sent} alerte(s) envoyée(s) : {len(found)} changement(s) d'état cette nuit.")
    return EXIT_OK
