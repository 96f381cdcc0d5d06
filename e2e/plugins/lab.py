"""The lab: started once by pytest's controller when no target is configured, shared by workers."""

from __future__ import annotations

import concurrent.futures
import contextlib
import sys
from typing import Any

import pytest

from e2e.plugins.keys import EXIT, LAB, LAB_INFO, LAB_STARTING
from e2e.settings import Settings
from e2e.target import Target, targets_from_lab


def start_lab(config: pytest.Config, settings: Settings) -> None:
    """Start the lab in the background (unless a worker got the controller's): it takes about
    a second, during which pytest goes on configuring (and the browser starts)."""
    if "lab_info" in getattr(config, "workerinput", {}):
        return
    from lab.client import running_lab

    stack = contextlib.ExitStack()
    config.stash[EXIT] = stack
    starting = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="lab-start")
    stack.callback(starting.shutdown)
    config.stash[LAB_STARTING] = starting.submit(
        stack.enter_context,
        running_lab(settings.lab, failure_log=settings.report_dir / "lab.log"),
    )


def lab_targets(config: pytest.Config, settings: Settings) -> list[Target]:
    """The lab's establishments as targets, once it is up (or the controller's lab, in a worker)."""
    info = getattr(config, "workerinput", {}).get("lab_info")
    if info is None:
        from lab.client import LabError

        try:
            lab = config.stash[LAB_STARTING].result()
        except (LabError, ValueError) as exc:
            raise pytest.UsageError(f"Le lab n'a pas pu démarrer : {exc}") from None
        info = lab.info
        config.stash[LAB] = lab
        faults = settings.lab.faults
        faults_text = ", ".join(faults) if faults else "aucune"
        sys.stdout.write(
            f"Cible : le lab (ENT de démonstration local, {info['ent']}) — "
            f"aucune VERIFIER_ENT_URL configurée ; pannes simulées : {faults_text}\n"
        )
    config.stash[LAB_INFO] = info
    return targets_from_lab(info, settings)


def pytest_configure_node(node: Any) -> None:
    """pytest-xdist: workers share the controller's lab instead of starting their own."""
    info = node.config.stash.get(LAB_INFO, None)
    if info is not None:
        node.workerinput["lab_info"] = info


def pytest_unconfigure(config: pytest.Config) -> None:
    stack = config.stash.get(EXIT, None)
    if stack is not None:
        stack.close()
