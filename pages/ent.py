"""The ENT: its home (which may send straight to the CAS) and its portal of service shortcuts."""

from __future__ import annotations

from dataclasses import dataclass

from playwright.sync_api import BrowserContext, Frame, Locator, Page

from e2e.settings import Locators


@dataclass
class OpenedService:
    """Where a shortcut opened PRONOTE: a page (same tab, new tab or pop-up) or a frame."""

    page: Page
    frame: Frame | None
    how: str  # "meme_onglet", "onglet", "popup" or "cadre"


class EntHomePage:
    def __init__(self, page: Page, locators: Locators) -> None:
        self.page = page
        self.login_link: Locator = page.locator(locators.ent_login_link).first

    def open(self, url: str, timeout_ms: float) -> None:
        self.page.goto(url, wait_until="domcontentloaded", timeout=timeout_ms)

    def go_to_login(self) -> None:
        with self.page.expect_navigation(wait_until="domcontentloaded"):
            self.login_link.click()


class EntPortalPage:
    def __init__(self, page: Page, shortcut_label: str) -> None:
        self.page = page
        self.shortcut: Locator = page.get_by_role("link", name=shortcut_label, exact=True).or_(
            page.get_by_role("button", name=shortcut_label, exact=True)
        )

    def open_shortcut(self, context: BrowserContext, timeout_ms: float) -> OpenedService:
        """Click the shortcut and follow PRONOTE wherever it opens: tab, pop-up, same tab, frame."""
        pages_before = len(context.pages)
        link = self.shortcut.first
        target = (link.get_attribute("target") or "").lower()
        onclick = link.get_attribute("onclick") or ""
        if target == "_blank" or "window.open" in onclick:
            with context.expect_page(timeout=timeout_ms) as new_page:
                link.click()
            opened = new_page.value
            opened.wait_for_load_state("domcontentloaded", timeout=timeout_ms)
            how = "popup" if "window.open" in onclick else "onglet"
            return OpenedService(opened, None, how)
        with self.page.expect_navigation(wait_until="domcontentloaded", timeout=timeout_ms):
            link.click()
        if len(context.pages) > pages_before:  # opened elsewhere after all
            return OpenedService(context.pages[-1], None, "onglet")
        frame_element = self.page.locator("iframe, frame").first
        if frame_element.count():
            frame_element.wait_for(timeout=timeout_ms)
            frame = frame_element.element_handle().content_frame()
            if frame is not None:
                frame.wait_for_load_state("domcontentloaded", timeout=timeout_ms)
                return OpenedService(self.page, frame, "cadre")
        return OpenedService(self.page, None, "meme_onglet")
