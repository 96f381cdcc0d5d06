"""PRONOTE.net pages: a space as PRONOTE's client code builds it, or a page asking for input."""

from __future__ import annotations

from playwright.async_api import Frame, Locator, Page

from pages.locators import Locators

# Whether the application page has drawn a space (the banner's user label, else the space's
# menu bar or home page) or asks for input. PRONOTE draws the whole page in one script run,
# so the space wins when both appear at once.
_BUILT = """([label, markers, input]) => {
  const user = document.querySelector(label);
  if (user && user.textContent.trim()) return "space";
  if (document.querySelector(markers)) return "space";
  const field = [...document.querySelectorAll(input)].find(e => e.offsetParent !== null);
  if (field) return "input";
  return false;
}"""


class PronotePage:
    """A page on the PRONOTE.net host after the shortcut."""

    def __init__(self, where: Page | Frame, locators: Locators) -> None:
        self.where = where
        self.locators = locators
        self.application: Locator = where.locator(locators.pronote_application)
        self.user_label: Locator = where.locator(locators.space_user_label).first

    async def is_application(self) -> bool:
        """PRONOTE's JavaScript application (`body#id_body`): a space or PRONOTE's own login."""
        return await self.application.count() > 0

    async def wait_until_built(self, timeout_ms: float) -> str:
        """Wait until the application shows a space or asks for input: "space" or "input"."""
        handle = await self.where.wait_for_function(
            _BUILT,
            arg=[
                self.locators.space_user_label,
                self.locators.space_markers,
                self.locators.pronote_input,
            ],
            timeout=timeout_ms,
        )
        return str(await handle.json_value())

    async def user_label_text(self) -> str | None:
        if not await self.user_label.count():
            return None
        return " ".join((await self.user_label.inner_text()).split()) or None


class PronoteDirectLoginPage:
    """PRONOTE's own login form, on the direct-authentication URL (`?login=true`).

    PRONOTE's inputs have no `name` and generated ids (DOMAIN.md): the form is found by
    its password field and the text field before it.
    """

    def __init__(self, page: Page, locators: Locators) -> None:
        self.page = page
        self.password_field: Locator = page.locator(locators.pronote_password).first
        self.login_field: Locator = page.locator('input[type="text"], input:not([type])').first
