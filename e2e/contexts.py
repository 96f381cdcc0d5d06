"""Browser contexts kept from one journey to the next, each with its page, wiped in between.

A new context and page per journey costs a new renderer process and Playwright's set-up
of the page, a good part of a warm journey's CPU. So, when
nothing is recorded, a journey borrows a context and its page; when it ends, the context
is wiped of everything the journey left in the browser before the next account gets it:

- pages: every page but the kept one is closed, and the kept one goes to about:blank
  (Playwright launches Chromium without the back-forward cache: no page stays alive);
- cookies: all of the context's (`BrowserContext.clear_cookies`);
- storage: for every origin the journey requested, local and session storage, IndexedDB,
  Cache Storage, service workers, file systems (DevTools `Storage.clearDataForOrigin`,
  "all": Chromium clears the session storage of every tab with the local storage);
- the HTTP cache (`Network.clearBrowserCache`), so that no cached redirect skips a hop.

A wipe that fails, or hangs for 10 s, closes the context instead. So does a context's
`USES`-th journey: a kept context keeps its renderer, whose memory grows with every page it
shows, and Playwright keeps every request and response of a context until it closes
(`bench/journeys_memory.py`, 800 journeys, 16 at once: Chromium grew to 2 GiB by the 600th
journey with contexts kept for good; with a new context every 10 journeys it stayed between
0.7 and 1.2 GiB, and the 800 journeys took 303 s instead of 321).
`tests/test_context_pool.py` proves on pages that write each kind of state that the next
journey finds none.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from playwright.async_api import Browser, BrowserContext, CDPSession, Page
from playwright.async_api import Error as PlaywrightError


@dataclass
class Lent:
    """A context and its page, lent to one journey."""

    key: tuple[int, str]
    context: BrowserContext
    page: Page
    devtools: CDPSession
    origins: set[str] = field(default_factory=set)
    uses: int = 0  # journeys lent to, this one included

    def saw(self, url: str) -> None:
        """Note *url*'s origin: its storage is wiped when the context comes back."""
        parts = urlsplit(url)
        if parts.scheme in ("http", "https") and parts.netloc:
            self.origins.add(f"{parts.scheme}://{parts.netloc}")


# A wipe is a few round trips to the browser (tens of milliseconds); one that hangs (a page
# that never lets go) gives its context up rather than hold the run's end.
WIPE_TIMEOUT_S = 10
# Journeys a context serves before it is closed instead of wiped (its renderer with it).
USES = 10


class ContextPool:
    """The runner's kept contexts, by browser and context options; idle ones are wiped."""

    def __init__(self, size: int) -> None:
        self.size = size  # as many as journeys run at once: more only for other options
        self._idle: dict[tuple[int, str], list[Lent]] = {}
        self._all: list[BrowserContext] = []
        self._wiping: set[asyncio.Task[None]] = set()

    async def borrow(self, browser: Browser, options: dict[str, Any]) -> Lent:
        """An idle context made with the same *options* in *browser*, else a new one."""
        key = (id(browser), json.dumps(options, sort_keys=True, default=str))
        idle = self._idle.setdefault(key, [])
        while not idle and self._wiping and len(self._all) >= self.size:
            await asyncio.wait(set(self._wiping), return_when=asyncio.FIRST_COMPLETED)
        if idle:
            lent = idle.pop()
        else:
            context = await browser.new_context(**options)
            self._all.append(context)
            page = await context.new_page()
            lent = Lent(key, context, page, await context.new_cdp_session(page))
        lent.uses += 1
        return lent

    def release(self, lent: Lent) -> None:
        """Give *lent* back in the background: the journey's result need not wait for the wipe
        (a journey that borrows meanwhile waits for it, or gets another context while the pool
        is not full)."""
        task = asyncio.ensure_future(self.give_back(lent))
        self._wiping.add(task)
        task.add_done_callback(self._wiping.discard)

    async def give_back(self, lent: Lent) -> None:
        """Wipe *lent*'s context and keep it for the next journey; close it after its `USES`-th
        journey, or if the wipe fails."""
        if lent.uses < USES:
            try:
                await asyncio.wait_for(self._wipe(lent), WIPE_TIMEOUT_S)
            except (PlaywrightError, TimeoutError):
                pass
            else:
                lent.origins = set()
                self._idle[lent.key].append(lent)
                return
        self._all.remove(lent.context)
        with contextlib.suppress(PlaywrightError, TimeoutError):
            await asyncio.wait_for(lent.context.close(), WIPE_TIMEOUT_S)

    @staticmethod
    async def _wipe(lent: Lent) -> None:
        for page in lent.context.pages:
            if page != lent.page:
                await page.close()
        await lent.page.goto("about:blank")
        await lent.context.clear_cookies()
        for origin in sorted(lent.origins):
            await lent.devtools.send(
                "Storage.clearDataForOrigin", {"origin": origin, "storageTypes": "all"}
            )
        await lent.devtools.send("Network.clearBrowserCache")

    async def settle(self) -> None:
        """Let the wipes under way end (before the browser closes, which closes every context)."""
        await asyncio.gather(*self._wiping, return_exceptions=True)

    async def close(self) -> None:
        await self.settle()
        for context in self._all:
            with contextlib.suppress(PlaywrightError):
                await context.close()
        self._all, self._idle = [], {}
