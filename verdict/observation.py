"""What one account's journey showed: the evidence every diagnosis rests on.

The browser journey and the HTTP probe (`e2e/`) fill the same `Observation`, so one
judge (`verdict.judge`) names the cause for both.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from verdict.cas import CasValidation
from verdict.page import PAGE_KINDS, page_kind, visible_text

__all__ = [
    "PAGE_KINDS",
    "Observation",
    "Retry",
    "page_kind",
    "visible_text",
]


@dataclass(frozen=True)
class Retry:
    """One request the journey had to make again before it got an answer."""

    url: str  # without its ticket (`verdict.cas.safe_url`)
    cause: str  # "http_502", "http_503", "http_504", "connection_reset", ...


@dataclass
class Observation:
    """Evidence from one account's journey, step by step."""

    target: str
    account: str
    profile: str
    mode: str = "browser"  # or "probe" (plain HTTP, no browser evidence), "preflight"
    step: str = "start"  # the last step reached
    login_route: str = "local"  # "local" (ENT's own accounts) or "educonnect"
    login_family: str | None = None  # the ENT family whose login pages were walked (e2e/routes)
    # A refusal page of that family's own, by its diagnosis code (e.g. Edifice's
    # "several accounts for one identity"): named by the route, kept by the judge.
    route_refusal: str | None = None
    # The ENT's login page came from this other host (a redirect chain from the configured
    # ENT or CAS address): it moved; the journey went on (a warning, never a failure).
    login_moved_to: str | None = None
    credentials_rejected: bool = False
    captcha_asked: bool = False  # the login form wanted a captcha: no password was sent
    # Not tried: logins to the target were stopped earlier in the run by this other account's
    # answer (a suspension, a lock, a captcha): no credential was sent for this account.
    not_tried: str | None = None
    # The login through ÉduConnect (or another SAML IdP), as the journey saw it.
    educonnect_offered: bool | None = (
        None  # the ENT's login page offered ÉduConnect for the profile
    )
    stopped_at_idp: bool = False  # the journey ended on the IdP's own page (error, or no answer)
    idp_password_sent: bool = False  # the IdP's login form was submitted (its answer followed)
    idp_unknown_step: bool = False  # that page asks for something no known step asks
    identity_check_passed: bool | None = None  # ÉduConnect's birth-date check, when it asked
    # The ENT answered ÉduConnect's SAMLResponse at its ACS with a page of its own, no session.
    saml_return_refused: bool = False
    reached_portal: bool = False
    shortcut_found: bool | None = None
    shortcut_url: str | None = None
    shortcut_label: str | None = None  # the shortcut's visible text, as found on the portal
    shortcut_found_by: str | None = None  # "href" (it leads to PRONOTE.net), "label", "tile"
    pronote_service: str | None = None  # `service` of the CAS /login request for PRONOTE
    pronote_cas_login_url: str | None = None
    ticket_issued: bool = False  # the CAS redirected to PRONOTE with a ticket
    final_url: str | None = None
    final_status: int | None = None
    final_kind: str | None = None  # one of PAGE_KINDS
    final_text: str = ""
    display_name_seen: bool | None = None
    space_label: str | None = None  # PRONOTE's banner: "Espace Élèves - NOM Prénom (1A)"
    # What the SAMLResponse posted back to the ENT said of its own validity (verdict.saml).
    saml_response: dict[str, Any] | None = None
    network_error: str | None = None  # e.g. "connection_refused", "timeout", "tls", "dns"
    network_error_url: str | None = None
    # The proxy that failed ("proxy_unreachable", "proxy_auth"): its address and the setting
    # it came from, never its credentials.
    proxy: str | None = None
    timed_out: bool = False
    # The journey itself failed (a page it could not drive): one line, never a traceback.
    journey_error: str | None = None
    cas_validation: CasValidation | None = None  # our own p3/serviceValidate of a fresh ticket
    urls: list[str] = field(default_factory=list)
    retries: list[Retry] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # free notes for the report
    timings: dict[str, float] = field(default_factory=dict)

    def identifier_released(self, attribute: str) -> bool | None:
        """Whether the CAS released a non-empty *attribute* to PRONOTE for this account.

        None when the verifier could not validate a ticket itself (nothing is known).
        """
        validation = self.cas_validation
        if validation is None or not validation.ok:
            return None
        return any(value.strip() for value in validation.attributes.get(attribute, []))

    def space_reached(self) -> bool:
        """A PRONOTE space, proven: the browser saw the user's banner; HTTP, which cannot
        run PRONOTE's JavaScript, saw a PRONOTE page start after the CAS issued a ticket
        (PRONOTE's own login screen starts the same way, without one)."""
        if self.final_kind != "space" or self.timed_out:
            return False
        return self.mode == "browser" or self.ticket_issued

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
