"""One account's journey, written once: ENT → login (CAS, or ÉduConnect) → portal → shortcut →
PRONOTE → the CAS identifier PRONOTE receives.

The script runs over a `Driver` (`e2e/driver.py`): the real browser or plain HTTP.
It fills an `Observation` (the evidence every diagnosis rests on) and keeps the
step evidence (titles, durations, screenshots) as data, so the test that judges
the account attaches it to the report even when journeys run concurrently.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urljoin, urlsplit

import httpx

from e2e.driver import Driver, Landing, NetworkFailure, Shortcut
from e2e.hops import HopRecorder
from e2e.login_gate import LoginGate
from e2e.routes import LoginRoute, Walk, recognise
from e2e.settings import Account
from e2e.target import Target
from verdict.cas import parse_validation, safe_url, ticket_of
from verdict.observation import Observation, visible_text
from verdict.wording import fold, found


@dataclass
class StepEvidence:
    name: str
    title: str
    seconds: float = 0.0
    screenshots: list[tuple[str, bytes]] = field(default_factory=list)


@dataclass
class JourneyResult:
    """What a journey leaves for the test that judges it."""

    obs: Observation
    steps: list[StepEvidence] = field(default_factory=list)
    identity: dict | None = None  # the CAS identity and attributes released to PRONOTE
    videos: list[Path] = field(default_factory=list)

    def drop_images(self) -> None:
        """Forget the screenshots, once written and reported."""
        for step in self.steps:
            step.screenshots = []


# Redirects a moved CAS login may answer before it gives a ticket (a 301 and a 302 seen).
MAX_LOGIN_MOVES = 4


class JourneyTimeout(Exception):
    """The whole journey ran past VERIFIER_JOURNEY_TIMEOUT_S; its next step is not started."""


class Journey:
    def __init__(
        self,
        driver: Driver,
        hops: HopRecorder,
        target: Target,
        account: Account,
        http: httpx.AsyncClient,
        *,
        journey_timeout_s: float,
        gate: LoginGate | None = None,
    ) -> None:
        self.d, self.hops, self.t, self.a = driver, hops, target, account
        self.gate = gate  # the run's logins: paced per host, stopped per target
        self.http = http  # for our own ticket validation (same proxy and TLS settings)
        self.journey_timeout_s = journey_timeout_s
        self.loc = target.locators
        # The journey is the one writer of its observation: what it did, and what its
        # driver's hops saw (recorded when it ends).
        self.obs = Observation(
            target=target.name, account=account.login, profile=account.profile, mode=driver.mode
        )
        self.result = JourneyResult(self.obs)
        self.walk = Walk(driver, target, account)
        self.route: LoginRoute | None = None  # the ENT family's login route, once recognised
        self._began = time.monotonic()

    # -- evidence --------------------------------------------------------------
    @contextlib.asynccontextmanager
    async def step(self, name: str, title: str) -> AsyncIterator[StepEvidence]:
        if time.monotonic() - self._began > self.journey_timeout_s:
            raise JourneyTimeout(name)
        evidence = StepEvidence(name, title)
        self.result.steps.append(evidence)
        began = time.monotonic()
        try:
            yield evidence
        finally:
            evidence.seconds = self.obs.timings[name] = round(time.monotonic() - began, 3)
            self.obs.step = name

    async def shot(self, evidence: StepEvidence, name: str) -> None:
        png = await self.d.screenshot()
        if png:
            evidence.screenshots.append((name, png))

    # -- the journey -------------------------------------------------------------
    async def run(self) -> JourneyResult:
        try:
            await self._journey()
        except JourneyTimeout:
            self.obs.timed_out = True
        except NetworkFailure as exc:
            self.obs.network_error, self.obs.network_error_url = exc.kind, safe_url(exc.url)
            self.obs.proxy = exc.proxy
            self.obs.final_url = self.obs.final_url or safe_url(exc.url)
        finally:
            self._record_hops()
            self._stop_logins_if_refused()
        return self.result

    def fail(self, error: str) -> JourneyResult:
        """The journey could not go on (a page it could not drive): *error* in one line."""
        self.obs.journey_error = error
        self._record_hops()
        return self.result

    def _record_hops(self) -> None:
        """What the driver's navigations saw, into the observation; the journey's time."""
        obs, hops = self.obs, self.hops
        obs.urls, obs.retries = list(hops.urls), list(hops.retries)
        obs.pronote_service, obs.pronote_cas_login_url = (
            hops.pronote_service,
            hops.pronote_cas_login_url,
        )
        obs.ticket_issued, obs.saml_response = hops.ticket_issued, hops.saml_response
        obs.timings["total"] = round(time.monotonic() - self._began, 3)
        if hops.median is not None:
            obs.timings["hop_median"] = hops.median

    async def _journey(self) -> None:
        async with self.step("ent_login_page", "Page de connexion de l'ENT") as ev:
            login_page = await self._reach_login(await self.d.open(self.t.ent_url))
            await self.shot(ev, "Page de connexion de l'ENT")
            if login_page is None:
                return
        async with self.step("portal", "Connexion et portail de l'ENT") as ev:
            portal = await self._log_in()
            if portal is None:
                await self.shot(ev, "Connexion refusée")
                return
            self.obs.reached_portal = True
        async with self.step("shortcut", "Portail ENT : raccourci Pronote") as ev:
            shortcut = await self._shortcut()
            await self.shot(ev, "Portail ENT" if shortcut else "Portail ENT sans raccourci Pronote")
            if shortcut is None:
                return
        async with self.step("pronote", "Arrivée dans PRONOTE") as ev:
            await self._land(await self.d.follow_shortcut(shortcut))
            # Taken while the CAS is asked for the identifier (over HTTP, the page left as
            # it is): neither waits for the other.
            landing_shot = asyncio.ensure_future(self.shot(ev, "Arrivée dans PRONOTE"))
        try:
            if self.hops.pronote_service:
                async with self.step("cas_identifier", "Identifiant CAS transmis à PRONOTE"):
                    await self.identify()
        finally:
            await landing_shot

    async def _reach_login(self, page: Landing) -> Landing | None:
        """From the ENT's home to a login page a route of `e2e.routes` knows, or ÉduConnect."""
        for _ in range(4):
            if page.status is not None and page.status >= 400:
                break
            self.route = await recognise(self.walk, self.t.login_family)
            if self.route is not None:
                self.obs.login_family = self.route.name
                await self._note_login_host()
                return page
            if await self._at_educonnect():
                return page
            nxt = await self.d.follow_link(self.loc.ent_login_link, self.loc.ent_login_link_texts)
            if nxt is None:
                break
            page = nxt
        await self._final(await self.d.current())
        return None

    async def _note_login_host(self) -> str:
        """The login page's host. One served by neither the ENT's nor the CAS's configured
        host: the ENT's login moved (DOMAIN.md, "What breaks in the real world"); noted, and
        the journey goes on."""
        url = urlsplit((await self.d.current(full=False)).url)
        known = {urlsplit(self.t.cas_url).netloc, urlsplit(self.t.ent_url).netloc}
        if url.netloc and url.netloc not in known:
            self.obs.login_moved_to = f"{url.scheme}://{url.netloc}/"
        return url.netloc

    async def _log_in(self) -> Landing | None:
        a, obs = self.a, self.obs
        assert a.password is not None
        password = a.password.get_secret_value()
        if a.route == "educonnect":
            return await self._log_in_educonnect(password)
        if self.route is None or not await self.route.to_form(self.walk):
            await self._final(await self.d.current())  # no login form to fill
            return None
        # The form may be a link away from the family's page, on a host of its own.
        login_host = await self._note_login_host()
        if await self.d.visible(self.loc.login_captcha):
            # A captcha no verifier should answer: the password is not sent.
            obs.captcha_asked = True
            await self._final(await self.d.current())
            return None
        if not await self._may_log_in(login_host):
            return None
        page = await self.d.submit_login(a.login, password)
        if (page.status or 0) >= 500:
            # The login POST itself failed (a load balancer's 502): the ENT's failure, named
            # at that step; the credential is never sent again.
            await self._final(page)
            return None
        if urlsplit(page.url).netloc == login_host and await self.d.visible(
            self.loc.login_password
        ):
            obs.credentials_rejected = True
            await self._final(page)
            return None
        return await self.d.login_done()

    async def _log_in_educonnect(self, password: str) -> Landing | None:
        """WAYF → ÉduConnect (profile, login, perhaps the identity check) → back to the ENT."""
        a, obs, loc = self.a, self.obs, self.loc
        obs.login_route = "educonnect"
        page: Landing | None = None
        if await self._at_educonnect():  # the ENT's home led straight there
            page = await self.d.current(full=False)
        elif self.route is not None:
            page = await self.route.to_educonnect(self.walk)
        obs.educonnect_offered = page is not None
        if page is None:
            await self._final(await self.d.current())
            return None
        idp_host = urlsplit(page.url).netloc
        if (page.status or 0) >= 500 or (await self.d.current()).kind == "pronote_unavailable":
            obs.stopped_at_idp = True
            await self._final(page)
            return None
        if not await self._may_log_in(idp_host):
            return None
        page = await self.d.educonnect_log_in(a.educonnect_profile or "eleve", a.login, password)
        obs.idp_password_sent = True
        on_idp = urlsplit(page.url).netloc == idp_host
        if on_idp and await self.d.visible(loc.educonnect_password):
            obs.credentials_rejected = True
            await self._final(page)
            return None
        if on_idp and await self.d.visible(loc.identity_check_form):
            if a.birth_date is not None:
                page = await self.d.confirm_identity(a.birth_date)
            obs.identity_check_passed = a.birth_date is not None and not (
                urlsplit(page.url).netloc == idp_host
                and await self.d.visible(loc.identity_check_form)
            )
            if not obs.identity_check_passed:
                await self._final(page)
                return None
        page = await self.d.login_done()
        if urlsplit(page.url).netloc == idp_host:
            obs.stopped_at_idp = True
            obs.idp_unknown_step = await self.d.visible(loc.idp_asks_input)
            await self._final(page)
            return None
        if self.route is not None:
            obs.route_refusal = await self.route.refusal(self.walk)
        saml = self.hops.saml_response
        if obs.route_refusal or (saml is not None and _same_page(page.url, saml["acs"])):
            # The ENT answered the assertion with a page of its own instead of a session.
            obs.saml_return_refused = True
            await self._final(page)
            return None
        return page

    async def _may_log_in(self, host: str) -> bool:
        """The run's login gate: no login to a target whose logins were stopped, and one to a
        host only at its pace."""
        if self.gate is None:
            return True
        stopped = self.gate.stopped(self.t.name)
        if stopped is not None:
            self.obs.not_tried = stopped
            await self._final(await self.d.current())
            return False
        # The wait for the host's login slot is the run's pace, not the journey's slowness: the
        # journey's time limit counts from when it may go on.
        self._began += await self.gate.wait_turn(host)
        return True

    def _stop_logins_if_refused(self) -> None:
        """A target that answered with a suspension, a lock or a captcha gets no further
        login in this run (DOMAIN.md, "What breaks in the real world")."""
        if self.gate is None or self.obs.not_tried:
            return
        w = self.t.wording
        refusals = w.ip_suspended + w.too_many_errors + w.account_locked
        if self.obs.captcha_asked or found(self.obs.final_text, refusals):
            self.gate.stop(self.t.name, by=self.a.login)

    async def _at_educonnect(self) -> bool:
        """ÉduConnect's first step: its profile buttons (DOMAIN.md)."""
        profile = self.loc.educonnect_profile
        return await self.d.visible(profile.format(profile="eleve")) or await self.d.visible(
            profile.format(profile="responsable")
        )

    async def _shortcut(self) -> Shortcut | None:
        """Found by where it goes (the PRONOTE.net host), else by its label; missing once settled."""
        labels = self.t.shortcut_labels
        leads_to = [f"//{host}/" for host in sorted(self.t.pronote_hosts)]
        if self.t.shortcut_pattern:
            leads_to.append(self.t.shortcut_pattern)
        shortcut = await self.d.find_shortcut(leads_to, labels)
        if shortcut is None:
            await self.d.settle_portal()
            shortcut = await self.d.find_shortcut(leads_to, labels)
        if shortcut is None and await self.d.follow_link(
            self.loc.apps_link, self.loc.apps_link_texts
        ):
            # A portal whose tiles are on an apps page of their own (Open ENT NG).
            await self.d.settle_portal()
            shortcut = await self.d.find_shortcut(leads_to, labels)
        if shortcut is None:
            self.obs.shortcut_found = False
            await self._final(await self.d.current())
            return None
        self.obs.shortcut_found = True
        self.obs.shortcut_url = safe_url(shortcut.url) if shortcut.url else None
        self.obs.shortcut_label = shortcut.label or None
        self.obs.shortcut_found_by = shortcut.found_by
        return shortcut

    async def _land(self, page: Landing) -> None:
        """The PRONOTE landing: a built space (with the user's name) or what else is shown."""
        await self._final(page)
        if page.kind == "space" and page.space_label is not None:
            expected = self.a.display_name
            self.obs.display_name_seen = (
                None if not expected else name_in_banner(expected, page.space_label)
            )
            self.obs.space_label = page.space_label

    async def _final(self, page: Landing) -> None:
        if not page.kind:  # a cheap landing: read the page now
            page = await self.d.current()
        obs = self.obs
        obs.final_url = safe_url(page.url)
        obs.final_status = (
            page.status if page.status is not None else self.hops.statuses.get(page.url)
        )
        obs.final_kind = page.kind
        obs.final_text = visible_text(page.html, limit=600)
        obs.timed_out = obs.timed_out or page.timed_out

    async def identify(self) -> None:
        """The identity the CAS gives PRONOTE, without touching PRONOTE's own login.

        The journey's CAS /login request for PRONOTE is replayed with the session's own
        cookies (single sign-on), redirects off; the fresh ticket is validated here with
        p3/serviceValidate for the same service.
        """
        service = self.hops.pronote_service
        assert service
        login = urljoin(self.t.cas_url, "login") + "?" + urlencode({"service": service})
        location = await self.d.sso_location(login)
        for _ in range(MAX_LOGIN_MOVES):
            # A login that moved answers its redirect chain first (ent_login_moved).
            if not location or ticket_of(location) or location.startswith(service):
                break
            login = urljoin(login, location)
            location = await self.d.sso_location(login)
        ticket = ticket_of(location or "")
        if not ticket:
            return
        url = urljoin(self.t.cas_url, "p3/serviceValidate")
        try:
            response = await self.http.get(url, params={"service": service, "ticket": ticket})
        except httpx.HTTPError:
            return
        validation = parse_validation(response.content, service)
        self.obs.cas_validation = validation
        if validation.ok:  # what the CAS told us; which attribute counts, the judge says
            self.result.identity = {
                "cas:user": validation.user,
                "service": validation.service,
                "attributes": validation.attributes,
            }


def identity_json(identity: dict) -> str:
    return json.dumps(identity, ensure_ascii=False, indent=2)


def _words(text: str) -> set[str]:
    """The words of *text*, accents and case folded (`verdict.wording.fold`)."""
    return set(re.findall(r"\w+", fold(text)))


def name_in_banner(expected: str, banner: str) -> bool:
    """Whether *expected* ("Léa MARTIN" or "MARTIN Léa") is the user named in PRONOTE's banner.

    The banner reads "Espace Élèves - NOM Prénom (CLASSE)" (DOMAIN.md): the space's name,
    " - ", then the user; the class in brackets is ignored, accents and case are folded.
    """
    user = banner.split(" - ", 1)[1] if " - " in banner else banner
    user = user.split("(", 1)[0]
    expected_words = _words(expected)
    return bool(expected_words) and expected_words <= _words(user)


def _same_page(a: str, b: str) -> bool:
    pa, pb = urlsplit(a), urlsplit(b)
    return (pa.netloc, pa.path.rstrip("/")) == (pb.netloc, pb.path.rstrip("/"))
