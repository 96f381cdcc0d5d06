"""What a SAMLResponse says about its own validity: the evidence behind the ÉduConnect diagnoses.

ÉduConnect answers the ENT with an auto-posted, signed `SAMLResponse` (DOMAIN.md). When
the ENT refuses it, the page the ENT shows is its own wording; the assertion itself
shows whether its validity window held at the time it was posted (clock skew) and
whether the certificate it was signed with was still valid (expired certificate).
Only dates are kept: never the identity the assertion carries.
"""

from __future__ import annotations

import base64
import binascii
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from urllib.parse import parse_qs

NS = {
    "samlp": "urn:oasis:names:tc:SAML:2.0:protocol",
    "saml": "urn:oasis:names:tc:SAML:2.0:assertion",
    "ds": "http://www.w3.org/2000/09/xmldsig#",
}
# What SAML service providers usually tolerate between two clocks (pysaml2's default
# `accepted_time_diff` is 0; Shibboleth's `clockSkew` is 3 minutes).
CLOCK_SKEW_S = 180


def read_saml_response(post_data: str, *, now: datetime | None = None) -> dict:
    """Dates from a form-encoded `SAMLResponse=…` body; `readable` False when it cannot be read."""
    now = now or datetime.now(UTC)
    values = parse_qs(post_data).get("SAMLResponse")
    evidence: dict = {"readable": False, "posted_at": _iso(now)}
    if not values:
        return evidence
    try:
        root = ET.fromstring(base64.b64decode(values[0]))
    except (binascii.Error, ValueError, ET.ParseError):
        return evidence
    evidence["readable"] = True
    conditions = root.find(".//saml:Conditions", NS)
    not_before = _date(conditions.get("NotBefore") if conditions is not None else None)
    not_after = _date(conditions.get("NotOnOrAfter") if conditions is not None else None)
    evidence["not_before"] = _iso(not_before)
    evidence["not_on_or_after"] = _iso(not_after)
    skew = 0.0
    if not_before is not None and now < not_before:
        skew = (not_before - now).total_seconds()
    if not_after is not None and now >= not_after:
        skew = -(now - not_after).total_seconds()
    evidence["outside_window_s"] = round(skew, 1)
    evidence["clock_skew"] = abs(skew) > CLOCK_SKEW_S
    certificate = root.findtext(".//ds:X509Certificate", default="", namespaces=NS)
    evidence.update(_certificate_dates(certificate, now))
    return evidence


def _certificate_dates(b64: str, now: datetime) -> dict:
    if not b64.strip():
        return {"certificate": None}
    try:
        from cryptography import x509

        cert = x509.load_der_x509_certificate(base64.b64decode("".join(b64.split())))
    except (ValueError, binascii.Error):
        return {"certificate": "unreadable"}
    not_after = cert.not_valid_after_utc
    not_before = cert.not_valid_before_utc
    from cryptography.hazmat.primitives import hashes

    return {
        "certificate_sha256": cert.fingerprint(hashes.SHA256()).hex(),
        "certificate": "expired"
        if now > not_after
        else "not_yet_valid"
        if now < not_before
        else "valid",
        "certificate_not_after": _iso(not_after),
    }


def _date(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value else None
