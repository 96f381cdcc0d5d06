"""The journey's driver over plain HTTP (httpx, and BeautifulSoup to read forms and links).

The fast probe: no browser, no JavaScript, so it is evidence of the protocol, not of
the pages. It reads the same locators as the browser (plain CSS selectors), submits
the forms a person would, auto-posts the forms a browser's script would (SAML's
`SAMLRequest`/`SAMLResponse`), and follows redirects by hand so that every hop passes
through the hop recorder.
"""

from __future__ import annotations

import errno
import re
import socket
import ssl
from datetime import date
from urllib.parse import urlencode, urljoin, urlsplit

import httpx
from bs4 import BeautifulSoup, Tag

from e2e.driver import Landing, NetworkFailure, Shortcut
from e2e.hops import HopRecorder
from e2e.network import (
    PROXY_AUTH,
    PROXY_UNREACHABLE,
    NetworkSettings,
    proxy_error_kind,
    proxy_named,
)
from e2e.retry import with_retries
from e2e.target import Target

MAX_HOPS = 20
_WINDOW_OPEN_RE = re.compile(r"""window\.open\(\s*['"]([^'"]+)['"]""")
_AUTO_POST_FIELDS = {"SAMLRequest", "SAMLResponse"}


def network_error_kind(exc: BaseException, net: NetworkSettings | None = None) -> str:
    """Name a transport failure from the exception and its causes (errno first, then words).

    With the run's network settings *net*, a failure of the proxy itself is named as the
    proxy's (`proxy_unreachable`, `proxy_auth`), not as the host the request was for.
    """
    if isinstance(exc, httpx.TimeoutException):
        return "timeout"
    if net is not None and (kind := proxy_error_kind(net, error=exc)):
        return kind
    if isinstance(exc, httpx.ProxyError):
        return PROXY_UNREACHABLE
    chain: list[BaseException] = []
    link: BaseException | None = exc
    while link is not None and link not in chain:
        chain.append(link)
        link = link.__cause__ or link.__context__
    for cause in chain:
        if isinstance(cause, ssl.SSLError):
            return "tls"
        if isinstance(cause, socket.gaierror):
            return "dns"
        if isinstance(cause, OSError) and cause.errno in _ERRNO_KINDS:
            return _ERRNO_KINDS[cause.errno]
    text = " ".join(f"{type(c).__name__} {c}" for c in chain).lower()
    if "timed out" in text:
        return "timeout"
    if "certificate" in text or "ssl" in text:
        return "tls"
    if "name or service not known" in text or "nodename" in text or "name resolution" in text:
        return "dns"
    if "refused" in text or "all connection attempts failed" in text:
        return "connection_refused"
    if "reset" in text or "disconnected" in text or "remoteprotocolerror" in text:
        return "connection_reset"
    return "network"


def proxy_or_network_failure(
    exc: httpx.HTTPError, url: str, net: NetworkSettings | None
) -> NetworkFailure:
    """The `NetworkFailure` of *exc*; a failure of the proxy names the proxy."""
    kind = network_error_kind(exc, net)
    proxy = proxy_named(net) if net is not None and kind.startswith("proxy") else None
    return NetworkFailure(kind, url, str(exc), proxy)


_ERRNO_KINDS = {
    errno.ECONNREFUSED: "connection_refused",
    errno.ECONNRESET: "connection_reset",
    errno.EPIPE: "connection_reset",
    errno.ETIMEDOUT: "timeout",
    errno.EHOSTUNREACH: "connection_refused",
    errno.ENETUNREACH: "connection_refused",
}


class HttpDriver:
    mode = "probe"

    def __init__(
        self,
        client: httpx.AsyncClient,
        target: Target,
        hops: HopRecorder,
        *,
        retries: int,
        net: NetworkSettings | None = None,
    ) -> None:
        self.http, self.t, self.hops, self.retries = client, target, hops, retries
        self.net = net  # the proxy *client* goes through, to name the proxy when it fails
        self.loc = target.locators
        self.response: httpx.Response | None = None
        self.soup: BeautifulSoup | None = None
        self.shortcut: Shortcut | None = None

    async def start(self) -> None:
        return None

    # -- transport -------------------------------------------------------------------
    async def _send(self, method: str, url: str, data: dict[str, str] | None) -> httpx.Response:
        async def send() -> httpx.Response:
            try:
                response = await self.http.request(method, url, data=data)
            except httpx.HTTPError as exc:
                raise proxy_or_network_failure(exc, url, self.net) from None
            if self.net is not None and proxy_error_kind(
                self.net, status=response.status_code, url=url
            ):
                raise NetworkFailure(PROXY_AUTH, url, "HTTP 407", proxy_named(self.net))
            return response

        # A POST may carry a credential: it is sent once, whatever the answer, so that a
        # password the server may have counted as rejected is never sent again.
        return await with_retries(
            send,
            url=url,
            retries=self.retries if method == "GET" else 0,
            noted=self.hops.retries,
            status_of=lambda r: r.status_code,
        )

    async def _follow(self, method: str, url: str, data: dict[str, str] | None = None) -> Landing:
        """Send and follow redirects by hand, noting every hop; auto-post SAML forms."""
        for _ in range(MAX_HOPS):
            self.hops.request(url)
            if method == "POST" and data:
                self.hops.posted(url, urlencode(data))
            response = await self._send(method, url, data)
            self.hops.response(url, response.status_code, response.elapsed.total_seconds())
            if response.status_code in (301, 302, 303, 307, 308):
                url = urljoin(url, response.headers["location"])
                if response.status_code in (301, 302, 303):
                    method, data = "GET", None
                continue
            self.response = response
            self.soup = BeautifulSoup(response.text, "html.parser")
            auto = self._auto_post_form()
            if auto is None:
                return await self.current()
            method, url, data = "POST", auto[0], auto[1]
        raise NetworkFailure("redirect_loop", url, f"more than {MAX_HOPS} redirects")

    def _auto_post_form(self) -> tuple[str, dict[str, str]] | None:
        """A form a browser's script posts by itself: SAML's SAMLRequest/SAMLResponse."""
        assert self.soup is not None
        for form in self.soup.find_all("form"):
            hidden = {i.get("name") for i in form.find_all("input") if i.get("type") == "hidden"}
            if hidden & _AUTO_POST_FIELDS:
                return self._action(form), _values(form)
        return None

    def _resolve(self, href: object) -> str:
        """*href* as an absolute address, from the page the session is on."""
        assert self.response is not None
        return urljoin(str(self.response.url), str(href))

    def _action(self, form: Tag) -> str:
        assert self.response is not None
        return urljoin(str(self.response.url), str(form.get("action") or self.response.url))

    async def current(self, full: bool = True) -> Landing:
        assert self.response is not None
        url, html = str(self.response.url), self.response.text
        status = self.response.status_code
        return Landing(url, status, html, self.t.page_kind(url, status, html))

    async def open(self, url: str) -> Landing:
        return await self._follow("GET", url)

    async def visible(self, selector: str) -> bool:
        # Without a browser, "visible" is "present": the probe submits what is in the HTML.
        return self.soup is not None and self.soup.select_one(selector) is not None

    async def _submit(self, form: Tag, values: dict[str, str]) -> Landing:
        data = _values(form)
        data.update(values)
        method = str(form.get("method") or "get").upper()
        action = self._action(form)
        if method == "GET":
            return await self._follow("GET", action + "?" + urlencode(data))
        return await self._follow("POST", action, data)

    def _form_of(self, selector: str) -> Tag | None:
        assert self.soup is not None
        element = self.soup.select_one(selector)
        return element.find_parent("form") if element is not None else None

    # -- login -----------------------------------------------------------------------------
    async def follow_link(self, selector: str, texts: list[str]) -> Landing | None:
        assert self.soup is not None
        link = self.soup.select_one(selector) or _link_by_text(self.soup, texts)
        if link is None or not link.get("href"):
            return None
        return await self._follow("GET", self._resolve(link["href"]))

    async def pick(
        self, form: str, choice: str, *, reveal: str = "", send: str = ""
    ) -> Landing | None:
        # No JavaScript here: a choice hidden behind *reveal* is in the markup all the same.
        assert self.soup is not None
        block = self.soup.select_one(form)
        radio = block.select_one(choice) if block is not None else None
        if block is None or radio is None:
            return None
        sent = block if block.name == "form" else block.find_parent("form") or block
        values = {str(radio.get("name")): str(radio.get("value", ""))}
        button = sent.select_one(send) if send else None
        if button is not None and button.get("name"):  # a named button is sent, as browsers do
            values[str(button["name"])] = str(button.get("value", ""))
        return await self._submit(sent, values)

    async def submit_login(self, username: str, password: str) -> Landing:
        form = self._form_of(self.loc.login_password)
        assert form is not None and self.soup is not None
        user = form.select_one(self.loc.login_username)
        secret = form.select_one(self.loc.login_password)
        assert secret is not None
        values = {str(secret.get("name") or "password"): password}
        if user is not None:
            values[str(user.get("name") or "username")] = username
        return await self._submit(form, values)

    async def educonnect_log_in(self, profile: str, login: str, password: str) -> Landing:
        # The profile buttons only reveal the login block (#div_connexion): nothing is sent.
        form = self._form_of(self.loc.educonnect_password)
        if form is None:
            return await self.current()
        user = form.select_one(self.loc.educonnect_username)
        secret = form.select_one(self.loc.educonnect_password)
        assert user is not None and secret is not None
        values = {str(user.get("name")): login, str(secret.get("name")): password}
        # The profile buttons are a script: where the form carries the choice in a hidden
        # field named for it, the probe fills it as the script would.
        for hidden in form.select('input[type="hidden"][name*="profil" i]'):
            values[str(hidden["name"])] = profile
        submit = form.select_one(self.loc.educonnect_submit)
        if submit is not None and submit.get("name"):
            values[str(submit["name"])] = str(submit.get("value", ""))
        return await self._submit(form, values)

    async def confirm_identity(self, birth_date: date) -> Landing:
        assert self.soup is not None
        form = self.soup.select_one(self.loc.identity_check_form)
        assert form is not None
        values = {}
        for selector, value in (
            (self.loc.identity_check_day, f"{birth_date.day:02d}"),
            (self.loc.identity_check_month, f"{birth_date.month:02d}"),
            (self.loc.identity_check_year, f"{birth_date.year:04d}"),
        ):
            field = form.select_one(selector)
            if field is not None and field.get("name"):
                values[str(field["name"])] = value
        return await self._submit(form, values)

    async def login_done(self) -> Landing:
        return await self.current()

    # -- portal ----------------------------------------------------------------------------
    async def find_shortcut(self, leads_to: list[str], labels: list[str]) -> Shortcut | None:
        assert self.soup is not None and self.response is not None
        base = str(self.response.url)
        for link in self.soup.find_all(["a", "button"]):
            href = urljoin(base, str(link.get("href"))) if link.get("href") else ""
            if not href:
                match = _WINDOW_OPEN_RE.search(str(link.get("onclick") or ""))
                href = urljoin(base, match[1]) if match else ""
            if href and any(part in href for part in leads_to):
                self.shortcut = Shortcut(href, link.get_text(" ", strip=True), "href")
                return self.shortcut
        folded = {label.casefold() for label in labels if label}
        for link in self.soup.find_all(["a", "button"]):
            text = " ".join(link.get_text(" ", strip=True).split()).casefold()
            tile = link.select_one(self.loc.shortcut_tile) or (
                link if link in self.soup.select(self.loc.shortcut_tile) else None
            )
            if text in folded or tile is not None:
                href = str(link.get("href") or "")
                match = _WINDOW_OPEN_RE.search(str(link.get("onclick") or ""))
                url = (
                    urljoin(base, href)
                    if href and not href.startswith("#")
                    else (urljoin(base, match[1]) if match else "")
                )
                self.shortcut = Shortcut(url, text, "label" if text in folded else "tile")
                return self.shortcut
        return None

    async def settle_portal(self) -> None:
        return None  # a static page is settled once received

    async def follow_shortcut(self, shortcut: Shortcut) -> Landing:
        if not shortcut.url:
            return await self.current()
        landing = await self._follow("GET", shortcut.url)
        assert self.soup is not None
        frame = self.soup.select_one("iframe[src], frame[src]")
        if frame is not None and urlsplit(landing.url).netloc not in self.t.pronote_hosts:
            landing = await self._follow("GET", urljoin(landing.url, str(frame["src"])))
        return landing

    async def sso_location(self, url: str) -> str | None:
        try:
            response = await self._send("GET", url, None)
        except NetworkFailure:
            return None
        return response.headers.get("location")

    async def screenshot(self) -> bytes | None:
        return None  # the probe has no pages to show

    async def close(self) -> None:
        await self.http.aclose()


def _values(form: Tag) -> dict[str, str]:
    """What a form sends as it is: hidden and pre-filled inputs, not buttons or unchecked boxes."""
    data: dict[str, str] = {}
    for field in form.find_all(["input", "select", "textarea"]):
        name = field.get("name")
        kind = str(field.get("type", "text")).lower()
        if not name or kind in ("submit", "button", "image", "reset"):
            continue
        if kind in ("checkbox", "radio") and not field.has_attr("checked"):
            continue
        data[str(name)] = str(field.get("value", ""))
    return data


def _link_by_text(soup: BeautifulSoup, texts: list[str]) -> Tag | None:
    wanted = {t.casefold() for t in texts}
    return next(
        (a for a in soup.find_all("a") if a.get_text(" ", strip=True).casefold() in wanted), None
    )
