"""CAS 3.0 over plain HTTP: ticket validation and the identity it carries."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

CAS_NS = {"cas": "http://www.yale.edu/tp/cas"}


@dataclass
class CasValidation:
    """What `p3/serviceValidate` said for one ticket."""

    service: str
    user: str | None = None  # cas:user, the "Identifiant CAS" PRONOTE stores
    attributes: dict[str, list[str]] = field(default_factory=dict)
    failure_code: str | None = None  # INVALID_TICKET, INVALID_SERVICE, ...
    failure_message: str = ""

    @property
    def ok(self) -> bool:
        return self.user is not None

    def attribute(self, name: str) -> str | None:
        values = self.attributes.get(name)
        return values[0] if values else None


def parse_validation(body: bytes | str, service: str) -> CasValidation:
    """Parse a CAS 2/3 serviceValidate answer; an unreadable one is INVALID_RESPONSE."""
    try:
        root = ET.fromstring(body)
    except ET.ParseError as exc:
        return CasValidation(service, failure_code="INVALID_RESPONSE", failure_message=str(exc))
    success = root.find("cas:authenticationSuccess", CAS_NS)
    if success is None:
        failure = root.find("cas:authenticationFailure", CAS_NS)
        if failure is None:
            return CasValidation(service, failure_code="INVALID_RESPONSE")
        return CasValidation(
            service,
            failure_code=failure.get("code", "UNKNOWN"),
            failure_message=(failure.text or "").strip(),
        )
    attributes: dict[str, list[str]] = {}
    node = success.find("cas:attributes", CAS_NS)
    for child in node if node is not None else []:
        attributes.setdefault(child.tag.split("}")[-1], []).append((child.text or "").strip())
    return CasValidation(
        service,
        user=(success.findtext("cas:user", "", CAS_NS) or "").strip(),
        attributes=attributes,
    )


def cas_root(login_url: str) -> str:
    """The CAS base URL ("https://cas.example/" or ".../cas/") from a URL of its /login page."""
    parts = urlsplit(login_url)
    path = parts.path
    base = path[: path.rfind("/login")] if "/login" in path else path.rsplit("/", 1)[0]
    return f"{parts.scheme}://{parts.netloc}{base.rstrip('/')}/"


def service_of(url: str) -> str | None:
    """The `service` query parameter of a CAS /login URL, if any."""
    values = parse_qs(urlsplit(url).query).get("service")
    return values[0] if values else None


def safe_url(url: str) -> str:
    """A URL fit for a report: a CAS ticket is a bearer credential, so it is cut."""
    parts = urlsplit(url)
    if "ticket=" not in parts.query:
        return url
    query = "&".join(
        "ticket=ST-…" if q.startswith("ticket=") else q for q in parts.query.split("&")
    )
    return parts._replace(query=query).geturl()


def ticket_of(url: str) -> str | None:
    values = parse_qs(urlsplit(url).query).get("ticket")
    return values[0] if values else None
