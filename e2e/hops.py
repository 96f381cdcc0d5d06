"""One hop recorder for both drivers: what each navigation of a journey showed.

Every navigation request and answer passes here: the CAS `/login?service=` that
PRONOTE.net sent the user to (its `service` is PRONOTE's public URL as announced),
the ticket the CAS issued to PRONOTE, the SAMLResponse posted back to the ENT, each
page's HTTP status, the requests made again, and the servers' time per hop. The drivers
feed it; the journey records what it holds in its observation (`Journey.run`), the one
writer of the observation. Reported URLs never carry a ticket (`safe_url`).
"""

from __future__ import annotations

import statistics
from typing import Any
from urllib.parse import urlsplit

from verdict.cas import safe_url, service_of, ticket_of
from verdict.observation import Retry
from verdict.saml import read_saml_response
from verdict.target import TargetLike


class HopRecorder:
    def __init__(self, target: TargetLike) -> None:
        self.target = target
        self.urls: list[str] = []  # every navigation, in order (no ticket)
        self.retries: list[Retry] = []  # requests made again before they got an answer
        self.pronote_service: str | None = None  # `service` of the CAS /login for PRONOTE
        self.pronote_cas_login_url: str | None = None
        self.ticket_issued = False  # the CAS redirected to PRONOTE with a ticket
        self.saml_response: dict[str, Any] | None = None  # what verdict.saml read of it
        self.statuses: dict[str, int] = {}  # last HTTP status of each navigated URL
        self.hops: list[float] = []  # server time of each hop, seconds
        self._cas_host = urlsplit(target.cas_url).netloc

    def request(self, url: str) -> None:
        """A navigation is sent to *url*."""
        self.urls.append(safe_url(url))
        host = urlsplit(url).netloc
        service = service_of(url)
        if (
            service
            and host not in self.target.pronote_hosts
            and not service.startswith(self.target.ent_url)
            and (host == self._cas_host or "/login" in urlsplit(url).path)
        ):
            # PRONOTE.net sent the browser to a CAS login: its `service` is PRONOTE's own.
            self.pronote_service = service
            self.pronote_cas_login_url = safe_url(url)
        if host in self.target.pronote_hosts and ticket_of(url):
            self.ticket_issued = True

    def posted(self, url: str, post_data: str | None) -> None:
        """A form was posted to *url*: a SAMLResponse going back to the ENT is evidence."""
        if post_data and "SAMLResponse=" in post_data:
            evidence = read_saml_response(post_data)
            evidence["acs"] = safe_url(url)
            self.saml_response = evidence

    def response(self, url: str, status: int, seconds: float | None) -> None:
        self.statuses[url] = status
        if seconds is not None and seconds >= 0:
            self.hops.append(seconds)

    @property
    def median(self) -> float | None:
        """The servers' median time per hop, seconds."""
        return round(statistics.median(self.hops), 3) if self.hops else None
