"""ÉduConnect, the national SAML 2.0 identity provider of élèves and parents.

DOMAIN.md ("The login routes of real ENTs"): step 1 chooses the profile (`#bouton_eleve` or
`#bouton_responsable`; the login block `#div_connexion` stays hidden until then); step 2 fills
`#username` (`j_username`) and `#password` (`j_password`) and submits `#bouton_valider`;
sometimes an identity check follows (`#theForm`: birth date `#jour`, `#mois`, `#annee`,
`#submit-button`); then a `SAMLResponse` is auto-posted back to the ENT.
"""

from __future__ import annotations

from datetime import date

from playwright.async_api import Frame, Locator, Page

from pages.locators import Locators

EDUCONNECT_PROFILES = ("eleve", "responsable")
# The month as a person reads it, for a birth-date field that lists month names.
FRENCH_MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip


class EduConnectPage:
    """ÉduConnect's login: profile choice, identifier and password, identity check."""

    def __init__(self, page: Page | Frame, locators: Locators) -> None:
        self.page = page
        self.locators = locators
        self.username: Locator = page.locator(locators.educonnect_username).first
        self.password: Locator = page.locator(locators.educonnect_password).first
        self.submit: Locator = page.locator(locators.educonnect_submit).first
        self.identity_form: Locator = page.locator(locators.identity_check_form).first
        self.day: Locator = self.identity_form.locator(locators.identity_check_day).first
        self.month: Locator = self.identity_form.locator(locators.identity_check_month).first
        self.year: Locator = self.identity_form.locator(locators.identity_check_year).first
        self.identity_submit: Locator = self.identity_form.locator(
            locators.identity_check_submit
        ).first

    def profile_button(self, profile: str) -> Locator:
        if profile not in EDUCONNECT_PROFILES:
            raise ValueError(
                f"profil ÉduConnect inconnu « {profile} » : choisir eleve ou responsable"
            )
        return self.page.locator(self.locators.educonnect_profile.format(profile=profile)).first

    async def choose_profile(self, profile: str) -> None:
        """Click "Élève" or "Responsable d'élève"; waits until the login fields show."""
        await self.profile_button(profile).click()
        await self.username.wait_for(state="visible")

    async def log_in(self, login: str, password: str) -> None:
        """Type the ÉduConnect identifier and password, submit, wait for the next page."""
        await self.username.fill(login)
        await self.password.fill(password)
        async with self.page.expect_navigation(wait_until="domcontentloaded"):
            await self.submit.click()

    async def confirm_identity(self, birth_date: date) -> None:
        """Answer the birth-date identity check (`#theForm`) and wait for the next page.

        Call it when the check is shown (its `#theForm` is visible): the fields may
        be text inputs or lists, with months as numbers or French names.
        """
        await self.identity_form.wait_for(state="visible")
        day, month, year = birth_date.day, birth_date.month, birth_date.year
        await _set_field(self.day, [f"{day:02d}", str(day)])
        await _set_field(self.month, [f"{month:02d}", str(month), FRENCH_MONTHS[month - 1]])
        await _set_field(self.year, [str(year)])
        async with self.page.expect_navigation(wait_until="domcontentloaded"):
            await self.identity_submit.click()


async def _set_field(field: Locator, candidates: list[str]) -> None:
    """Fill a text input with the first candidate, or pick the first matching list option."""
    await field.wait_for(state="visible")
    options = field.locator("option")
    if not await options.count():  # a text input
        await field.fill(candidates[0])
        return
    for option in await options.all():
        value = await option.get_attribute("value")
        text = (await option.inner_text()).strip()
        for candidate in candidates:
            if candidate.casefold() in ((value or "").strip().casefold(), text.casefold()):
                if value is None:  # an option without value sends its text
                    await field.select_option(label=text)
                else:
                    await field.select_option(value=value)
                return
    raise LookupError(
        f"le contrôle d'identité ne propose pas la valeur {candidates[0]} "
        f"({await field.get_attribute('id')})"
    )
