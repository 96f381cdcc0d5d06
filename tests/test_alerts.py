"""Alerts on change (`python -m verdict board` with VERIFIER_NOTIFY_URLS): over the seven
simulated nights of `nightly_history`, a webhook receiver on 127.0.0.1, reached through
Apprise's `json://`, gets exactly one notification per establishment whose state or cause
changed, and none otherwise; rebuilding a night sends nothing again; no notification holds a
login or a password; a refused or unknown address is one French line that does not show it."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.nightly_history import NIGHTS, SCHEDULE, night_start, uai, write_night
from verdict.__main__ import main
from verdict.board.nights import read_nights
from verdict.board.page import night_day

SECRET = "MotDePasse-Secr3t!"


class Receiver:
    """A webhook on 127.0.0.1 and a free port; answers *status*, keeps every JSON body."""

    def __init__(self, status: int = 200) -> None:
        received: list[dict] = []
        self.received = received

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                received.append(json.loads(self.rfile.read(length)))
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"json://127.0.0.1:{self.server.server_address[1]}/alertes"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    yield found
    found.close()


@pytest.fixture
def alerting(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No .env of the developer's and no setting of the shell in the way."""
    monkeypatch.chdir(tmp_path)
    for name in ("VERIFIER_NOTIFY_URLS", "VERIFIER_BOARD_URL"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def key(cell: object) -> tuple:
    if cell is None:
        return ("ok",)
    if isinstance(cell, tuple):
        return ("non_concluant", cell[1])
    return ("panne", cell)


def expected_changes(n: int) -> dict[str, str]:
    """The oracle: each establishment whose night-n state or cause differs from the last night
    that judged it (first seen: only when not ok), with the word the alert names it by."""
    found = {}
    for code, cells in SCHEDULE.items():
        if cells[n] == "absent":
            continue
        before = [c for c in cells[:n] if c != "absent"]
        now = key(cells[n])
        if before and key(before[-1]) == now:
            continue
        if not before and now == ("ok",):
            continue
        if now == ("ok",):
            found[code] = "réparé"
        elif before and key(before[-1])[0] == now[0]:
            found[code] = "autre cause"
        else:
            found[code] = "en panne" if now[0] == "panne" else "non concluant"
    return found


def run_night(n: int, root: Path, history: Path) -> int:
    reports = root / f"night-{n}"
    summary = write_night(n, reports)
    # What a summary may hold besides the board's facts: none of it may reach an alert.
    data = json.loads(summary.read_text(encoding="utf-8"))
    for result in data["results"]:
        result["details"] = f"refusé avec {SECRET}"
        result["final_url"] = "https://ent.example/?ticket=ST-12345-secret"
    summary.write_text(json.dumps(data), encoding="utf-8")
    (reports / "allure-report").mkdir()
    (reports / "allure-report" / "index.html").write_text("rapport", encoding="utf-8")
    return main(["board", "--reports", str(reports), "--history", str(history)])


def test_alerts_one_per_state_change_and_none_otherwise(
    alerting: Path, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VERIFIER_NOTIFY_URLS", receiver.url)
    monkeypatch.setenv("VERIFIER_BOARD_URL", "https://academie.example/tableau/")
    history = alerting / "nights.jsonl"
    for n in range(NIGHTS):
        before = len(receiver.received)
        assert run_night(n, alerting, history) == 0
        got = receiver.received[before:]
        expected = expected_changes(n)
        # Exactly one notification per change, naming the establishment and the change.
        named = {}
        for alert in got:
            code = alert["title"].split(" — ", 1)[1].split()[0]
            assert code not in named, f"night {n}: {code} notified twice"
            named[code] = alert["title"].rsplit(" : ", 1)[1]
        assert named == expected, f"night {n}"
        for alert in got:
            text = json.dumps(alert, ensure_ascii=False)
            assert SECRET not in text and "ticket=" not in text and "test." not in text
            assert "https://academie.example/tableau/allure-report/index.html" in alert["message"]
            assert (
                "Tableau de bord : https://academie.example/tableau/\n" in alert["message"] + "\n"
            )
    assert sum(len(expected_changes(n)) for n in range(NIGHTS)) == len(receiver.received)
    assert len(receiver.received) >= 20

    # Rebuilding tonight's board sends nothing again.
    before = len(receiver.received)
    last = alerting / f"night-{NIGHTS - 1}"
    assert main(["board", "--reports", str(last), "--history", str(history)]) == 0
    assert len(receiver.received) == before

    # A new night where nothing changed sends nothing.
    data = json.loads((last / "summary.json").read_text(encoding="utf-8"))
    data["started_at"] = night_start(NIGHTS)
    quiet = alerting / "night-quiet"
    quiet.mkdir()
    (quiet / "summary.json").write_text(json.dumps(data), encoding="utf-8")
    assert main(["board", "--reports", str(quiet), "--history", str(history)]) == 0
    assert len(receiver.received) == before
    assert len(history.read_text(encoding="utf-8").splitlines()) == NIGHTS + 1


def test_alerts_say_since_when_and_the_diagnosis(
    alerting: Path, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VERIFIER_NOTIFY_URLS", receiver.url)
    history = alerting / "nights.jsonl"
    for n in range(NIGHTS):
        run_night(n, alerting, history)
    by_night = {}
    for alert in receiver.received:
        by_night.setdefault(alert["title"].split(" — ", 1)[1].split()[0], []).append(alert)
    # uai(2): broken on night 2, then two other causes; the last still says since night 2.
    changes = by_night[uai(2)]
    assert [a["title"].rsplit(" : ", 1)[1] for a in changes] == [
        "en panne",
        "autre cause",
        "autre cause",
    ]
    assert f"en panne depuis le {night_day(night_start(2))}" in changes[-1]["message"]
    assert "PN-IDENTIFIANTS-NON-IMPORTES" in changes[-1]["message"]
    assert "2 compte(s) sur 4" in changes[-1]["message"]
    assert changes[0]["type"] == "failure"
    # uai(4): down (non concluant), broken, then repaired tonight.
    repaired = by_night[uai(4)][-1]
    assert repaired["title"].endswith(": réparé") and repaired["type"] == "success"
    assert f"en panne depuis le {night_day(night_start(3))}" in repaired["message"]
    # Without VERIFIER_BOARD_URL, the links are the reports folder's own paths.
    assert f"night-{NIGHTS - 1}/allure-report/index.html" in repaired["message"]


def test_alerts_not_configured_send_nothing_and_say_so(
    alerting: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    history = alerting / "nights.jsonl"
    assert run_night(0, alerting, history) == 0
    assert "VERIFIER_NOTIFY_URLS vide : aucune alerte" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("address", "said"),
    [
        ("refused", "non envoyée"),
        ("zzzz://jeton-tres-secret@chat.example/", "n'est pas reconnue par Apprise"),
    ],
    ids=["receiver_refuses", "unknown_scheme"],
)
def test_alerts_that_cannot_be_sent_are_one_line_without_the_address(
    alerting: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    address: str,
    said: str,
) -> None:
    refusing = Receiver(status=500)
    try:
        url = refusing.url + "?jeton=tres-secret" if address == "refused" else address
        monkeypatch.setenv("VERIFIER_NOTIFY_URLS", url)
        status = run_night(0, alerting, alerting / "nights.jsonl")
    finally:
        refusing.close()
    err = capsys.readouterr().err.strip()
    assert status == 3
    assert err.startswith("erreur : ") and said in err and len(err.splitlines()) == 1
    assert "secret" not in err
    # The board was written all the same.
    assert (alerting / "night-0" / "board.html").exists()


def test_alert_settings_are_documented_in_env_example() -> None:
    from verdict.board.alerts import AlertSettings

    example = (Path(__file__).parent.parent / ".env.example").read_text(encoding="utf-8")
    for name in AlertSettings.model_fields:
        assert f"\nVERIFIER_{name.upper()}=" in example, name


def test_two_real_lab_nights_a_fault_switched_on_alerts_and_boards_it(
    alerting: Path, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real summary.json of `pytest e2e/` on the lab, healthy then with the Pronote
    shortcut gone: the board shows both establishments broken since the second night, and
    the webhook gets one alert for each, none the first night."""
    from tests.e2e_runner import run_e2e

    monkeypatch.setenv("VERIFIER_NOTIFY_URLS", receiver.url)
    lab = {"LAB_ESTABLISHMENTS": "2", "LAB_PER_PROFILE": "1", "LAB_EDUCONNECT_PER_PROFILE": "0"}
    history = alerting / "nights.jsonl"
    sent = []
    for night, faults in enumerate(["", "shortcut_missing"]):
        reports = alerting / f"lab-night-{night}"
        env = {**lab, "LAB_FAULTS": faults} if faults else lab
        run, results = run_e2e(reports, "-k", "first_connection", "--progress", "off", env=env)
        assert len(results) == 8, run.stdout[-2000:]
        assert main(["board", "--reports", str(reports), "--history", str(history)]) == 0
        sent.append(len(receiver.received))
    assert sent[0] == 0
    alerts = receiver.received
    assert len(alerts) == 2 and all(a["title"].endswith(": en panne") for a in alerts)
    assert all("PN-RACCOURCI-ABSENT" in a["message"] for a in alerts)
    nights = read_nights(history)
    board = (alerting / "lab-night-1" / "board.html").read_text(encoding="utf-8")
    assert board.count('data-etat="panne"') == 2
    assert board.count(f'<td class="depuis">{night_day(nights[1].night)}</td>') == 2
