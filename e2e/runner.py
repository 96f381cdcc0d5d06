"""Many journeys at once in one browser: the accounts' journeys on an asyncio loop of their own.

pytest runs one test per account, one after the other; the waiting in a journey is
the servers', and waiting overlaps. So the tests hand their journeys to this runner
as soon as they are known (all of them, or with pytest-xdist those queued on this
worker), the runner drives up to `VERIFIER_CONCURRENCY` of them at once, each in its
own browser contexts, and each test then judges and reports its own journey. With
concurrency 1 the journeys run one after the other, as a plain loop would.

The browser may be started before any journey is known (`start_browser`), and a
target's journeys wait for its preflight (plain HTTP, run once per target): a target
whose preflight fails hard runs none.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import itertools
import os
import ssl
import threading
from collections.abc import Coroutine, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx
from playwright.async_api import Browser, Playwright, async_playwright
from playwright.async_api import Error as PlaywrightError

from e2e.browser_driver import BrowserDriver, Recording
from e2e.contexts import ContextPool
from e2e.driver import Driver
from e2e.hops import HopRecorder
from e2e.http_driver import HttpDriver
from e2e.journey import Journey, JourneyResult
from e2e.login_gate import LoginGate
from e2e.network import (
    NetworkSettings,
    browser_context_options,
    browser_launch_options,
    httpx_client_kwargs,
    ssl_context,
)
from e2e.preflight import Check, HardKnown, Preflight, SharedHosts, run_preflight
from e2e.settings import Account, Settings
from e2e.target import Target

T = TypeVar("T")
DEBIAN_CHROMIUM = ("/usr/lib/chromium/chromium", "/usr/bin/chromium")
# Headless runs take the headless shell where it is installed, as Playwright itself does with
# its own download (`playwright install chromium` fetches chromium-headless-shell too, and
# headless launches use it). Debian packages it as chromium-headless-shell: the same pages,
# screenshots and evidence for about half the CPU of the full browser's headless mode.
DEBIAN_HEADLESS_SHELL = (
    "/usr/lib/chromium/chromium-headless-shell",
    "/usr/bin/chromium-headless-shell",
)


def debian_chromium(headless: bool) -> str | None:
    """Debian's Chromium for this launch: the headless shell for headless runs when present."""
    candidates = (DEBIAN_HEADLESS_SHELL if headless else ()) + DEBIAN_CHROMIUM
    return next((c for c in candidates if os.access(c, os.X_OK)), None)


class PreflightStopped(Exception):
    """The target's preflight failed hard: its journeys are not run (their tests say why)."""


class BrowserUnavailable(Exception):
    """No browser could be started or reached: one French line, for every test."""


@dataclass
class LaunchOptions:
    """How to get a browser: launched (pytest-playwright's options) or remote endpoints."""

    headless: bool = True
    channel: str | None = None
    slow_mo: float = 0
    executable: Path | None = None
    endpoints: list[str] = field(default_factory=list)
    args: list[str] = field(default_factory=list)
    network: dict[str, Any] = field(default_factory=dict)  # proxy, and env trusting a CA bundle


@dataclass
class Job:
    target: Target
    account: Account
    recording: Recording


class JourneyRunner:
    def __init__(
        self,
        settings: Settings,
        *,
        probe: bool,
        launch: LaunchOptions,
        context_args: dict[str, Any],
        gate: LoginGate | None = None,
    ) -> None:
        self.gate = gate
        self.settings, self.probe, self.launch = settings, probe, launch
        self.context_args = context_args
        self.net = NetworkSettings.of(settings)  # resolved once: names a proxy that fails
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True, name="journeys")
        self.thread.start()
        self.futures: dict[str, concurrent.futures.Future[JourneyResult]] = {}
        self._targets: dict[str, str] = {}  # key → the name of its job's target
        self._slots = asyncio.Semaphore(settings.concurrency)
        self._browsers: list[Browser] | None = None
        self._browser_lock = asyncio.Lock()
        self._turn = itertools.count()
        self._playwright: Playwright | None = None
        self._problem: str | None = None
        self.timeout_ms = settings.timeout_s * 1000
        self._http: dict[tuple[str, bool], httpx.AsyncClient] = {}  # shared, by use and TLS
        self._verify: dict[bool, ssl.SSLContext | bool] = {}
        self._preflights: dict[str, asyncio.Task[Preflight]] = {}
        self._hard: dict[str, asyncio.Future[Check | None]] = {}
        self._hosts: SharedHosts | None = None  # made on the loop: what preflights share
        self._contexts = ContextPool(settings.concurrency)
        self._closed = False
        self._closing: concurrent.futures.Future[None] | None = None
        # Which browser ran the journeys, once one started ("chromium-headless-shell 156…").
        self.browser_used: str | None = None

    # -- from pytest's thread ----------------------------------------------------------
    def submit(self, key: str, job: Job) -> None:
        """Start *job*'s journey (once) as soon as a slot is free."""
        if key not in self.futures:
            self._targets[key] = job.target.name
            self.futures[key] = asyncio.run_coroutine_threadsafe(self._run(job), self.loop)

    def result(self, key: str) -> JourneyResult:
        return self.futures[key].result()

    def results_of(self, target: Target) -> list[JourneyResult]:
        """Every journey of *target* this process was handed, once all have ended (those that
        could not run left out), in the order they were handed: the target's evidence is
        whole, whichever journey ended first."""
        futures = [f for key, f in self.futures.items() if self._targets[key] == target.name]
        concurrent.futures.wait(futures)
        return [f.result() for f in futures if not f.cancelled() and f.exception() is None]

    def call(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run *coro* on the journeys' loop (e.g. the preflight) and wait for its result."""
        if self._closed:
            coro.close()
            raise RuntimeError("the journey runner is closed")
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result()

    def start_browser(self) -> None:
        """Launch the browser now, in the background, so that the first journey finds it up
        (a launch that fails is said by the journeys that need it)."""
        if not self.probe:
            asyncio.run_coroutine_threadsafe(self._warm_up(), self.loop)

    def close_soon(self) -> None:
        """Start closing: the browser goes while pytest writes the run's records; `close`
        waits for it. Journeys not started are dropped."""
        if self._closing is None:
            for future in self.futures.values():
                future.cancel()
            self._closing = asyncio.run_coroutine_threadsafe(self._close(), self.loop)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self.close_soon()
        assert self._closing is not None
        with contextlib.suppress(Exception):
            self._closing.result()
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        if not self.thread.is_alive():
            self.loop.close()

    def start_preflights(self, targets: Iterable[Target]) -> None:
        """Start the preflights of *targets* not yet started, without waiting for them."""
        todo = list({t.name: t for t in targets}.values())

        def start() -> None:
            for target in todo:
                self._start_preflight(target)

        self.loop.call_soon_threadsafe(start)

    # -- on the loop -------------------------------------------------------------------
    async def preflight(self, target: Target) -> Preflight:
        """*target*'s preflight (plain HTTP), run once."""
        self._start_preflight(target)
        return await asyncio.shield(self._preflights[target.name])

    async def hard_failure(self, target: Target) -> Check | None:
        """What stops *target*'s journeys (`Preflight.hard_failure`): they wait for the hard
        checks only (the ENT and its CAS answer), not for the slower ones."""
        self._start_preflight(target)
        return await asyncio.shield(self._hard[target.name])

    def _start_preflight(self, target: Target) -> None:
        if target.name in self._preflights:
            return
        hard: asyncio.Future[Check | None] = asyncio.get_running_loop().create_future()

        def known(failure: Check | None) -> None:
            if not hard.done():
                hard.set_result(failure)

        def ended(task: asyncio.Task[Preflight]) -> None:
            if hard.done():
                return
            if task.cancelled():
                hard.cancel()
            elif (error := task.exception()) is not None:
                hard.set_exception(error)
            else:
                hard.set_result(task.result().hard_failure)

        task = asyncio.ensure_future(self._run_preflight(target, known))
        task.add_done_callback(ended)
        self._preflights[target.name], self._hard[target.name] = task, hard

    async def _run_preflight(self, target: Target, hard_known: HardKnown) -> Preflight:
        self._hosts = self._hosts or SharedHosts()
        return await run_preflight(
            target,
            self._preflight_client(target.insecure_tls),
            retries=self.settings.retries,
            hard_known=hard_known,
            shared=self._hosts,
            net=self.net,
        )

    async def _warm_up(self) -> None:
        with contextlib.suppress(BrowserUnavailable):
            await self._browser()

    async def _run(self, job: Job) -> JourneyResult:
        if await self.hard_failure(job.target) is not None:
            raise PreflightStopped(job.target.name)
        async with self._slots:
            hops = HopRecorder(job.target)
            http = self._validation_client(job.target.insecure_tls)
            if self.probe:
                driver: Driver = HttpDriver(
                    self._client(job.target.insecure_tls, "pronote-ent-verifier (probe)"),
                    job.target,
                    hops,
                    retries=self.settings.retries,
                    net=self.net,
                )
            else:
                browser = await self._browser()
                args = dict(
                    self.context_args,
                    **browser_context_options(self.settings, insecure_tls=job.target.insecure_tls),
                )
                driver = BrowserDriver(
                    browser,
                    job.target,
                    hops,
                    args,
                    job.recording,
                    self._contexts,
                    timeout_s=self.settings.timeout_s,
                    retries=self.settings.retries,
                    net=self.net,
                )
            journey = Journey(
                driver,
                hops,
                job.target,
                job.account,
                http,
                journey_timeout_s=self.settings.journey_timeout_s,
                gate=self.gate,
            )
            try:
                await driver.start()
                result = await journey.run()
            except BrowserUnavailable:
                raise
            except Exception as exc:
                # A traceback would show the values of the frames (the password typed).
                result = journey.fail(_one_line(exc, job.account))
            finally:
                await driver.close()
            result.videos = list(getattr(driver, "videos", []))
            return result

    def _validation_client(self, insecure_tls: bool) -> httpx.AsyncClient:
        """One client per TLS policy for our own ticket validations, shared by the journeys
        (building a TLS context costs more than the validation itself)."""
        key = ("validation", insecure_tls)
        if key not in self._http:
            self._http[key] = self._client(insecure_tls, "pronote-ent-verifier")
        return self._http[key]

    def _preflight_client(self, insecure_tls: bool) -> httpx.AsyncClient:
        """One client per TLS policy for every preflight: an académie's 600 preflights start
        at once, and a client each (its own TLS context and pool) cost 491 MB for 600
        (measured; the controller of a 600-establishment night held 700 MB). Requests are
        bounded per host (`SharedHosts`), not by the pool, so a request waits for a free
        connection as long as it takes: our own queue is no sign of a slow server."""
        key = ("preflight", insecure_tls)
        if key not in self._http:
            self._http[key] = self._client(insecure_tls, pool=None)
        return self._http[key]

    def _client(
        self, insecure_tls: bool, agent: str | None = None, **timeouts: float | None
    ) -> httpx.AsyncClient:
        """An HTTP client with the network settings (proxy, CA bundle), redirects by hand;
        *agent* names us in its User-Agent (else httpx's own); *timeouts* change the
        `httpx.Timeout` of one phase (`pool=None`). The TLS context is made once per policy."""
        if insecure_tls not in self._verify:
            self._verify[insecure_tls] = ssl_context(
                NetworkSettings.of(self.settings, insecure_tls=insecure_tls)
            )
        return httpx.AsyncClient(
            **httpx_client_kwargs(
                self.settings, insecure_tls=insecure_tls, verify=self._verify[insecure_tls]
            ),
            follow_redirects=False,
            timeout=httpx.Timeout(self.settings.timeout_s, **timeouts),
            headers={"User-Agent": agent} if agent else None,
        )

    async def direct_login_form(self, target: Target) -> tuple[bool, str, bytes | None]:
        """Whether *target*'s direct URL shows PRONOTE's own login form (direct authentication,
        seed II.7)."""
        url = target.pronote_direct_url
        assert url is not None
        from pages.pronote import PronoteDirectLoginPage

        browser = await self._browser()
        context = await browser.new_context(**self.context_args)
        try:
            page = await context.new_page()
            try:
                await page.goto(url, wait_until="domcontentloaded", timeout=self.timeout_ms)
                form = PronoteDirectLoginPage(page, target.locators)
                await form.password_field.wait_for(state="visible", timeout=self.timeout_ms)
                shown = await form.login_field.is_visible()
                detail = "formulaire affiché" if shown else "champ identifiant absent"
            except PlaywrightError as exc:
                shown, detail = False, str(exc).splitlines()[0]
            png = await page.screenshot(type="jpeg", quality=70)
            return shown, detail, png
        finally:
            await context.close()

    async def _browser(self) -> Browser:
        """One browser per endpoint (or one launched), started once; journeys take them in turn."""
        async with self._browser_lock:
            if self._problem is not None:
                raise BrowserUnavailable(self._problem)
            if self._browsers is None:
                try:
                    self._browsers = await self._start_browsers()
                except (PlaywrightError, BrowserUnavailable) as exc:
                    first = next((ln for ln in str(exc).splitlines() if ln.strip()), "")
                    where = (
                        f"le serveur de navigateur {', '.join(self.launch.endpoints)} "
                        "(VERIFIER_BROWSER_WS_ENDPOINT)"
                        if self.launch.endpoints
                        else "Chromium (VERIFIER_BROWSER_EXECUTABLE, ou `playwright install "
                        "chromium`)"
                    )
                    self._problem = (
                        f"Navigateur indisponible : impossible de joindre {where} — {first}"
                    )
                    raise BrowserUnavailable(self._problem) from None
        return self._browsers[next(self._turn) % len(self._browsers)]

    async def _start_browsers(self) -> list[Browser]:
        self._playwright = await async_playwright().start()
        chromium = self._playwright.chromium
        if self.launch.endpoints:
            timeout = self.settings.timeout_s * 1000
            browsers = [await chromium.connect(e, timeout=timeout) for e in self.launch.endpoints]
            self.browser_used = (
                f"Chromium {browsers[0].version} ({', '.join(self.launch.endpoints)})"
            )
            return browsers
        args: dict[str, Any] = {
            "headless": self.launch.headless,
            "slow_mo": self.launch.slow_mo,
            "args": self.launch.args,
        }
        args.update(self.launch.network)
        if self.launch.channel:
            args["channel"] = self.launch.channel
        elif self.launch.executable:
            args["executable_path"] = str(self.launch.executable)
        elif not Path(chromium.executable_path).exists():
            debian = debian_chromium(self.launch.headless)
            if debian is None:
                raise BrowserUnavailable(
                    "Aucun navigateur Chromium trouvé. Installez-le : `playwright install "
                    "chromium` (ou, sous Debian/Ubuntu, `apt-get install chromium`), ou indiquez "
                    "son chemin dans VERIFIER_BROWSER_EXECUTABLE."
                )
            args["executable_path"] = debian
        browser = await chromium.launch(**args)
        executable = args.get("executable_path") or self.launch.channel or "playwright-chromium"
        self.browser_used = f"{Path(executable).name} {browser.version}"
        return [browser]

    async def _close(self) -> None:
        for client in self._http.values():
            await client.aclose()
        await self._contexts.settle()  # closing the browsers closes the kept contexts
        for browser in self._browsers or []:
            with contextlib.suppress(PlaywrightError):
                await browser.close()
        if self._playwright is not None:
            await self._playwright.stop()


def _one_line(exc: BaseException, account: Account) -> str:
    """An unexpected failure as one line, with the account's password cut out."""
    line = next((ln.strip() for ln in str(exc).splitlines() if ln.strip()), "")
    text = f"{type(exc).__name__}: {line}"[:300]
    if account.password is not None:
        text = text.replace(account.password.get_secret_value(), "******")
    return text


def launch_options(settings: Settings, config: Any, workdir: Path) -> LaunchOptions:
    """pytest-playwright's launch options (`--headed`, `--browser-channel`, `--slowmo`), and the
    network's (a proxy; a CA bundle trusted through an NSS database under *workdir*)."""
    opt = config.getoption
    return LaunchOptions(
        headless=settings.headless and not opt("--headed", False),
        channel=opt("--browser-channel", None),
        slow_mo=opt("--slowmo", 0) or 0,
        executable=settings.browser_executable,
        endpoints=settings.browser_ws_endpoints,
        network=browser_launch_options(settings, workdir),
    )


def run_probe(target: Target, account: Account, settings: Settings) -> JourneyResult:
    """One account's journey over plain HTTP, outside pytest (tests, benchmarks, scripts)."""
    runner = JourneyRunner(settings, probe=True, launch=LaunchOptions(), context_args={})
    try:
        runner.submit("probe", Job(target, account, Recording()))
        return runner.result("probe")
    finally:
        runner.close()
