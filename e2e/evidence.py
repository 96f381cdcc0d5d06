"""A journey's evidence into the report: its steps, screenshots, identity, timings and video.

The journey keeps its evidence as data (it may have run concurrently with others);
the test that judges the account replays it here, in its own Allure test, and keeps
the screenshots beside `summary.json` for the acceptance record (`python -m pv`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import allure
from slugify import slugify

from e2e.journey import JourneyResult, identity_json
from verdict.report_view import attach_timings


def attach_journey(
    result: JourneyResult, kept: list[Path], attribute: str, released: bool | None
) -> None:
    """*attribute*: the CAS attribute the judge read as the PRONOTE identifier (set, default or
    learnt), *released*: whether the CAS released it to PRONOTE, as the verdict says."""
    for step in result.steps:
        with allure.step(step.title):
            for name, image in step.screenshots:
                allure.attach(image, name=name, attachment_type=allure.attachment_type.JPG)
    if result.identity is not None:
        allure.dynamic.parameter("Identifiant CAS", result.identity["cas:user"])
        identity = {
            **result.identity,
            "identifier_attribute": attribute,
            "identifier_released": released,
        }
        allure.attach(
            identity_json(identity),
            name="Identifiant CAS et attributs transmis à PRONOTE",
            attachment_type=allure.attachment_type.JSON,
        )
    attach_timings({step.name: step.seconds for step in result.steps} | _total(result))
    for path in kept:
        if path.suffix == ".webm":
            allure.attach.file(
                str(path), name="Vidéo du parcours", attachment_type=allure.attachment_type.WEBM
            )


def _total(result: JourneyResult) -> dict[str, float]:
    total = result.obs.timings.get("total")
    return {"total": total} if total is not None else {}


def keep_screenshots(result: JourneyResult, report_dir: Path, nodeid: str) -> list[dict[str, Any]]:
    """Write the step screenshots under `<report>/screenshots/<test>/`; the steps for the record."""
    folder = report_dir / "screenshots" / slugify(nodeid)[:120]
    steps: list[dict[str, Any]] = []
    for n, step in enumerate(result.steps, start=1):
        shot = None
        for m, (_, image) in enumerate(step.screenshots, start=1):
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"{n:02d}-{m}-{step.name}.jpg"
            path.write_bytes(image)
            shot = shot or str(path.relative_to(report_dir))
        steps.append(
            {"name": step.name, "title": step.title, "seconds": step.seconds, "screenshot": shot}
        )
    return steps
