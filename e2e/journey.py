"""One account's journey in a real browser, step by step, with Allure evidence.

Credentials are typed in a login context that records nothing (no trace, no
video, no HAR). Only its session cookies move on to the journey context, which
pytest-playwright may trace and film: the password never exists there.
"""

from __future__ import annotations

import contextlib
import json
import statistics
import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

import allure
import httpx
from playwright.sync_api import Browser, BrowserContext, Frame, Page, Response
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from e2e.http_journey import back_off
from e2e.settings import Account, Settings
from e2e.target import Target
from pages.cas import CasLoginPage
from pages.ent import EntHomePage, EntPortalPage
from pages.pronote import PronoteFirstConnectionPage, PronoteSpacePage
from verdict.cas import safe_url, service_of, ticket_of, validate_ticket
from verdict.observation import Observation, page_kind, visible_text

TRANSIENT_STATUSES = {502, 503, 504}
# Context options that record what happens; the login context gets none of them.
_RECORDING_OPTIONS = ("record_video_dir", "record_video_size", "record_har_path")

NETWORK_ERRORS = {
    "ERR_CONNECTION_REFUSED": "connection_refused",
    "ERR_CONNECTION_RESET": "connection_reset",
    "ERR_EMPTY_RESPONSE": "connection_reset",
    "ERR_CONNECTION_CLOSED": "connection_reset",
    "ERR_NAME_NOT_RESOLVED": "dns",
    "ERR_CERT": "tls",
    "ERR_SSL": "tls",
    "ERR_TIMED_OUT": "timeout",
    "ERR_CONNECTION_TIMED_OUT": "timeout",
    "ERR_ADDRESS_UNREACHABLE": "connection_refused",
}


def network_kind(message: str) -> str | None:
    return next((kind for key, kind in NETWORK_ERRORS.items() if key in message), None)


class JourneyTimeout(Exception):
    """The whole journey ran past VERIFIER_JOURNEY_TIMEOUT_S; its next step is not started."""


class BrowserJourney:
    """Drives ENT login → portal → Pronote shortcut → PRONOTE, filling an Observation."""

    def __init__(
        self,
        browser: Browser,
        new_context: Callable[..., BrowserContext],
        context_args: dict[str, Any],
        settings: Settings,
    ) -> None:
        self.browser = browser
        self.new_context = new_context
        self.login_args = {k: v for k, v in context_args.items() if k not in _RECORDING_OPTIONS}
        self.settings = settings
        self.timeout_ms = settings.timeout_s * 1000
        self._statuses: dict[str, int] = {}  # last HTTP status of each navigated URL
        self._began = time.monotonic()

    # -- evidence ------------------------------------------------------------
    @contextlib.contextmanager
    def step(self, obs: Observation, name: str, title: str) -> Iterator[None]:
        if time.monotonic() - self._began > self.settings.journey_timeout_s:
            raise JourneyTimeout(name)
        began = time.monotonic()
        with allure.step(title):
            try:
                yield
            finally:
                obs.timings[name] = round(time.monotonic() - began, 3)

    def screenshot(self, page: Page, name: str) -> None:
        with contextlib.suppress(PlaywrightError):
            png = page.screenshot(full_page=False, timeout=self.timeout_ms)
            allure.attach(png, name=name, attachment_type=allure.attachment_type.PNG)

    # -- the journey ---------------------------------------------------------
    def run(self, target: Target, account: Account) -> Observation:
        obs = Observation(target=target.name, account=account.login, profile=account.profile)
        self._statuses = {}
        self._hops: list[float] = []  # server time of each navigation hop, seconds
        began = self._began = time.monotonic()
        try:
            storage, portal_url = self._log_in(obs, target, account)
            if storage is not None and portal_url:
                self._to_pronote(obs, target, account, storage, portal_url)
        except JourneyTimeout as exc:
            obs.timed_out = True
            obs.warnings.append(
                f"journey stopped before step {exc}: over {self.settings.journey_timeout_s:.0f} s"
            )
        finally:
            obs.timings["total"] = round(time.monotonic() - began, 3)
            if self._hops:
                obs.timings["hop_median"] = round(statistics.median(self._hops), 3)
        return obs

    def _goto(self, obs: Observation, page: Page, url: str) -> Response | None:
        """Navigate, retrying transient failures (502/503/504, reset) with bounded back-off."""
        for attempt in range(self.settings.retries + 1):
            try:
                response = page.goto(url, wait_until="domcontentloaded", timeout=self.timeout_ms)
            except PlaywrightTimeout:
                obs.timed_out, obs.network_error_url = True, safe_url(url)
                return None
            except PlaywrightError as exc:
                kind = network_kind(str(exc)) or "network"
                if kind == "connection_reset" and attempt < self.settings.retries:
                    obs.warnings.append(f"retry {attempt + 1} after {kind} at {safe_url(url)}")
                    back_off(attempt)
                    continue
                obs.network_error, obs.network_error_url = kind, safe_url(url)
                return None
            if (
                response
                and response.status in TRANSIENT_STATUSES
                and attempt < self.settings.retries
            ):
                obs.warnings.append(
                    f"retry {attempt + 1} after HTTP {response.status} at {safe_url(url)}"
                )
                back_off(attempt)
                continue
            return response
        return None

    def _log_in(self, obs: Observation, target: Target, account: Account) -> tuple[Any, str | None]:
        """ENT login through its CAS, in a context that records nothing."""
        assert account.password is not None
        context = self.browser.new_context(**self.login_args)
        context.set_default_timeout(self.timeout_ms)
        try:
            page = context.new_page()
            self._watch(obs, target, context)
            with self.step(obs, "ent_login_page", "Page de connexion de l'ENT"):
                response = self._goto(obs, page, target.ent_url)
                if response is None:
                    return None, None
                obs.reached_ent = True
                login = CasLoginPage(page, self.settings.locators)
                if not login.password.count():
                    home = EntHomePage(page, self.settings.locators)
                    if home.login_link.count():
                        home.go_to_login()
                try:
                    login.password.wait_for(state="visible", timeout=self.timeout_ms)
                except PlaywrightTimeout:
                    self._final(obs, target, page, response.status, timed_out=True)
                    self.screenshot(page, "Page de connexion de l'ENT")
                    return None, None
                obs.reached_cas_login = True
                self.screenshot(page, "Page de connexion de l'ENT")
            with self.step(obs, "portal", "Connexion et portail de l'ENT"):
                try:
                    login.log_in(account.login, account.password.get_secret_value())
                except PlaywrightTimeout:
                    self._final(obs, target, page, None, timed_out=True)
                    return None, None
                page.wait_for_load_state("load")
                cas_host = urlsplit(target.cas_url).netloc
                if urlsplit(page.url).netloc == cas_host and login.password.count():
                    obs.credentials_rejected = True
                    self._final(obs, target, page, None)
                    login.password.fill("")  # the screenshot shows an empty field
                    self.screenshot(page, "Identifiants refusés par le CAS")
                    return None, None
                obs.reached_portal = True
                obs.step = "portal"
                return context.storage_state(), page.url
        finally:
            context.close()

    def _to_pronote(
        self, obs: Observation, target: Target, account: Account, storage: Any, portal_url: str
    ) -> None:
        context = self.new_context(storage_state=storage)
        context.set_default_timeout(self.timeout_ms)
        self._watch(obs, target, context)
        page = context.new_page()
        with self.step(obs, "shortcut", "Portail ENT : raccourci Pronote"):
            response = self._goto(obs, page, portal_url)
            if response is None:
                return
            portal = EntPortalPage(page, target.shortcut_label)
            try:
                portal.shortcut.first.wait_for(state="visible", timeout=self.timeout_ms)
            except PlaywrightTimeout:
                obs.shortcut_found = False
                self._final(obs, target, page, response.status)
                self.screenshot(page, "Portail ENT sans raccourci Pronote")
                return
            obs.shortcut_found = True
            obs.shortcut_url = safe_url(
                urljoin(page.url, portal.shortcut.first.get_attribute("href") or "")
            )
            self.screenshot(page, "Portail ENT")
            try:
                opened = portal.open_shortcut(context, self.timeout_ms)
            except PlaywrightTimeout:
                self._final(obs, target, page, None, timed_out=True)
                return
            except PlaywrightError as exc:
                obs.network_error = network_kind(str(exc)) or "network"
                return
        with self.step(obs, "pronote", "Arrivée dans PRONOTE"):
            where: Page | Frame = opened.frame or opened.page
            landing = opened.page
            status = self._settle(obs, landing, where)
            self._land(obs, target, account, where, status)
            self.screenshot(landing, "Arrivée dans PRONOTE")
        if obs.pronote_service:
            with self.step(obs, "cas_identifier", "Identifiant CAS transmis à PRONOTE"):
                self.identify(obs, target, context)

    def _settle(self, obs: Observation, page: Page, where: Page | Frame) -> int | None:
        """Wait for the landing page to load; reload it on a transient 502/503/504."""
        status = None
        for attempt in range(self.settings.retries + 1):
            try:
                where.wait_for_load_state("load", timeout=self.timeout_ms)
            except PlaywrightTimeout:
                obs.timed_out = True
            status = self._statuses.get(where.url)
            if status not in TRANSIENT_STATUSES or attempt == self.settings.retries:
                break
            obs.warnings.append(f"retry {attempt + 1} after HTTP {status} at {safe_url(where.url)}")
            back_off(attempt)
            with contextlib.suppress(PlaywrightError):
                if isinstance(where, Frame):
                    where.goto(where.url, wait_until="load", timeout=self.timeout_ms)
                else:
                    where.reload(wait_until="load", timeout=self.timeout_ms)
        return status

    def _land(
        self,
        obs: Observation,
        target: Target,
        account: Account,
        where: Page | Frame,
        status: int | None,
    ) -> None:
        locators = self.settings.locators
        if obs.network_error is None and where.url.startswith("chrome-error://"):
            obs.network_error = "network"
        if obs.network_error:
            obs.final_url = obs.network_error_url
            obs.step = "pronote"
            return
        self._final(obs, target, where, status)
        space = PronoteSpacePage(where, locators)
        prompt = PronoteFirstConnectionPage(where, locators)
        on_pronote = urlsplit(where.url).netloc in target.pronote_hosts
        if obs.final_kind == "space" or (on_pronote and space.root.count()):
            try:
                space.root.wait_for(state="visible", timeout=self.timeout_ms)
            except PlaywrightTimeout:
                obs.timed_out = True
                obs.final_kind = "unknown"
                self._final(obs, target, where, status, timed_out=True)
                return
            obs.final_kind = "space"
            shown = space.user_name.inner_text() if space.user_name.count() else ""
            expected = account.display_name
            obs.display_name_seen = (
                None if not expected else expected.casefold() in shown.casefold()
            )
            obs.final_text = visible_text(where.content(), limit=600)
        elif on_pronote and prompt.identifier_field.count() and prompt.prompt_text.count():
            obs.final_kind = "identifier_prompt"
        elif on_pronote and prompt.password_field.count():
            obs.final_kind = "password_prompt"
        obs.step = "pronote"

    def _final(
        self,
        obs: Observation,
        target: Target,
        where: Page | Frame,
        status: int | None,
        *,
        timed_out: bool = False,
    ) -> None:
        try:
            html = where.content()
        except PlaywrightError:
            html = ""
        obs.final_url = safe_url(where.url)
        obs.final_status = status if status is not None else self._statuses.get(where.url)
        obs.final_kind = page_kind(
            where.url,
            obs.final_status,
            html,
            pronote_hosts=target.pronote_hosts,
            cas_url=target.cas_url,
        )
        obs.final_text = visible_text(html, limit=600)
        obs.timed_out = obs.timed_out or timed_out

    def _watch(self, obs: Observation, target: Target, context: BrowserContext) -> None:
        """Note the hops that matter: CAS /login for PRONOTE, tickets, statuses, failures."""
        cas_host = urlsplit(target.cas_url).netloc

        def on_request(request: Any) -> None:
            if not request.is_navigation_request():
                return
            url = request.url
            obs.urls.append(safe_url(url))
            host = urlsplit(url).netloc
            service = service_of(url)
            if (
                service
                and host not in target.pronote_hosts
                and not service.startswith(target.ent_url)
            ):
                if host == cas_host or "/login" in urlsplit(url).path:
                    obs.pronote_service = service
                    obs.pronote_cas_login_url = safe_url(url)
            if host in target.pronote_hosts and ticket_of(url):
                obs.ticket_issued = True

        def on_response(response: Any) -> None:
            if response.request.is_navigation_request():
                self._statuses[response.url] = response.status
                timing = response.request.timing
                if timing.get("responseStart", -1) >= 0 and timing.get("requestStart", -1) >= 0:
                    self._hops.append((timing["responseStart"] - timing["requestStart"]) / 1000)

        def on_failed(request: Any) -> None:
            failure = request.failure or ""
            # ERR_ABORTED is a navigation replaced by another one, not a network failure.
            if request.is_navigation_request() and "ERR_ABORTED" not in failure:
                obs.network_error = network_kind(failure) or "network"
                obs.network_error_url = safe_url(request.url)

        context.on("request", on_request)
        context.on("response", on_response)
        context.on("requestfailed", on_failed)

    def identify(self, obs: Observation, target: Target, context: BrowserContext) -> None:
        """Get the identity the CAS gives PRONOTE, without touching PRONOTE's own login.

        The journey's CAS /login request for PRONOTE is replayed through the context's
        request API (same cookies: single sign-on), redirects off; the fresh ticket is
        validated here with p3/serviceValidate for the same service.
        """
        assert obs.pronote_service
        login = urljoin(target.cas_url, "login") + "?" + urlencode({"service": obs.pronote_service})
        try:
            response = context.request.get(login, max_redirects=0, timeout=self.timeout_ms)
        except PlaywrightError:
            return
        ticket = ticket_of(response.headers.get("location", ""))
        if not ticket:
            return
        with httpx.Client(timeout=self.settings.timeout_s, verify=not target.insecure_tls) as http:
            try:
                validation = validate_ticket(http, target.cas_url, obs.pronote_service, ticket)
            except httpx.HTTPError:
                return
        obs.cas_validation = validation
        if validation.ok:
            released = {k: v for k, v in validation.attributes.items()}
            allure.dynamic.parameter("Identifiant CAS", validation.user)
            allure.attach(
                json.dumps(
                    {
                        "cas:user": validation.user,
                        "service": validation.service,
                        "identifier_attribute": target.identifier_attribute,
                        "identifier_released": target.identifier_attribute in released,
                        "attributes": released,
                    },
                    ensure_ascii=False,
                    indent=2,
                ),
                name="Identifiant CAS et attributs transmis à PRONOTE",
                attachment_type=allure.attachment_type.JSON,
            )
