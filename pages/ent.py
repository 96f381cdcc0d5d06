"""The ENT: its home (which may send straight to the CAS) and its portal of service shortcuts."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass

from playwright.async_api import BrowserContext, Frame, Locator, Page

from pages.locators import Locators


@dataclass
class OpenedService:
    """Where a shortcut opened PRONOTE: a page (same tab, new tab or pop-up) or a frame."""

    page: Page
    frame: Frame | None
    how: str  # "meme_onglet", "onglet", "popup" or "cadre"


class EntHomePage:
    """The ENT's pages before and around the portal: links to its login, to its apps page."""

    def __init__(self, page: Page) -> None:
        self.page = page

    def link(self, selector: str, texts: list[str]) -> Locator:
        """A link found by its selector, else by one of its texts (any case)."""
        found = self.page.locator(selector)
        for text in texts:
            pattern = re.compile(rf"^\s*{re.escape(text)}\s*$", re.I)
            found = found.or_(self.page.get_by_role("link", name=pattern))
        return found.first

    async def follow(self, link: Locator) -> None:
        async with self.page.expect_navigation(wait_until="domcontentloaded"):
            await link.click()


class EntPortalPage:
    """The portal's services. The Pronote shortcut is found by where it goes, else its label."""

    def __init__(self, page: Page, locators: Locators) -> None:
        self.page = page
        self.locators = locators

    def shortcut_by_href(self, leads_to: list[str]) -> Locator:
        """A link whose address contains one of *leads_to* (e.g. `//<PRONOTE.net host>/`)."""
        selector = ", ".join(f'a[href*="{part}"]' for part in leads_to)
        return self.page.locator(selector).first

    def shortcut_by_label(self, labels: list[str]) -> Locator:
        patterns = [re.compile(rf"^\s*{re.escape(label)}\s*$", re.I) for label in labels if label]
        found = self.page.locator(self.locators.shortcut_tile)
        for pattern in patterns:
            found = found.or_(self.page.get_by_role("link", name=pattern)).or_(
                self.page.get_by_role("button", name=pattern)
            )
        return found.first

    async def open_shortcut(
        self, link: Locator, context: BrowserContext, timeout_ms: float
    ) -> OpenedService:
        """Click the shortcut and follow PRONOTE wherever it opens: tab, pop-up, same tab, frame.

        Whichever comes first wins: a new page in the context, a navigation of this page,
        or a navigation inside one of its frames.
        """
        page = self.page
        new_page = asyncio.ensure_future(context.wait_for_event("page", timeout=timeout_ms))
        navigated = asyncio.ensure_future(page.wait_for_event("framenavigated", timeout=timeout_ms))
        onclick = (await link.get_attribute("onclick") or "") if await link.count() else ""
        try:
            await link.click(timeout=timeout_ms)
            done, _ = await asyncio.wait(
                {new_page, navigated}, timeout=timeout_ms / 1000, return_when="FIRST_COMPLETED"
            )
        finally:
            for waiter in (new_page, navigated):
                if not waiter.done():
                    waiter.cancel()
        if new_page in done and new_page.exception() is None:
            opened: Page = new_page.result()
            await opened.wait_for_load_state("domcontentloaded", timeout=timeout_ms)
            return OpenedService(opened, None, "popup" if "window.open" in onclick else "onglet")
        if navigated in done and navigated.exception() is None:
            frame: Frame = navigated.result()
            if frame != page.main_frame:
                await frame.wait_for_load_state("domcontentloaded", timeout=timeout_ms)
                return OpenedService(page, frame, "cadre")
            await page.wait_for_load_state("load", timeout=timeout_ms)
            holder = page.locator("iframe, frame").first
            if await holder.count():  # a portal page that frames the service
                inner = await (await holder.element_handle()).content_frame()
                if inner is not None:
                    await inner.wait_for_load_state("domcontentloaded", timeout=timeout_ms)
                    return OpenedService(page, inner, "cadre")
            return OpenedService(page, None, "meme_onglet")
        raise TimeoutError("the shortcut opened nothing")
