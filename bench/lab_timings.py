"""Time the lab: its cold start, and one full HTTP journey through it.

Usage: python bench/lab_timings.py [--starts N] [--journeys N]

Cold start: from the `running_lab()` call to its client being ready (a new
`python -m lab` process each time: Python, Django's migrations, the listeners).
Journey: `e2e.runner.run_probe` for the first student, ENT → CAS → portal → Pronote
shortcut → PRONOTE.net space, plus the SSO ticket read-back; the lab is reset
before each run (not timed), so every run is a first connection with a new CAS
session. The medians are printed, with the spread.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _spread(timings: list[float]) -> str:
    return f"min {min(timings):.3f} s, max {max(timings):.3f} s"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=3, help="cold starts (median printed)")
    parser.add_argument("--journeys", type=int, default=20, help="journeys (median printed)")
    args = parser.parse_args(argv)

    # Run as a script from anywhere: the repository root holds the lab and e2e packages.
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from e2e.runner import run_probe
    from e2e.settings import Settings
    from e2e.target import targets_from_lab
    from lab.client import running_lab

    starts = []
    for _ in range(args.starts):
        began = time.perf_counter()
        with running_lab():
            starts.append(time.perf_counter() - began)

    journeys = []
    with running_lab() as lab:
        settings = Settings(_env_file=None, timeout_s=20)
        target = targets_from_lab(lab.info, settings)[0]
        account = next(a for a in target.accounts if a.profile == "eleve")
        for _ in range(args.journeys):
            lab.reset()
            # run_probe starts and stops its own event loop thread: timed as the journey's
            # own `total` (the step script, first hop to last), not the runner's set-up.
            observation = run_probe(target, account, settings).obs
            journeys.append(observation.timings["total"])
            if observation.final_kind != "space":
                print(f"journey did not reach the space: {observation.final_kind}", file=sys.stderr)
                return 1

    print(
        f"lab cold start (running_lab), median of {len(starts)}: "
        f"{statistics.median(starts):.3f} s ({_spread(starts)})"
    )
    print(
        f"full HTTP journey (run_probe, obs total), median of {len(journeys)}: "
        f"{statistics.median(journeys):.3f} s ({_spread(journeys)})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
