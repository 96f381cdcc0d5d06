"""The login form met on the way: the ENT's CAS (Kosmos, Apereo, django-cas-server) or its own.

Open ENT NG's `/auth/login` (DOMAIN.md, "The login routes of real ENTs") is one too:
`input#email[name=email]` and `input#password`, sent by a `<button>` **without `type`**
("Connexion") that comes after a `type="button"` toggle; its profile dominos before it are
links (`e2e/routes/opentent.py`).

A CAS refusal ("service non autorisé") is recognised from the page itself by
`verdict.observation.page_kind`, for the browser and the probe alike.
"""

from __future__ import annotations

from playwright.async_api import Locator, Page

from pages.locators import Locators


class CasLoginPage:
    """A username/password form: Kosmos `form.cas__login-form`, Apereo `form#fm1`, Open ENT
    NG's `/auth/login`, and kin."""

    def __init__(self, page: Page, locators: Locators) -> None:
        self.page = page
        self.username: Locator = page.locator(locators.login_username).first
        self.password: Locator = page.locator(locators.login_password).first
        # The submit button of the form that holds the password field.
        self.submit: Locator = (
            page.locator(f"form:has({locators.login_password})")
            .locator(locators.login_submit)
            .first
        )

    async def log_in(self, login: str, password: str) -> None:
        """Type the credentials and submit; waits for the navigation the form starts."""
        await self.username.fill(login)
        await self.password.fill(password)
        async with self.page.expect_navigation(wait_until="domcontentloaded"):
            await self.submit.click()
