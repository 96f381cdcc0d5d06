"""What the details ("Constaté : …") say: what was seen, in French, and the evidence."""

from __future__ import annotations

import re

from verdict.cas import cas_root
from verdict.judge.evidence import Evidence
from verdict.observation import Observation
from verdict.target import TargetLike

STEPS = {
    "start": "début",
    "ent_login_page": "page de connexion de l'ENT",
    "portal": "portail de l'ENT",
    "shortcut": "raccourci Pronote",
    "pronote": "arrivée dans PRONOTE",
    "cas_identifier": "identifiant CAS",
}
NETWORK = {
    "connection_refused": "connexion refusée",
    "connection_reset": "connexion interrompue",
    "timeout": "délai dépassé",
    "tls": "erreur TLS (certificat)",
    "dns": "nom introuvable (DNS)",
    "redirect_loop": "boucle de redirections",
    "http_error": "erreur HTTP",
    "network": "erreur réseau",
    "proxy_unreachable": "proxy injoignable",
    "proxy_auth": "authentification refusée par le proxy (HTTP 407)",
}
_SERVICE_CODES = (
    "PN-URL-PUBLIQUE-ERRONEE",
    "PN-SERVICE-NON-AUTORISE",
    "PN-VALIDATION-TICKET-ECHEC",
)
_IDENTIFIER_CODES = (
    "PN-GESTION-IDENTIFIANTS-DESACTIVEE",
    "PN-IDENTIFIANTS-NON-IMPORTES",
    "PN-UTILISATEUR-ABSENT-IMPORT",
    "PN-UTILISATEUR-INCONNU-PRONOTE",
)
_TICKET_RE = re.compile(r"(ticket=)[^&\s#]+")


def details(obs: Observation, target: TargetLike, code: str | None, evidence: Evidence) -> str:
    """What was seen: the page, its status and text, and the evidence of *code*."""
    parts = [f"étape atteinte : {STEPS.get(obs.step, obs.step)}"]
    if obs.login_route != "local":
        parts.append(f"connexion par : {obs.login_route}")
    if obs.login_family:
        parts.append(f"famille de connexion : {obs.login_family}")
    if obs.login_moved_to:
        parts.append(
            f"connexion de l'ENT déplacée vers : {obs.login_moved_to} "
            f"(adresse configurée : {target.cas_url})"
        )
    if obs.educonnect_offered is False:
        parts.append("choix ÉduConnect absent de la page de connexion")
    if obs.stopped_at_idp:
        parts.append("arrêt sur une page du fournisseur d'identité")
    if obs.identity_check_passed is False:
        parts.append("vérification d'identité ÉduConnect non passée")
    if obs.saml_return_refused:
        parts.append("retour d'ÉduConnect refusé par l'ENT (aucune session)")
    if obs.network_error:
        what = NETWORK.get(obs.network_error, obs.network_error)
        parts.append(f"{what} sur {obs.network_error_url or obs.final_url or '?'}")
    if obs.proxy:
        parts.append(f"proxy : {obs.proxy}")
    if obs.timed_out:
        parts.append("délai d'attente dépassé")
    if obs.journey_error:
        parts.append(f"le vérificateur n'a pas pu poursuivre : {obs.journey_error}")
    if obs.final_url:
        status = f" (HTTP {obs.final_status})" if obs.final_status else ""
        parts.append(f"page : {obs.final_url}{status}")
    if obs.final_text:
        excerpt = obs.final_text[:200] + ("…" if len(obs.final_text) > 200 else "")
        parts.append(f"texte : « {excerpt} »")
    if code == "PN-RACCOURCI-ABSENT":
        parts.append(f"intitulé cherché : « {target.shortcut_label} »")
    if obs.shortcut_url and code in ("PN-RACCOURCI-URL-DIRECTE", "PN-AUTH-CAS-DESACTIVEE"):
        parts.append(f"raccourci : {obs.shortcut_url}")
    if evidence.pronote_cas_active is False and code == "PN-AUTH-CAS-DESACTIVEE":
        parts.append("infoMobileApp.json : CAS.actif à faux")
    if obs.pronote_service and code in _SERVICE_CODES:
        parts.append(f"service annoncé : {obs.pronote_service} (attendu : {target.pronote_url})")
    if obs.pronote_cas_login_url and code in ("PN-URL-CAS-ERRONEE", "PN-PAGE-INATTENDUE"):
        used = cas_root(obs.pronote_cas_login_url)
        parts.append(f"CAS utilisé : {used} (attendu : {target.cas_url})")
    if obs.ticket_issued and code is not None:
        parts.append("ticket CAS délivré à PRONOTE : oui")
    validation = obs.cas_validation
    if validation is not None and validation.failure_code:
        parts.append(f"validation du ticket : {validation.failure_code}")
    elif validation is not None and validation.ok and code is not None:
        parts.append("validation du ticket par le vérificateur : réussie")
    if code in _IDENTIFIER_CODES:
        parts += _identifier_evidence(obs, target, evidence)
    if obs.retries:
        retried = " ; ".join(f"{r.cause} sur {r.url}" for r in obs.retries)
        parts.append(f"nouvelles tentatives : {retried}")
    if obs.warnings:
        parts.append("notes : " + " ; ".join(obs.warnings))
    if "total" in obs.timings:
        parts.append(f"durée : {obs.timings['total']:.1f} s")
    if "hop_median" in obs.timings:
        parts.append(f"réponse médiane des serveurs : {obs.timings['hop_median']:.2f} s par page")
    return _TICKET_RE.sub(r"\1ST-…", " ; ".join(parts))


def _identifier_evidence(obs: Observation, target: TargetLike, evidence: Evidence) -> list[str]:
    released = obs.identifier_released(evidence.attribute(target))
    state = {True: "transmis", False: "absent", None: "non vérifié"}[released]
    parts = [f"attribut {evidence.attribute(target)} : {state}"]
    validation = obs.cas_validation
    if validation is not None and validation.ok and not released:
        names = ", ".join(sorted(validation.attributes)) or "aucun"
        parts.append(f"attributs transmis : {names}")
    others, known = evidence.identifier_released(target, besides=obs.account)
    if known:
        parts.append(f"autres comptes avec l'identifiant : {others} sur {known}")
        entered = evidence.entered_with_identifier(target, besides=obs.account)
        parts.append(f"autres comptes entrés avec l'identifiant : {entered}")
    return parts
