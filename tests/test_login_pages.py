"""The login page objects (WAYF, ÉduConnect, Open ENT NG), in real Chromium.

The pages are small static HTML built from DOMAIN.md's facts ("The login routes of real
ENTs"), served by `page.route` on made-up hosts; what each form posts is captured in memory
from the route (the test passwords are random and never written anywhere).
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from playwright.async_api import Browser, Page, Route, async_playwright
from playwright.async_api import TimeoutError as PlaywrightTimeout

from pages.cas import CasLoginPage
from pages.choice import ChoiceForm
from pages.educonnect import EduConnectPage
from pages.ent import EntHomePage
from pages.locators import Locators, wayf_selections

CHROMIUM = Path("/usr/bin/chromium")
CAS = "https://cas.ent.test"
EDUCONNECT = "https://educonnect.test"
ENT_NG = "https://ent-ng.test"

pytestmark = [
    pytest.mark.anyio,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed"),
]


@pytest.fixture(scope="module")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
async def async_browser(anyio_backend: str) -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"]
        )
        yield browser
        await browser.close()


@dataclass
class Site:
    """Made-up hosts answering from a dict: `GET url` or `POST url` → HTML; POSTs recorded."""

    pages: dict[str, str]
    posts: list[tuple[str, dict[str, list[str]]]] = field(default_factory=list)

    async def handle(self, route: Route) -> None:
        request = route.request
        url = request.url.split("?")[0]
        if request.method == "POST":
            self.posts.append((url, parse_qs(request.post_data or "", keep_blank_values=True)))
        body = self.pages.get(f"{request.method} {url}")
        if body is None:
            await route.fulfill(status=404, body="introuvable")
            return
        await route.fulfill(status=200, content_type="text/html; charset=utf-8", body=body)


@pytest.fixture
async def async_page(async_browser: Browser) -> AsyncIterator[Page]:
    context = await async_browser.new_context()
    context.set_default_timeout(5_000)
    page = await context.new_page()
    yield page
    await context.close()


async def open_site(page: Page, site: Site, url: str) -> None:
    await page.route("https://*.test/**", site.handle)
    await page.goto(url)


def html(body: str, script: str = "") -> str:
    return f'<!doctype html><html lang="fr"><meta charset="utf-8"><body>{body}<script>{script}</script></body></html>'


# --- Kosmos CAS: the WAYF (DOMAIN.md: `.cas__wayf-form`, toggle `button.js-wayftoggle`
# "Élève ou parent", radios `#idp-<selection>`, submit `#button-submit`).
WAYF_TOGGLE_SCRIPT = """
document.querySelector('.js-wayftoggle').addEventListener('click', () => {
  document.querySelector('#wayf-educonnect').hidden = false;
});
"""


def kosmos_wayf(radio_style: str = "") -> str:
    return html(
        f"""
<form class="cas__wayf-form" method="post" action="{CAS}/login">
  <input type="hidden" name="service" value="https://ent.test/sg.do">
  <button type="button" class="js-wayftoggle">Élève ou parent</button>
  <div id="wayf-educonnect" hidden>
    <input type="radio" name="selection" id="idp-EDU_parent_eleve" value="EDU_parent_eleve"
           style="{radio_style}">
    <label for="idp-EDU_parent_eleve">Avec ÉduConnect</label>
  </div>
  <input type="radio" name="selection" id="idp-ATS_parent_eleve" value="ATS_parent_eleve">
  <label for="idp-ATS_parent_eleve">Autres utilisateurs</label>
  <button id="button-submit" type="submit">Valider</button>
</form>""",
        WAYF_TOGGLE_SCRIPT,
    )


KOSMOS_LOCAL = html(
    f"""
<form class="cas__login-form" method="post" action="{CAS}/login">
  <input type="hidden" name="lt" value="LT-1"><input id="username" name="username">
  <input id="password" name="password" type="password"><button id="button-submit">Valider</button>
</form>"""
)


# --- ÉduConnect (DOMAIN.md): profile buttons, `#div_connexion` hidden until a profile is
# chosen, `j_username` / `j_password` / `#bouton_valider` (`_eventId_proceed`), hidden
# `csrf_token`; the identity check `#theForm` (`#jour`, `#mois`, `#annee`, `#submit-button`);
# then an auto-posted `SAMLResponse`.
EDUCONNECT_LOGIN = html(
    f"""
<div class="choixProfil">
  <button type="button" class="choixProfil__btn" id="bouton_eleve">Élève</button>
  <button type="button" class="choixProfil__btn" id="bouton_responsable">Représentant légal</button>
</div>
<div id="div_connexion" style="display: none">
  <form method="post" action="{EDUCONNECT}/idp/profile/SAML2/POST/SSO">
    <input type="hidden" name="csrf_token" value="csrf-1">
    <input type="hidden" name="profil" id="profil" value="">
    <label for="username">Identifiant</label><input id="username" name="j_username">
    <label for="password">Mot de passe</label><input id="password" name="j_password" type="password">
    <button id="bouton_valider" name="_eventId_proceed" type="submit">Se connecter</button>
  </form>
</div>""",
    """
for (const button of document.querySelectorAll('.choixProfil__btn')) {
  button.addEventListener('click', () => {
    document.querySelector('#profil').value = button.id.replace('bouton_', '');
    document.querySelector('#div_connexion').style.display = 'block';
  });
}""",
)
MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
          "septembre", "octobre", "novembre", "décembre"]  # fmt: skip
IDENTITY_CHECK = html(
    f"""
<form id="theForm" method="post" action="{EDUCONNECT}/idp/identity">
  <p>Pour confirmer votre identité, indiquez votre date de naissance.</p>
  <select id="jour" name="jour">{"".join(f"<option>{d:02d}</option>" for d in range(1, 32))}</select>
  <select id="mois" name="mois">{"".join(f'<option value="{i}">{m}</option>' for i, m in enumerate(MONTHS, 1))}</select>
  <input id="annee" name="annee" inputmode="numeric">
  <button id="submit-button">Valider</button>
</form>"""
)
SAML_AUTOPOST = html(
    """<form method="post" action="https://ent.test/saml/acs">
<input type="hidden" name="SAMLResponse" value="PHNhbWxwOlJlc3BvbnNlLz4=">
<input type="hidden" name="RelayState" value="rs-1"><noscript><button>Continuer</button></noscript></form>""",
    "document.forms[0].submit();",
)
ENT_HOME = html("<h1>Mon espace</h1>")

# --- Open ENT NG (DOMAIN.md): dominos `a.domino.<profile>`, then `/auth/login` with
# `input#email[name=email]`, `input#password`, a `type="button"` toggle before a submit
# `<button>` without `type`. A search form comes first, as on a portal page.
ENT_NG_DOMINOS = html(
    f"""<a class="domino eleve" href="{ENT_NG}/auth/login">Élève</a>
<a class="domino parent" href="{ENT_NG}/auth/login">Parent</a>
<a class="domino personnel" href="{ENT_NG}/auth/login">Personnel</a>"""
)
ENT_NG_LOGIN = html(
    f"""
<form method="get" action="{ENT_NG}/search"><input name="q"><button type="submit">Rechercher</button></form>
<form method="post" action="{ENT_NG}/auth/login">
  <input id="email" name="email" type="text">
  <input id="password" name="password" type="password">
  <button type="button" class="toggle-password">Afficher</button>
  <button>Connexion</button>
</form>"""
)


# --- WAYF -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "radio_style",
    [
        pytest.param("", id="radio-behind-the-toggle"),
        pytest.param("position:absolute;width:0;height:0;opacity:0", id="radio-styled-away"),
    ],
)
async def test_wayf_choose_opens_the_toggle_and_posts_the_selection(
    async_page: Page, radio_style: str
) -> None:
    site = Site({f"GET {CAS}/login": kosmos_wayf(radio_style), f"POST {CAS}/login": KOSMOS_LOCAL})
    await open_site(async_page, site, f"{CAS}/login")
    assert await shown(async_page, Locators().wayf_form)

    assert await kosmos_wayf_form(async_page).pick("#idp-EDU_parent_eleve") is True

    assert site.posts == [
        (f"{CAS}/login", {"service": ["https://ent.test/sg.do"], "selection": ["EDU_parent_eleve"]})
    ]
    assert await shown(async_page, "form.cas__login-form")


async def test_wayf_choose_a_visible_choice_without_the_toggle(async_page: Page) -> None:
    site = Site({f"GET {CAS}/login": kosmos_wayf(), f"POST {CAS}/login": KOSMOS_LOCAL})
    await open_site(async_page, site, f"{CAS}/login")

    assert await kosmos_wayf_form(async_page).pick("#idp-ATS_parent_eleve") is True

    assert site.posts[0][1]["selection"] == ["ATS_parent_eleve"]
    assert await async_page.locator("#wayf-educonnect").is_hidden()  # the toggle was left closed


async def test_wayf_a_missing_choice_is_not_picked_and_nothing_is_sent(async_page: Page) -> None:
    site = Site({f"GET {CAS}/login": kosmos_wayf()})
    await open_site(async_page, site, f"{CAS}/login")

    wayf = kosmos_wayf_form(async_page)
    offered = await wayf.offered()
    assert wayf_selections(Locators(), offered) == ["EDU_parent_eleve", "ATS_parent_eleve"]

    assert await wayf.has("#idp-TOULO-EDU_parent_eleve") is False
    assert await wayf.pick("#idp-TOULO-EDU_parent_eleve") is False
    assert site.posts == []
    assert async_page.url == f"{CAS}/login"


def kosmos_wayf_form(page: Page) -> ChoiceForm:
    """The Kosmos WAYF as the journey's Kosmos route picks in it (`e2e/routes/kosmos.py`)."""
    loc = Locators()
    return ChoiceForm(page, loc.wayf_form, reveal=loc.wayf_toggle, send=loc.wayf_submit)


# --- ÉduConnect -----------------------------------------------------------------------------


def educonnect_site(after_login: str) -> Site:
    return Site(
        {
            f"GET {EDUCONNECT}/idp/profile/SAML2/POST/SSO": EDUCONNECT_LOGIN,
            f"POST {EDUCONNECT}/idp/profile/SAML2/POST/SSO": after_login,
            f"POST {EDUCONNECT}/idp/identity": SAML_AUTOPOST,
            "POST https://ent.test/saml/acs": ENT_HOME,
        }
    )


@pytest.mark.parametrize("profile", ["eleve", "responsable"])
async def test_educonnect_choose_profile_then_log_in_posts_the_credentials(
    async_page: Page, profile: str
) -> None:
    site = educonnect_site(after_login=SAML_AUTOPOST)
    await open_site(async_page, site, f"{EDUCONNECT}/idp/profile/SAML2/POST/SSO")
    educonnect = EduConnectPage(async_page, Locators())
    password = secrets.token_urlsafe(12)
    assert await shown(async_page, Locators().educonnect_profile.format(profile="eleve"))

    await educonnect.choose_profile(profile)
    assert await shown(async_page, 'input[name="j_username"]')
    async with async_page.expect_navigation(url="https://ent.test/saml/acs"):
        await educonnect.log_in("jean.dupont12", password)

    (login_url, login_form), (acs_url, acs_form) = site.posts
    assert login_url == f"{EDUCONNECT}/idp/profile/SAML2/POST/SSO"
    assert login_form == {
        "csrf_token": ["csrf-1"],
        "profil": [profile],
        "j_username": ["jean.dupont12"],
        "j_password": [password],
        "_eventId_proceed": [""],
    }
    assert acs_url == "https://ent.test/saml/acs"
    assert set(acs_form) == {"SAMLResponse", "RelayState"}


async def test_educonnect_login_block_stays_hidden_until_a_profile_is_chosen(
    async_page: Page,
) -> None:
    site = educonnect_site(after_login=SAML_AUTOPOST)
    await open_site(async_page, site, f"{EDUCONNECT}/idp/profile/SAML2/POST/SSO")
    async_page.set_default_timeout(1_000)

    with pytest.raises(PlaywrightTimeout):
        await EduConnectPage(async_page, Locators()).log_in("jean.dupont12", "x")

    assert site.posts == []


async def test_educonnect_unknown_profile_is_a_french_error(async_page: Page) -> None:
    site = educonnect_site(after_login=SAML_AUTOPOST)
    await open_site(async_page, site, f"{EDUCONNECT}/idp/profile/SAML2/POST/SSO")

    with pytest.raises(ValueError, match="profil ÉduConnect inconnu « parent »"):
        await EduConnectPage(async_page, Locators()).choose_profile("parent")


async def test_educonnect_confirm_identity_posts_the_birth_date(async_page: Page) -> None:
    site = educonnect_site(after_login=IDENTITY_CHECK)
    await open_site(async_page, site, f"{EDUCONNECT}/idp/profile/SAML2/POST/SSO")
    educonnect = EduConnectPage(async_page, Locators())
    await educonnect.choose_profile("eleve")
    await educonnect.log_in("jean.dupont12", secrets.token_urlsafe(12))
    assert await shown(async_page, Locators().identity_check_form)

    async with async_page.expect_navigation(url="https://ent.test/saml/acs"):
        await educonnect.confirm_identity(date(2011, 3, 5))

    identity_url, identity_form = site.posts[1]
    assert identity_url == f"{EDUCONNECT}/idp/identity"
    assert identity_form == {"jour": ["05"], "mois": ["3"], "annee": ["2011"]}


# --- Open ENT NG ----------------------------------------------------------------------------


async def test_ent_ng_domino_then_log_in_posts_email_and_password(async_page: Page) -> None:
    """The domino is a link; Open ENT NG's form is sent by the login page object every family
    uses, through its button without `type`."""
    site = Site(
        {
            f"GET {ENT_NG}/auth/wayf": ENT_NG_DOMINOS,
            f"GET {ENT_NG}/auth/login": ENT_NG_LOGIN,
            f"POST {ENT_NG}/auth/login": ENT_HOME,
        }
    )
    await open_site(async_page, site, f"{ENT_NG}/auth/wayf")
    password = secrets.token_urlsafe(12)
    assert await shown(async_page, Locators().domino_any)

    await EntHomePage(async_page).follow(
        async_page.locator(Locators().domino.format(profile="personnel"))
    )
    assert async_page.url == f"{ENT_NG}/auth/login"
    assert await shown(async_page, 'input#email[name="email"]')
    await CasLoginPage(async_page, Locators()).log_in("prof.martin@example.test", password)

    # the typeless button submitted the login form: not the search form, not the toggle
    assert site.posts == [
        (f"{ENT_NG}/auth/login", {"email": ["prof.martin@example.test"], "password": [password]})
    ]
    assert await async_page.get_by_role("heading", name="Mon espace").is_visible()


async def shown(page: Page, selector: str) -> bool:
    """Whether *page* shows an element matching *selector* now (the page has loaded)."""
    return await page.locator(selector).filter(visible=True).count() > 0
