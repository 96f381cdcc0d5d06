"""Preflight: plain HTTP, fast, before any browser. Is everything there and pointing the right way?

A check that cannot conclude (a page that neither proves nor disproves) is "non
concluant" (`ok=None`), never a failure: a correct set-up must never get a red preflight.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urlencode, urljoin, urlsplit

import httpx

from e2e.driver import NetworkFailure
from e2e.http_driver import proxy_or_network_failure
from e2e.network import PROXY_AUTH, NetworkSettings, proxy_error_kind, proxy_named
from e2e.retry import with_retries
from e2e.settings import Account
from e2e.target import Target
from verdict.cas import cas_root, service_of
from verdict.observation import Observation, visible_text
from verdict.urls import norm, under
from verdict.wording import found

# PRONOTE's mobile apps ask for it with this id (DOMAIN.md, "PRONOTE.net URL conventions").
INFO_MOBILE_APP_ID = "0D264427-EEFC-4810-A9E9-346942A862A4"
INFO_MOBILE_APP_NAMES = ("infoMobileApp.json", "InfoMobileApp.json")  # both spellings in use
DEFAULT_SPACE = "eleve.html"

CHECKS = (
    "ent_reachable",
    "cas_reachable",
    "pronote_cas_listener",
    "pronote_classic_listener",
    "info_mobile_app",
    "anonymous_redirect",
    "cas_accepts_service",
)
TITLES = {
    "ent_reachable": "ENT joignable",
    "cas_reachable": "CAS joignable",
    "pronote_cas_listener": "PRONOTE.net joignable (écoute CAS)",
    "pronote_classic_listener": "PRONOTE.net joignable (écoute classique)",
    "info_mobile_app": "PRONOTE.net déclare le bon CAS (infoMobileApp.json)",
    "anonymous_redirect": "Une page anonyme renvoie vers le CAS avec la bonne URL publique",
    "cas_accepts_service": "Le CAS accepte le service PRONOTE.net",
}
# Without these nothing else can work: the browser checks are skipped, not timed out.
HARD = {"ent_reachable", "cas_reachable"}


@dataclass
class Check:
    name: str
    ok: bool | None  # None: not applicable, not run, or not conclusive ("non concluant")
    detail: str
    network_error: str | None = None
    proxy: str | None = None  # the proxy that failed, named (no credentials)

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
            proxy=self.proxy,
            network_error_url=url,
            final_url=url,
            final_text=self.detail,
        )


@dataclass
class Preflight:
    target: str
    checks: dict[str, Check]
    cas_active: bool | None = None  # infoMobileApp.json's CAS.actif, when it says

    @property
    def hard_failure(self) -> Check | None:
        return next((c for c in self.checks.values() if c.hard_failure), None)

    @property
    def failed(self) -> list[Check]:
        return [c for c in self.checks.values() if c.ok is False]


HardKnown = Callable[[Check | None], None]

# Requests the preflight sends at once to one host: an académie's establishments share one ENT
# and one CAS, and their preflights must not become a burst at it.
PER_HOST = 4


class SharedHosts:
    """What the preflights of one run share: the hard checks of a URL (an ENT or a CAS that
    many establishments use is checked once) and a bound on requests at once per host."""

    def __init__(self, per_host: int = PER_HOST) -> None:
        self.per_host = per_host
        self._slots: dict[str, asyncio.Semaphore] = {}
        self._checks: dict[tuple[str, str], asyncio.Task[Check]] = {}

    def slot(self, url: str) -> asyncio.Semaphore:
        host = urlsplit(url).netloc
        if host not in self._slots:
            self._slots[host] = asyncio.Semaphore(self.per_host)
        return self._slots[host]

    def check(self, name: str, url: str, run: Callable[[], Awaitable[Check]]) -> Awaitable[Check]:
        """The check *name* of *url*, run once for the run: every later ask shares it."""
        key = (name, url)
        if key not in self._checks:
            self._checks[key] = asyncio.ensure_future(run())
        return asyncio.shield(self._checks[key])


class _Preflight:
    def __init__(
        self,
        http: httpx.AsyncClient,
        target: Target,
        retries: int,
        hard_known: HardKnown | None = None,
        shared: SharedHosts | None = None,
        net: NetworkSettings | None = None,
    ) -> None:
        self.http, self.t, self.retries = http, target, retries
        self.net = net  # the proxy *http* goes through, to name the proxy when it fails
        self.wording = target.wording
        self.hard_known = hard_known
        self.shared = shared or SharedHosts()
        self.checks: dict[str, Check] = {}
        self.cas_active: bool | None = None

    async def get(self, url: str) -> httpx.Response:
        async def send() -> httpx.Response:
            try:
                async with self.shared.slot(url):
                    response = await self.http.get(url)
            except httpx.HTTPError as exc:
                raise proxy_or_network_failure(exc, url, self.net) from None
            if self.net is not None and proxy_error_kind(
                self.net, status=response.status_code, url=url
            ):
                raise NetworkFailure(PROXY_AUTH, url, "HTTP 407", proxy_named(self.net))
            return response

        return await with_retries(
            send, url=url, retries=self.retries, noted=[], status_of=lambda r: r.status_code
        )

    async def reach(self, name: str, url: str) -> httpx.Response | None:
        try:
            response = await self.get(url)
        except NetworkFailure as exc:
            if exc.kind == "timeout":
                # Slow is not down: under load a host may answer late; the journeys go on and
                # say what they meet. Only a host that refuses or does not exist is down.
                self.checks[name] = Check(
                    name, None, f"{url} : lent (pas de réponse dans le délai) : non concluant"
                )
            elif exc.proxy:
                what = (
                    "authentification refusée (HTTP 407)"
                    if exc.kind == PROXY_AUTH
                    else "injoignable"
                )
                self.checks[name] = Check(
                    name, False, f"{url} : proxy {exc.proxy} {what}", exc.kind, exc.proxy
                )
            else:
                self.checks[name] = Check(name, False, f"{url} : {exc.kind}", exc.kind)
            return None
        text = visible_text(response.text)
        if response.status_code >= 500 or found(text, self.wording.unavailable):
            self.checks[name] = Check(
                name, False, f"{url} : HTTP {response.status_code} {text[:120]}"
            )
            return None
        self.checks[name] = Check(name, True, f"{url} : HTTP {response.status_code}")
        return response

    async def reach_hard(self, name: str, url: str) -> None:
        """A check nothing can work without, made once per URL for the whole run (the
        establishments of one ENT share it); once all of them are in, *hard_known* hears
        their verdict (the first failure, or None), before the slower checks end."""

        async def check() -> Check:
            await self.reach(name, url)
            return self.checks[name]

        self.checks[name] = await self.shared.check(name, url, check)
        if self.hard_known is not None and HARD <= self.checks.keys():
            self.hard_known(self.result().hard_failure)
            self.hard_known = None

    def result(self) -> Preflight:
        """The checks made so far, in their order (TITLES)."""
        checks = {n: self.checks[n] for n in TITLES if n in self.checks}
        return Preflight(self.t.name, checks, self.cas_active)

    async def run(self) -> Preflight:
        """The checks that need nothing from another at once, then the redirect and the CAS's
        answer to it: three round trips' time instead of seven (each a second on a slow ENT)."""
        t = self.t
        if not t.pronote_classic_url:
            self.checks["pronote_classic_listener"] = Check(
                "pronote_classic_listener", None, "non configuré"
            )
        _, _, listener, _, spaces = await asyncio.gather(
            self.reach_hard("ent_reachable", t.ent_url),
            self.reach_hard("cas_reachable", urljoin(t.cas_url, "login")),
            self.reach("pronote_cas_listener", t.pronote_url),
            self.reach("pronote_classic_listener", t.pronote_classic_url)
            if t.pronote_classic_url
            else asyncio.sleep(0),
            self.info_mobile_app(),
        )
        service = await self.anonymous_redirect(listener is not None, spaces)
        await self.cas_accepts_service(service)
        return self.result()

    async def info_mobile_app(self) -> list[str]:
        """PRONOTE.net's own account of its CAS (`CAS.actif`, `casURL`) and of its spaces."""
        name = "info_mobile_app"
        for file in INFO_MOBILE_APP_NAMES:
            url = urljoin(self.t.pronote_url, file) + f"?id={INFO_MOBILE_APP_ID}"
            try:
                response = await self.get(url)
                info = response.json() if response.status_code == 200 else None
            except (NetworkFailure, ValueError):
                info = None
            if isinstance(info, dict):
                break
        else:
            self.checks[name] = Check(name, None, "infoMobileApp.json illisible : non concluant")
            return []
        cas = info.get("CAS") or {}
        cas_url = str(cas.get("casURL") or "")
        if isinstance(cas.get("actif"), bool):
            self.cas_active = cas["actif"]
        if cas.get("actif") is False:
            self.checks[name] = Check(name, False, "PRONOTE.net : CAS.actif = false")
        elif cas_url and norm(cas_url).rstrip("/") != norm(self.t.cas_url).rstrip("/"):
            self.checks[name] = Check(
                name, False, f"PRONOTE.net : casURL = {cas_url} (attendu {self.t.cas_url})"
            )
        elif cas.get("actif"):
            self.checks[name] = Check(name, True, f"CAS actif, casURL = {cas_url}")
        else:
            self.checks[name] = Check(name, None, "CAS non décrit : non concluant")
        pages = [str(e.get("URL", "")) for e in info.get("espaces") or [] if isinstance(e, dict)]
        return [p.removeprefix("mobile.") for p in pages if p.endswith(".html")]

    async def anonymous_redirect(self, reachable: bool, spaces: list[str]) -> str | None:
        """An anonymous space page sends to the CAS with PRONOTE's public URL as `service`."""
        name = "anonymous_redirect"
        if not reachable:
            self.checks[name] = Check(name, None, "écoute CAS injoignable : non testé")
            return None
        page = urljoin(self.t.pronote_url, spaces[0] if spaces else DEFAULT_SPACE)
        try:
            response = await self.get(page)
        except NetworkFailure as exc:
            self.checks[name] = Check(name, None, f"{page} : {exc.kind} : non concluant")
            return None
        location = response.headers.get("location", "")
        location = urljoin(page, location) if location else ""
        service = service_of(location) if location else None
        if response.status_code not in (301, 302, 303, 307, 308) or not location:
            self.checks[name] = Check(
                name, None, f"{page} : HTTP {response.status_code} sans renvoi : non concluant"
            )
            return None
        if service is None:
            self.checks[name] = Check(name, None, f"renvoi vers {location} : non concluant")
            return None
        if norm(cas_root(location)) != norm(self.t.cas_url):
            self.checks[name] = Check(
                name, False, f"renvoi vers {cas_root(location)} (CAS attendu : {self.t.cas_url})"
            )
        elif not under(service, self.t.pronote_url):
            self.checks[name] = Check(
                name, False, f"service annoncé {service} (attendu {self.t.pronote_url})"
            )
        else:
            self.checks[name] = Check(name, True, f"{page} → CAS, service = {service}")
        return service

    async def cas_accepts_service(self, service: str | None) -> None:
        name = "cas_accepts_service"
        probe = service if service and under(service, self.t.pronote_url) else self.t.pronote_url
        url = urljoin(self.t.cas_url, "login") + "?" + urlencode({"service": probe})
        try:
            response = await self.get(url)
        except NetworkFailure as exc:
            self.checks[name] = Check(name, None, f"{url} : {exc.kind} : non concluant")
            return
        text = visible_text(response.text)
        if found(text, self.wording.cas_refused):
            self.checks[name] = Check(name, False, f"le CAS refuse le service {probe}")
        elif response.status_code < 400 and urlsplit(str(response.url)).netloc:
            self.checks[name] = Check(name, True, f"le CAS accepte le service {probe}")
        else:
            self.checks[name] = Check(
                name, None, f"HTTP {response.status_code} du CAS : non concluant"
            )


async def run_preflight(
    target: Target,
    http: httpx.AsyncClient,
    *,
    retries: int = 2,
    hard_known: HardKnown | None = None,
    shared: SharedHosts | None = None,
    net: NetworkSettings | None = None,
) -> Preflight:
    """*target*'s preflight; *hard_known* hears the hard checks' verdict (`Preflight.hard_failure`)
    as soon as it is known: one round trip, where the whole preflight takes three. The
    preflights of one run share *shared*: each ENT and CAS checked once, requests to one host
    bounded. *net*, the network settings *http* was made with, names a failing proxy."""
    return await _Preflight(http, target, retries, hard_known, shared, net).run()


def preflight_now(target: Target, *, timeout_s: float = 10, retries: int = 2) -> Preflight:
    """The preflight outside pytest (scripts, tests): its own client and event loop."""

    async def run() -> Preflight:
        async with httpx.AsyncClient(
            verify=not target.insecure_tls, follow_redirects=False, timeout=timeout_s
        ) as http:
            return await run_preflight(target, http, retries=retries)

    return asyncio.run(run())
