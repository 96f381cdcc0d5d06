"""An académie's night on the lab: `pytest e2e/` over N establishments. Not a test.

    .venv/bin/python bench/academie.py [--establishments 60,600] [--latency 0.3] [--json FILE]

For each N: the lab with N establishments behind one ENT and one CAS, one local account per
profile (4 per establishment, no ÉduConnect account), `LAB_LATENCY` per hop, and the checks
as a user runs them (`pytest e2e/ -k first_connection`, default concurrency). Printed per
run: wall time, accounts judged and passed, accounts per minute, peak memory of the whole
process tree (PSS, sampled every second, and RSS), CPU-seconds per journey. The issue's
goals: 2,400 accounts in ≤ 30 min at 0.3 s per hop, the peak PSS at 2,400 within 20 % of
the peak at 240.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import clean_env, git_state, mib, settle, timed_subprocess  # noqa: E402


def night(establishments: int, latency: float, timeout_s: float) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix=f"bench-academie-{establishments}-") as tmp:
        env = clean_env(
            LAB_ESTABLISHMENTS=str(establishments),
            LAB_PER_PROFILE="1",
            LAB_EDUCONNECT_PER_PROFILE="0",
            LAB_LATENCY=str(latency),
            VERIFIER_REPORT_DIR=tmp,
        )
        command = [sys.executable, "-m", "pytest", "e2e/", "-q", "-k", "first_connection"]
        settle()
        run = timed_subprocess(command, env, timeout=timeout_s)
        try:
            summary = json.loads(Path(tmp, "summary.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            summary = {}
    results = summary.get("results", []) if isinstance(summary, dict) else []
    passed = sum(1 for r in results if r.get("outcome") == "passed")
    causes = Counter(r.get("diagnosis") for r in results if r.get("outcome") != "passed")
    return {
        "establishments": establishments,
        "latency_s": latency,
        "code": run["code"],
        "wall_s": round(run["wall_s"], 1),
        "accounts": len(results),
        "passed": passed,
        "accounts_per_min": round(len(results) / run["wall_s"] * 60, 1) if results else 0,
        "peak_pss": run["peak_pss"],
        "peak_rss": run["peak_rss"],
        "pss_by_part": run["pss_by_part"],
        "cpu_s_per_journey": round(run["cpu_s"] / len(results), 2) if results else None,
        "load": f"{run['load_before']} → {run['load_after']}",
        "tail": run["output"].splitlines()[-3:],
        "causes": dict(causes.most_common()),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--establishments", default="60,600", help="comma-separated counts")
    parser.add_argument("--latency", type=float, default=0.3, help="LAB_LATENCY (0.3)")
    parser.add_argument("--timeout", type=float, default=3600, help="per run, seconds")
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    args = parser.parse_args(argv)
    counts = [int(n) for n in args.establishments.split(",") if n.strip()]
    print(f"# {git_state()}")
    print(
        "| establishments | accounts judged / passed | wall | accounts/min | peak PSS | "
        "peak RSS | CPU-s per journey | exit | load |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    rows = []
    for n in counts:
        row = night(n, args.latency, args.timeout)
        rows.append(row)
        print(
            f"| {n} | {row['accounts']} / {row['passed']} | {row['wall_s']} s | "
            f"{row['accounts_per_min']} | {mib(row['peak_pss'])} | {mib(row['peak_rss'])} | "
            f"{row['cpu_s_per_journey']} | {row['code']} | {row['load']} |",
            flush=True,
        )
        parts = ", ".join(f"{k} {mib(v)}" for k, v in sorted(row["pss_by_part"].items()))
        print(f"  peak PSS by part: {parts}")
        if row["code"] != 0:
            print(f"  not passed, by diagnosis: {row['causes']}")
            print("  " + " | ".join(row["tail"]))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2), encoding="utf-8")
    return 0 if all(r["code"] == 0 for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
