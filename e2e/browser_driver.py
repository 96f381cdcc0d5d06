"""The journey's driver in a real Chromium (Playwright's async API), on the page objects of `pages/`.

Credentials are typed in a login context that records nothing (no trace, no video)
whenever the journey is recorded; only its cookies move on to the recorded journey
context, so the password never exists there. Without recording, one context serves
the whole journey (cheaper), and nothing is written that could hold the password:
a context lent by the runner's pool (`e2e/contexts.py`), wiped after the journey.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from playwright.async_api import Browser, BrowserContext, Frame, Page, Response
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import TimeoutError as PlaywrightTimeout

from e2e.contexts import ContextPool, Lent
from e2e.driver import Landing, NetworkFailure, Shortcut
from e2e.hops import HopRecorder
from e2e.network import NetworkSettings, proxy_error_kind, proxy_named
from e2e.retry import TRANSIENT_STATUSES, with_retries
from e2e.target import Target
from pages.cas import CasLoginPage
from pages.choice import ChoiceForm
from pages.educonnect import EduConnectPage
from pages.ent import EntHomePage, EntPortalPage
from pages.pronote import PronotePage
from verdict.observation import Retry

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
    "ERR_TOO_MANY_REDIRECTS": "redirect_loop",
    # The proxy itself: its credentials refused (407), or it cannot be reached or will not
    # open the tunnel.
    "ERR_PROXY_AUTH": "proxy_auth",
    "ERR_PROXY": "proxy_unreachable",
    "ERR_TUNNEL_CONNECTION_FAILED": "proxy_unreachable",
}


# A SAML binding page: a form of hidden SAMLRequest/SAMLResponse that its script posts at once.
_NO_AUTO_POST = (
    "() => document.readyState !== 'loading' && "
    "!document.querySelector('form input[name=SAMLRequest], form input[name=SAMLResponse]')"
)


def network_kind(message: str) -> str | None:
    return next((kind for key, kind in NETWORK_ERRORS.items() if key in message), None)


@dataclass
class Recording:
    """What pytest-playwright's options ask to record for this journey, and where."""

    tracing: bool = False
    video: bool = False
    video_size: dict[str, int] | None = None
    folder: Path | None = None

    @property
    def any(self) -> bool:
        return self.tracing or self.video


class BrowserDriver:
    mode = "browser"

    def __init__(
        self,
        browser: Browser,
        target: Target,
        hops: HopRecorder,
        context_args: dict[str, Any],
        recording: Recording,
        pool: ContextPool | None = None,
        *,
        timeout_s: float,
        retries: int,
        net: NetworkSettings | None = None,
    ) -> None:
        self.browser, self.t, self.hops = browser, target, hops
        self.net = net  # the browser's proxy, to name it when it fails
        self.loc = target.locators
        self.timeout_ms = timeout_s * 1000
        self.retries = retries
        self.context_args = context_args
        self.recording = recording
        self.contexts: list[BrowserContext] = []
        self.context: BrowserContext | None = None
        self.page: Page | None = None
        self.where: Page | Frame | None = None  # the PRONOTE frame when opened in a frame
        self.shortcut_link: Any = None
        self.videos: list[Path] = []
        # Unrecorded, the journey borrows a context and page from the pool, if it is given one.
        self.pool = pool if not recording.any else None
        self.lent: Lent | None = None
        self._listeners: list[tuple[str, Any]] = []

    # -- contexts ----------------------------------------------------------------
    async def _new_context(self, *, recorded: bool, **extra: Any) -> BrowserContext:
        args = dict(self.context_args, **extra)
        if recorded and self.recording.video and self.recording.folder:
            args["record_video_dir"] = str(self.recording.folder)
            if self.recording.video_size:
                args["record_video_size"] = self.recording.video_size
        context = await self.browser.new_context(**args)
        if recorded and self.recording.tracing:
            await context.tracing.start(screenshots=True, snapshots=True, sources=False)
        self.contexts.append(context)
        self._use(context, await context.new_page())  # a blank page: no request to miss
        return context

    def _use(self, context: BrowserContext, page: Page) -> None:
        """Drive *context* and its *page* from now on: our timeouts, our hop recorder."""
        context.set_default_timeout(self.timeout_ms)
        context.set_default_navigation_timeout(self.timeout_ms)
        self._watch(context)
        self.context, self.page, self.where = context, page, page

    async def start(self) -> None:
        if self.pool is not None:
            self.lent = await self.pool.borrow(self.browser, self.context_args)
            self._use(self.lent.context, self.lent.page)
            return
        # The password is typed in an unrecorded context when anything is recorded.
        await self._new_context(recorded=not self.recording.any)

    async def login_done(self) -> Landing:
        """After the login: move to the recorded journey context, if there is one."""
        assert self.page is not None and self.context is not None
        if self.recording.any and self.context is self.contexts[0]:
            storage = await self.context.storage_state()
            url = self.page.url
            await self.context.close()
            await self._new_context(recorded=True, storage_state=storage)
            return await self.open(url)
        await self._through_auto_posts()
        return await self.current(full=False)

    def _watch(self, context: BrowserContext) -> None:
        hops, lent = self.hops, self.lent

        def on_request(request: Any) -> None:
            if lent is not None:
                lent.saw(request.url)  # its storage is wiped after the journey
            if request.is_navigation_request():
                hops.request(request.url)
                if request.method == "POST":
                    with contextlib.suppress(Exception):
                        hops.posted(request.url, request.post_data)

        def on_response(response: Any) -> None:
            if response.request.is_navigation_request():
                timing = response.request.timing
                seconds = None
                if timing.get("responseStart", -1) >= 0 and timing.get("requestStart", -1) >= 0:
                    seconds = (timing["responseStart"] - timing["requestStart"]) / 1000
                hops.response(response.url, response.status, seconds)

        context.on("request", on_request)
        context.on("response", on_response)
        self._listeners = [("request", on_request), ("response", on_response)]

    # -- landings ------------------------------------------------------------------
    async def current(self, full: bool = True) -> Landing:
        where = self.where or self.page
        assert where is not None
        if not full:  # the address and status only: no HTML read, no parsing
            return Landing(where.url, self.hops.statuses.get(where.url), "", "")
        try:
            html = await where.content()
        except PlaywrightError:
            html = ""
        url = where.url
        status = self.hops.statuses.get(url)
        return Landing(url, status, html, self.t.page_kind(url, status, html))

    async def _goto(self, url: str) -> Response | None:
        assert self.page is not None
        page = self.page

        async def send() -> Response | None:
            try:
                return await page.goto(url, wait_until="domcontentloaded")
            except PlaywrightTimeout:
                raise NetworkFailure("timeout", url) from None
            except PlaywrightError as exc:
                raise self._failure(str(exc), url) from None

        return await with_retries(
            send,
            url=url,
            retries=self.retries,
            noted=self.hops.retries,
            status_of=lambda r: r.status if r else None,
        )

    def _failure(self, message: str, url: str) -> NetworkFailure:
        """Chromium's error *message* for *url*, named; a failure of the proxy itself (its
        error codes, or its 407 that Chromium answers with an error page) names the proxy."""
        kind = network_kind(message) or "network"
        if self.net is not None:
            status = self.hops.statuses.get(url)
            proxied = proxy_error_kind(self.net, error=message, status=status, url=url)
            if proxied:
                return NetworkFailure(proxied, url, message, proxy_named(self.net))
        return NetworkFailure(kind, url, message)

    async def open(self, url: str) -> Landing:
        self.where = self.page
        await self._goto(url)
        return await self.current(full=False)

    async def visible(self, selector: str) -> bool:
        where = self.where or self.page
        assert where is not None
        try:
            return await where.locator(selector).first.is_visible()
        except PlaywrightError:
            return False

    async def _navigated(self, action: Any) -> Landing:
        """Run *action* (it starts a navigation) and land; network failures are named."""
        assert self.page is not None
        try:
            await action()
        except PlaywrightTimeout:
            landing = await self.current()
            landing.timed_out = True
            return landing
        except PlaywrightError as exc:
            failure = self._failure(str(exc), self.page.url)
            if failure.kind != "network":
                raise failure from None
            raise
        self.where = self.page
        await self._through_auto_posts()
        if self.page.url.startswith("chrome-error://"):
            raise NetworkFailure("network", self.hops.urls[-1] if self.hops.urls else "")
        return await self.current(full=False)

    async def _through_auto_posts(self) -> None:
        """Wait while the page is one a script posts at once (SAML's SAMLRequest/SAMLResponse)."""
        assert self.page is not None
        # The predicate once, at once (most pages are no SAML post: one round trip); else
        # waited for, not counted: a count may land between the post and the next page.
        try:
            if await self.page.evaluate(_NO_AUTO_POST):
                return
        except PlaywrightError:
            pass  # the page is navigating right now: wait below
        with contextlib.suppress(PlaywrightTimeout):
            await self.page.wait_for_function(_NO_AUTO_POST, timeout=self.timeout_ms)
            await self.page.wait_for_load_state("domcontentloaded")

    # -- login -----------------------------------------------------------------------
    async def follow_link(self, selector: str, texts: list[str]) -> Landing | None:
        assert self.page is not None
        home = EntHomePage(self.page)
        link = home.link(selector, texts)
        if not await link.count() or not await link.is_visible():
            return None
        return await self._navigated(lambda: home.follow(link))

    async def pick(
        self, form: str, choice: str, *, reveal: str = "", send: str = ""
    ) -> Landing | None:
        assert self.page is not None
        chooser = ChoiceForm(self.page, form, reveal=reveal, send=send)
        if not await chooser.has(choice):
            return None
        return await self._navigated(lambda: chooser.pick(choice))

    async def submit_login(self, username: str, password: str) -> Landing:
        assert self.page is not None
        form = CasLoginPage(self.page, self.loc)
        landing = await self._navigated(lambda: form.log_in(username, password))
        if await form.password.count():
            with contextlib.suppress(PlaywrightError):
                await form.password.fill("")  # a later screenshot shows an empty field
        return landing

    async def educonnect_log_in(self, profile: str, login: str, password: str) -> Landing:
        assert self.page is not None
        idp = EduConnectPage(self.page, self.loc)
        await idp.choose_profile(profile)
        landing = await self._navigated(lambda: idp.log_in(login, password))
        if await idp.password.count():
            with contextlib.suppress(PlaywrightError):
                await idp.password.fill("")
        return landing

    async def confirm_identity(self, birth_date: date) -> Landing:
        assert self.page is not None
        idp = EduConnectPage(self.page, self.loc)
        return await self._navigated(lambda: idp.confirm_identity(birth_date))

    # -- portal ------------------------------------------------------------------------
    async def find_shortcut(self, leads_to: list[str], labels: list[str]) -> Shortcut | None:
        assert self.page is not None
        portal = EntPortalPage(self.page, self.loc)
        for found_by, link in (
            ("href", portal.shortcut_by_href(leads_to)),
            ("label", portal.shortcut_by_label(labels)),
        ):
            if await link.count() and await link.is_visible():
                self.shortcut_link = link
                href = await link.get_attribute("href") or ""
                url = urljoin(self.page.url, href) if href and not href.startswith("#") else ""
                label = " ".join((await link.inner_text()).split())
                return Shortcut(url, label, found_by)
        return None

    async def settle_portal(self) -> None:
        """The portal is settled once loaded and its network quiet (it may build tiles by script)."""
        assert self.page is not None
        with contextlib.suppress(PlaywrightTimeout):
            await self.page.wait_for_load_state("networkidle")

    async def follow_shortcut(self, shortcut: Shortcut) -> Landing:
        assert self.page is not None and self.context is not None
        portal = EntPortalPage(self.page, self.loc)
        try:
            opened = await portal.open_shortcut(self.shortcut_link, self.context, self.timeout_ms)
        except (PlaywrightTimeout, TimeoutError):
            landing = await self.current()
            landing.timed_out = True
            return landing
        except PlaywrightError as exc:
            raise self._failure(str(exc), shortcut.url) from None
        self.page = opened.page
        self.where = opened.frame or opened.page
        return await self._settle_pronote()

    async def _settle_pronote(self) -> Landing:
        """Wait for PRONOTE's landing to be decided: a built space, a page asking input, or else."""
        assert self.page is not None and self.where is not None
        where = self.where
        with contextlib.suppress(PlaywrightTimeout):
            await where.wait_for_load_state("load")
        if where.url.startswith("chrome-error://"):
            failed = self.hops.urls[-1] if self.hops.urls else where.url
            raise NetworkFailure("network", failed)
        status = self.hops.statuses.get(where.url)
        if status in TRANSIENT_STATUSES and where is self.page:
            self.hops.retries.append(Retry(url=where.url, cause=f"http_{status}"))
            await self._goto(where.url)  # a transient error on arrival: reload, with retries
        on_pronote = urlsplit(where.url).netloc in self.t.pronote_hosts
        pronote = PronotePage(where, self.loc)
        if not on_pronote or not await pronote.is_application():
            return await self.current()  # a plain page (error, prompt, CAS…): decided as loaded
        try:
            built = await pronote.wait_until_built(self.timeout_ms)
        except PlaywrightTimeout:
            landing = await self.current()
            landing.timed_out = True
            return landing
        landing = await self.current()
        if built == "space":
            landing.kind = "space"
            landing.space_label = await pronote.user_label_text()
        return landing

    async def sso_location(self, url: str) -> str | None:
        """GET *url* with the session's cookies, redirects off: where the CAS would send us."""
        assert self.context is not None
        try:
            response = await self.context.request.get(url, max_redirects=0)
        except PlaywrightError:
            return None
        return response.headers.get("location")

    async def screenshot(self) -> bytes | None:
        """The viewport as JPEG (quality 70), once the page's fonts are loaded."""
        if self.page is None:
            return None
        try:
            if self.lent is not None and self.page is self.lent.page:
                return await asyncio.wait_for(self._capture(self.lent), self.timeout_ms / 1000)
            return await self.page.screenshot(type="jpeg", quality=70, timeout=self.timeout_ms)
        except (PlaywrightError, TimeoutError):
            return None

    async def _capture(self, lent: Lent) -> bytes:
        """The kept page's DevTools session captures it directly: what Playwright's screenshot
        does, without its two passes over every frame to hide the caret (a third less CPU)."""
        await lent.page.evaluate("document.fonts.ready.then(() => true)")
        shot = await lent.devtools.send(
            "Page.captureScreenshot", {"format": "jpeg", "quality": 70, "optimizeForSpeed": True}
        )
        return base64.b64decode(shot["data"])

    async def close(self) -> None:
        recorded = self.contexts[-1] if self.recording.any and len(self.contexts) > 1 else None
        if recorded is not None and self.recording.tracing and self.recording.folder:
            with contextlib.suppress(PlaywrightError):
                await recorded.tracing.stop(path=self.recording.folder / "trace.zip")
        if self.pool is not None:
            if self.lent is not None:  # wiped, then lent again
                for event, listener in self._listeners:
                    self.lent.context.remove_listener(event, listener)
                self.pool.release(self.lent)
            return
        pages = [p for c in self.contexts for p in c.pages]
        for context in self.contexts:
            with contextlib.suppress(PlaywrightError):
                await context.close()
        for page in pages:
            if page.video:
                with contextlib.suppress(PlaywrightError):
                    self.videos.append(Path(await page.video.path()))
