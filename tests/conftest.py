"""Shared fixtures: one lab per test session, reset before each test that asks for it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from lab.client import LabClient, running_lab


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


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """A clean environment and working directory: no VERIFIER_* from outside, no .env."""
    for key in list(os.environ):
        if key.startswith(("VERIFIER_", "LAB_")):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)
    return monkeypatch
