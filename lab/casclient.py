"""The lab's CAS 3.0 client: the few lines PRONOTE.net and the ENT need to validate a ticket.

The lab is the world the verifier is tested against, so it shares no code with
it (STYLE.md rule 10). python-cas was the kept alternative; it drops the
failure code of `cas:authenticationFailure`, which the lab's pages depend on,
and pulls in requests: these lines follow the CAS 3.0 specification (section
2.5, `p3/serviceValidate`) directly.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from urllib.parse import urlencode

import httpx

_NS = {"cas": "http://www.yale.edu/tp/cas"}


@dataclass
class TicketCheck:
    """What the CAS answered about one service ticket."""

    user: str | None = None  # cas:user: the "Identifiant CAS" PRONOTE stores
    attributes: dict[str, list[str]] = field(default_factory=dict)
    failure_code: str | None = None  # INVALID_TICKET, INVALID_SERVICE, ... or UNREADABLE

    @property
    def ok(self) -> bool:
        return self.user is not None

    def attribute(self, name: str) -> str | None:
        values = self.attributes.get(name)
        return values[0] if values else None


def check_ticket(http: httpx.Client, cas_root: str, service: str, ticket: str) -> TicketCheck:
    """GET {cas_root}p3/serviceValidate for *ticket*; raises httpx.HTTPError if the CAS is down."""
    query = urlencode({"service": service, "ticket": ticket})
    response = http.get(f"{cas_root.rstrip('/')}/p3/serviceValidate?{query}")
    try:
        root = ET.fromstring(response.content)
    except ET.ParseError:
        return TicketCheck(failure_code="UNREADABLE")
    success = root.find("cas:authenticationSuccess", _NS)
    if success is None:
        failure = root.find("cas:authenticationFailure", _NS)
        code = failure.get("code", "UNKNOWN") if failure is not None else "UNREADABLE"
        return TicketCheck(failure_code=code)
    attributes: dict[str, list[str]] = {}
    node = success.find("cas:attributes", _NS)
    for child in node if node is not None else []:
        # Multi-valued attributes repeat the element (CAS 3.0, appendix A).
        attributes.setdefault(child.tag.rsplit("}", 1)[-1], []).append((child.text or "").strip())
    user = (success.findtext("cas:user", "", _NS) or "").strip()
    return TicketCheck(
        user=user or None, attributes=attributes, failure_code=None if user else "UNREADABLE"
    )
