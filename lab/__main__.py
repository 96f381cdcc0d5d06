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
from typing import TYPE_CHECKING, Any

from lab.client import START_FAILED
from lab.options import LabOptionError, LabOptions
from lab.state import ALL_FAULTS

if TYPE_CHECKING:
    from lab.runner import Lab


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m lab",
        description="Start the lab: a CAS server, an ENT portal and PRONOTE.net stand-ins.",
        epilog="Faults: " + ", ".join(ALL_FAULTS),
    )
    LabOptions.add_arguments(parser)
    parser.add_argument("--urls-file", type=Path, help="write the lab's URLs and accounts as JSON")
    parser.add_argument("--quiet", action="store_true", help="print nothing once started")
    parser.add_argument(
        "--stop-on-stdin-eof",
        action="store_true",
        help="stop when standard input closes (so the lab dies with the process that started it)",
    )
    args = parser.parse_args(argv)
    try:
        args.options = LabOptions.from_cli(args, os.environ)
    except LabOptionError as exc:
        parser.error(str(exc))
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
        _print_banner(info, args.options.faults)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    if args.stop_on_stdin_eof:

        def stop_at_eof() -> None:
            sys.stdin.read()
            stop.set()

        threading.Thread(target=stop_at_eof, daemon=True).start()
    stop.wait()
    lab.close()
    # Done: its servers stopped and its files removed. Tearing the interpreter down (Django,
    # pysaml2, every module) would only slow every run's end.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def _start(args: argparse.Namespace) -> Lab:
    from lab.runner import Lab  # Django and friends load only once the arguments are sane

    return Lab(args.options)


def _print_banner(info: dict[str, Any], faults: tuple[str, ...]) -> None:
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
