"""The académie's status board and its alerts, built from the nights kept.

Each run's `summary.json` becomes one line of `reports/nights.jsonl` (`nights.py`): per
establishment, its state that night and its diagnoses. `timeline.py` reads the nights as one
row per establishment (state tonight, the night it broke, what changed since the night
before); `page.py` draws the board (one HTML file that opens from disk); `alerts.py` sends one
notification per change through Apprise.
"""
