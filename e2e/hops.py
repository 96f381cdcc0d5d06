"""One hop recorder for both drivers: what each navigation of a journey tells the diagnosis.

Every navigation request and answer passes here: the CAS `/login?service=` that
PRONOTE.net sent the user to (its `service` is PRONOTE's public URL as announced),
the ticket the CAS issued to PRONOTE, each page's HTTP status, and the servers'
time per hop. Reported URLs never carry a ticket (`safe_url`).
"""

from __future__ import annotations

import statistics
from urllib.parse import urlsplit

from verdict.cas import safe_url, service_of, ticket_of
from verdict.observation import Observation
from verdict.saml import read_saml_response
from verdict.target import TargetLike


class HopRecorder:
    def __init__(self, target: TargetLike, obs: Observation) -> None:
        self.target = target
        self.obs = obs
        self.statuses: dict[str, int] = {}  # last HTTP status of each navigated URL
        self.hops: list[float] = []  # server time of each hop, seconds
        self._cas_host = urlsplit(target.cas_url).netloc

    def request(self, url: str) -> None:
        """A navigation is sent to *url*."""
        self.obs.urls.append(safe_url(url))
        host = urlsplit(url).netloc
        service = service_of(url)
        if (
            service
            and host not in self.target.pronote_hosts
            and not service.startswith(self.target.ent_url)
            and (host == self._cas_host or "/login" in urlsplit(url).path)
        ):
            # PRONOTE.net sent the browser to a CAS login: its `service` is PRONOTE's own.
            self.obs.pronote_service = service
            self.obs.pronote_cas_login_url = safe_url(url)
        if host in self.target.pronote_hosts and ticket_of(url):
            self.obs.ticket_issued = True

    def posted(self, url: str, post_data: str | None) -> None:
        """A form was posted to *url*: a SAMLResponse going back to the ENT is evidence."""
        if post_data and "SAMLResponse=" in post_data:
            evidence = read_saml_response(post_data)
            evidence["acs"] = safe_url(url)
            self.obs.saml_response = evidence

    def response(self, url: str, status: int, seconds: float | None) -> None:
        self.statuses[url] = status
        if seconds is not None and seconds >= 0:
            self.hops.append(seconds)

    def finish(self) -> None:
        if self.hops:
            self.obs.timings["hop_median"] = round(statistics.median(self.hops), 3)
