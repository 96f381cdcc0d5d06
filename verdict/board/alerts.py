"""Alerts on change, not every night: one notification per establishment whose state changed
(broken, repaired, another cause, could not be checked), through Apprise, which speaks the
channels académies use (e-mail, Mattermost, Matrix/Tchap, webhooks…).

Configured by `VERIFIER_NOTIFY_URLS` (Apprise URLs, separated by spaces or commas; they may
hold a token, so they are a secret: never printed) and `VERIFIER_BOARD_URL` (where the board
is published, to turn its relative links into addresses). A notification holds the
establishment, its state, since when, the diagnosis and links: no login, no password.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urljoin

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from verdict.board.nights import EstablishmentNight, Night
from verdict.board.page import diagnosis_title, night_day
from verdict.board.timeline import BROKE, INCONCLUSIVE, OTHER_CAUSE, REPAIRED, Change


class AlertError(Exception):
    """Alerts that cannot be configured or sent: one French line, no URL (it may hold a token)."""


class AlertSettings(BaseSettings):
    """What the alerts need, from the environment or `.env` (the environment wins)."""

    model_config = SettingsConfigDict(env_prefix="VERIFIER_", env_file=".env", extra="ignore")

    notify_urls: SecretStr | None = None
    board_url: str | None = None


@dataclass(frozen=True)
class Alert:
    title: str
    body: str
    kind: str  # BROKE, REPAIRED, OTHER_CAUSE or INCONCLUSIVE


STATE_WORDS = {"ok": "OK", "panne": "en panne", "non_concluant": "non concluant"}


def alert_for(change: Change, night: Night, board_url: str | None, reports: str) -> Alert:
    """The notification of one change; links made absolute with *board_url* when given, else
    paths under *reports*."""
    now = change.now

    def link(path: str | None) -> str | None:
        if not path:
            return None
        if board_url:
            return urljoin(board_url if board_url.endswith("/") else board_url + "/", path)
        return f"{reports.rstrip('/')}/{path}"

    who = f"{now.uai} {now.name} (ENT {now.ent})"
    when = night_day(change.night)
    if change.kind == REPAIRED:
        head = f"{who} : réparé cette nuit ({when})"
        if change.since:
            head += f", en panne depuis le {night_day(change.since)}"
        lines = [head + "."]
        if change.before is not None and change.before.state != "ok":
            lines.append(f"Diagnostic d'avant : {_diagnoses(change.before)}.")
    else:
        since = night_day(change.since) if change.since else when
        state = "en panne" if now.state == "panne" else "non concluant"
        lines = [f"{who} : {state} depuis le {since} ({change.kind} cette nuit, {when})."]
        lines.append(f"Diagnostic : {_diagnoses(now)}.")
        if change.before is not None:
            before = STATE_WORDS[change.before.state]
            if change.before.state != "ok":
                before += f" ({', '.join(change.before.cause)})"
            lines.append(f"Avant : {before}.")
    links = [
        ("Rapport", link(night.report)),
        ("PV", link(now.pv)),
        # Published, the board is its folder's index page; here, the file itself.
        ("Tableau de bord", board_url or link("board.html")),
    ]
    lines += [f"{label} : {url}" for label, url in links if url]
    return Alert(
        title=f"PRONOTE depuis l'ENT — {now.uai} {now.name} : {change.kind}",
        body="\n".join(lines),
        kind=change.kind,
    )


def _diagnoses(establishment: EstablishmentNight) -> str:
    total = establishment.accounts
    return " ; ".join(
        f"{diagnosis_title(code)} ({count} compte(s) sur {total})"
        for code, count in sorted(
            establishment.diagnoses.items(), key=lambda item: (-item[1], item[0])
        )
    )


def send(alerts: Sequence[Alert], urls: SecretStr) -> int:
    """Send each alert to every URL; returns how many were sent. Raises AlertError, naming the
    URL by its position and scheme only, when one is not understood or a sending failed."""
    import apprise
    from apprise.utils.parse import parse_urls

    found = parse_urls(urls.get_secret_value())
    if not found:
        raise AlertError("VERIFIER_NOTIFY_URLS ne contient aucune adresse.")
    notifier = apprise.Apprise()
    for number, url in enumerate(found, start=1):
        if not notifier.add(url):
            scheme = url.split("://", 1)[0] if "://" in url else "?"
            raise AlertError(
                f"VERIFIER_NOTIFY_URLS : l'adresse n° {number} (« {scheme}:// ») n'est pas "
                "reconnue par Apprise : voir la liste de ses services."
            )
    kinds = {
        BROKE: apprise.NotifyType.FAILURE,
        OTHER_CAUSE: apprise.NotifyType.FAILURE,
        INCONCLUSIVE: apprise.NotifyType.WARNING,
        REPAIRED: apprise.NotifyType.SUCCESS,
    }
    failed = 0
    for alert in alerts:
        if not notifier.notify(body=alert.body, title=alert.title, notify_type=kinds[alert.kind]):
            failed += 1
    if failed:
        raise AlertError(
            f"{failed} alerte(s) sur {len(alerts)} non envoyée(s) : un service de "
            "VERIFIER_NOTIFY_URLS n'a pas répondu ou a refusé."
        )
    return len(alerts)
