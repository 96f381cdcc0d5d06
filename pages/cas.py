"""The CAS pages met on the way: the login form (the ENT login) and its refusals."""

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


class CasServiceRefusedPage:
    """The CAS answer when the service is not registered ("service non autorisé")."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.message: Locator = page.get_by_text("autoris", exact=False).first
