"""The ENT CAS's "where do you come from" page (WAYF), as Kosmos ENTs show it.

DOMAIN.md ("The login routes of real ENTs"): the CAS `/login` shows `.cas__wayf-form`; the
ÉduConnect choice sits behind a toggle `button.js-wayftoggle` "Élève ou parent"; each choice is
a radio `#idp-<selection>`; the form is sent with `#button-submit`. `?selection=` skips the page.
"""

from __future__ import annotations

from playwright.async_api import Frame, Locator, Page

from pages.locators import Locators


class WayfChoiceMissing(LookupError):
    """The WAYF does not offer the selection asked for; `offered` lists the ones it does."""

    def __init__(self, selection: str, offered: list[str]) -> None:
        self.selection = selection
        self.offered = offered
        shown = ", ".join(offered) if offered else "aucun"
        super().__init__(
            f"la page de choix du CAS ne propose pas « {selection} » (choix proposés : {shown})"
        )


class WayfPage:
    """The WAYF form of a Kosmos CAS login page."""

    def __init__(self, page: Page | Frame, locators: Locators) -> None:
        self.page = page
        self.locators = locators
        self.form: Locator = page.locator(locators.wayf_form).first
        self.toggle: Locator = page.locator(locators.wayf_toggle).first
        self.submit: Locator = self.form.locator(locators.wayf_submit).first
        self.radios: Locator = self.form.locator('input[type="radio"]')

    def choice(self, selection: str) -> Locator:
        return self.page.locator(self.locators.wayf_choice.format(selection=selection))

    async def selections(self) -> list[str]:
        """The selections the form offers, read from the radios' ids (`#idp-<selection>`),
        else their values; one round trip for all the radios."""
        prefix = self.locators.wayf_choice.partition("{selection}")[0].removeprefix("#")
        radios = await self.radios.evaluate_all(
            "els => els.map(e => [e.id, e.getAttribute('value') || ''])"
        )
        found = []
        for radio_id, radio_value in radios:
            value = radio_id.removeprefix(prefix) if radio_id.startswith(prefix) else ""
            if value or radio_value:
                found.append(value or radio_value)
        return found

    async def choose(self, selection: str) -> None:
        """Pick `selection` (e.g. `EDU_parent_eleve`), send the form, wait for the next page.

        The ÉduConnect choices are hidden behind the "Élève ou parent" toggle: open it when
        the radio is not visible. A radio styled away behind its label is checked through the
        label, as a person would.
        """
        await self.form.wait_for(state="attached")
        choice = self.choice(selection)
        if not await choice.count():
            raise WayfChoiceMissing(selection, await self.selections())
        if not await choice.is_visible() and await self.toggle.is_visible():
            await self.toggle.click()
        label = self.page.locator(f'label[for="{await choice.get_attribute("id")}"]')
        await choice.or_(label).filter(visible=True).first.wait_for()
        if await choice.is_visible():
            await choice.check()
        else:
            await label.first.click()
            if not await choice.is_checked():
                raise WayfChoiceMissing(selection, await self.selections())
        async with self.page.expect_navigation(wait_until="domcontentloaded"):
            await self.submit.click()
