"""Contexts kept between journeys (`e2e/contexts.py`): the next account finds nothing of the last.

Real HTTP servers on 127.0.0.1 (two origins, and a third framed by the first) serve a page
that leaves every kind of state a site can leave in a browser (cookies from the server and
from script, local and session storage, IndexedDB, Cache Storage, a service worker, an
HTTP-cached response), and a page that reports what it finds. The same page, read before
the wipe, finds it all: the reading can see what the wipe must remove.
"""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, async_playwright

from e2e import contexts
from e2e.contexts import ContextPool, Lent
from e2e.runner import debian_chromium

pytestmark = pytest.mark.anyio

WRITE = """<!doctype html><title>write</title><body><script>
document.cookie = "js_cookie=account-a; path=/";
localStorage.setItem("who", "account-a");
sessionStorage.setItem("who", "account-a");
window.done = (async () => {
  await new Promise((ok, ko) => {
    const open = indexedDB.open("ent-db", 1);
    open.onupgradeneeded = () => open.result.createObjectStore("s");
    open.onsuccess = () => { open.result.close(); ok(); };
    open.onerror = ko;
  });
  const cache = await caches.open("ent-cache");
  await cache.put("/kept", new Response("account-a"));
  await navigator.serviceWorker.register("/sw.js");
  await fetch("/cacheable");
  return true;
})();
</script>FRAME</body>"""

READ = """<!doctype html><title>read</title><body><script>
window.found = (async () => ({
  cookie: document.cookie,
  local: localStorage.length,
  session: sessionStorage.length,
  indexeddb: (await indexedDB.databases()).map(d => d.name),
  caches: await caches.keys(),
  workers: (await navigator.serviceWorker.getRegistrations()).length,
  cacheable: await (await fetch("/cacheable")).text(),
}))();
</script></body>"""


class Site(ThreadingHTTPServer):
    """One origin: /write leaves state (and frames *framed*'s /write), /read reports it."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.framed: Site | None = None
        self.hits: Counter[str] = Counter()

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.server_port}"


class Handler(BaseHTTPRequestHandler):
    server: Site

    def do_GET(self) -> None:
        path = self.path.split("?")[0]
        self.server.hits[path] += 1
        headers = {"Content-Type": "text/html; charset=utf-8"}
        if path == "/write":
            frame = (
                f'<iframe src="{self.server.framed.origin}/write"></iframe>'
                if self.server.framed
                else ""
            )
            body = WRITE.replace("FRAME", frame)
            headers["Set-Cookie"] = "server_cookie=account-a; Path=/; HttpOnly"
        elif path == "/read":
            body = READ
        elif path == "/sw.js":
            body, headers["Content-Type"] = (
                "self.addEventListener('fetch', () => {});",
                "text/javascript",
            )
        elif path == "/cacheable":
            body = f"response {self.server.hits[path]}"
            headers["Cache-Control"] = "max-age=3600"
        else:
            self.send_error(404)
            return
        data = body.encode()
        self.send_response(200)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def sites() -> Iterator[tuple[Site, Site, Site]]:
    a, b, framed = Site(), Site(), Site()
    a.framed = framed
    for site in (a, b, framed):
        threading.Thread(target=site.serve_forever, daemon=True).start()
    yield a, b, framed
    for site in (a, b, framed):
        site.shutdown()
        site.server_close()


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def browser(anyio_backend: str) -> AsyncIterator[Browser]:
    executable = debian_chromium(headless=True)
    async with async_playwright() as playwright:
        if executable is None and not Path(playwright.chromium.executable_path).exists():
            pytest.skip("no Chromium here")
        launched = await playwright.chromium.launch(executable_path=executable)
        yield launched
        await launched.close()


async def write_state(lent: Lent, *sites: Site) -> None:
    """A journey that leaves state on *sites* (the origins it requests are noted, as the
    browser driver notes them)."""
    lent.context.on("request", lambda request: lent.saw(request.url))
    for site in sites:
        await lent.page.goto(f"{site.origin}/write")
        await lent.page.wait_for_function("window.done")
        assert await lent.page.evaluate("window.done") is True
        if site.framed:
            frame = lent.page.frame(url=f"{site.framed.origin}/write")
            assert frame is not None
            await frame.wait_for_function("window.done")


async def read_state(lent: Lent, site: Site) -> dict[str, Any]:
    await lent.page.goto(f"{site.origin}/read")
    return await lent.page.evaluate("window.found")


NOTHING = {
    "cookie": "",
    "local": 0,
    "session": 0,
    "indexeddb": [],
    "caches": [],
    "workers": 0,
}


async def test_the_next_journey_finds_nothing_the_last_one_left(
    browser: Browser, sites: tuple[Site, Site, Site]
) -> None:
    # Given a journey that left state on two origins and in a framed third one
    a, b, framed = sites
    pool = ContextPool(2)
    first = await pool.borrow(browser, {"locale": "fr-FR"})
    await write_state(first, a, b)
    # (the reading sees it, before the wipe)
    before = await read_state(first, a)
    assert "js_cookie=account-a" in before["cookie"]
    assert (before["local"], before["session"]) == (1, 1)
    assert before["indexeddb"] == ["ent-db"] and before["caches"] == ["ent-cache"]
    assert before["workers"] == 1
    assert before["cacheable"] == "response 1"  # from the HTTP cache: the server saw one

    # When it gives its context back and the next journey borrows one
    await pool.give_back(first)
    second = await pool.borrow(browser, {"locale": "fr-FR"})

    # Then it is the same context and page (no new renderer), and they hold nothing
    assert second.context is first.context and second.page is first.page
    assert len(second.context.pages) == 1
    assert await second.context.cookies() == []
    for site in (a, b, framed):
        found = await read_state(second, site)
        assert {k: v for k, v in found.items() if k != "cacheable"} == NOTHING, site.origin
    # the cached response was asked of the server again
    assert a.hits["/cacheable"] == 2
    await pool.close()


async def test_pages_the_journey_opened_are_closed(
    browser: Browser, sites: tuple[Site, Site, Site]
) -> None:
    a, _, _ = sites
    pool = ContextPool(2)
    lent = await pool.borrow(browser, {})
    lent.saw(a.origin)
    popup = await lent.context.new_page()
    await popup.goto(f"{a.origin}/read")

    await pool.give_back(lent)

    assert popup.is_closed() and lent.page.url == "about:blank"
    await pool.close()


async def test_a_context_that_cannot_be_wiped_is_closed_not_lent_again(browser: Browser) -> None:
    pool = ContextPool(2)
    lent = await pool.borrow(browser, {})
    await lent.page.close()  # the wipe's about:blank cannot happen

    await pool.give_back(lent)
    again = await pool.borrow(browser, {})

    assert again.context is not lent.context
    assert lent.context not in browser.contexts
    await pool.close()


async def test_contexts_are_lent_only_for_the_same_options(browser: Browser) -> None:
    pool = ContextPool(2)
    strict = await pool.borrow(browser, {"ignore_https_errors": False})
    await pool.give_back(strict)

    lax = await pool.borrow(browser, {"ignore_https_errors": True})
    same = await pool.borrow(browser, {"ignore_https_errors": False})

    assert lax.context is not strict.context and same.context is strict.context
    await pool.close()
    assert browser.contexts == []


async def test_a_full_pool_waits_for_a_wipe_rather_than_grow(browser: Browser) -> None:
    # Given a pool of one context, being wiped in the background
    pool = ContextPool(1)
    first = await pool.borrow(browser, {})
    pool.release(first)

    # When the next journey borrows at once
    second = await pool.borrow(browser, {})

    # Then it waits for that wipe and gets the same context
    assert second.context is first.context and len(browser.contexts) == 1
    await pool.close()


async def test_a_wipe_that_hangs_gives_its_context_up(
    browser: Browser, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a wipe that never ends (a browser that does not answer)
    pool = ContextPool(1)
    lent = await pool.borrow(browser, {})

    async def hangs(_: Lent) -> None:
        await asyncio.Event().wait()

    monkeypatch.setattr(contexts, "WIPE_TIMEOUT_S", 0.2)
    monkeypatch.setattr(ContextPool, "_wipe", staticmethod(hangs))

    # When the journey gives its context back
    await pool.give_back(lent)

    # Then the context is closed, and the next journey gets a new one
    assert lent.context not in browser.contexts
    again = await pool.borrow(browser, {})
    assert again.context is not lent.context
    await pool.close()


async def test_a_context_is_closed_after_its_last_use_and_a_new_one_lent(
    browser: Browser, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given contexts that serve three journeys each
    monkeypatch.setattr(contexts, "USES", 3)
    pool = ContextPool(1)

    # When seven journeys borrow and give back in turn
    lent = []
    for _ in range(7):
        lent.append(await pool.borrow(browser, {}))
        await pool.give_back(lent[-1])

    # Then the first three share one context, closed after the third; the next three another
    first, second, third = (lent[i].context for i in (0, 3, 6))
    assert [x.context for x in lent] == [first] * 3 + [second] * 3 + [third]
    assert first not in browser.contexts and second not in browser.contexts
    assert browser.contexts == [third] and len({id(c) for c in (first, second, third)}) == 3
    await pool.close()
    assert browser.contexts == []
