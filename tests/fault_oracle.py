"""The lab's faults and what the verifier must name them: the oracle of the fault matrices.

`verdict/` does not know the lab; this is where the two meet. Each code is what the
protocol evidence of that fault proves with the default wording (`verdict.wording`),
never a sentence only our lab writes.

    python -m tests.fault_oracle > docs/diagnoses.md   # the catalogue and these pairs
"""

from __future__ import annotations

from dataclasses import dataclass

from verdict.docs import catalogue_markdown

# What each lab fault (lab.state.FAULTS) must be named.
FAULT_CODES: dict[str, str] = {
    # PRONOTE.net got a ticket, our own validation of a fresh one succeeds, and PRONOTE
    # serves an error: it refused or could not read the ticket. PRONOTE's own sentence for
    # an outdated MsXML is not public, so MsXML is named only as the alternative unless
    # the page names the component (Wording.msxml).
    "msxml_outdated": "PN-VALIDATION-TICKET-ECHEC",
    "cas_port_blocked": "PN-PRONOTE-INJOIGNABLE",
    "wrong_public_url": "PN-URL-PUBLIQUE-ERRONEE",
    "wrong_cas_url": "PN-URL-CAS-ERRONEE",
    "cas_auth_disabled": "PN-AUTH-CAS-DESACTIVEE",
    "not_published": "PN-SITE-INDISPONIBLE",
    "identifier_management_off": "PN-GESTION-IDENTIFIANTS-DESACTIVEE",
    "identifiers_not_imported": "PN-IDENTIFIANTS-NON-IMPORTES",
    "user_missing_from_import": "PN-UTILISATEUR-ABSENT-IMPORT",
    "shortcut_missing": "PN-RACCOURCI-ABSENT",
    "shortcut_direct_url": "PN-RACCOURCI-URL-DIRECTE",
    "service_not_registered": "PN-SERVICE-NON-AUTORISE",
    "user_unknown_to_pronote": "PN-UTILISATEUR-INCONNU-PRONOTE",
    "double_authentication": "PN-DOUBLE-AUTHENTIFICATION",
    "slow_network": "PN-RESEAU-LENT",
    "flaky_network": "PN-RESEAU-INSTABLE",
    # ÉduConnect: the journey records what it saw of the login (no choice, the IdP's own page,
    # the identity check, the ENT refusing the SAML return) and the judge names it.
    "educonnect_unavailable": "PN-EDUCONNECT-INDISPONIBLE",
    "educonnect_certificate_expired": "PN-EDUCONNECT-CERTIFICAT",
    "saml_clock_skew": "PN-SAML-HORLOGE",
    "educonnect_identity_unmapped": "PN-EDUCONNECT-COMPTE-NON-RATTACHE",
    "educonnect_identity_check": "PN-EDUCONNECT-VERIFICATION-IDENTITE",
    "wayf_choice_missing": "PN-WAYF-CHOIX-ABSENT",
    # PRONOTE's own refusals after single sign-on: its words name their cause.
    "pronote_ip_suspended": "PN-IP-SUSPENDUE",
    "pronote_too_many_errors": "PN-TROP-ERREURS-AUTH",
    "space_access_denied": "PN-ACCES-ESPACE-REFUSE",
    # The 502 answers the login POST at the CAS's host: the CAS failed, not the portal.
    "ent_login_bad_gateway": "PN-CAS-INJOIGNABLE",
    # The ENT's own answers before any login: its maintenance page, a locked account, a
    # captcha (never answered: no password sent).
    "ent_maintenance": "PN-ENT-MAINTENANCE",
    "ent_maintenance_503": "PN-ENT-MAINTENANCE",
    "cas_account_locked": "PN-ENT-COMPTE-VERROUILLE",
    "cas_captcha": "PN-ENT-CAPTCHA",
    # Single sign-on worked; PRONOTE's own second factor stops the space.
    "pronote_second_factor": "PN-PRONOTE-CODE-PIN",
    # A page of ÉduConnect's that no page object knows: named, not a timeout.
    "educonnect_new_step": "PN-EDUCONNECT-ETAPE-INCONNUE",
    # The login answered from a new host after a redirect chain: followed, passed, and the
    # new host reported as a warning (the catalogue and the settings are out of date).
    "ent_login_moved": "PN-CONNEXION-ENT-DEPLACEE",
    # A 5xx names the step and the server that answered it, never a later symptom.
    "saml_return_bad_gateway": "PN-ENT-RETOUR-SAML-ERREUR",
    "educonnect_error_after_password": "PN-EDUCONNECT-ERREUR-SERVEUR",
    "pronote_server_error": "PN-PRONOTE-ERREUR-SERVEUR",
    "pronote_bad_gateway": "PN-PRONOTE-ERREUR-SERVEUR",
}


# Faults only one ENT family stages (`lab.state.FAMILY_FAULTS`), named by that family's login
# route (e2e/routes/): Edifice's answers at /auth/saml/acs after ÉduConnect.
FAMILY_FAULT_CODES: dict[str, dict[str, str]] = {
    "edifice": {
        "edifice_user_not_found": "PN-EDUCONNECT-COMPTE-NON-RATTACHE",
        "edifice_blocked_user": "PN-ENT-COMPTE-BLOQUE",
        "edifice_several_accounts": "PN-ENT-COMPTES-MULTIPLES",
    },
}


@dataclass(frozen=True)
class FaultPair:
    """Two lab faults at once, and what the verdict must say: the journey stops at the first."""

    faults: tuple[str, str]
    code: str
    alternatives: tuple[str, ...]  # exactly these other causes are listed
    warnings: tuple[str, ...]  # at least these (a loaded machine may add PN-RESEAU-LENT)
    why: str  # one French sentence, for docs/diagnoses.md


FAULT_PAIRS: tuple[FaultPair, ...] = (
    FaultPair(
        ("not_published", "wrong_cas_url"),
        "PN-SITE-INDISPONIBLE",
        (),
        (),
        "Tant que la base n'est pas publiée, PRONOTE.net ne renvoie vers aucun CAS ; l'URL du "
        "CAS erronée reste invisible et apparaîtra une fois la base publiée.",
    ),
    FaultPair(
        ("wrong_public_url", "service_not_registered"),
        "PN-URL-PUBLIQUE-ERRONEE",
        ("PN-SERVICE-NON-AUTORISE",),
        (),
        "Le CAS refuse un service qui n'est pas l'URL publique attendue, donc l'URL publique "
        "est à corriger d'abord ; le même refus peut aussi venir d'un service non déclaré.",
    ),
    FaultPair(
        ("flaky_network", "identifiers_not_imported"),
        "PN-IDENTIFIANTS-NON-IMPORTES",
        (),
        ("PN-RESEAU-INSTABLE",),
        "L'erreur passagère est surmontée par une nouvelle tentative et reste un "
        "avertissement ; l'échec vient de l'import manquant.",
    ),
)

DOCS_COMMAND = "python -m tests.fault_oracle > docs/diagnoses.md"


def diagnoses_markdown() -> str:
    """docs/diagnoses.md: the catalogue, then the fault pairs checked against the lab."""
    return catalogue_markdown(FAULT_PAIRS, command=DOCS_COMMAND)


if __name__ == "__main__":
    print(diagnoses_markdown(), end="")
