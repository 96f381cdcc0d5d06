"""Where the page objects look: CSS selectors and texts, each resting on a fact about real pages.

Every default names its source: `DOMAIN.md` (facts read from public client code:
pronotepy's `ent/` logins, PRONOTE's own client modules, Edifice entcore, Apereo CAS)
or a common pattern. None rests on what our lab happens to write. The settings
(`VERIFIER_LOCATORS__*`) override any of them; the browser page objects and the
HTTP probe read the same values, so the selectors are plain CSS (no Playwright-only
pseudo-classes) and texts are separate lists, matched case- and accent-insensitively.
"""

from __future__ import annotations

from pydantic import BaseModel


class Locators(BaseModel):
    """CSS selectors and texts of the pages met on the way, overridable from settings."""

    # CAS / ENT login form. Kosmos: `form.cas__login-form` `#username` `#password`
    # `#button-submit`; Apereo: `form#fm1` `username` `password` `button[name=submit]`;
    # django-cas-server: `username` `password`; Open ENT NG: `input#email[name=email]`
    # `input#password`; ÉduConnect: `#username[name=j_username]` `#password[name=j_password]`
    # (DOMAIN.md, "The login routes of real ENTs").
    login_username: str = (
        'input#username, input[name="username"], input[name="j_username"], '
        'input#email[name="email"]'
    )
    # A captcha in a login form (Apereo CAS's reCAPTCHA, an image code): never answered, so
    # the password is not sent (DOMAIN.md, "What breaks in the real world").
    login_captcha: str = (
        'input[name*="captcha" i], input[id*="captcha" i], .g-recaptcha, '
        'iframe[src*="recaptcha"], iframe[src*="hcaptcha"], [data-sitekey]'
    )
    login_password: str = (
        'input#password, input[name="password"], input[name="j_password"], input[type="password"]'
    )
    # Kosmos `#button-submit`, Apereo `button[name=submit]`, ÉduConnect `#bouton_valider`,
    # Open ENT NG: a `<button>` without `type` after a `type="button"` toggle.
    login_submit: str = (
        '#button-submit, button[name="submit"], #bouton_valider, button[type="submit"], '
        'input[type="submit"], button:not([type])'
    )
    # Kosmos home pages link to the CAS with `a.fo-connect__link` "Se connecter" (DOMAIN.md).
    ent_login_link: str = "a.fo-connect__link"
    ent_login_link_texts: list[str] = ["Se connecter", "Connexion", "S'identifier"]

    # Kosmos WAYF on the CAS login page: `.cas__wayf-form`, toggle `button.js-wayftoggle`
    # "Élève ou parent", radios `#idp-<selection>`, submit `#button-submit` (DOMAIN.md).
    wayf_form: str = ".cas__wayf-form"
    wayf_toggle: str = "button.js-wayftoggle"
    wayf_choice: str = "#idp-{selection}"
    wayf_submit: str = "#button-submit"
    # Open ENT NG "dominos": `a.domino.<profile>` (DOMAIN.md). The class names per profile
    # are not all public: French and English names are tried in order. Élèves and parents
    # with a local ENT account take a staff domino, which leads to the ENT's own form.
    domino: str = "a.domino.{profile}"
    domino_any: str = "a.domino"
    domino_names: dict[str, list[str]] = {
        "eleve": ["eleve", "student"],
        "parent": ["parent", "relative"],
        "professeur": ["enseignant", "professeur", "teacher"],
        "personnel": ["personnel", "staff"],
    }

    # ÉduConnect (DOMAIN.md): profile `#bouton_eleve` / `#bouton_responsable`
    # (`.choixProfil__btn`), then `#username` / `#password` / `#bouton_valider`, sometimes the
    # identity check `#theForm` with `#jour` `#mois` `#annee` `#submit-button`.
    educonnect_profile: str = "#bouton_{profile}"
    educonnect_username: str = '#username, input[name="j_username"]'
    educonnect_password: str = '#password, input[name="j_password"]'
    # Anything ÉduConnect asks after the password that is not a known step (DOMAIN.md, "What
    # breaks in the real world": it adds fields and steps): a form with a visible input.
    idp_asks_input: str = (
        'form input:not([type="hidden"]):not([type="submit"]):not([type="button"]), '
        "form select, form textarea"
    )
    educonnect_submit: str = "#bouton_valider"
    identity_check_form: str = "#theForm"
    identity_check_day: str = "#jour"
    identity_check_month: str = "#mois"
    identity_check_year: str = "#annee"
    identity_check_submit: str = "#submit-button"

    # The portal's shortcut is found by where it goes (a link to the PRONOTE.net host, as
    # Kosmos portals have `a[href*="index-education.net/pronote/"]`, DOMAIN.md), else by its
    # label, case-insensitively ("Pronote", "PRONOTE", "PRONOTE - Vie scolaire"); Open ENT NG
    # shows an apps tile `.pronote` (DOMAIN.md).
    shortcut_tile: str = ".pronote"
    # Open ENT NG lands on its news feed; the tiles are on its apps page ("Mes applis",
    # `/welcome/applications`), reached from the top bar (DOMAIN.md: "apps page tile").
    apps_link: str = 'a[href*="/applications"]'
    apps_link_texts: list[str] = ["Mes applis", "Mes applications", "Applications"]

    # A PRONOTE space, as PRONOTE's client code builds it (DOMAIN.md, "The real PRONOTE
    # space"): the banner's user label exists only once the user is known; the menu bar and
    # the home page exist only in a space too. There is no element with id `GInterface`
    # (a JavaScript global).
    space_user_label: str = ".ObjetBandeauEspace .ibe_util_texte"
    space_markers: str = ".objetBandeauEntete_menu, .AffichagePageAccueil"
    # The JavaScript application page (`<body id="id_body" onload="… Start (…)">`): a space or
    # PRONOTE's own login screen, so it only says "PRONOTE's application" (DOMAIN.md).
    pronote_application: str = "body#id_body"
    # After SSO, a PRONOTE page that is not a space and asks the user for anything is the
    # signal (DOMAIN.md): any visible input a person types into. PRONOTE's own inputs have no
    # `name` and generated ids, so no name is relied on.
    pronote_input: str = (
        'input:not([type="hidden"]):not([type="submit"]):not([type="button"])'
        ':not([type="checkbox"]):not([type="radio"])'
    )
    pronote_password: str = 'input[type="password"]'


def wayf_selections(loc: Locators, radios: list[tuple[str, str]]) -> list[str]:
    """The selections a Kosmos WAYF offers, from its radios as (id, value): the id without the
    prefix of `wayf_choice` (`idp-EDU_parent_eleve` → `EDU_parent_eleve`), else the value."""
    prefix = loc.wayf_choice.partition("{selection}")[0].removeprefix("#")
    found = []
    for radio_id, value in radios:
        selection = radio_id.removeprefix(prefix) if radio_id.startswith(prefix) else ""
        if selection or value:
            found.append(selection or value)
    return found


def wayf_selection_for(route: str, selections: list[str]) -> str | None:
    """The WAYF choice for a route when no preset names it.

    Kosmos selections that send to ÉduConnect carry `EDU` (`EDU_parent_eleve`,
    `MONT-EDU_parent_eleve`); the local form is another one (`ATS_parent_eleve`) (DOMAIN.md).
    """
    educonnect = [s for s in selections if "EDU" in s.upper()]
    others = [s for s in selections if s not in educonnect]
    pool = educonnect if route == "educonnect" else others
    return pool[0] if pool else None


def domino_candidates(names: dict[str, list[str]], profile: str, route: str) -> list[str]:
    """The domino classes to try for an account, in order (see `Locators.domino_names`)."""
    if route == "local" and profile in ("eleve", "parent"):
        return names.get("professeur", []) + names.get("personnel", [])
    return names.get(profile, [profile])
