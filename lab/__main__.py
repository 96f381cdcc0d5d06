"""`python -m lab`: start the staging ENT in a box on 127.0.0.1 and free ports."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
import traceback
from pathlib import Path
from typing import TYPE_CHECKING

from lab.client import START_FAILED
from lab.ent_ng import FAMILIES
from lab.state import FAULTS, PRONOTE_GENERATIONS
from lab.wording import WORDINGS

if TYPE_CHECKING:
    from lab.runner import Lab


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m lab",
        description="Start the lab: a CAS server, an ENT portal and PRONOTE.net stand-ins.",
        epilog="Faults: " + ", ".join(FAULTS),
    )
    parser.add_argument(
        "--faults",
        default=os.environ.get("LAB_FAULTS", ""),
        help="comma-separated fault names to switch on (default: $LAB_FAULTS)",
    )
    parser.add_argument("--urls-file", type=Path, help="write the lab's URLs and accounts as JSON")
    parser.add_argument("--establishments", type=int, default=1, help="PRONOTE.net sites (1)")
    parser.add_argument("--per-profile", type=int, default=2, help="accounts per profile (2)")
    parser.add_argument(
        "--educonnect-per-profile",
        type=int,
        default=1,
        help="ÉduConnect accounts per élève and parent profile, besides those (1)",
    )
    parser.add_argument(
        "--identifier-attribute",
        default="identifiantPronote",
        help="CAS attribute that carries the PRONOTE identifier",
    )
    parser.add_argument(
        "--latency",
        type=float,
        default=float(os.environ.get("LAB_LATENCY") or 0),
        help="delay added to every HTTP response of every lab app, seconds ($LAB_LATENCY, 0)",
    )
    parser.add_argument(
        "--slow-network-delay",
        type=float,
        default=0.3,
        help="delay per response under the slow_network fault, seconds (0.3)",
    )
    parser.add_argument(
        "--wording",
        choices=WORDINGS,
        default=os.environ.get("LAB_WORDING") or "default",
        help="texts and class names of the lab's PRONOTE and ENT pages ($LAB_WORDING, default)",
    )
    parser.add_argument(
        "--pronote-generation",
        default=os.environ.get("LAB_PRONOTE_GENERATION") or "2025",
        help="PRONOTE generation, 2025 or 2011, or a comma list, one per establishment "
        "($LAB_PRONOTE_GENERATION, 2025)",
    )
    parser.add_argument(
        "--ent-family",
        choices=FAMILIES,
        default=os.environ.get("LAB_ENT_FAMILY") or "kosmos",
        help="login routes and portal: kosmos (WAYF, ÉduConnect, own CAS host) or opentent "
        "(Open ENT NG, its own CAS under /cas/) ($LAB_ENT_FAMILY, kosmos)",
    )
    parser.add_argument(
        "--ticket-validity", type=int, default=60, help="CAS service ticket validity, seconds (60)"
    )
    parser.add_argument("--quiet", action="store_true", help="print nothing once started")
    parser.add_argument(
        "--stop-on-stdin-eof",
        action="store_true",
        help="stop when standard input closes (so the lab dies with the process that started it)",
    )
    args = parser.parse_args(argv)
    args.fault_list = [f.strip() for f in args.faults.split(",") if f.strip()]
    unknown = [f for f in args.fault_list if f not in FAULTS]
    if unknown:
        parser.error(f"unknown fault(s): {', '.join(unknown)}. Known: {', '.join(FAULTS)}")
    args.generations = [g.strip() for g in args.pronote_generation.split(",") if g.strip()]
    wrong = [g for g in args.generations if g not in PRONOTE_GENERATIONS]
    if wrong or not args.generations:
        parser.error(
            f"--pronote-generation: {', '.join(wrong) or 'empty'}; "
            f"known: {', '.join(PRONOTE_GENERATIONS)}"
        )
    if args.wording not in WORDINGS:  # from $LAB_WORDING, which argparse does not check
        parser.error(f"--wording: {args.wording}; known: {', '.join(WORDINGS)}")
    if args.ent_family not in FAMILIES:  # from $LAB_ENT_FAMILY, which argparse does not check
        parser.error(f"--ent-family: {args.ent_family}; known: {', '.join(FAMILIES)}")
    if args.latency < 0 or args.slow_network_delay < 0:
        parser.error("--latency and --slow-network-delay must be 0 or more seconds")
    if not 1 <= args.establishments <= 200 or not 1 <= args.per_profile <= 100:
        parser.error("--establishments must be 1..200 and --per-profile 1..100")
    if not 0 <= args.educonnect_per_profile <= 100:
        parser.error("--educonnect-per-profile must be 0..100")
    return args


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    try:
        lab = _start(args)
    except Exception as exc:  # the details in the log, one line for the user
        traceback.print_exc()
        print(f"{START_FAILED}{exc}", file=sys.stderr)
        return 2
    info = lab.description()
    if args.urls_file:
        tmp = args.urls_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(info, ensure_ascii=False, indent=2), encoding="utf-8")
        os.chmod(tmp, 0o600)
        tmp.replace(args.urls_file)  # readers never see a half-written file
    if not args.quiet:
        _print_banner(info, args.fault_list)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    if args.stop_on_stdin_eof:
        threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
    stop.wait()
    lab.close()
    # Done: its servers stopped and its files removed. Tearing the interpreter down (Django,
    # pysaml2, every module) would add a quarter of a second to every run's end.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def _start(args: argparse.Namespace) -> Lab:
    from lab.runner import Lab  # Django and friends load only once the arguments are sane

    return Lab(
        establishments=args.establishments,
        per_profile=args.per_profile,
        educonnect_per_profile=args.educonnect_per_profile,
        identifier_attribute=args.identifier_attribute,
        latency_s=args.latency,
        slow_network_delay_s=args.slow_network_delay,
        wording=args.wording,
        pronote_generation=args.generations,
        ent_family=args.ent_family,
        faults=args.fault_list,
        ticket_validity_s=args.ticket_validity,
    )


def _print_banner(info: dict, faults: list[str]) -> None:
    print(f"Lab ready in {info['startup_seconds']:.1f} s (Ctrl-C to stop)")
    keys = ("ent", "cas", "educonnect", "pronote", "pronote_classic", "pronote_direct")
    for key in (*keys, "control"):
        print(f"  {key:<16} {info[key]}")
    print(f"  control token    {info['token']}  (header X-Lab-Token)")
    print(f"  faults           {', '.join(faults) or 'none'}")
    print("  demo accounts (passwords are new at every start):")
    for account in info["accounts"]:
        print(f"    {account['profile']:<11} {account['login']:<22} {account['password']}")
    print(f"    admin ENT   {info['admin']['login']:<22} {info['admin']['password']}")
    sys.stdout.flush()


if __name__ == "__main__":
    raise SystemExit(main())
