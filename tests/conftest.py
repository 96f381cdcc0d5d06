"""Shared fixtures: one lab per test session, reset before each test that asks for it."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# The project is not installed in the venv and pytest puts only tests/ on the path.
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from lab.client import LabClient, running_lab  # noqa: E402


@pytest.fixture(scope="session")
def lab() -> Iterator[LabClient]:
    """The staging ENT in a box (CAS, ENT, PRONOTE.net), started once for the session."""
    with running_lab(startup_timeout=120) as client:  # generous: CI machines can be busy
        yield client


@pytest.fixture
def clean_lab(lab: LabClient) -> LabClient:
    """The session's lab, reset to its healthy state: no fault, nobody connected yet."""
    lab.reset()
    return lab
