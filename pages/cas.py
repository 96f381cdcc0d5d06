"""The CAS page met on the way: the login form, which is also the ENT login.

A CAS refusal ("service non autorisé") is recognised from the page itself by
`verdict.observation.page_kind`, for the browser and the probe alike.
"""

from __future__ import annotations

from playwright.sync_api import Locator, Page

from e2e.settings import Locators


class CasLoginPage:
    """A CAS login form: django-cas-server, Kosmos (eCollège 31), Apereo or EduConnect."""

    def __init__(self, page: Page, locators: Locators) -> None:
        self.page = page
        self.username: Locator = page.locator(locators.login_username).first
        self.password: Locator = page.locator(locators.login_password).first
        self.submit: Locator = page.locator(locators.login_submit).first

    def log_in(self, login: str, password: str) -> None:
        """Type the credentials and submit; waits for the navigation the form starts."""
        self.username.fill(login)
        self.password.fill(password)
        with self.page.expect_navigation(wait_until="domcontentloaded"):
            self.submit.click()
