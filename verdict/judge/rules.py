"""The rules that pick one cause, and the others possible, from what a journey observed.

Protocol evidence first: which host failed and how, the `service` PRONOTE.net announced
and the CAS it sent the browser to, whether the CAS issued a ticket, what our own
`p3/serviceValidate` of a fresh ticket released, what PRONOTE then served (a space, a
page asking for input, nothing) and what the other accounts of the run got. Texts
(`Wording`) only refine a code within the family the evidence gives, so a page whose
wording is unknown still lands in the right family:

- CAS refuses the service: after the ENT login, `/login?service=PRONOTE` stays on the CAS
  with no ticket and no login form;
- PRONOTE refuses or cannot read a valid ticket: a ticket was issued to PRONOTE, which
  then serves neither a space nor anything asking for input;
- user not linked: after a ticket, a PRONOTE page asking for input (the identifier
  attribute released or not, and the other accounts, tell which set-up step);
- site unavailable: 502/503/504 from PRONOTE.net; CAS off: PRONOTE's own login, no CAS.
"""

from __future__ import annotations

from verdict.cas import service_of
from verdict.judge.evidence import Evidence
from verdict.observation import Observation
from verdict.page import UNAVAILABLE_STATUSES
from verdict.target import TargetLike
from verdict.urls import host_role, is_direct, same_host, under, wrong_cas
from verdict.wording import Wording, found

Found = tuple[str | None, list[str]]  # (code, alternatives); no code: the check passes

UNEXPECTED: Found = ("PN-PAGE-INATTENDUE", [])


def classify(obs: Observation, target: TargetLike, evidence: Evidence) -> Found:
    """The cause *obs* shows; only a proven PRONOTE space passes."""
    if obs.not_tried:  # logins to this target stopped: the cause another account met
        stopper = evidence.observation_of(target, obs.not_tried)
        if stopper is None or stopper.not_tried:
            return UNEXPECTED
        return classify(stopper, target, evidence)
    if obs.space_reached():
        return ("PN-NOM-NON-AFFICHE", []) if obs.display_name_seen is False else (None, [])
    # The proxy failed the request: no server of the target was asked, none is named.
    if obs.network_error in _PROXY_CODES:
        return _PROXY_CODES[obs.network_error], []
    # PRONOTE's lock-out texts name their cause, wherever they show.
    if found(obs.final_text, evidence.wording.ip_suspended):
        return "PN-IP-SUSPENDUE", []
    if found(obs.final_text, evidence.wording.too_many_errors):
        return "PN-TROP-ERREURS-AUTH", []
    # The ENT's maintenance page, before anything else it could be taken for.
    if host_role(obs.final_url, target) in ("ent", "cas") and found(
        obs.final_text, evidence.wording.ent_maintenance
    ):
        return "PN-ENT-MAINTENANCE", []
    if obs.captcha_asked:
        return "PN-ENT-CAPTCHA", []
    if obs.route_refusal:  # a refusal only this ENT family shows, named by its route
        return obs.route_refusal, []
    if obs.saml_return_refused and (obs.final_status or 0) >= 500:
        # The ENT's ACS failed on ÉduConnect's answer: its server error, not a refusal.
        return "PN-ENT-RETOUR-SAML-ERREUR", []
    if obs.saml_return_refused:
        return assertion_rejected(obs, target, evidence)
    if obs.educonnect_offered is False:
        return "PN-WAYF-CHOIX-ABSENT", []
    if obs.identity_check_passed is False:
        return "PN-EDUCONNECT-VERIFICATION-IDENTITE", []
    if obs.stopped_at_idp:  # its error page after the login, or no answer at all
        unavailable = (obs.final_status or 0) >= 500 or obs.final_kind == "pronote_unavailable"
        if (obs.final_status or 0) >= 500 and obs.idp_password_sent:
            # It failed on the password it was sent: a server error at that step.
            return "PN-EDUCONNECT-ERREUR-SERVEUR", []
        if unavailable:
            return "PN-EDUCONNECT-INDISPONIBLE", []
        # A page of its own that asks for something: a step no page object knows.
        return ("PN-EDUCONNECT-ETAPE-INCONNUE" if obs.idp_unknown_step else UNEXPECTED[0]), []
    if obs.credentials_rejected:
        if found(obs.final_text, evidence.wording.account_locked):
            return "PN-ENT-COMPTE-VERROUILLE", []
        return "PN-ENT-IDENTIFIANTS-REFUSES", []
    # The CAS PRONOTE.net sends the browser to is evidence by itself, whatever happened next.
    if wrong_cas(obs.pronote_cas_login_url, target) and not obs.ticket_issued:
        after = network(obs, target)[0] if obs.network_error else None
        late = obs.timed_out or obs.network_error == "timeout"
        return "PN-URL-CAS-ERRONEE", [c for c in (after, late and "PN-DELAI-DEPASSE") if c]
    if obs.network_error == "timeout" or obs.timed_out:
        return timeout(obs, target, evidence)
    if obs.network_error:
        return network(obs, target)
    return page(obs, target, evidence)[0]


def assertion_rejected(obs: Observation, target: TargetLike, evidence: Evidence) -> Found:
    """The ENT answered ÉduConnect's SAMLResponse with a page of its own instead of a session.

    The assertion itself is the evidence first: a validity window the posting time falls
    outside of (clocks), a signing certificate past its dates. Then the run: when the ENT
    accepted another account's return signed with the same certificate, the signature is
    not the cause, this identity is. Only then the ENT's words.
    """
    saml = obs.saml_response or {}
    causes = ["PN-EDUCONNECT-CERTIFICAT", "PN-SAML-HORLOGE", "PN-EDUCONNECT-COMPTE-NON-RATTACHE"]
    if saml.get("clock_skew"):
        return "PN-SAML-HORLOGE", []
    if saml.get("certificate") in ("expired", "not_yet_valid"):
        return "PN-EDUCONNECT-CERTIFICAT", []
    certificate = saml.get("certificate_sha256")
    if certificate and evidence.educonnect_accepted(
        target, besides=obs.account, certificate=certificate
    ):
        return "PN-EDUCONNECT-COMPTE-NON-RATTACHE", []
    if found(obs.final_text, evidence.wording.educonnect_unmapped):
        return "PN-EDUCONNECT-COMPTE-NON-RATTACHE", []
    return "PN-EDUCONNECT-RETOUR-REFUSE", causes


def timeout(obs: Observation, target: TargetLike, evidence: Evidence) -> Found:
    """A timeout names its cause only when the page shown then proves one."""
    (code, alternatives), proven = page(obs, target, evidence)
    if proven and code is not None:
        return code, alternatives
    hints: list[str] = []
    role = host_role(obs.network_error_url or obs.final_url, target)
    if role is not None:
        hints.append(_UNREACHABLE[role])
    if obs.final_kind == "space" and obs.display_name_seen is not True:
        hints.append("PN-NOM-NON-AFFICHE")
    if code not in (None, "PN-PAGE-INATTENDUE"):
        hints.append(code)
    return "PN-DELAI-DEPASSE", hints


_UNREACHABLE = {
    "ent": "PN-ENT-INJOIGNABLE",
    "cas": "PN-CAS-INJOIGNABLE",
    "pronote": "PN-PRONOTE-INJOIGNABLE",
}
_PROXY_CODES = {
    "proxy_unreachable": "PN-PROXY-INJOIGNABLE",
    "proxy_auth": "PN-PROXY-AUTHENTIFICATION",
}
_NETWORK_CODES = {
    "dns": "PN-DNS-ECHEC",
    "tls": "PN-TLS-CERTIFICAT",
    "redirect_loop": "PN-BOUCLE-REDIRECTIONS",
}


def network(obs: Observation, target: TargetLike) -> Found:
    kind = obs.network_error or ""
    if kind in _NETWORK_CODES:
        return _NETWORK_CODES[kind], []
    role = host_role(obs.network_error_url or obs.final_url, target)
    if role is not None:
        return _UNREACHABLE[role], []
    # A host that is none of the target's: part of the ENT's login chain before the
    # portal (an identity provider), on the way to PRONOTE after it.
    if not obs.reached_portal:
        if obs.login_route == "educonnect":
            return "PN-EDUCONNECT-INDISPONIBLE", ["PN-ENT-INJOIGNABLE"]
        return "PN-ENT-INJOIGNABLE", ["PN-CAS-INJOIGNABLE"]
    return "PN-PRONOTE-INJOIGNABLE", ["PN-PAGE-INATTENDUE"]


def page(obs: Observation, target: TargetLike, evidence: Evidence) -> tuple[Found, bool]:
    """The cause the last page shows, and whether that page proves it on its own."""
    text = obs.final_text
    kind = obs.final_kind
    if kind == "space" and obs.mode != "browser" and not obs.ticket_issued:
        # HTTP sees PRONOTE's own login screen start like a space; no ticket let us in.
        kind = "password_prompt"
    role = host_role(obs.final_url, target)
    status = obs.final_status or 0
    if obs.shortcut_found is False:
        return ("PN-RACCOURCI-ABSENT", []), True
    if kind == "space":  # a space that never finished building: nothing proven
        return UNEXPECTED, False
    if (
        role == "pronote"
        and obs.ticket_issued
        and status >= 500
        and status != 503
        and not found(text, evidence.wording.unavailable)
    ):
        # PRONOTE.net (or the proxy in front of it) failed on the request carrying the ticket.
        return ("PN-PRONOTE-ERREUR-SERVEUR", []), True
    if (
        kind == "pronote_unavailable"
        or found(text, evidence.wording.unavailable)
        or (role == "pronote" and status in UNAVAILABLE_STATUSES)
    ):
        return ("PN-SITE-INDISPONIBLE", []), True
    if status >= 500 and role in ("ent", "cas"):
        return (_UNREACHABLE[role], []), True
    if evidence.pronote_cas_active is False and not obs.ticket_issued:
        return pronote_own_login(obs, target, evidence)
    if cas_refuses(obs, target, kind):
        return service_refused(obs, target), True
    if kind in ("identifier_prompt", "password_prompt", "code_prompt") or (
        role == "pronote" and obs.ticket_issued
    ):
        if obs.ticket_issued:
            return after_ticket(obs, target, evidence, kind)
        if kind == "identifier_prompt":
            return not_linked(obs, target, evidence), True
        return pronote_own_login(obs, target, evidence)
    validation = obs.cas_validation
    if validation is not None and validation.failure_code and obs.ticket_issued:
        return ticket_refused(obs, target, evidence.wording), False
    if obs.ticket_issued and wrong_cas(obs.pronote_cas_login_url, target):
        return ("PN-PAGE-INATTENDUE", ["PN-URL-CAS-ERRONEE"]), False
    return UNEXPECTED, False


def cas_refuses(obs: Observation, target: TargetLike, kind: str | None) -> bool:
    """After the ENT login, the CAS answers PRONOTE's /login?service= with no ticket."""
    if kind == "cas_service_refused":
        return True
    if obs.ticket_issued or not obs.reached_portal or kind == "cas_login":
        return False
    if host_role(obs.final_url, target) != "cas":
        return False
    service = obs.pronote_service or service_of(obs.final_url or "")
    status = obs.final_status or 200
    return service is not None and status < 500 and status != 404


def service_refused(obs: Observation, target: TargetLike) -> Found:
    service = obs.pronote_service or service_of(obs.final_url or "")
    if service is None:
        return "PN-SERVICE-NON-AUTORISE", ["PN-URL-PUBLIQUE-ERRONEE"]
    if not under(service, target.pronote_url):
        return "PN-URL-PUBLIQUE-ERRONEE", ["PN-SERVICE-NON-AUTORISE"]
    return "PN-SERVICE-NON-AUTORISE", []


def after_ticket(
    obs: Observation, target: TargetLike, evidence: Evidence, kind: str | None
) -> tuple[Found, bool]:
    """PRONOTE got a ticket and served no space: what it served instead says why."""
    text = obs.final_text
    if kind == "identifier_prompt" or found(text, evidence.wording.not_linked):
        return not_linked(obs, target, evidence), True
    if kind == "code_prompt":
        return ("PN-PRONOTE-CODE-PIN", []), True
    if kind == "password_prompt" or found(text, evidence.wording.pronote_login_refused):
        return ("PN-DOUBLE-AUTHENTIFICATION", []), True
    if found(text, evidence.wording.space_refused):
        return ("PN-ACCES-ESPACE-REFUSE", []), True
    # Nothing asked, no space: PRONOTE refused or could not read the ticket.
    msxml = found(text, evidence.wording.msxml)
    return ticket_refused(obs, target, evidence.wording), bool(msxml)


def ticket_refused(obs: Observation, target: TargetLike, wording: Wording) -> Found:
    validation = obs.cas_validation
    if validation is not None and validation.failure_code:
        # Our own validation failed for PRONOTE's service: the same fails for PRONOTE.
        if validation.failure_code == "INVALID_SERVICE" and not under(
            validation.service, target.pronote_url
        ):
            return "PN-URL-PUBLIQUE-ERRONEE", ["PN-VALIDATION-TICKET-ECHEC"]
        if validation.failure_code == "INVALID_RESPONSE":
            # The CAS answers us badly too: not PRONOTE.net's XML component.
            return "PN-VALIDATION-TICKET-ECHEC", ["PN-CAS-REPONSE-ILLISIBLE"]
        return "PN-VALIDATION-TICKET-ECHEC", []
    if found(obs.final_text, wording.msxml):
        ok = validation is not None and validation.ok
        return "PN-CAS-REPONSE-ILLISIBLE", [] if ok else ["PN-VALIDATION-TICKET-ECHEC"]
    return "PN-VALIDATION-TICKET-ECHEC", ["PN-CAS-REPONSE-ILLISIBLE"]


def not_linked(obs: Observation, target: TargetLike, evidence: Evidence) -> Found:
    """PRONOTE cannot link the ENT user: which set-up step, from what the CAS released."""
    released = obs.identifier_released(evidence.attribute(target))
    others, known = evidence.identifier_released(target, besides=obs.account)
    if released is True:
        if evidence.entered_with_identifier(target, besides=obs.account):
            # PRONOTE uses the identifier for others: it does not know this one.
            return "PN-UTILISATEUR-INCONNU-PRONOTE", []
        if evidence.code_missing_from_file(obs, target):
            # PRONOTE's own export does not hold the code released: PRONOTE cannot know it.
            return "PN-UTILISATEUR-INCONNU-PRONOTE", ["PN-GESTION-IDENTIFIANTS-DESACTIVEE"]
        if others:  # others get it too and none entered with it
            return "PN-GESTION-IDENTIFIANTS-DESACTIVEE", []
        return "PN-GESTION-IDENTIFIANTS-DESACTIVEE", ["PN-UTILISATEUR-INCONNU-PRONOTE"]
    if released is None:  # we could not see what the CAS released for this account
        if others:
            return "PN-UTILISATEUR-ABSENT-IMPORT", ["PN-GESTION-IDENTIFIANTS-DESACTIVEE"]
        return "PN-IDENTIFIANTS-NON-IMPORTES", [
            "PN-UTILISATEUR-ABSENT-IMPORT",
            "PN-GESTION-IDENTIFIANTS-DESACTIVEE",
        ]
    if others:
        return "PN-UTILISATEUR-ABSENT-IMPORT", []
    if known:
        return "PN-IDENTIFIANTS-NON-IMPORTES", []
    # Nobody else checked yet: a whole missing import is the likelier set-up mistake.
    return "PN-IDENTIFIANTS-NON-IMPORTES", ["PN-UTILISATEUR-ABSENT-IMPORT"]


def pronote_own_login(
    obs: Observation, target: TargetLike, evidence: Evidence
) -> tuple[Found, bool]:
    """PRONOTE shows its own login without any CAS ticket."""
    if is_direct(obs.shortcut_url, target) or is_direct(obs.final_url, target):
        return ("PN-RACCOURCI-URL-DIRECTE", []), True
    if obs.pronote_service is None or evidence.pronote_cas_active is False:
        alternatives = []
        classic = target.pronote_classic_url
        if classic and obs.shortcut_url and same_host(obs.shortcut_url, classic):
            alternatives.append("PN-RACCOURCI-URL-DIRECTE")
        return ("PN-AUTH-CAS-DESACTIVEE", alternatives), True
    return ("PN-PAGE-INATTENDUE", ["PN-DOUBLE-AUTHENTIFICATION"]), False
