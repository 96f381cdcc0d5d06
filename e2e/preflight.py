"""Preflight: plain HTTP, fast, before any browser. Is everything there and pointing the right way?"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode, urljoin, urlsplit

import httpx

from e2e.http_journey import network_error_kind
from e2e.settings import Account
from e2e.target import Target
from verdict.cas import service_of
from verdict.observation import (
    SERVICE_REFUSED_TEXTS,
    UNAVAILABLE_TEXTS,
    Observation,
    visible_text,
)

INFO_MOBILE_APP_ID = "0D264427-EEFC-4810-A9E9-346942A862A4"

CHECKS = (
    "ent_reachable",
    "cas_reachable",
    "pronote_cas_listener",
    "pronote_classic_listener",
    "info_mobile_app",
    "anonymous_redirect",
    "cas_accepts_service",
)
# Without these nothing else can work: the browser checks are skipped, not timed out.
HARD = {"ent_reachable", "cas_reachable"}


@dataclass
class Check:
    name: str
    ok: bool | None  # None: not applicable or not run (an earlier check failed)
    detail: str
    network_error: str | None = None

    @property
    def hard_failure(self) -> bool:
        return self.ok is False and self.name in HARD

    def as_observation(self, target: Target, account: Account) -> Observation:
        """The journey this failure stands for, for the one classifier to name its cause."""
        url = target.ent_url if self.name == "ent_reachable" else target.cas_url
        return Observation(
            target=target.name,
            account=account.login,
            profile=account.profile,
            mode="preflight",
            network_error=self.network_error or "http_error",
            network_error_url=url,
            final_url=url,
            final_text=self.detail,
        )


@dataclass
class Preflight:
    target: str
    checks: dict[str, Check]

    @property
    def hard_failure(self) -> Check | None:
        return next((c for c in self.checks.values() if c.hard_failure), None)

    @property
    def failed(self) -> list[Check]:
        return [c for c in self.checks.values() if c.ok is False]


def run_preflight(target: Target, *, timeout_s: float = 10, retries: int = 2) -> Preflight:
    checks: dict[str, Check] = {}
    with httpx.Client(
        follow_redirects=False, timeout=timeout_s, verify=not target.insecure_tls
    ) as http:

        def get(url: str) -> httpx.Response | Check:
            last: Exception | None = None
            for _ in range(retries + 1):
                try:
                    response = http.get(url)
                except httpx.HTTPError as exc:
                    last = exc
                    if network_error_kind(exc) not in ("connection_reset", "network"):
                        break
                    continue
                if response.status_code in (502, 503, 504):
                    last = None
                    continue
                return response
            if last is None:
                return response
            kind = network_error_kind(last)
            return Check("", False, f"{url} : {kind}", network_error=kind)

        def reach(name: str, url: str) -> httpx.Response | None:
            result = get(url)
            if isinstance(result, Check):
                checks[name] = Check(name, False, result.detail, result.network_error)
                return None
            text = visible_text(result.text).casefold()
            if result.status_code >= 500 or any(t in text for t in UNAVAILABLE_TEXTS):
                checks[name] = Check(name, False, f"{url} : HTTP {result.status_code} {text[:120]}")
                return None
            checks[name] = Check(name, True, f"{url} : HTTP {result.status_code}")
            return result

        reach("ent_reachable", target.ent_url)
        reach("cas_reachable", urljoin(target.cas_url, "login"))
        listener = reach("pronote_cas_listener", target.pronote_url)
        if target.pronote_classic_url:
            reach("pronote_classic_listener", target.pronote_classic_url)
        else:
            checks["pronote_classic_listener"] = Check(
                "pronote_classic_listener", None, "non configuré"
            )
        _info(checks, get, target)
        _redirect(checks, listener, target, get)
    return Preflight(target.name, checks)


def _info(checks: dict[str, Check], get, target: Target) -> None:
    url = urljoin(target.pronote_url, "infoMobileApp.json") + f"?id={INFO_MOBILE_APP_ID}"
    result = get(url)
    name = "info_mobile_app"
    if isinstance(result, Check) or result.status_code != 200:
        checks[name] = Check(name, None, f"{url} : illisible")
        return
    try:
        cas = result.json().get("CAS", {})
    except ValueError:
        checks[name] = Check(name, None, f"{url} : pas du JSON")
        return
    if not cas.get("actif"):
        checks[name] = Check(name, False, "PRONOTE.net : CAS.actif = false")
    elif _norm(cas.get("casURL", "")) != _norm(target.cas_url):
        checks[name] = Check(
            name, False, f"PRONOTE.net : casURL = {cas.get('casURL')} (attendu {target.cas_url})"
        )
    else:
        checks[name] = Check(name, True, f"CAS actif, casURL = {cas.get('casURL')}")


def _redirect(checks: dict[str, Check], listener, target: Target, get) -> None:
    if listener is None:
        checks["anonymous_redirect"] = Check("anonymous_redirect", None, "listener injoignable")
        checks["cas_accepts_service"] = Check("cas_accepts_service", None, "non testé")
        return
    location = listener.headers.get("location", "")
    location = urljoin(target.pronote_url, location) if location else ""
    service = service_of(location) if location else None
    if not location or not service:
        checks["anonymous_redirect"] = Check(
            "anonymous_redirect", False, "une page anonyme ne renvoie pas vers le CAS"
        )
    elif not location.startswith(target.cas_url):
        checks["anonymous_redirect"] = Check(
            "anonymous_redirect",
            False,
            f"renvoi vers {location.split('?')[0]} (CAS attendu : {target.cas_url})",
        )
    elif not service.startswith(target.pronote_url):
        checks["anonymous_redirect"] = Check(
            "anonymous_redirect", False, f"service annoncé {service} (attendu {target.pronote_url})"
        )
    else:
        checks["anonymous_redirect"] = Check("anonymous_redirect", True, f"service = {service}")
    probe_service = (
        service if service and service.startswith(target.pronote_url) else target.pronote_url
    )
    url = urljoin(target.cas_url, "login") + "?" + urlencode({"service": probe_service})
    result = get(url)
    if isinstance(result, Check):
        checks["cas_accepts_service"] = Check("cas_accepts_service", None, result.detail)
        return
    text = visible_text(result.text).casefold()
    refused = any(t in text for t in SERVICE_REFUSED_TEXTS) and "service" in text
    checks["cas_accepts_service"] = Check(
        "cas_accepts_service",
        not refused,
        f"le CAS {'refuse' if refused else 'accepte'} le service {probe_service}",
    )


def _norm(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}/"
