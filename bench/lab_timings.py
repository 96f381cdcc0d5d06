"""Time the lab: its cold start, one full walk through it, and walks under per-hop latency.

Usage: python bench/lab_timings.py [--starts N] [--walks N] [--latency S] [--parallel N]

Cold start: from the `running_lab()` call to its client being ready (a new
`python -m lab` process each time: Python, Django's migrations, the listeners).
Walk: `tests.labkit.walk` for the first local élève, ENT → CAS → portal →
Pronote shortcut → PRONOTE.net space and the space's own parameters call, plus
the SSO ticket read-back; the lab is reset before each walk (not timed), so
every walk is a first connection with a new CAS session. Then the same walk on
a lab started with `--latency S`, alone and N at once (N accounts, one reset):
with latency per hop, N walks at once should take about as long as one.
Medians are printed, with the spread. The lab's tests do not import the
verifier, and neither does this script.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _spread(timings: list[float]) -> str:
    return f"min {min(timings):.3f} s, max {max(timings):.3f} s"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=3, help="cold starts (median printed)")
    parser.add_argument("--walks", type=int, default=20, help="walks (median printed)")
    parser.add_argument("--latency", type=float, default=0.3, help="per-hop latency, seconds")
    parser.add_argument("--parallel", type=int, default=16, help="walks at once under latency")
    args = parser.parse_args(argv)

    # Run as a script from anywhere: the repository root holds the lab and tests packages.
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from lab.client import running_lab
    from tests.labkit import local_accounts, walk

    starts = []
    for _ in range(args.starts):
        began = time.perf_counter()
        with running_lab():
            starts.append(time.perf_counter() - began)

    def walks(latency: float) -> tuple[list[float], int]:
        timings, hops = [], 0
        with running_lab(latency=latency) as lab:
            who = next(a for a in local_accounts(lab) if a.profile == "eleve")
            for _ in range(args.walks if not latency else max(3, args.walks // 4)):
                lab.reset()
                trip = walk(lab, who)
                if trip.banner is None:
                    raise SystemExit(f"the walk did not reach the space: {trip.final.url}")
                timings.append(trip.seconds)
                hops = trip.requests
        return timings, hops

    plain, hops = walks(0)
    slow, _ = walks(args.latency)

    with running_lab(latency=args.latency, per_profile=max(2, args.parallel // 4 + 1)) as lab:
        people = local_accounts(lab)[: args.parallel]
        lab.reset()
        began = time.perf_counter()
        with ThreadPoolExecutor(len(people)) as pool:
            trips = list(pool.map(lambda who: walk(lab, who), people))
        together = time.perf_counter() - began
    reached = sum(t.banner is not None for t in trips)

    print(
        f"lab cold start (running_lab), median of {len(starts)}: "
        f"{statistics.median(starts):.3f} s ({_spread(starts)})"
    )
    print(
        f"walk, no latency ({hops} hops), median of {len(plain)}: "
        f"{statistics.median(plain):.3f} s ({_spread(plain)})"
    )
    print(
        f"walk, {args.latency} s per hop, median of {len(slow)}: "
        f"{statistics.median(slow):.3f} s ({_spread(slow)}); floor {hops * args.latency:.1f} s"
    )
    print(
        f"{len(people)} walks at once, {args.latency} s per hop: {together:.3f} s, "
        f"{reached}/{len(people)} reached their space"
    )
    return 0 if reached == len(people) else 1


if __name__ == "__main__":
    raise SystemExit(main())
