"""The status board: one self-contained HTML page (Jinja2), in French, that opens from disk.

One row per establishment, one column per night; filters by ENT, diagnosis and state are
plain JavaScript over the rows' data attributes: the page asks the network for nothing.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from verdict.board.nights import Night
from verdict.board.timeline import Row, rows
from verdict.catalogue import CATALOGUE

TEMPLATES = Path(__file__).parent / "templates"
STATE_LABELS = {"ok": "OK", "panne": "En panne", "non_concluant": "Non concluant"}
# Broken first, then what could not be checked: what the ENT team reads first.
STATE_ORDER = {"panne": 0, "non_concluant": 1, "ok": 2}
# A month of nights as columns: the page grows with establishments times columns.
NIGHT_COLUMNS = 31


def night_label(night: str) -> str:
    """`2026-12-03T02:17:05+01:00` as `03/12 02:17` (the run's own clock)."""
    try:
        return datetime.fromisoformat(night).strftime("%d/%m %H:%M")
    except ValueError:
        return night


def night_day(night: str) -> str:
    """`2026-12-03T02:17:05+01:00` as `03/12/2026 02:17`, for sentences."""
    try:
        return datetime.fromisoformat(night).strftime("%d/%m/%Y %H:%M")
    except ValueError:
        return night


def diagnosis_title(code: str) -> str:
    diagnosis = CATALOGUE.get(code)
    return f"{code} — {diagnosis.title}" if diagnosis is not None else code


def render_board(
    nights: Sequence[Night], reports: Path, output: Path, *, columns: int = NIGHT_COLUMNS
) -> str:
    """The board's HTML for *nights* (oldest first), the last *columns* of them as columns
    (states and "since when" come from them all); links are made relative to *output*, the
    nights' own links being relative to *reports*."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    base = os.path.relpath(reports.resolve(), output.resolve().parent)

    def link(path: str | None) -> str | None:
        if not path:
            return None
        if "://" in path:
            return path
        return Path(base, path).as_posix() if base != "." else path

    table = sorted(rows(nights), key=lambda r: (STATE_ORDER[r.latest.state], r.uai))
    last = nights[-1] if nights else None
    tonight = Counter(r.latest.state for r in table if last and r.latest_night == last.night)
    env = Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]), trim_blocks=True
    )
    env.filters["night"] = night_label
    env.filters["day"] = night_day
    env.filters["link"] = link
    env.filters["diagnosis"] = diagnosis_title
    shown = list(nights[-columns:]) if columns > 0 else list(nights)
    context: dict[str, Any] = {
        "nights": nights,
        "shown": shown,
        "rows": table,
        "last": last,
        "tonight": tonight,
        "states": STATE_LABELS,
        "ents": sorted({r.ent for r in table}),
        "codes": sorted({c for r in table for c in r.latest.cause}),
        "cells": lambda row: zip(shown, row.cells[len(nights) - len(shown) :], strict=True),
    }
    return env.get_template("board.html").render(**context)


def write_board(
    nights: Sequence[Night], reports: Path, output: Path, *, columns: int = NIGHT_COLUMNS
) -> Path:
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(render_board(nights, reports, output, columns=columns), encoding="utf-8")
    return output


__all__ = ["Row", "night_day", "night_label", "render_board", "write_board"]
