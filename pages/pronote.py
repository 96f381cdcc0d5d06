"""PRONOTE.net pages: a space, the first-connection prompt and the direct-login form."""

from __future__ import annotations

from playwright.sync_api import Frame, Locator, Page

from e2e.settings import Locators


class PronoteSpacePage:
    """A PRONOTE space, built by JavaScript after load (`Start({...})` builds #GInterface)."""

    def __init__(self, where: Page | Frame, locators: Locators) -> None:
        self.root: Locator = where.locator(locators.space_marker).first
        self.user_name: Locator = where.locator(locators.space_user_name).first


class PronoteFirstConnectionPage:
    """PRONOTE asking, after SSO, for the identifiant PRONOTE ENT (or its own login/password)."""

    def __init__(self, where: Page | Frame, locators: Locators) -> None:
        self.identifier_field: Locator = where.locator(locators.identifier_prompt).first
        self.password_field: Locator = where.locator(locators.password_prompt).first
        texts = [where.get_by_text(t, exact=False) for t in locators.identifier_prompt_texts]
        prompt_text = texts[0]
        for other in texts[1:]:
            prompt_text = prompt_text.or_(other)
        self.prompt_text: Locator = prompt_text.first


class PronoteDirectLoginPage:
    """PRONOTE's own login form, on the direct-authentication URL (`?login=true`)."""

    def __init__(self, page: Page, locators: Locators) -> None:
        self.page = page
        self.login_field: Locator = page.locator(
            'input[name="login"], input#id_login, input[type="text"]'
        ).first
        self.password_field: Locator = page.locator(locators.password_prompt).first

    def open(self, url: str, timeout_ms: float) -> None:
        self.page.goto(url, wait_until="domcontentloaded", timeout=timeout_ms)
