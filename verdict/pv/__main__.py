"""`python -m verdict.pv [--reports reports] [--out DIR] [--html-only]`."""

from verdict.pv.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
