"""A form of radio choices sent by a button: a "where do you come from" page (WAYF), a
profile chooser. Generic on purpose: a login route names the form, the choice, what reveals
a hidden choice and what sends the form (`Driver.pick`), so a new ENT family whose page is a
choice of radios needs no page object of its own. Kosmos's WAYF is one (DOMAIN.md, the Kosmos
row: `.cas__wayf-form`, its radios `#idp-<selection>`, the toggle `button.js-wayftoggle`).
"""

from __future__ import annotations

from playwright.async_api import Frame, Locator, Page


class ChoiceForm:
    """A form (*form*: a selector of the form or of the block holding its radios), sent by
    its *send* button (any submit button of the form when empty); *reveal*, when set, is a
    button that shows choices kept hidden behind it (Kosmos's "Élève ou parent")."""

    def __init__(self, page: Page | Frame, form: str, *, reveal: str = "", send: str = "") -> None:
        self.page = page
        self.form: Locator = page.locator(form).first
        self.reveal: Locator | None = page.locator(reveal).first if reveal else None
        self.send: Locator = self.form.locator(
            send or 'button[type="submit"], input[type="submit"], button:not([type])'
        ).first
        self.radios: Locator = self.form.locator('input[type="radio"]')

    async def offered(self) -> list[tuple[str, str]]:
        """Every radio of the form as (id, value), in one round trip."""
        radios = await self.radios.evaluate_all(
            "els => els.map(e => [e.id, e.getAttribute('value') || ''])"
        )
        return [(str(radio_id), str(value)) for radio_id, value in radios]

    async def has(self, choice: str) -> bool:
        return await self.form.locator(choice).count() > 0

    async def pick(self, choice: str) -> bool:
        """Check the radio *choice*, send the form, wait for the next page; False (nothing
        sent) when the form holds no such radio, or it cannot be checked.

        A choice hidden behind *reveal* is revealed first; a radio styled away behind its
        label is checked through the label, as a person would.
        """
        await self.form.wait_for(state="attached")
        radio = self.form.locator(choice).first
        if not await radio.count():
            return False
        if not await radio.is_visible() and self.reveal is not None:
            if await self.reveal.is_visible():
                await self.reveal.click()
        label = self.page.locator(f'label[for="{await radio.get_attribute("id")}"]')
        await radio.or_(label).filter(visible=True).first.wait_for()
        if await radio.is_visible():
            await radio.check()
        else:
            await label.first.click()
            if not await radio.is_checked():
                return False
        async with self.page.expect_navigation(wait_until="domcontentloaded"):
            await self.send.click()
        return True
