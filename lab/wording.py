"""Every text, title, button and non-essential class name the lab's PRONOTE.net and ENT show.

Two wordings, chosen per lab start (`--wording default|alt`, `LAB_WORDING`):
`default` follows the texts DOMAIN.md quotes from Index Éducation and from real
ENTs where they exist; `alt` says the same things the way another PRONOTE
version or another ENT could, with other class names, so that the verifier
cannot lean on one sentence or one class our lab happens to write.

What real products guarantee is not here and never changes: PRONOTE's
`#id_body`, `#div`, `Start (…)` and banner classes (`.ObjetBandeauEspace`,
`.ibe_util_texte`, …), the space names and the banner's label format, the CAS
protocol, URLs, and the admin forms' field names (the lab's own admin API).

Where a text is quoted from a public source the comment says so; the other
texts are inferences, written to be plausible, and say so too.
"""

from __future__ import annotations

from typing import Literal

WordingName = Literal["default", "alt"]
WORDINGS: tuple[WordingName, ...] = ("default", "alt")

# PRONOTE's own lock-out and access texts, quoted in public client threads (DOMAIN.md,
# "What breaks in the real world": Papillon #606, #803; "Vous n'avez pas accès à
# l'Espace…"): the product's words, the same in both wordings.
_PRONOTE_REFUSALS: dict[str, str] = {
    "pn_ip_suspended": "Votre adresse IP est provisoirement suspendue.",
    "pn_too_many_errors": (
        "Vous avez dépassé le nombre d'erreurs d'authentification autorisées. "
        "Veuillez patienter avant de réessayer."
    ),
    "pn_space_refused": "Vous n'avez pas accès à l'Espace {space}.",
}
PRODUCT_TEXTS = frozenset(_PRONOTE_REFUSALS)

_DEFAULT: dict[str, str] = {
    # -- PRONOTE.net: root page (a real root may serve a page instead of redirecting)
    "pn_home_title": "PRONOTE",
    "pn_home_heading": "Choisissez votre espace",
    "pn_home_intro": "Accès aux espaces PRONOTE de l'établissement.",
    # -- PRONOTE.net: a space while its JavaScript builds it
    "pn_loading": "Chargement en cours…",
    "pn_js_error": "Une erreur est survenue au chargement de PRONOTE.",
    "pn_noscript": "PRONOTE nécessite JavaScript : activez-le dans votre navigateur.",
    "pn_menu": "Accueil|Cahier de textes|Notes|Vie scolaire|Communication",
    "pn_home_page": "Page d'accueil",
    "pn_home_widgets": "Travail à faire|Dernières notes|Emploi du temps",
    # -- PRONOTE.net: its own login form (CAS off, or ?login=true)
    "pn_login_title": "PRONOTE - Connexion",
    "pn_login_heading": "Connexion",
    "pn_login_intro": "Saisissez votre identifiant et votre mot de passe PRONOTE.",
    "pn_login_id": "Identifiant",
    "pn_login_password": "Mot de passe",
    "pn_login_button": "Se connecter",
    # Index Éducation's knowledge base, "Que signifie ce message d'erreur ?" (DOMAIN.md).
    "pn_login_bad": "Votre identifiant ou votre mot de passe est incorrect.",
    # -- PRONOTE.net: an ENT user it cannot link, 2025 (Index Éducation's KB, DOMAIN.md)
    "pn_unlinked_title": "Identification impossible",
    "pn_unlinked_text": (
        "Les données d'authentification renseignées dans l'ENT ne correspondent pas aux "
        "données renseignées dans PRONOTE."
    ),
    # The form's wording is not public: inference (the KB says the user fills it in).
    "pn_unlinked_intro": (
        "Complétez le formulaire ci-dessous : votre demande sera transmise à "
        "l'établissement, qui vous donnera accès à votre espace."
    ),
    "pn_unlinked_fields": "Nom|Prénom|Date de naissance (jj/mm/aaaa)",
    "pn_unlinked_button": "Envoyer la demande",
    "pn_unlinked_sent": (
        "Votre demande a été transmise à l'établissement. Vous serez prévenu dès que "
        "votre compte sera associé."
    ),
    # -- PRONOTE.net: the seed's 2011 first-connection prompt (the seed's own words)
    "pn_prompt_title": "Première connexion",
    "pn_prompt_intro": (
        "Pour cette première connexion depuis l'ENT, saisissez votre identifiant PRONOTE "
        "ENT, communiqué par votre établissement."
    ),
    "pn_prompt_field": "Identifiant PRONOTE ENT",
    "pn_prompt_button": "Valider",
    "pn_prompt_bad": "Identifiant incorrect. Vérifiez votre saisie.",
    # -- PRONOTE.net: recognition "par double authentification" (wording: inference)
    "pn_double_title": "Première connexion depuis l'ENT",
    "pn_double_intro": (
        "Pour cette première connexion depuis l'ENT, saisissez vos identifiant et mot de "
        "passe PRONOTE."
    ),
    "pn_double_button": "Valider",
    # PRONOTE's second factor (PRONOTE 2024, DOMAIN.md: a PIN code, trusted devices); the
    # real step is drawn by PRONOTE's script and its words are not public: inferences.
    "pn_pin_title": "Double authentification",
    "pn_pin_intro": "Pour sécuriser votre compte, saisissez votre code PIN.",
    "pn_pin_label": "Code PIN",
    "pn_pin_device": "Enregistrer cet appareil comme appareil de confiance.",
    "pn_pin_button": "Valider",
    # -- PRONOTE.net: errors. Titles "Impossible d'afficher la page" and "Accès refusé",
    # and "Le site n'est pas disponible", are real (DOMAIN.md); the sentences under the
    # CAS ones are inferences (no public wording).
    "pn_error_title": "Impossible d'afficher la page",
    "pn_unavailable_title": "Le site n'est pas disponible",
    "pn_unavailable_text": "Le site est momentanément indisponible. Veuillez réessayer plus tard.",
    "pn_not_found": "La page demandée n'existe pas.",
    "pn_cas_unreadable": (
        "La réponse du serveur d'authentification de l'ENT n'a pas pu être interprétée."
    ),
    "pn_cas_refused": (
        "Votre authentification par l'ENT n'a pas été acceptée. Reconnectez-vous depuis l'ENT."
    ),
    "pn_cas_down": "Le serveur d'authentification de l'ENT ne répond pas.",
    "pn_session_expired": "Votre session a expiré. Reconnectez-vous depuis l'ENT.",
    **_PRONOTE_REFUSALS,
    # PRONOTE.net's non-essential classes (the ids of its inputs are generated anyway).
    "pn_cls_page": "pn-page",
    "pn_cls_error": "pn-erreur",
    # -- ENT portal (eCollège-like, Kosmos family)
    "ent_name": "eCollège 31",
    "ent_portal_title": "Mon espace",
    "ent_greeting": "Bonjour {prenom}, bienvenue sur votre ENT.",
    "ent_services": "Mes services",
    "ent_other_services": "Cahier de textes|Messagerie|Ressources numériques",
    "ent_logout": "Se déconnecter",
    "ent_admin": "Administration",
    "ent_denied_title": "Accès refusé",
    # The ENT's maintenance page: no public wording; an inference, plausible for any ENT.
    "ent_maintenance_title": "Maintenance en cours",
    "ent_maintenance_text": (
        "Votre ENT est en cours de maintenance. Le service sera rétabli dans les meilleurs délais."
    ),
    "ent_cls_maintenance": "page-maintenance",
    "ent_denied_text": "Cette page est réservée aux administrateurs.",
    "ent_login_failed_title": "Erreur de connexion",
    "ent_login_failed_text": "La connexion a échoué.",
    "ent_retry": "Réessayer",
    "ent_no_service_title": "Service introuvable",
    "ent_no_service_text": "Ce service n'existe pas.",
    # -- ENT administration: Gestion du portail (seed part IV)
    "ent_portal_admin": "Gestion du portail",
    "ent_portal_admin_heading": "Gestion du portail : service Pronote",
    "ent_field_url": "URL",
    "ent_field_code": "Code",
    "ent_field_label": "Intitulé",
    "ent_field_mode": "Ouverture",
    "ent_mode_labels": "Nouvel onglet|Même onglet|Fenêtre pop-up|Cadre du portail",
    "ent_field_active": "Service affiché dans le portail",
    "ent_save": "Enregistrer",
    "ent_saved": "Service enregistré.",
    "ent_bad_url": "URL invalide : elle doit commencer par http:// ou https://.",
    "ent_removed": "Service retiré du portail.",
    # -- ENT administration: import of PRONOTE's identifiers file (seed part V)
    "ent_import_admin": "Import des identifiants PRONOTE",
    "ent_import_intro": "Fichier des identifiants exporté depuis PRONOTE Client (code à 16 caractères).",
    "ent_import_file": "Fichier",
    "ent_import_full": "Import complet",
    "ent_import_partial": "Import partiel",
    "ent_import_button": "Importer",
    "ent_import_done": "Import {kind} terminé : {matched} identifiant(s) associé(s).",
    "ent_import_kind_full": "complet",
    "ent_import_kind_partial": "partiel",
    "ent_import_refused": "Import refusé.",
    "ent_import_not_text": (
        "Ce fichier n'est pas un fichier texte : exportez le fichier des identifiants depuis "
        "PRONOTE Client."
    ),
    "ent_import_not_export": (
        "Ce fichier n'est pas un export des identifiants PRONOTE : aucune ligne d'en-tête "
        "« Identifiant PRONOTE »."
    ),
    "ent_import_count": "{count} identifiant(s) PRONOTE actuellement importé(s).",
    # The ENT's non-essential classes and ids.
    "ent_cls_services": "services",
    "ent_id_user": "utilisateur",
    "ent_cls_ok": "message ok",
    "ent_cls_ko": "message ko",
    # The Pronote shortcut's label when the portal is set up (the admin may change it).
    "ent_shortcut_label": "Pronote",
}

_ALT: dict[str, str] = {
    "pn_home_title": "PRONOTE.net - Accueil",
    "pn_home_heading": "Accès aux Espaces",
    "pn_home_intro": "Sélectionnez l'espace auquel vous souhaitez accéder.",
    "pn_loading": "Veuillez patienter…",
    "pn_js_error": "Le chargement de l'application a échoué.",
    "pn_noscript": "Votre navigateur doit autoriser JavaScript pour afficher PRONOTE.",
    "pn_menu": "Mes données|Cahier de textes|Notes|Absences|Messagerie",
    "pn_home_page": "Accueil",
    "pn_home_widgets": "À faire pour demain|Mes notes|Mon emploi du temps",
    "pn_login_title": "PRONOTE - Identification",
    "pn_login_heading": "Identification",
    "pn_login_intro": "Merci de renseigner vos codes d'accès à PRONOTE.",
    "pn_login_id": "Nom d'utilisateur",
    "pn_login_password": "Votre mot de passe",
    "pn_login_button": "Valider",
    "pn_login_bad": "Échec de la connexion : vérifiez vos codes d'accès.",
    # Another version's way of saying "Identification impossible" (inference).
    "pn_unlinked_title": "Connexion impossible",
    "pn_unlinked_text": (
        "Vos informations de connexion ENT ne permettent pas de vous reconnaître dans PRONOTE."
    ),
    "pn_unlinked_intro": (
        "Indiquez votre identité : l'établissement rapprochera votre compte ENT de votre "
        "fiche PRONOTE."
    ),
    "pn_unlinked_fields": "Votre nom|Votre prénom|Votre date de naissance",
    "pn_unlinked_button": "Transmettre",
    "pn_unlinked_sent": "Demande enregistrée : l'établissement va traiter votre demande.",
    "pn_prompt_title": "Première utilisation depuis l'ENT",
    "pn_prompt_intro": (
        "Pour activer votre accès, indiquez le code personnel PRONOTE remis par "
        "l'établissement (16 caractères)."
    ),
    "pn_prompt_field": "Code personnel",
    "pn_prompt_button": "Activer",
    "pn_prompt_bad": "Ce code n'est pas reconnu.",
    "pn_double_title": "Vérification de votre compte",
    "pn_double_intro": "Confirmez votre identité avec vos codes d'accès PRONOTE habituels.",
    "pn_double_button": "Confirmer",
    "pn_pin_title": "Sécurisation du compte",
    "pn_pin_intro": "Confirmez votre connexion avec votre code personnel.",
    "pn_pin_label": "Code personnel",
    "pn_pin_device": "Se souvenir de cet appareil.",
    "pn_pin_button": "Continuer",
    # "Accès refusé" is a real error title; "HTTP Error 503" is quoted by Index
    # Éducation's KB, here in the words of Windows' HTTP.sys, which serves
    # PRONOTE.net's URL reservation when the service is stopped.
    "pn_error_title": "Accès refusé",
    "pn_unavailable_title": "HTTP Error 503. The service is unavailable.",
    "pn_unavailable_text": "Service Unavailable",
    "pn_not_found": "L'adresse demandée est inconnue.",
    "pn_cas_unreadable": "Échec de l'authentification déléguée : réponse inexploitable.",
    "pn_cas_refused": "Le jeton transmis par l'ENT a été rejeté.",
    "pn_cas_down": "Impossible de joindre le service d'authentification.",
    "pn_session_expired": "Délai dépassé : repassez par l'ENT.",
    **_PRONOTE_REFUSALS,
    "pn_cls_page": "zone-principale",
    "pn_cls_error": "message-alerte",
    # -- another ENT of the same family
    "ent_name": "ENT Occitanie",
    "ent_portal_title": "Accueil",
    "ent_greeting": "Bienvenue {prenom} !",
    "ent_services": "Mes applications",
    "ent_other_services": "Travail à faire|Mes messages|Médiathèque",
    "ent_logout": "Déconnexion",
    "ent_admin": "Paramétrage",
    "ent_denied_title": "Accès interdit",
    "ent_maintenance_title": "Opération de maintenance",
    "ent_maintenance_text": (
        "L'ENT est momentanément indisponible pour maintenance. Merci de revenir plus tard."
    ),
    "ent_cls_maintenance": "maintenance",
    "ent_denied_text": "Vous n'avez pas les droits nécessaires.",
    "ent_login_failed_title": "Authentification échouée",
    "ent_login_failed_text": "Impossible d'ouvrir votre session.",
    "ent_retry": "Recommencer",
    "ent_no_service_title": "Application inconnue",
    "ent_no_service_text": "Cette application n'est pas disponible.",
    "ent_portal_admin": "Services du portail",
    "ent_portal_admin_heading": "Service externe PRONOTE",
    "ent_field_url": "Adresse du service",
    "ent_field_code": "Identifiant du service",
    "ent_field_label": "Libellé",
    "ent_field_mode": "Mode d'ouverture",
    "ent_mode_labels": "Nouvelle fenêtre|Fenêtre courante|Fenêtre surgissante|Intégré",
    "ent_field_active": "Visible pour les utilisateurs",
    "ent_save": "Valider",
    "ent_saved": "Modifications enregistrées.",
    "ent_bad_url": "Adresse refusée : indiquez une adresse web complète (http ou https).",
    "ent_removed": "Le service n'apparaît plus dans le portail.",
    "ent_import_admin": "Fichier des identifiants PRONOTE",
    "ent_import_intro": "Déposez le fichier d'identifiants produit par PRONOTE Client.",
    "ent_import_file": "Fichier à déposer",
    "ent_import_full": "Remplacer tous les identifiants",
    "ent_import_partial": "Ajouter ou mettre à jour",
    "ent_import_button": "Envoyer",
    "ent_import_done": "{matched} identifiant(s) rapproché(s) ({kind}).",
    "ent_import_kind_full": "remplacement",
    "ent_import_kind_partial": "mise à jour",
    "ent_import_refused": "Fichier rejeté.",
    "ent_import_not_text": "Le fichier déposé est illisible (format binaire).",
    "ent_import_not_export": "Le fichier déposé ne contient aucune colonne « Identifiant PRONOTE ».",
    "ent_import_count": "Identifiants PRONOTE en base : {count}.",
    "ent_cls_services": "app-tiles",
    "ent_id_user": "user-menu",
    "ent_cls_ok": "alert alert-success",
    "ent_cls_ko": "alert alert-danger",
    # A real-world label: ENT portals show "PRONOTE" or "PRONOTE - Vie scolaire".
    "ent_shortcut_label": "PRONOTE - Vie scolaire",
}

_TEXTS: dict[str, dict[str, str]] = {"default": _DEFAULT, "alt": _ALT}


def texts(name: str) -> dict[str, str]:
    """The texts of wording *name* ("default" or "alt")."""
    if name not in _TEXTS:
        raise ValueError(f"unknown wording {name!r}; known: {', '.join(WORDINGS)}")
    return _TEXTS[name]


def items(words: dict[str, str], key: str) -> list[str]:
    """A list-valued text ("a|b|c") as a list."""
    return words[key].split("|")
