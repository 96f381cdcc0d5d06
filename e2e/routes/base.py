"""A login route: how one ENT family's login pages are recognised and walked.

The journey (`e2e/journey.py`) asks the registry (`e2e.routes.ROUTES`) which route fits the
page in front of it, then asks that route for the way to the ENT's own login form (a local
account) or to ÉduConnect (élèves and parents). Everything after is common to every family:
the form is filled by the driver, ÉduConnect is ÉduConnect. A route only uses the `Driver`
interface (`e2e/driver.py`), so the browser and the HTTP probe walk the same description.

A route also names its own refusals (a page only that family shows, such as Edifice's
"several accounts for one identity"): the journey records the code in the observation and
the judge (`verdict/judge/rules.py`) keeps it, after the causes that come first everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar

from bs4 import BeautifulSoup

from e2e.driver import Driver, Landing
from e2e.settings import Account
from e2e.target import Target
from pages.locators import Locators
from verdict.observation import visible_text
from verdict.wording import found


@dataclass(frozen=True)
class Refusal:
    """A refusal page of one family: recognised by a selector or by one of its phrases."""

    code: str  # a diagnosis of verdict/catalogue.toml
    selector: str = ""
    phrases: tuple[str, ...] = ()


@dataclass
class Walk:
    """What a route walks with: the session's driver, the target and the account."""

    d: Driver
    t: Target
    a: Account

    @property
    def loc(self) -> Locators:
        return self.t.locators


@dataclass(frozen=True)
class Link:
    """A link of the page: its address as written, its words, its classes."""

    href: str
    text: str
    classes: tuple[str, ...]

    @property
    def selector(self) -> str:
        """A selector for exactly this link, in both drivers (plain CSS)."""
        return 'a[href="{}"]'.format(self.href.replace("\\", "\\\\").replace('"', '\\"'))


class LoginRoute:
    """One family's login pages. Subclasses set `name` and `marks` and walk their pages."""

    name: ClassVar[str]
    # The public fact its pages rest on, one line (tests/test_login_families.py requires one).
    source: ClassVar[str] = ""
    refusals: ClassVar[tuple[Refusal, ...]] = ()

    def marks(self, loc: Locators) -> Iterable[str]:
        """Selectors one of which a page of this family shows (any visible one fits)."""
        raise NotImplementedError

    async def fits(self, w: Walk) -> bool:
        for mark in self.marks(w.loc):
            if await w.d.visible(mark):
                return True
        return False

    async def to_form(self, w: Walk) -> bool:
        """From this family's page to the ENT's own login form; False when none is offered."""
        return await w.d.visible(w.loc.login_password)

    async def to_educonnect(self, w: Walk) -> Landing | None:
        """From this family's page to ÉduConnect's first step; None when it offers none."""
        return None

    async def refusal(self, w: Walk) -> str | None:
        """The code of this family's own refusal on the page shown now, if any."""
        text: str | None = None
        for refusal in self.refusals:
            if refusal.selector and await w.d.visible(refusal.selector):
                return refusal.code
            if refusal.phrases:
                if text is None:
                    text = visible_text((await w.d.current()).html, limit=2000)
                if found(text, refusal.phrases):
                    return refusal.code
        return None


async def links(w: Walk, selector: str = "a[href]") -> list[Link]:
    """The links of the page shown now that match *selector*, in document order."""
    soup = BeautifulSoup((await w.d.current()).html, "html.parser")
    return [
        Link(
            str(a.get("href")),
            " ".join(a.get_text(" ", strip=True).split()),
            tuple(str(c) for c in (a.get("class") or [])),
        )
        for a in soup.select(selector)
        if a.get("href")
    ]


async def follow(w: Walk, link: Link | None) -> Landing | None:
    """Click *link* (found by `links`), as a person would; None when there is none."""
    if link is None:
        return None
    return await w.d.follow_link(link.selector, [])
