"""Procès-verbal de recette: one French PDF and one self-contained HTML file per establishment.

`python -m pv [--reports reports]` reads `reports/summary.json` and the Allure results
next to it (`reports/allure-results/`: screenshots, preflight, audit) and writes
`reports/pv/<UAI>.pdf` and `reports/pv/<UAI>.html`: what was checked, where, when, with which
accounts, the result and Identifiant CAS of each, its step screenshots, each failure's cause
and fix, the preflight, the identifiers-file audit, and a block to sign.

It reads the richer `summary.json` described in `docs/pv.md` (an object with `targets`,
`started_at`, per-account `steps` and `diagnosis_detail`) and today's list of accounts alike:
what the summary does not say is taken from the Allure results, and what neither says becomes
one plain line in the PV, never a traceback. The HTML is rendered by Jinja2 and the PDF by
WeasyPrint from the same HTML. No password, CAS ticket or cookie is ever read: URLs go through
`verdict.cas.safe_url`, and `leaks` scans the PDF's text like any other artifact.

The modules: `read` (the run's files), `build` (one `Pv` per establishment), `model`
(what a PV holds), `render` (HTML and PDF), `cli` (the command, run by `__main__`).
"""

from __future__ import annotations

from pv.build import (
    GROUP_ORDER,
    PREFLIGHT_SUITE,
    RESULTS,
    TIMING_KEYS_NOT_STEPS,
    UAI,
    build_pvs,
)
from pv.cli import main
from pv.model import AccountSection, Pv, PvError, Step, mask_login, verifier_version
from pv.read import RunFiles, read_run
from pv.render import TEMPLATES, render_html, write_pvs

__all__ = [
    "GROUP_ORDER",
    "PREFLIGHT_SUITE",
    "RESULTS",
    "TEMPLATES",
    "TIMING_KEYS_NOT_STEPS",
    "UAI",
    "AccountSection",
    "Pv",
    "PvError",
    "RunFiles",
    "Step",
    "build_pvs",
    "main",
    "mask_login",
    "read_run",
    "render_html",
    "verifier_version",
    "write_pvs",
]
