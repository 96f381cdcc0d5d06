"""What the journey needs from a way of browsing: the driver interface, and what a step lands on.

The journey (`e2e/journey.py`) is written once over this interface. Two drivers
implement it: the browser (`e2e/browser_driver.py`, a real Chromium through the page
objects of `pages/`) and HTTP (`e2e/http_driver.py`, httpx and an HTML form reader,
no JavaScript: the fast probe). Both read the same `pages.locators.Locators`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol


@dataclass
class Landing:
    """Where a step landed: the page's address, HTTP status, HTML and what kind of page it is."""

    url: str
    status: int | None
    html: str
    kind: str  # see verdict.observation.PAGE_KINDS
    # The PRONOTE banner's user label ("Espace Élèves - NOM Prénom (1A)"), when a built
    # space was seen (the browser only: the probe runs no JavaScript).
    space_label: str | None = None
    timed_out: bool = False


@dataclass
class Shortcut:
    """The portal's Pronote shortcut, as found on the page."""

    url: str  # where it leads ("" when only a script knows)
    label: str
    found_by: str  # "href" (it leads to the PRONOTE.net host), "label" or "tile"


class NetworkFailure(Exception):
    """The network failed under a step (refused, reset, DNS, TLS, timeout, redirect loop)."""

    def __init__(self, kind: str, url: str, detail: str = "", proxy: str | None = None) -> None:
        super().__init__(f"{kind} at {url}: {detail}")
        self.kind, self.url, self.detail = kind, url, detail
        self.proxy = proxy  # the proxy that failed (address and setting, no credentials)


class Driver(Protocol):
    """One account's browsing session. Every method waits for its own result."""

    mode: str  # "browser" or "probe"

    async def start(self) -> None: ...

    async def open(self, url: str) -> Landing: ...

    async def current(self, full: bool = True) -> Landing:
        """Where the session is; `full=False`: address and status only (no HTML, no kind)."""
        ...

    async def visible(self, selector: str) -> bool: ...

    async def follow_link(self, selector: str, texts: list[str]) -> Landing | None: ...

    async def submit_login(self, username: str, password: str) -> Landing: ...

    async def pick(
        self, form: str, choice: str, *, reveal: str = "", send: str = ""
    ) -> Landing | None:
        """Check the radio *choice* of *form* and send the form by its *send* button (any
        submit button when empty), as a person would: through *reveal* first when the choice
        is hidden behind it. None when the page holds no such form or radio."""
        ...

    async def educonnect_log_in(self, profile: str, login: str, password: str) -> Landing: ...

    async def confirm_identity(self, birth_date: date) -> Landing: ...

    async def login_done(self) -> Landing: ...

    async def find_shortcut(self, leads_to: list[str], labels: list[str]) -> Shortcut | None:
        """The link whose address contains one of *leads_to* (the PRONOTE.net hosts as
        `//host/`, a pattern), else the one whose label is one of *labels* (any case)."""
        ...

    async def settle_portal(self) -> None: ...

    async def follow_shortcut(self, shortcut: Shortcut) -> Landing: ...

    async def sso_location(self, url: str) -> str | None: ...

    async def screenshot(self) -> bytes | None: ...

    async def close(self) -> None: ...
