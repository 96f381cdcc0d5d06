"""`python -m pv [--reports reports] [--out DIR] [--html-only]`."""

from pv.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
