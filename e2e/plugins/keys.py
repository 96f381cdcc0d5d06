"""What the plugins share through pytest's stash."""

from __future__ import annotations

import contextlib
from typing import Any

import pytest

from audit import IdentifiersFile
from e2e.settings import Settings
from e2e.target import Target
from leaks import Snapshot
from verdict.record import RunRecorder

SETTINGS = pytest.StashKey[Settings]()
TARGETS = pytest.StashKey[list[Target]]()
LAB = pytest.StashKey[Any]()
LAB_INFO = pytest.StashKey[dict]()
LAB_STARTING = pytest.StashKey[Any]()  # the lab starting: a Future of its client
EXIT = pytest.StashKey[contextlib.ExitStack]()
RECORDER = pytest.StashKey[RunRecorder]()
LEAKS = pytest.StashKey[list[str]]()
ARTIFACTS_BEFORE = pytest.StashKey[Snapshot]()  # the artifact folders at the run's start
IDENTIFIERS = pytest.StashKey[IdentifiersFile]()
PREFLIGHTS = pytest.StashKey[dict[str, list[dict]]]()  # target name -> its checks, as records
STARTED = pytest.StashKey[str]()
RUN_FOLDER = pytest.StashKey[str]()  # what the run's processes share (plugins/journeys.py)
RUNNER = pytest.StashKey[Any]()  # the JourneyRunner (e2e/plugins/journeys.py)
# What the run discovered at start for the single target (e2e/zero_config.py), as recorded.
DISCOVERED = pytest.StashKey[dict[str, Any]]()
# What the run learnt from each target's good logins (e2e/zero_config.py): target name → its
# record, written once, where the target is judged, when its journeys have all ended (the
# judge reads the attribute learnt); a pytest-xdist worker hands its own to the controller.
LEARNT = pytest.StashKey[dict[str, dict[str, Any]]]()
