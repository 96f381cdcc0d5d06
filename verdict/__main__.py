"""Command line of the verdict package: ``python -m verdict <commande> ...``.

Errors are one French line on stderr naming the file (and line), exit code 2.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from audit import (
    IdentifiersFile,
    IdentifiersFileError,
    audit,
    audit_to_dict,
    compare,
    comparison_to_dict,
    format_audit,
    format_comparison,
    parse_identifiers,
)
from verdict.board.cli import add_parser as add_board_parser
from verdict.journal import JOURNAL_FILE, JournalError, rebuild_summary
from verdict.merge import add_parser as add_merge_parser

EXIT_OK = 0
EXIT_ERROR = 2


class CommandError(Exception):
    """A failure to report as one line, without a traceback."""


def _read_identifiers(path: Path) -> IdentifiersFile:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise CommandError(f"{path} : fichier introuvable : vérifier le chemin.") from None
    except IsADirectoryError:
        raise CommandError(f"{path} : c'est un dossier, pas un fichier.") from None
    except OSError as exc:
        reason = exc.strerror or exc.__class__.__name__
        raise CommandError(f"{path} : fichier illisible ({reason}).") from None
    try:
        return parse_identifiers(data, source=str(path))
    except IdentifiersFileError as exc:
        raise CommandError(f"{path} : {exc.message}") from None


def _print_json(data: dict[str, Any]) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


def _run_audit(args: argparse.Namespace) -> int:
    first = _read_identifiers(args.file)
    if args.new is None:
        result = audit(first)
        if args.json:
            _print_json(audit_to_dict(result))
        else:
            sys.stdout.write(format_audit(result))
        return EXIT_OK
    comparison = compare(first, _read_identifiers(args.new))
    if args.json:
        _print_json(comparison_to_dict(comparison))
    else:
        sys.stdout.write(format_comparison(comparison))
    return EXIT_OK


def _run_summary(args: argparse.Namespace) -> int:
    try:
        path, count = rebuild_summary(args.reports)
    except JournalError as exc:
        raise CommandError(str(exc)) from None
    print(f"{path} reconstruit depuis {JOURNAL_FILE} : {count} compte(s) jugé(s), interrompu.")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m verdict",
        description="Vérifications autour de PRONOTE, de l'ENT et de son CAS.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="commande")

    audit_parser = commands.add_parser(
        "audit",
        help="auditer un fichier des identifiants PRONOTE, ou comparer deux exports",
        description=(
            "Avec un fichier : utilisateurs, codes invalides, doublons, liés ou non à "
            "l'ENT, par profil. Avec deux fichiers (ANCIEN puis NOUVEAU) : Id. CAS "
            "générés entre les deux exports, codes apparus ou disparus."
        ),
    )
    audit_parser.add_argument("file", type=Path, metavar="FICHIER", help="export (ou ANCIEN)")
    audit_parser.add_argument(
        "new", type=Path, nargs="?", metavar="NOUVEAU", help="export plus récent à comparer"
    )
    audit_parser.add_argument("--json", action="store_true", help="sortie JSON complète")
    audit_parser.set_defaults(run=_run_audit)
    add_merge_parser(commands)
    summary_parser = commands.add_parser(
        "summary",
        help="reconstruire summary.json après un arrêt brutal (depuis results.jsonl)",
        description=(
            f"Reconstruit RAPPORTS/summary.json depuis RAPPORTS/{JOURNAL_FILE}, le journal "
            "que pytest e2e/ écrit compte par compte : une vérification tuée (SIGKILL, panne "
            "de la machine) garde ainsi les comptes déjà jugés ; le résumé la dit interrompue."
        ),
    )
    summary_parser.add_argument(
        "--reports",
        type=Path,
        default=Path("reports"),
        metavar="RAPPORTS",
        help="dossier du rapport (défaut : reports)",
    )
    summary_parser.set_defaults(run=_run_summary)
    add_board_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    # A console that cannot show « » or accents must not turn a report into a traceback.
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="replace")
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args))
    except CommandError as exc:
        print(f"erreur : {exc}", file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":
    raise SystemExit(main())
