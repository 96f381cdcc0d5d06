"""The order in which the runner is handed the journeys of the tests to come."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from e2e.plugins.journeys import submit_upcoming, upcoming
from e2e.settings import Account


@dataclass
class Config:
    pluginmanager: Any = None

    def getoption(self, name: str, default: Any = None) -> Any:
        return default  # no --tracing, --video: nothing recorded


@dataclass
class Session:
    items: list[Any] = field(default_factory=list)


@dataclass
class CallSpec:
    params: dict[str, Any]


@dataclass
class Item:
    nodeid: str
    session: Session
    config: Config
    callspec: CallSpec | None = None


class Plugins:
    def get_plugins(self) -> list[Any]:
        return []  # not an xdist worker: the whole session's items are this process's


class Runner:
    def __init__(self) -> None:
        self.submitted: list[str] = []
        self.futures: dict[str, Any] = {}

    def submit(self, key: str, job: Any) -> None:
        self.submitted.append(key)
        self.futures[key] = job


def account_items(session: Session, config: Config, routes: list[str]) -> list[Item]:
    """One account test per route, in that order."""
    return [
        Item(
            f"account-{i}-{route}",
            session,
            config,
            CallSpec(
                {
                    "target": "T",
                    "account": Account(login=f"u{i}", password="x", profile="eleve", route=route),
                }
            ),
        )
        for i, route in enumerate(routes)
    ]


def test_journeys_are_queued_longest_first_from_the_current_test_on() -> None:
    # Given a session: a test without an account, then local and ÉduConnect accounts
    session, config = Session(), Config(Plugins())
    routes = ["local", "local", "educonnect", "local", "educonnect"]
    preflight = Item("preflight", session, config)
    accounts = account_items(session, config, routes)
    session.items = [preflight, *accounts]
    runner = Runner()

    # When the second account's test hands the runner what comes
    submit_upcoming(upcoming(accounts[1]), config, runner)

    # Then the ÉduConnect journeys come first, the others keep pytest's order, and the tests
    # already run and those without an account are left out
    assert runner.submitted == [
        "account-2-educonnect",
        "account-4-educonnect",
        "account-1-local",
        "account-3-local",
    ]


def test_the_whole_session_is_queued_when_the_runner_starts() -> None:
    # Given a session whose first test has no account (the direct authentication's)
    session, config = Session(), Config(Plugins())
    first = Item("direct-auth", session, config)
    accounts = account_items(session, config, ["local", "educonnect", "local"])
    session.items = [first, *accounts]
    runner = Runner()

    # When the runner starts with the session (the `journeys` fixture, before the first test)
    submit_upcoming(session.items, config, runner)

    # Then every account's journey is queued at once, ÉduConnect first
    assert runner.submitted == ["account-1-educonnect", "account-0-local", "account-2-local"]


def test_journeys_already_queued_are_not_made_again() -> None:
    # Given a session whose journeys were all queued when the runner started
    session, config = Session(), Config(Plugins())
    accounts = account_items(session, config, ["local", "educonnect", "local"])
    session.items = accounts
    runner = Runner()
    submit_upcoming(session.items, config, runner)

    # When each account's test hands the runner what comes from it on
    for item in accounts:
        submit_upcoming(upcoming(item), config, runner)

    # Then no journey is made or queued twice
    assert runner.submitted == ["account-1-educonnect", "account-0-local", "account-2-local"]
