"""The catalogue as Markdown: `docs/diagnoses.md` and the README's table.

    python -m verdict.docs                      # the table, on stdout
    python -m verdict.docs --readme README.md   # rewrite the README's table in place

`docs/diagnoses.md` also lists fault pairs checked against the lab; `verdict/` does not
know the lab, so the caller passes them (`python -m tests.fault_oracle` does).
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from verdict.catalogue import CATALOGUE, Diagnosis

README_START = "<!-- diagnoses:start (généré : python -m verdict.docs --readme README.md) -->"
README_END = "<!-- diagnoses:end -->"
_README_BLOCK = re.compile(r"<!-- diagnoses:start[^\n]*-->\n.*?<!-- diagnoses:end -->", re.S)


class FaultPairLike(Protocol):
    """Two faults at once and what the verdict says (see `tests.fault_oracle.FaultPair`)."""

    faults: tuple[str, ...]
    code: str
    alternatives: tuple[str, ...]
    warnings: tuple[str, ...]
    why: str


def table(catalogue: dict[str, Diagnosis] = CATALOGUE) -> list[str]:
    """One row per code: what the user sees, what to fix, the procedure step."""
    lines = [
        "| Code | Ce que l'utilisateur voit | Quoi corriger | Étape de la procédure |",
        "| --- | --- | --- | --- |",
    ]
    for d in catalogue.values():
        code = f"`{d.code}`" + (" (avertissement)" if d.warning else "")
        seen = f"**{_cell(d.title)}.** {_cell(d.explanation)}"
        lines.append(f"| {code} | {seen} | {_cell(d.fix)} | {_cell(d.step)} |")
    return lines


def catalogue_markdown(pairs: Sequence[FaultPairLike] = (), *, command: str = "") -> str:
    """docs/diagnoses.md: every code, then (when given) the fault pairs and what they give."""
    generated = command or "python -m verdict.docs"
    lines = [
        "# Diagnostics",
        "",
        f"<!-- Généré par `{generated}` : ne pas modifier à la main. -->",
        "",
        "Chaque vérification en échec nomme une cause par un code stable, avec l'étape de la "
        "procédure (document « PRONOTE non hébergé - ENTmip ») à reprendre. Les "
        "avertissements ne font jamais échouer une vérification. Chaque diagnostic repose "
        "d'abord sur ce que montre le protocole (hôte en panne, service annoncé au CAS, "
        "ticket délivré ou non, validation du ticket, page servie par PRONOTE) ; le texte des "
        "pages ne fait que préciser la cause (réglages `VERIFIER_WORDING__*`).",
        "",
        *table(),
    ]
    if pairs:
        lines += [
            "",
            "## Plusieurs pannes à la fois",
            "",
            "Le parcours s'arrête à la première étape en panne : le diagnostic nomme la cause "
            "que cette étape montre, et « Autres causes possibles » liste ce que la même "
            "observation permet aussi. Une panne située plus loin n'apparaît qu'une fois la "
            "première corrigée. Combinaisons vérifiées contre le lab (pannes simulées) :",
            "",
        ]
    for pair in pairs:
        said = f"`{pair.code}`"
        if pair.alternatives:
            said += ", autre cause possible " + ", ".join(f"`{c}`" for c in pair.alternatives)
        if pair.warnings:
            said += ", avertissement " + ", ".join(f"`{c}`" for c in pair.warnings)
        faults = " + ".join(f"`{f}`" for f in pair.faults)
        lines.append(f"- {faults} → {said}. {pair.why}")
    return "\n".join(lines) + "\n"


def readme_with_table(readme: str) -> str:
    """*readme* with its block between the diagnoses markers regenerated."""
    block = "\n".join([README_START, *table(), README_END])
    if not _README_BLOCK.search(readme):
        raise ValueError("no <!-- diagnoses:start … --> / <!-- diagnoses:end --> block")
    return _README_BLOCK.sub(lambda _: block, readme, count=1)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m verdict.docs", description=__doc__)
    parser.add_argument("--readme", type=Path, help="rewrite this README's diagnoses table")
    args = parser.parse_args(argv)
    if args.readme:
        text = args.readme.read_text(encoding="utf-8")
        args.readme.write_text(readme_with_table(text), encoding="utf-8")
        return 0
    print("\n".join(table()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
