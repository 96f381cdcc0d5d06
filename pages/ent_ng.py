"""The login page of an Open ENT NG (Edifice) portal: Monlycée.net, l'Éduc de Normandie…

DOMAIN.md ("The login routes of real ENTs"): `/auth/login` with `input#email[name=email]` and
`input#password`, a submit `<button>` **without `type`** ("Connexion") after a `type="button"`
toggle, a bad password shows `p.warning`; a WAYF of "dominos" `a.domino.<profile>` may come
first; the ENT is its own CAS (`/cas/login?service=`).
"""

from __future__ import annotations

from playwright.async_api import Frame, Locator, Page

from pages.locators import Locators


class EntNgLoginPage:
    """An Open ENT NG `/auth/login` page, and the profile dominos that may precede it."""

    def __init__(self, page: Page | Frame, locators: Locators) -> None:
        self.page = page
        self.locators = locators
        self.password: Locator = page.locator(locators.login_password).first
        # The form that holds the password: its own submit, never a search box's button.
        self.form: Locator = page.locator("form").filter(has=self.password).first
        self.username: Locator = self.form.locator(locators.login_username).first
        # `login_submit` is written for the whole page ("form button:not([type])"): keep its
        # matches that sit in this form.
        self.submit: Locator = (
            page.locator(locators.login_submit).and_(self.form.locator("button, input")).first
        )

    def domino(self, profile: str) -> Locator:
        return self.page.locator(self.locators.domino.format(profile=profile)).first

    @property
    def any_domino(self) -> Locator:
        selector = self.locators.domino.replace(".{profile}", "").replace("{profile}", "")
        return self.page.locator(selector)

    async def has_dominos(self) -> bool:
        """Whether the page shows profile dominos now (no waiting)."""
        return await self.any_domino.filter(visible=True).count() > 0

    async def choose_profile(self, profile: str) -> bool:
        """Click the profile's domino when the page shows dominos; False when it shows none."""
        domino = self.domino(profile)
        # The portal builds its page with JavaScript: wait for the dominos or the login form.
        await domino.or_(self.password).filter(visible=True).first.wait_for()
        if not await domino.is_visible():
            return False
        async with self.page.expect_navigation(wait_until="domcontentloaded"):
            await domino.click()
        return True

    async def log_in(self, email_or_login: str, password: str) -> None:
        """Type the login (an e-mail or an identifier) and password, submit, wait for the page."""
        await self.username.fill(email_or_login)
        await self.password.fill(password)
        async with self.page.expect_navigation(wait_until="domcontentloaded"):
            await self.submit.click()
