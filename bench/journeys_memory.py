"""What grows with the journeys: one runner, no pytest, every account of a lab. Not a test.

    .venv/bin/python bench/journeys_memory.py [--establishments 200] [--latency 0] [--every 200]

The lab with N establishments (4 local accounts each), every account's journey handed to one
`JourneyRunner` as `pytest e2e/` does (default concurrency, a real Chromium), and, every
`--every` journeys judged, the memory of the run's processes by part (PSS: Chromium, the
Playwright driver, the lab, this Python) with what this Python holds (live objects, the
Playwright objects its connection keeps). A part that grows row after row grows with the
accounts; `pytest e2e/` adds its own per-test records on top (bench/academie.py measures
the whole).
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import git_state, mib, pss_by_part, tree  # noqa: E402
from e2e import contexts  # noqa: E402
from e2e.browser_driver import Recording  # noqa: E402
from e2e.runner import Job, JourneyRunner, LaunchOptions  # noqa: E402
from e2e.settings import Settings  # noqa: E402
from e2e.target import targets_from_lab  # noqa: E402
from lab.client import running_lab  # noqa: E402

CONTEXT_ARGS = {"locale": "fr-FR", "timezone_id": "Europe/Paris"}


def playwright_objects(runner: JourneyRunner) -> int:
    """The objects the Playwright connection of *runner* keeps (requests, responses, frames…)."""

    async def count() -> int:
        impl = getattr(runner._playwright, "_impl_obj", None)
        connection = getattr(impl, "_connection", None)
        return len(getattr(connection, "_objects", {}))

    return runner.call(count())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--establishments", type=int, default=200)
    parser.add_argument("--latency", type=float, default=0.0, help="LAB_LATENCY (0)")
    parser.add_argument("--every", type=int, default=200, help="a row every N journeys")
    parser.add_argument("--uses", type=int, help="journeys per browser context (e2e.contexts.USES)")
    args = parser.parse_args(argv)
    if args.uses:
        contexts.USES = args.uses
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    print(
        f"# {git_state()}; concurrency {settings.concurrency}, {contexts.USES} journeys per context"
    )
    rows: list[dict[str, Any]] = []
    with running_lab(
        establishments=args.establishments,
        per_profile=1,
        educonnect_per_profile=0,
        latency=args.latency,
    ) as lab:
        targets = targets_from_lab(lab.info, settings)
        runner = JourneyRunner(
            settings, probe=False, launch=LaunchOptions(), context_args=CONTEXT_ARGS
        )
        try:
            keys = []
            for target in targets:
                for account in target.accounts:
                    key = f"{target.name} {account.login}"
                    runner.submit(key, Job(target, account, Recording()))
                    keys.append(key)
            began, failed = time.monotonic(), 0
            print(
                "| journeys | s | " + " | ".join(PARTS) + " | Python objects | Playwright objects |"
            )
            print("|---" * (len(PARTS) + 4) + "|")
            for n, key in enumerate(keys, 1):
                result = runner.result(key)
                failed += result.obs.final_kind != "space"
                result.drop_images()
                if n % args.every == 0 or n == len(keys):
                    gc.collect()
                    parts = pss_by_part(tree(os.getpid()))
                    row = {
                        "journeys": n,
                        "s": round(time.monotonic() - began, 1),
                        **{p: parts.get(p, 0) for p in PARTS},
                        "objects": len(gc.get_objects()),
                        "playwright": playwright_objects(runner),
                    }
                    rows.append(row)
                    print(
                        f"| {n} | {row['s']} | "
                        + " | ".join(mib(row[p]) for p in PARTS)
                        + f" | {row['objects']:,} | {row['playwright']:,} |",
                        flush=True,
                    )
        finally:
            runner.close()
    print(f"not in their PRONOTE space: {failed} of {len(keys)}")
    first, last = rows[0], rows[-1]
    growth = ", ".join(
        f"{p} {(last[p] - first[p]) / 2**20 / (last['journeys'] - first['journeys']) * 1000:+.0f}"
        for p in PARTS
    ) if len(rows) > 1 else "n/a"  # fmt: skip
    print(f"growth, MiB per 1,000 journeys after the first row: {growth}")
    return 0 if not failed else 1


PARTS = ("Chromium", "Playwright driver", "lab", "this Python")

if __name__ == "__main__":
    sys.exit(main())
