"""A journey's evidence into the Allure report: its steps, screenshots, identity and timings.

The journey keeps its evidence as data (it may have run concurrently with others);
the test that judges the account replays it here, in its own Allure test.
"""

from __future__ import annotations

from pathlib import Path

import allure

from e2e.journey import JourneyResult, identity_json


def attach_journey(result: JourneyResult, kept: list[Path]) -> None:
    for step in result.steps:
        with allure.step(f"{step.title} ({step.seconds:.2f} s)"):
            for name, image in step.screenshots:
                allure.attach(image, name=name, attachment_type=allure.attachment_type.JPG)
    if result.identity is not None:
        allure.dynamic.parameter("Identifiant CAS", result.identity["cas:user"])
        allure.attach(
            identity_json(result.identity),
            name="Identifiant CAS et attributs transmis à PRONOTE",
            attachment_type=allure.attachment_type.JSON,
        )
    obs = result.obs
    rows = "".join(
        f"<tr><td>{step.title}</td><td style='text-align:right'>{step.seconds:.2f} s</td></tr>"
        for step in result.steps
    )
    total = obs.timings.get("total")
    if total is not None:
        rows += f"<tr><th>Total</th><th style='text-align:right'>{total:.2f} s</th></tr>"
    allure.attach(
        f"<table><tr><th>Étape</th><th>Durée</th></tr>{rows}</table>",
        name="Durées par étape",
        attachment_type=allure.attachment_type.HTML,
    )
    for path in kept:
        kind = {
            ".webm": allure.attachment_type.WEBM,
            ".zip": allure.attachment_type.ZIP if hasattr(allure.attachment_type, "ZIP") else None,
        }.get(path.suffix)
        if path.suffix == ".webm" and kind is not None:
            allure.attach.file(str(path), name="Vidéo du parcours", attachment_type=kind)
