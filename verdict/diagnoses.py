"""What a journey's observation means: one catalogue of causes, and the rules that pick one.

Every failing check names one `Diagnosis` (a stable code, French texts for school
staff, the step of the set-up procedure to revisit) and lists the other causes the
same evidence allows. Rules rest only on what was observed: addresses and
redirects, the `service` PRONOTE.net announced, the CAS it sent the browser to, the
identity the CAS released, the page reached and its text, and which host failed.
A timeout alone proves nothing: it is reported with what the page showed.

    python -m verdict.diagnoses > docs/diagnoses.md   # regenerate the documented table
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import parse_qs, urlsplit

from verdict.cas import cas_root
from verdict.identifiers import IdentifiersFile, Row, lookup
from verdict.observation import (
    IP_SUSPENDED_TEXTS,
    TOO_MANY_ERRORS_TEXTS,
    UNAVAILABLE_TEXTS,
    Observation,
)

if TYPE_CHECKING:
    from e2e.target import Target

Outcome = Literal["passed", "failed"]


@dataclass(frozen=True)
class Diagnosis:
    """One named cause, in the words of the school staff who will fix it."""

    code: str  # stable: reports, Allure categories and scripts match on it
    title: str
    explanation: str  # what the user sees, and why
    fix: str  # what to do
    step: str  # where in the set-up procedure (seed) to look
    evidence: str  # what the verifier rests this diagnosis on
    warning: bool = False  # a warning never fails a check


_CATALOGUE = (
    Diagnosis(
        code="PN-ENT-IDENTIFIANTS-REFUSES",
        title="Identifiants ENT refusés",
        explanation=(
            "Après l'envoi de l'identifiant et du mot de passe du compte de test, la page de "
            "connexion de l'ENT revient : l'ENT (son serveur CAS) ne les accepte pas. La suite "
            "du parcours n'a pas pu être vérifiée."
        ),
        fix=(
            "Vérifier l'identifiant et le mot de passe du compte dans les réglages du "
            "vérificateur (.env, VERIFIER_ACCOUNTS), que le compte est actif dans l'ENT et que "
            "son mot de passe n'a pas expiré ; se connecter une fois à la main pour confirmer."
        ),
        step="Préalable : compte ENT de test",
        evidence=(
            "Après l'envoi du formulaire, le navigateur est toujours sur un formulaire de "
            "connexion du serveur CAS de l'ENT."
        ),
    ),
    Diagnosis(
        code="PN-ENT-INJOIGNABLE",
        title="ENT injoignable",
        explanation=(
            "L'adresse de l'ENT ne répond pas (connexion refusée ou interrompue, ou erreur "
            "serveur répétée) : l'utilisateur ne peut même pas se connecter à l'ENT."
        ),
        fix=(
            "Vérifier l'adresse de l'ENT (VERIFIER_ENT_URL) et l'état du service auprès de "
            "l'ENT ; depuis le réseau de l'établissement, vérifier que le proxy et le "
            "pare-feu laissent passer l'ENT."
        ),
        step="I.2 préalables : accès à l'ENT",
        evidence=(
            "Erreur réseau, ou réponse HTTP 5xx répétée, sur l'hôte de l'ENT (après les "
            "nouvelles tentatives)."
        ),
    ),
    Diagnosis(
        code="PN-CAS-INJOIGNABLE",
        title="Serveur CAS de l'ENT injoignable",
        explanation=(
            "Le serveur d'authentification (CAS) de l'ENT ne répond pas : la connexion à "
            "l'ENT, et donc l'accès à PRONOTE par l'ENT, sont impossibles."
        ),
        fix=(
            "Vérifier l'adresse du CAS (VERIFIER_CAS_URL) et l'état du service auprès de "
            "l'ENT ; depuis le réseau de l'établissement, vérifier le proxy et le pare-feu."
        ),
        step="I.2 préalables : serveur CAS de l'ENT",
        evidence="Erreur réseau, ou réponse HTTP 5xx répétée, sur l'hôte du CAS attendu.",
    ),
    Diagnosis(
        code="PN-PRONOTE-INJOIGNABLE",
        title="PRONOTE.net injoignable sur son port d'écoute",
        explanation=(
            "Après le clic sur le raccourci Pronote, le navigateur ne parvient pas à joindre "
            "PRONOTE.net (connexion refusée) : le port d'écoute CAS (82 dans la procédure) "
            "n'est pas ouvert vers le serveur de la DMZ, ou PRONOTE.net n'écoute pas sur ce "
            "port."
        ),
        fix=(
            "Ouvrir sur la PFS le port d'écoute CAS de PRONOTE.net (82 par défaut, 80 pour le "
            "PRONOTE.net classique) vers le serveur de la DMZ ; dans PRONOTE.net, vérifier le "
            "port d'écoute (II.4), la réservation du préfixe d'URL "
            "http://+:82/pronote.net/cas/ (II.5) et que la publication est lancée."
        ),
        step="I.2 ports de la PFS",
        evidence=(
            "Connexion refusée ou interrompue sur l'adresse de PRONOTE.net (écoute CAS ou "
            "PRONOTE.net classique)."
        ),
    ),
    Diagnosis(
        code="PN-URL-CAS-ERRONEE",
        title="URL du serveur CAS erronée dans PRONOTE.net",
        explanation=(
            "PRONOTE.net envoie l'utilisateur vers une adresse de CAS qui n'est pas celle du "
            "CAS de l'ENT : il tombe sur une page d'erreur (page introuvable, 404) ou sur une "
            "connexion étrangère au lieu d'entrer dans PRONOTE."
        ),
        fix=(
            "Dans PRONOTE.net, bouton « ENT », corriger l'URL du serveur CAS (II.3) pour "
            "qu'elle soit exactement celle du CAS de l'ENT, refaire le test d'authentification "
            "(II.9), puis republier."
        ),
        step="II.3 URL du serveur CAS",
        evidence=(
            "L'adresse de connexion CAS vers laquelle PRONOTE.net redirige n'a pas pour racine "
            "l'URL du CAS attendue (VERIFIER_CAS_URL)."
        ),
    ),
    Diagnosis(
        code="PN-URL-PUBLIQUE-ERRONEE",
        title="URL publique de PRONOTE.net erronée",
        explanation=(
            "Le CAS de l'ENT affiche que le service n'est pas autorisé : PRONOTE.net s'annonce "
            "auprès du CAS avec une adresse publique qui n'est pas la sienne (par exemple "
            "l'adresse d'exemple de la procédure)."
        ),
        fix=(
            "Dans PRONOTE.net, bouton « ENT », renseigner l'URL publique réelle de l'écoute "
            "CAS (II.6), celle que l'ENT connaît pour le service PRONOTE, puis republier."
        ),
        step="II.6 URL publique de PRONOTE.net",
        evidence=(
            "Le paramètre service de la redirection vers le CAS ne commence pas par l'URL "
            "publique attendue (VERIFIER_PRONOTE_URL), et le CAS refuse ce service."
        ),
    ),
    Diagnosis(
        code="PN-AUTH-CAS-DESACTIVEE",
        title="Authentification CAS désactivée dans PRONOTE.net",
        explanation=(
            "En cliquant sur le raccourci, l'utilisateur arrive sur la page de connexion de "
            "PRONOTE, qui lui demande identifiant et mot de passe PRONOTE : PRONOTE.net ne "
            "passe pas par le CAS de l'ENT."
        ),
        fix=(
            "Dans PRONOTE.net, bouton « ENT » : sélectionner « intégration dans un ENT avec "
            "CAS » (II.1), cocher « activer l'authentification » (II.2), puis republier."
        ),
        step="II.2 activer l'authentification",
        evidence=(
            "Formulaire de mot de passe servi par PRONOTE.net sans aucune redirection vers le "
            "CAS (pas de paramètre service), alors que le raccourci ne vise pas l'URL "
            "d'authentification directe."
        ),
    ),
    Diagnosis(
        code="PN-SITE-INDISPONIBLE",
        title="Site PRONOTE.net non publié ou indisponible",
        explanation=(
            "PRONOTE affiche « Le site n'est pas disponible » (ou « momentanément "
            "indisponible ») : la base n'est pas publiée, ou PRONOTE.net est arrêté."
        ),
        fix=(
            "Sur le serveur de la DMZ, ouvrir PRONOTE.net et publier la base (fin de la "
            "partie II) ; vérifier que le serveur PRONOTE tourne et que la base est en service."
        ),
        step="II publication de la base",
        evidence=(
            "Page de PRONOTE.net portant « Le site n'est pas disponible », ou réponse "
            "502/503/504 de PRONOTE.net après les nouvelles tentatives."
        ),
    ),
    Diagnosis(
        code="PN-GESTION-IDENTIFIANTS-DESACTIVEE",
        title="Gestion des identifiants ENT désactivée dans PRONOTE",
        explanation=(
            "À la première connexion, PRONOTE demande l'identifiant PRONOTE ENT alors que le "
            "CAS lui transmet bien cet identifiant : PRONOTE n'en tient pas compte."
        ),
        fix=(
            "Dans PRONOTE Client (superutilisateur), cocher « Activer la gestion des "
            "identifiants ENT (identifiant Pronote et identifiant CAS) » (III) ; vérifier "
            "aussi que le nom d'attribut attendu par PRONOTE.net est celui envoyé par le CAS."
        ),
        step="III gestion des identifiants ENT",
        evidence=(
            "Page de première connexion demandant l'identifiant, alors que la validation du "
            "ticket par le vérificateur montre l'attribut d'identifiant PRONOTE "
            "(VERIFIER_IDENTIFIER_ATTRIBUTE) pour ce compte."
        ),
    ),
    Diagnosis(
        code="PN-IDENTIFIANTS-NON-IMPORTES",
        title="Fichier des identifiants PRONOTE non importé dans l'ENT",
        explanation=(
            "À la première connexion, PRONOTE demande l'identifiant PRONOTE ENT : le CAS de "
            "l'ENT ne transmet aucun identifiant PRONOTE, ni pour ce compte ni pour les autres "
            "comptes vérifiés."
        ),
        fix=(
            "Exporter depuis PRONOTE Client le fichier des identifiants PRONOTE (codes à 16 "
            "caractères) et l'importer dans l'ENT en import complet (V) ; « python -m verdict "
            "audit FICHIER » vérifie le fichier avant l'import."
        ),
        step="V import des identifiants",
        evidence=(
            "Page de première connexion demandant l'identifiant ; l'attribut d'identifiant "
            "PRONOTE est absent de la validation du ticket pour ce compte et pour les autres "
            "comptes vérifiés de la cible."
        ),
    ),
    Diagnosis(
        code="PN-UTILISATEUR-ABSENT-IMPORT",
        title="Utilisateur absent du dernier import des identifiants",
        explanation=(
            "À la première connexion, PRONOTE demande l'identifiant PRONOTE ENT à cet "
            "utilisateur seulement : le CAS transmet l'identifiant PRONOTE des autres comptes, "
            "pas le sien (utilisateur ajouté après le dernier import)."
        ),
        fix=(
            "Exporter de nouveau le fichier des identifiants depuis PRONOTE Client et faire un "
            "import partiel dans l'ENT (V) ; vérifier que l'utilisateur y figure avec son code "
            "à 16 caractères."
        ),
        step="V import des identifiants (import partiel)",
        evidence=(
            "Attribut d'identifiant PRONOTE absent pour ce compte, présent pour d'autres "
            "comptes de la même cible."
        ),
    ),
    Diagnosis(
        code="PN-RACCOURCI-ABSENT",
        title="Raccourci Pronote absent du portail",
        explanation=(
            "Une fois connecté à l'ENT, l'utilisateur ne trouve pas de raccourci « Pronote » "
            "parmi ses services."
        ),
        fix=(
            "En administrateur de l'ENT, dans la gestion du portail, créer ou rendre visible "
            "le service Pronote (URL publique de PRONOTE.net, code, intitulé) pour les profils "
            "concernés (IV) ; vérifier l'intitulé attendu (VERIFIER_SHORTCUT_LABEL)."
        ),
        step="IV raccourci du portail",
        evidence="Aucun lien portant l'intitulé attendu sur la page du portail.",
    ),
    Diagnosis(
        code="PN-RACCOURCI-URL-DIRECTE",
        title="Le raccourci vise l'authentification directe de PRONOTE",
        explanation=(
            "Le raccourci Pronote de l'ENT ouvre la page de connexion directe de PRONOTE "
            "(identifiant et mot de passe PRONOTE) au lieu de passer par le CAS."
        ),
        fix=(
            "En administrateur de l'ENT, corriger l'URL du raccourci Pronote (IV) : l'URL "
            "publique de l'écoute CAS de PRONOTE.net (II.6), et non l'URL d'authentification "
            "directe notée en II.7."
        ),
        step="IV raccourci du portail",
        evidence=(
            "L'URL du raccourci est l'URL d'authentification directe (?login=true) et PRONOTE "
            "affiche son propre formulaire sans passer par le CAS."
        ),
    ),
    Diagnosis(
        code="PN-SERVICE-NON-AUTORISE",
        title="Service PRONOTE inconnu du CAS de l'ENT",
        explanation=(
            "Le CAS de l'ENT affiche que le service n'est pas autorisé, alors que PRONOTE.net "
            "annonce bien son URL publique : le CAS ne connaît pas ce service."
        ),
        fix=(
            "Faire déclarer dans l'ENT (service PRONOTE, administration du CAS) l'URL publique "
            "exacte de PRONOTE.net comme service autorisé, à l'identique de celle saisie en "
            "II.6 (schéma, port, chemin)."
        ),
        step="IV service PRONOTE déclaré dans l'ENT",
        evidence=(
            "Le paramètre service est l'URL publique attendue, et le CAS répond par une page "
            "de service non autorisé."
        ),
    ),
    Diagnosis(
        code="PN-UTILISATEUR-INCONNU-PRONOTE",
        title="Compte ENT associé à aucun utilisateur PRONOTE",
        explanation=(
            "PRONOTE affiche « Vous n'êtes pas autorisé à vous connecter : votre compte ENT "
            "n'est associé à aucun utilisateur de la base PRONOTE » : l'identifiant transmis "
            "par le CAS ne correspond à aucun utilisateur de la base."
        ),
        fix=(
            "Vérifier dans PRONOTE Client que l'utilisateur existe dans la base et que son "
            "identifiant PRONOTE ENT est celui importé dans l'ENT ; sinon exporter de nouveau "
            "le fichier des identifiants et refaire l'import (V)."
        ),
        step="V import des identifiants",
        evidence=(
            "Page d'erreur de PRONOTE.net après un ticket délivré par le CAS, avec le texte "
            "de compte ENT non associé."
        ),
    ),
    Diagnosis(
        code="PN-DOUBLE-AUTHENTIFICATION",
        title="PRONOTE demande identifiant et mot de passe PRONOTE (double authentification)",
        explanation=(
            "Après le passage par le CAS, la page « Première connexion » de PRONOTE demande "
            "l'identifiant et le mot de passe PRONOTE : PRONOTE.net reconnaît les utilisateurs "
            "par double authentification et non par l'identifiant PRONOTE transmis par l'ENT."
        ),
        fix=(
            "Dans PRONOTE.net, paramètres CAS (marteau-clé, II.8), choisir la reconnaissance "
            "des utilisateurs avec l'identité PRONOTE (identifiant transmis par le CAS) au lieu "
            "de la double authentification, puis republier."
        ),
        step="II.8 paramètres CAS (marteau-clé)",
        evidence=(
            "Formulaire avec mot de passe servi par PRONOTE.net au retour du CAS avec un "
            "ticket (page de première connexion)."
        ),
    ),
    Diagnosis(
        code="PN-CAS-REPONSE-ILLISIBLE",
        title="PRONOTE.net ne sait pas lire la réponse du CAS (MsXML)",
        explanation=(
            "PRONOTE affiche « Erreur lors de l'authentification CAS : réponse du serveur CAS "
            "illisible » : le CAS a répondu, mais PRONOTE.net ne sait pas lire sa réponse XML, "
            "typiquement parce que le composant MsXML du serveur de la DMZ n'est pas à jour."
        ),
        fix=(
            "Mettre à jour le composant Windows MsXML du serveur de la DMZ (MsXML 6 SP1, I.2), "
            "redémarrer PRONOTE.net, puis refaire « tester l'authentification par le serveur "
            "CAS » (II.9)."
        ),
        step="I.2 composant MsXML",
        evidence=(
            "Page d'erreur de PRONOTE.net « réponse du serveur CAS illisible » au retour du "
            "CAS avec un ticket, alors que le même CAS répond correctement au vérificateur."
        ),
    ),
    Diagnosis(
        code="PN-VALIDATION-TICKET-ECHEC",
        title="Échec de la validation du ticket CAS",
        explanation=(
            "Le CAS a délivré un ticket, mais PRONOTE.net n'a pas pu le faire valider (ticket "
            "refusé, CAS injoignable depuis la DMZ, réponse d'erreur) : l'utilisateur voit une "
            "erreur d'authentification CAS."
        ),
        fix=(
            "Dans PRONOTE.net, refaire « tester l'authentification par le serveur CAS » "
            "(II.9) ; vérifier que le serveur de la DMZ joint le CAS de l'ENT (proxy, pare-feu "
            "sortant), que l'URL du CAS (II.3) et l'URL publique (II.6) sont exactes, et "
            "l'heure du serveur."
        ),
        step="II.9 test d'authentification CAS",
        evidence=(
            "Page d'erreur de PRONOTE.net au retour du CAS avec un ticket, ou code d'échec "
            "CAS (INVALID_TICKET, INVALID_SERVICE...) à la validation faite par le vérificateur."
        ),
    ),
    Diagnosis(
        code="PN-BOUCLE-REDIRECTIONS",
        title="Boucle de redirections",
        explanation=(
            "Le navigateur est renvoyé sans fin entre les sites (ENT, CAS, PRONOTE.net) : la "
            "page n'arrive jamais."
        ),
        fix=(
            "Vérifier que l'URL publique de PRONOTE.net (II.6) a le bon schéma (http ou "
            "https) et le bon port derrière un éventuel proxy inverse, et que les cookies ne "
            "sont pas bloqués."
        ),
        step="II.6 URL publique de PRONOTE.net",
        evidence="Plus de 20 redirections successives (liste des adresses dans le rapport).",
    ),
    Diagnosis(
        code="PN-TLS-CERTIFICAT",
        title="Certificat HTTPS refusé",
        explanation=(
            "La connexion sécurisée à un des sites du parcours échoue : certificat expiré, "
            "émis pour un autre nom ou signé par une autorité inconnue. Le navigateur de "
            "l'utilisateur affiche un avertissement de sécurité."
        ),
        fix=(
            "Renouveler ou corriger le certificat du site en cause (nom exact, chaîne "
            "complète) ; pour un environnement de recette seulement, "
            "VERIFIER_INSECURE_TLS=true accepte le certificat (le rapport le signale)."
        ),
        step="I.2 préalables : certificats HTTPS",
        evidence="Erreur TLS (vérification du certificat) en joignant l'hôte indiqué.",
    ),
    Diagnosis(
        code="PN-DNS-ECHEC",
        title="Nom de domaine introuvable",
        explanation=(
            "Le nom d'un des sites du parcours ne se résout pas : l'utilisateur voit « site "
            "inaccessible »."
        ),
        fix=(
            "Vérifier l'orthographe de l'adresse en cause (réglages du vérificateur, URL "
            "publique de PRONOTE.net, URL du raccourci) et l'enregistrement DNS correspondant."
        ),
        step="I.2 préalables : nom DNS",
        evidence="Échec de la résolution DNS pour l'hôte indiqué.",
    ),
    Diagnosis(
        code="PN-IP-SUSPENDUE",
        title="Adresse IP suspendue par PRONOTE",
        explanation=(
            "PRONOTE affiche « Votre adresse IP est provisoirement suspendue » : trop de "
            "tentatives de connexion échouées sont venues de cette adresse, PRONOTE la bloque "
            "pour un temps."
        ),
        fix=(
            "Attendre la fin de la suspension ou la lever depuis l'administration de "
            "PRONOTE.net ; chercher ce qui a multiplié les échecs depuis cette adresse (script, "
            "vérificateur mal réglé). Derrière un proxy, tout l'établissement partage cette "
            "adresse."
        ),
        step="II sécurité de PRONOTE.net",
        evidence="Texte « Votre adresse IP est provisoirement suspendue » sur la page affichée.",
    ),
    Diagnosis(
        code="PN-TROP-ERREURS-AUTH",
        title="Trop d'erreurs d'authentification",
        explanation=(
            "PRONOTE affiche « Vous avez dépassé le nombre d'erreurs d'authentification "
            "autorisées » : le compte a accumulé des échecs de connexion et PRONOTE refuse de "
            "nouveaux essais pour le moment."
        ),
        fix=(
            "Attendre le délai de blocage, puis vérifier les identifiants utilisés et l'origine "
            "des échecs. Si l'utilisateur doit saisir un mot de passe PRONOTE, c'est déjà un "
            "défaut de configuration (voir PN-DOUBLE-AUTHENTIFICATION)."
        ),
        step="II sécurité de PRONOTE.net",
        evidence=(
            "Texte « Vous avez dépassé le nombre d'erreurs d'authentification autorisées » sur "
            "la page affichée."
        ),
    ),
    Diagnosis(
        code="PN-DELAI-DEPASSE",
        title="Délai d'attente dépassé",
        explanation=(
            "Le parcours s'est arrêté parce qu'une page ou une action n'a pas abouti dans le "
            "délai imparti ; la page affichée à ce moment ne suffit pas à en nommer la cause."
        ),
        fix=(
            "Ouvrir la page indiquée (« Constaté ») pour voir où le parcours bloque, relancer "
            "la vérification ; si cela se répète, examiner le site en cause (voir les autres "
            "causes possibles) ou augmenter VERIFIER_TIMEOUT_S."
        ),
        step="Selon la page constatée",
        evidence="Attente arrivée à son terme, sans page qui prouve une cause.",
    ),
    Diagnosis(
        code="PN-PAGE-INATTENDUE",
        title="Page inattendue",
        explanation=(
            "Le parcours aboutit à une page qui n'est ni l'espace PRONOTE ni une des erreurs "
            "connues (par exemple une page introuvable ou une page d'accueil)."
        ),
        fix=(
            "Ouvrir l'adresse indiquée (« Constaté ») et comparer avec la procédure ; vérifier "
            "l'URL du raccourci (IV) et l'URL publique de PRONOTE.net (II.6)."
        ),
        step="Selon la page constatée",
        evidence=(
            "Adresse, statut HTTP et texte de la dernière page, qui ne correspondent à aucun "
            "diagnostic connu."
        ),
    ),
    Diagnosis(
        code="PN-NOM-NON-AFFICHE",
        title="Nom de l'utilisateur absent de l'espace PRONOTE",
        explanation=(
            "Un espace PRONOTE s'ouvre, mais le nom attendu pour ce compte n'y apparaît pas : "
            "l'espace n'a pas fini de se construire, ou le compte ENT est relié au mauvais "
            "utilisateur PRONOTE."
        ),
        fix=(
            "Se connecter avec ce compte et lire le nom affiché ; si c'est un autre "
            "utilisateur, corriger son identifiant PRONOTE ENT dans le fichier importé (V ; "
            "« python -m verdict audit » signale les doublons) et vérifier dans PRONOTE Client "
            "l'identifiant CAS associé. Vérifier aussi le nom attendu dans les réglages "
            "(display_name du compte)."
        ),
        step="V import des identifiants (correspondance des comptes)",
        evidence="Espace PRONOTE atteint sans le nom attendu (display_name du compte).",
    ),
    Diagnosis(
        code="PN-COMPTE-ABSENT-FICHIER",
        title="Compte absent du fichier des identifiants PRONOTE",
        explanation=(
            "Le compte vérifié ne figure pas dans le fichier des identifiants PRONOTE indiqué "
            "au vérificateur : ni son identifiant PRONOTE transmis par le CAS, ni son "
            "identifiant CAS, ni son nom. Le prochain import dans l'ENT ne lui transmettra pas "
            "son identifiant : PRONOTE lui demandera l'identifiant PRONOTE ENT."
        ),
        fix=(
            "Exporter à nouveau le fichier des identifiants depuis PRONOTE Client après avoir "
            "vérifié que l'utilisateur existe dans la base, puis refaire un import partiel "
            "dans l'ENT ; « python -m verdict audit FICHIER » contrôle le fichier."
        ),
        step="V import des identifiants",
        evidence=(
            "Recherche du compte dans le fichier VERIFIER_IDENTIFIERS_FILE par identifiant "
            "PRONOTE, identifiant CAS puis nom."
        ),
    ),
    Diagnosis(
        code="PN-RESEAU-LENT",
        title="Réseau lent",
        explanation=(
            "PRONOTE s'ouvre, mais le parcours est lent : l'utilisateur attend longtemps entre "
            "l'ENT, le CAS et PRONOTE."
        ),
        fix=(
            "Rien ne bloque. Si la lenteur persiste, vérifier le lien réseau de l'établissement "
            "et de la DMZ (débit, proxy, PFS) et la charge du serveur PRONOTE.net."
        ),
        step="I.2 préalables : réseau",
        evidence=(
            "Temps de réponse médian des serveurs par page au-dessus de 1,5 s (0,28 s pour le "
            "lab) et, hors navigateur, chaque étape au-dessus du double ; ou parcours entier "
            "au-delà de 60 s."
        ),
        warning=True,
    ),
    Diagnosis(
        code="PN-RESEAU-INSTABLE",
        title="Réseau instable",
        explanation=(
            "Une requête a échoué (erreur 502/503/504 ou coupure) et n'a réussi qu'après une "
            "nouvelle tentative : un utilisateur aurait vu une page d'erreur et dû recharger."
        ),
        fix=(
            "Rien ne bloque. Si cela se répète, signaler au support de l'ENT ou de "
            "l'établissement l'adresse en cause (répartiteur de charge, proxy)."
        ),
        step="I.2 préalables : réseau",
        evidence="Nouvelles tentatives notées pendant le parcours, avant une réponse correcte.",
        warning=True,
    ),
)

CATALOGUE: dict[str, Diagnosis] = {d.code: d for d in _CATALOGUE}

# What each lab fault (lab.state.FAULTS) must be named; the e2e fault matrix uses it too.
FAULT_CODES: dict[str, str] = {
    "msxml_outdated": "PN-CAS-REPONSE-ILLISIBLE",
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


# When is a journey slow? When the servers' median time per page ("hop_median", which the
# journeys record) is over SLOW_HOP_S and, for the probe, even its fastest step (one
# action and its redirects: two requests or more) took twice that. The probe's steps are
# pure network; the browser's also hold rendering and screenshots, so only the hops count
# there. Two measures, because on a loaded machine CPU contention alone can push the
# median of a healthy lab over the lab threshold, seldom every step as well. On loopback a
# lab hop takes milliseconds and the lab's `slow_network` adds 0.3 s to every request.
# And always when the whole journey took over SLOW_JOURNEY_S.
SLOW_HOP_S = 1.5
LAB_SLOW_HOP_S = 0.28
MIN_TIMED_STEPS = 3
SLOW_JOURNEY_S = 60.0
NOT_STEPS = {"total", "hop_median"}  # timings that are not steps of the journey


@dataclass
class RunContext:
    """Facts gathered across the accounts checked so far in a run.

    `released` maps (target name, account login) to the names of the CAS attributes
    released to PRONOTE for that account (non-empty values only), when the verifier
    could validate a ticket itself.
    """

    released: dict[tuple[str, str], frozenset[str]] = field(default_factory=dict)
    slow_hop_s: float | None = None  # None: SLOW_HOP_S, or LAB_SLOW_HOP_S for the lab
    slow_journey_s: float | None = None  # None: SLOW_JOURNEY_S (no limit for the lab)

    def add(self, obs: Observation) -> None:
        validation = obs.cas_validation
        if validation is not None and validation.ok:
            names = frozenset(k for k, values in validation.attributes.items() if any(values))
            self.released[(obs.target, obs.account)] = names

    @classmethod
    def from_observations(cls, observations: list[Observation], **kwargs: Any) -> RunContext:
        context = cls(**kwargs)
        for obs in observations:
            context.add(obs)
        return context

    def identifier_released(self, target: Target, *, besides: str) -> tuple[int, int]:
        """(accounts of *target* that got the identifier, accounts checked), *besides* left out."""
        seen = [
            target.identifier_attribute in names
            for (name, login), names in self.released.items()
            if name == target.name and login != besides
        ]
        return sum(seen), len(seen)


@dataclass(frozen=True)
class Verdict:
    """What one account's check concludes."""

    outcome: Outcome
    diagnosis: Diagnosis | None
    alternatives: list[Diagnosis] = field(default_factory=list)
    warnings: list[Diagnosis] = field(default_factory=list)
    details: str = ""

    @property
    def code(self) -> str | None:
        return self.diagnosis.code if self.diagnosis else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "diagnosis": asdict(self.diagnosis) if self.diagnosis else None,
            "alternatives": [d.code for d in self.alternatives],
            "warnings": [d.code for d in self.warnings],
            "details": self.details,
        }


# -- classification ---------------------------------------------------------------------
def diagnose(obs: Observation, *, target: Target, context: RunContext | None = None) -> Verdict:
    """Name the cause of what *obs* shows; only a PRONOTE space, without any prompt, passes."""
    context = context or RunContext()
    warnings = [CATALOGUE[c] for c in _warning_codes(obs, target, context)]
    code, alternatives = _classify(obs, target, context)
    if code is None:
        return Verdict("passed", None, [], warnings, _details(obs, target, None, context))
    alternatives = [a for a in dict.fromkeys(alternatives) if a != code]
    return Verdict(
        "failed",
        CATALOGUE[code],
        [CATALOGUE[a] for a in alternatives],
        warnings,
        _details(obs, target, code, context),
    )


Found = tuple[str | None, list[str]]  # (code, alternatives); no code: the check passes


def _classify(obs: Observation, target: Target, context: RunContext) -> Found:
    text = obs.final_text.casefold()
    if obs.final_kind == "space" and not obs.timed_out:
        if obs.display_name_seen is False:
            return "PN-NOM-NON-AFFICHE", []
        return None, []
    # PRONOTE's lock-out texts name their cause, wherever they show.
    if any(t in text for t in IP_SUSPENDED_TEXTS):
        return "PN-IP-SUSPENDUE", []
    if any(t in text for t in TOO_MANY_ERRORS_TEXTS):
        return "PN-TROP-ERREURS-AUTH", []
    if obs.credentials_rejected:
        return "PN-ENT-IDENTIFIANTS-REFUSES", []
    # The CAS PRONOTE.net sends the browser to is evidence by itself, whatever happened next.
    if _wrong_cas(obs, target) and not obs.ticket_issued:
        after = _network(obs, target)[0] if obs.network_error else None
        timeout = obs.timed_out or obs.network_error == "timeout"
        alternatives = [c for c in (after, "PN-DELAI-DEPASSE" if timeout else None) if c]
        return "PN-URL-CAS-ERRONEE", alternatives
    if obs.network_error == "timeout" or obs.timed_out:
        return _timeout(obs, target, context)
    if obs.network_error:
        return _network(obs, target)
    found, _ = _page(obs, target, context)
    return found


def _timeout(obs: Observation, target: Target, context: RunContext) -> Found:
    """A timeout names its cause only when the page shown then proves one."""
    (code, alternatives), proven = _page(obs, target, context)
    if proven and code is not None:
        return code, alternatives
    hints: list[str] = []
    host = _host_role(obs.network_error_url or obs.final_url, target)
    if host is not None:
        hints.append(
            {"ent": "PN-ENT-INJOIGNABLE", "cas": "PN-CAS-INJOIGNABLE"}.get(
                host, "PN-PRONOTE-INJOIGNABLE"
            )
        )
    if obs.final_kind == "space" and obs.display_name_seen is not True:
        hints.append("PN-NOM-NON-AFFICHE")
    if code not in (None, "PN-PAGE-INATTENDUE"):
        hints.append(code)
    return "PN-DELAI-DEPASSE", hints


def _network(obs: Observation, target: Target) -> Found:
    kind = obs.network_error
    if kind == "dns":
        return "PN-DNS-ECHEC", []
    if kind == "tls":
        return "PN-TLS-CERTIFICAT", []
    if kind == "redirect_loop":
        return "PN-BOUCLE-REDIRECTIONS", []
    role = _host_role(obs.network_error_url or obs.final_url, target)
    if role == "ent":
        return "PN-ENT-INJOIGNABLE", []
    if role == "cas":
        return "PN-CAS-INJOIGNABLE", []
    if role == "pronote":
        return "PN-PRONOTE-INJOIGNABLE", []
    # A host that is none of the target's: part of the ENT's login chain before the
    # portal (an identity provider), on the way to PRONOTE after it.
    if not obs.reached_portal:
        return "PN-ENT-INJOIGNABLE", ["PN-CAS-INJOIGNABLE"]
    return "PN-PRONOTE-INJOIGNABLE", ["PN-PAGE-INATTENDUE"]


def _page(obs: Observation, target: Target, context: RunContext) -> tuple[Found, bool]:
    """The cause the last page shows, and whether that page proves it on its own."""
    text = obs.final_text.casefold()
    kind = obs.final_kind
    unexpected: Found = ("PN-PAGE-INATTENDUE", [])
    if obs.shortcut_found is False:
        return ("PN-RACCOURCI-ABSENT", []), True
    if kind == "identifier_prompt":
        return _identifier_prompt(obs, target, context), True
    if kind == "password_prompt":
        return _password_prompt(obs, target, text)
    if kind == "cas_service_refused":
        if obs.pronote_service is None:
            return ("PN-SERVICE-NON-AUTORISE", ["PN-URL-PUBLIQUE-ERRONEE"]), True
        if not _under(obs.pronote_service, target.pronote_url):
            return ("PN-URL-PUBLIQUE-ERRONEE", ["PN-SERVICE-NON-AUTORISE"]), True
        return ("PN-SERVICE-NON-AUTORISE", []), True
    if kind == "pronote_unavailable" or any(t in text for t in UNAVAILABLE_TEXTS):
        return ("PN-SITE-INDISPONIBLE", []), True
    if kind == "pronote_error":
        return _pronote_error(obs, target, text)
    if kind == "http_error":
        role = _host_role(obs.final_url, target)
        status = obs.final_status or 0
        if status >= 500 and role == "pronote":
            return ("PN-SITE-INDISPONIBLE", []), True
        if status >= 500 and role == "ent":
            return ("PN-ENT-INJOIGNABLE", []), True
        if status >= 500 and role == "cas":
            return ("PN-CAS-INJOIGNABLE", []), True
    validation = obs.cas_validation
    if validation is not None and validation.failure_code and obs.ticket_issued:
        # Our own validation failed for PRONOTE's service: the same would fail for PRONOTE.
        if validation.failure_code == "INVALID_SERVICE" and not _under(
            validation.service, target.pronote_url
        ):
            return ("PN-URL-PUBLIQUE-ERRONEE", ["PN-VALIDATION-TICKET-ECHEC"]), False
        return ("PN-VALIDATION-TICKET-ECHEC", ["PN-PAGE-INATTENDUE"]), False
    if obs.ticket_issued and _wrong_cas(obs, target):
        return ("PN-PAGE-INATTENDUE", ["PN-URL-CAS-ERRONEE"]), False
    return unexpected, False


def _identifier_prompt(obs: Observation, target: Target, context: RunContext) -> Found:
    released = _released(obs, target)
    if released is True:
        return "PN-GESTION-IDENTIFIANTS-DESACTIVEE", []
    others, checked = context.identifier_released(target, besides=obs.account)
    if released is None:  # we could not see what the CAS released for this account
        if others:
            return "PN-UTILISATEUR-ABSENT-IMPORT", ["PN-GESTION-IDENTIFIANTS-DESACTIVEE"]
        return "PN-IDENTIFIANTS-NON-IMPORTES", [
            "PN-UTILISATEUR-ABSENT-IMPORT",
            "PN-GESTION-IDENTIFIANTS-DESACTIVEE",
        ]
    if others:
        return "PN-UTILISATEUR-ABSENT-IMPORT", []
    if checked:
        return "PN-IDENTIFIANTS-NON-IMPORTES", []
    # Nobody else checked yet: a whole missing import is the likelier set-up mistake.
    return "PN-IDENTIFIANTS-NON-IMPORTES", ["PN-UTILISATEUR-ABSENT-IMPORT"]


def _password_prompt(obs: Observation, target: Target, text: str) -> tuple[Found, bool]:
    if obs.ticket_issued or "première connexion" in text:
        return ("PN-DOUBLE-AUTHENTIFICATION", []), True
    if _is_direct(obs.shortcut_url, target) or _is_direct(obs.final_url, target):
        return ("PN-RACCOURCI-URL-DIRECTE", []), True
    if obs.pronote_service is None:
        alternatives = []
        classic = target.pronote_classic_url
        if classic and obs.shortcut_url and _same_host(obs.shortcut_url, classic):
            alternatives.append("PN-RACCOURCI-URL-DIRECTE")
        return ("PN-AUTH-CAS-DESACTIVEE", alternatives), True
    return ("PN-PAGE-INATTENDUE", ["PN-DOUBLE-AUTHENTIFICATION"]), False


def _pronote_error(obs: Observation, target: Target, text: str) -> tuple[Found, bool]:
    validation = obs.cas_validation
    if "illisible" in text:
        if validation is not None and validation.failure_code == "INVALID_RESPONSE":
            # The CAS answers us badly too: not PRONOTE.net's XML component.
            return ("PN-VALIDATION-TICKET-ECHEC", ["PN-CAS-REPONSE-ILLISIBLE"]), True
        if validation is not None and validation.ok:
            return ("PN-CAS-REPONSE-ILLISIBLE", []), True
        return ("PN-CAS-REPONSE-ILLISIBLE", ["PN-VALIDATION-TICKET-ECHEC"]), True
    if "associé à aucun utilisateur" in text or "pas autorisé à vous connecter" in text:
        return ("PN-UTILISATEUR-INCONNU-PRONOTE", []), True
    if "authentification cas" in text or "ticket" in text:
        return ("PN-VALIDATION-TICKET-ECHEC", []), True
    if obs.ticket_issued and obs.final_url and "ticket=" in obs.final_url:
        return ("PN-VALIDATION-TICKET-ECHEC", ["PN-PAGE-INATTENDUE"]), False
    return ("PN-PAGE-INATTENDUE", []), False


# -- warnings -----------------------------------------------------------------------------
_RETRY_RE = re.compile(r"\b(retry|nouvel essai|nouvelle tentative)\b.*?\bat (?P<url>\S+)", re.I)
_SLOW_RE = re.compile(r"\b(slow|lent|lente)\b", re.I)


def _warning_codes(obs: Observation, target: Target, context: RunContext) -> list[str]:
    codes = []
    failed_at = {obs.final_url, obs.network_error_url} if not _reached_space(obs) else set()
    for warning in obs.warnings:
        match = _RETRY_RE.search(warning)
        # Retries of the very page the journey failed on are the failure, not instability.
        if match and match["url"] not in failed_at:
            codes.append("PN-RESEAU-INSTABLE")
        elif _SLOW_RE.search(warning):
            codes.append("PN-RESEAU-LENT")
    if _slow(obs, target, context):
        codes.append("PN-RESEAU-LENT")
    return list(dict.fromkeys(codes))


def _slow(obs: Observation, target: Target, context: RunContext) -> bool:
    hop_s = _given(context.slow_hop_s, LAB_SLOW_HOP_S if target.is_lab else SLOW_HOP_S)
    journey_s = _given(context.slow_journey_s, None if target.is_lab else SLOW_JOURNEY_S)
    total = obs.timings.get("total")
    if journey_s is not None and total is not None and total >= journey_s:
        return True
    hop = obs.timings.get("hop_median")
    steps = [s for name, s in obs.timings.items() if name not in NOT_STEPS]
    measures = [] if hop is None else [hop >= hop_s]
    if obs.mode != "browser" and len(steps) >= MIN_TIMED_STEPS:
        measures.append(min(steps) >= 2 * hop_s)
    return bool(measures) and all(measures)


def _given(value: float | None, default: float | None) -> float | None:
    return default if value is None else value


# -- evidence -----------------------------------------------------------------------------
def _released(obs: Observation, target: Target) -> bool | None:
    """Whether the CAS released the PRONOTE identifier to PRONOTE for this account."""
    validation = obs.cas_validation
    if validation is None or not validation.ok:
        return None
    return bool(validation.attribute(target.identifier_attribute))


def _reached_space(obs: Observation) -> bool:
    return obs.final_kind == "space" and not obs.timed_out


def _norm(url: str) -> str:
    """Scheme and host lowercased, default port dropped, path kept: how CAS compares roots."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = parts.netloc.lower()
    for default in (":80", ":443"):
        if host.endswith(default) and {"http": ":80", "https": ":443"}.get(scheme) == default:
            host = host.removesuffix(default)
    return f"{scheme}://{host}{parts.path}"


def _under(url: str, root: str) -> bool:
    """*url* is *root* or below it (PRONOTE announces its root or one of its space pages)."""
    url, root = _norm(url), _norm(root)
    return url == root or url.startswith(root if root.endswith("/") else root + "/")


def _same_host(a: str, b: str) -> bool:
    return urlsplit(_norm(a)).netloc == urlsplit(_norm(b)).netloc


def _wrong_cas(obs: Observation, target: Target) -> bool:
    """PRONOTE.net sent the browser to a CAS whose root is not the target's CAS."""
    url = obs.pronote_cas_login_url
    if not url:
        return False
    expected = target.cas_url if target.cas_url.endswith("/") else target.cas_url + "/"
    return _norm(cas_root(url)) != _norm(expected)


def _is_direct(url: str | None, target: Target) -> bool:
    if not url:
        return False
    if target.pronote_direct_url and _norm(url) == _norm(target.pronote_direct_url):
        return urlsplit(url).query == urlsplit(target.pronote_direct_url).query
    on_pronote = urlsplit(url).netloc in target.pronote_hosts
    return on_pronote and parse_qs(urlsplit(url).query).get("login") == ["true"]


def _host_role(url: str | None, target: Target) -> str | None:
    """Which of the target's sites *url* belongs to: "ent", "cas", "pronote" or None."""
    if not url:
        return None
    if _under(url, target.cas_url):
        return "cas"
    host = urlsplit(_norm(url)).netloc
    if host in {urlsplit(_norm(u)).netloc for u in _pronote_urls(target)}:
        return "pronote"
    if host == urlsplit(_norm(target.ent_url)).netloc:
        return "ent"
    if host == urlsplit(_norm(target.cas_url)).netloc:
        return "cas"
    return None


def _pronote_urls(target: Target) -> list[str]:
    urls = (target.pronote_url, target.pronote_classic_url, target.pronote_direct_url)
    return [u for u in urls if u]


_STEPS = {
    "start": "début",
    "ent_login_page": "page de connexion de l'ENT",
    "portal": "portail de l'ENT",
    "shortcut": "raccourci Pronote",
    "pronote": "arrivée dans PRONOTE",
    "cas_identifier": "identifiant CAS",
}
_NETWORK = {
    "connection_refused": "connexion refusée",
    "connection_reset": "connexion interrompue",
    "timeout": "délai dépassé",
    "tls": "erreur TLS (certificat)",
    "dns": "nom introuvable (DNS)",
    "redirect_loop": "boucle de redirections",
    "http_error": "erreur HTTP",
    "network": "erreur réseau",
}
_TICKET_RE = re.compile(r"(ticket=)[^&\s#]+")


def _details(obs: Observation, target: Target, code: str | None, context: RunContext) -> str:
    """What was seen, in French: the page, its status and text, and the evidence of *code*."""
    parts = [f"étape atteinte : {_STEPS.get(obs.step, obs.step)}"]
    if obs.network_error:
        what = _NETWORK.get(obs.network_error, obs.network_error)
        parts.append(f"{what} sur {obs.network_error_url or obs.final_url or '?'}")
    if obs.timed_out:
        parts.append("délai d'attente dépassé")
    if obs.final_url:
        status = f" (HTTP {obs.final_status})" if obs.final_status else ""
        parts.append(f"page : {obs.final_url}{status}")
    if obs.final_text:
        excerpt = obs.final_text[:200] + ("…" if len(obs.final_text) > 200 else "")
        parts.append(f"texte : « {excerpt} »")
    if code in ("PN-RACCOURCI-ABSENT",):
        parts.append(f"intitulé cherché : « {target.shortcut_label} »")
    if obs.shortcut_url and code in ("PN-RACCOURCI-URL-DIRECTE", "PN-AUTH-CAS-DESACTIVEE"):
        parts.append(f"raccourci : {obs.shortcut_url}")
    if obs.pronote_service and code in (
        "PN-URL-PUBLIQUE-ERRONEE",
        "PN-SERVICE-NON-AUTORISE",
        "PN-VALIDATION-TICKET-ECHEC",
    ):
        parts.append(f"service annoncé : {obs.pronote_service} (attendu : {target.pronote_url})")
    if obs.pronote_cas_login_url and code in ("PN-URL-CAS-ERRONEE", "PN-PAGE-INATTENDUE"):
        parts.append(
            f"CAS utilisé : {cas_root(obs.pronote_cas_login_url)} (attendu : {target.cas_url})"
        )
    validation = obs.cas_validation
    if validation is not None and validation.failure_code:
        parts.append(f"validation du ticket : {validation.failure_code}")
    if code in (
        "PN-GESTION-IDENTIFIANTS-DESACTIVEE",
        "PN-IDENTIFIANTS-NON-IMPORTES",
        "PN-UTILISATEUR-ABSENT-IMPORT",
    ):
        released = _released(obs, target)
        state = {True: "transmis", False: "absent", None: "non vérifié"}[released]
        parts.append(f"attribut {target.identifier_attribute} : {state}")
        if validation is not None and validation.ok and not released:
            names = ", ".join(sorted(validation.attributes)) or "aucun"
            parts.append(f"attributs transmis : {names}")
        others, checked = context.identifier_released(target, besides=obs.account)
        if checked:
            parts.append(f"autres comptes avec l'identifiant : {others} sur {checked}")
    if obs.warnings:
        parts.append("avertissements : " + " ; ".join(obs.warnings))
    if "total" in obs.timings:
        parts.append(f"durée : {obs.timings['total']:.1f} s")
    if "hop_median" in obs.timings:
        parts.append(f"réponse médiane des serveurs : {obs.timings['hop_median']:.2f} s par page")
    return _TICKET_RE.sub(r"\1ST-…", " ; ".join(parts))


# -- words for people -----------------------------------------------------------------------
def check_identifiers_file(
    verdict: Verdict,
    obs: Observation,
    target: Target,
    display_name: str | None,
    f: IdentifiersFile,
) -> tuple[Verdict, Row | None]:
    """Look the account up in PRONOTE's export: by released code, Id. CAS, then name.

    An account missing from the file fails a check that passed otherwise
    (`PN-COMPTE-ABSENT-FICHIER`), and is an alternative cause of a failing one.
    """
    validation = obs.cas_validation if obs.cas_validation and obs.cas_validation.ok else None
    code = validation.attribute(target.identifier_attribute) if validation else None
    names: list[str] = []
    if display_name:
        words = display_name.split()
        names = [display_name, " ".join(words[1:] + words[:1])]  # "Léa MARTIN", "MARTIN Léa"
    row = (
        (lookup(f, pronote_id=code) if code else None)
        or (lookup(f, cas_id=validation.user) if validation and validation.user else None)
        or next((r for n in names if (r := lookup(f, name=n))), None)
    )
    if row is not None:
        return verdict, row
    missing = CATALOGUE["PN-COMPTE-ABSENT-FICHIER"]
    if verdict.outcome == "passed":
        return replace(verdict, outcome="failed", diagnosis=missing), None
    return replace(verdict, alternatives=[*verdict.alternatives, missing]), None


def message(verdict: Verdict) -> str:
    """One French paragraph for the report.

    "[CODE] Titre — explication. À corriger : … (procédure : étape). Constaté : …"
    """
    d = verdict.diagnosis
    if d is None:
        text = "Réussi : PRONOTE s'ouvre depuis l'ENT sans demander d'identifiant PRONOTE."
    else:
        fix = d.fix[:1].lower() + d.fix[1:].rstrip(".")
        text = (
            f"[{d.code}] {d.title} — {_sentence(d.explanation)} À corriger : {fix} "
            f"(procédure : {d.step})."
        )
        if verdict.alternatives:
            others = " ; ".join(f"[{a.code}] {a.title}" for a in verdict.alternatives)
            text += f" Autres causes possibles : {others}."
    if verdict.warnings:
        text += (
            " Avertissements : "
            + " ; ".join(f"[{w.code}] {w.title}" for w in verdict.warnings)
            + "."
        )
    if verdict.details:
        text += f" Constaté : {_sentence(verdict.details)}"
    return text


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?", "»")) else text + "."


def catalogue_markdown() -> str:
    """docs/diagnoses.md: every code, what the user sees, what to fix, the procedure step."""
    lines = [
        "# Diagnostics",
        "",
        "<!-- Généré par `python -m verdict.diagnoses > docs/diagnoses.md` : ne pas modifier "
        "à la main. -->",
        "",
        "Chaque vérification en échec nomme une cause par un code stable, avec l'étape de la "
        "procédure (document « PRONOTE non hébergé - ENTmip ») à reprendre. Les "
        "avertissements ne font jamais échouer une vérification.",
        "",
        "| Code | Ce que l'utilisateur voit | Quoi corriger | Étape de la procédure |",
        "| --- | --- | --- | --- |",
    ]
    for d in CATALOGUE.values():
        code = f"`{d.code}`" + (" (avertissement)" if d.warning else "")
        seen = f"**{_cell(d.title)}.** {_cell(d.explanation)}"
        lines.append(f"| {code} | {seen} | {_cell(d.fix)} | {_cell(d.step)} |")
    lines += [
        "",
        "## Plusieurs pannes à la fois",
        "",
        "Le parcours s'arrête à la première étape en panne : le diagnostic nomme la cause que "
        "cette étape montre, et « Autres causes possibles » liste ce que la même observation "
        "permet aussi. Une panne située plus loin n'apparaît qu'une fois la première corrigée. "
        "Combinaisons vérifiées contre le lab (pannes simulées) :",
        "",
    ]
    for pair in FAULT_PAIRS:
        said = f"`{pair.code}`"
        if pair.alternatives:
            said += ", autre cause possible " + ", ".join(f"`{c}`" for c in pair.alternatives)
        if pair.warnings:
            said += ", avertissement " + ", ".join(f"`{c}`" for c in pair.warnings)
        faults = " + ".join(f"`{f}`" for f in pair.faults)
        lines.append(f"- {faults} → {said}. {pair.why}")
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


if __name__ == "__main__":
    print(catalogue_markdown(), end="")
