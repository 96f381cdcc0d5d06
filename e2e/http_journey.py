"""The journey over plain HTTP: ENT login through CAS, portal, Pronote shortcut, PRONOTE.net.

Used as the fast probe (no browser, no JavaScript: evidence of the protocol, not of
the pages) and as the protocol floor in benchmarks. It fills the same
`Observation` as the browser journey, so the same diagnoses apply.
"""

from __future__ import annotations

import ssl
import statistics
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import httpx

from e2e.settings import Account
from e2e.target import Target
from verdict.cas import safe_url, service_of, validate_ticket
from verdict.observation import Observation, page_kind, visible_text

MAX_HOPS = 20
TRANSIENT_STATUSES = {502, 503, 504}
BACK_OFF_S = 0.2


def back_off(attempt: int) -> None:
    """Bounded exponential back-off before retrying a transient network failure.

    This is the pause between two attempts of one request, not a wait for a page's
    state: the pages themselves are awaited by Playwright's auto-waiting and `expect`.
    """
    time.sleep(BACK_OFF_S * 2**attempt)


@dataclass
class Form:
    action: str
    method: str
    inputs: list[dict[str, str]] = field(default_factory=list)

    @property
    def has_password(self) -> bool:
        return any(i.get("type", "").lower() == "password" for i in self.inputs)


class PageParser(HTMLParser):
    """Forms, links and frames of a page: just enough to follow a journey without a browser."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.links: list[tuple[str, str]] = []  # (href, text)
        self.frames: list[str] = []
        self._link: list[str] | None = None
        self._href = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(Form(a.get("action", ""), a.get("method", "get").lower()))
        elif tag in ("input", "button", "select") and self.forms:
            self.forms[-1].inputs.append({"tag": tag, **a})
        elif tag == "a":
            self._link, self._href = [], a.get("href", "")
        elif tag in ("iframe", "frame"):
            self.frames.append(a.get("src", ""))

    def handle_data(self, data: str) -> None:
        if self._link is not None:
            self._link.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._link is not None:
            self.links.append((self._href, " ".join("".join(self._link).split())))
            self._link = None


def parse_page(html: str) -> PageParser:
    parser = PageParser()
    parser.feed(html)
    return parser


class JourneyError(Exception):
    """A network failure that ends the journey; `kind` names it for the diagnosis."""

    def __init__(self, kind: str, url: str, detail: str) -> None:
        super().__init__(f"{kind} at {url}: {detail}")
        self.kind, self.url, self.detail = kind, url, detail


def network_error_kind(exc: Exception) -> str:
    text = f"{type(exc).__name__} {exc}".lower()
    if isinstance(exc, httpx.TimeoutException) or "timed out" in text:
        return "timeout"
    if isinstance(exc, ssl.SSLError) or "certificate" in text or "ssl" in text:
        return "tls"
    if "name or service not known" in text or "nodename" in text or "name resolution" in text:
        return "dns"
    if "refused" in text:
        return "connection_refused"
    if "reset" in text or "disconnected" in text or "remoteprotocolerror" in text:
        return "connection_reset"
    return "network"


class HttpJourney:
    """One account's journey with httpx; cookies persist across hops like a browser's."""

    def __init__(self, target: Target, *, timeout_s: float = 20, retries: int = 2) -> None:
        self.target = target
        self.retries = retries
        self.client = httpx.Client(
            follow_redirects=False,
            timeout=timeout_s,
            verify=not target.insecure_tls,
            headers={"User-Agent": "pronote-ent-verifier (probe)"},
        )

    def close(self) -> None:
        self.client.close()

    # -- transport -----------------------------------------------------------
    def _send(self, obs: Observation, method: str, url: str, **kwargs: object) -> httpx.Response:
        """One request, retried with bounded back-off on transient failures (reported)."""
        for attempt in range(self.retries + 1):
            try:
                response = self.client.request(method, url, **kwargs)  # type: ignore[arg-type]
            except httpx.HTTPError as exc:
                kind = network_error_kind(exc)
                if attempt < self.retries and kind in ("connection_reset", "network"):
                    obs.warnings.append(f"retry {attempt + 1} after {kind} at {safe_url(url)}")
                    back_off(attempt)
                    continue
                raise JourneyError(kind, url, str(exc)) from None
            if response.status_code in TRANSIENT_STATUSES and attempt < self.retries:
                obs.warnings.append(
                    f"retry {attempt + 1} after HTTP {response.status_code} at {safe_url(url)}"
                )
                back_off(attempt)
                continue
            return response
        raise AssertionError("unreachable")

    def follow(self, obs: Observation, method: str, url: str, **kwargs: object) -> httpx.Response:
        """Send and follow redirects by hand, noting every hop (the CAS ones matter)."""
        for _ in range(MAX_HOPS):
            obs.urls.append(safe_url(url))
            self._note(obs, url)
            response = self._send(obs, method, url, **kwargs)
            self._hops.append(response.elapsed.total_seconds())
            if response.status_code not in (301, 302, 303, 307, 308):
                return response
            url = urljoin(url, response.headers["location"])
            if response.status_code in (301, 302, 303):
                method, kwargs = "GET", {}
        raise JourneyError("redirect_loop", url, f"more than {MAX_HOPS} redirects")

    def _note(self, obs: Observation, url: str) -> None:
        t = self.target
        if url.startswith(t.cas_url) or (
            "/login" in urlsplit(url).path and urlsplit(url).netloc not in t.pronote_hosts
        ):
            service = service_of(url)
            if service and not service.startswith(t.ent_url):
                obs.pronote_service = service
                obs.pronote_cas_login_url = url
        if urlsplit(url).netloc in t.pronote_hosts and "ticket=" in url:
            obs.ticket_issued = True

    # -- the journey ---------------------------------------------------------
    def run(self, account: Account) -> Observation:
        t = self.target
        obs = Observation(
            target=t.name, account=account.login, profile=account.profile, mode="probe"
        )
        started = time.monotonic()
        self._hops: list[float] = []  # server time of each hop, seconds
        try:
            self._journey(obs, account)
        except JourneyError as exc:
            obs.network_error, obs.network_error_url = exc.kind, safe_url(exc.url)
        finally:
            obs.timings["total"] = round(time.monotonic() - started, 3)
            if self._hops:
                obs.timings["hop_median"] = round(statistics.median(self._hops), 3)
        return obs

    def _timed(self, obs: Observation, step: str, began: float) -> None:
        obs.timings[step] = round(time.monotonic() - began, 3)
        obs.step = step

    def _journey(self, obs: Observation, account: Account) -> None:
        t = self.target
        began = time.monotonic()
        page = self.follow(obs, "GET", t.ent_url)
        obs.reached_ent = True
        if not _login_form(page.text):
            link = _find_link(parse_page(page.text), ("se connecter", "connexion"))
            if link:
                page = self.follow(obs, "GET", urljoin(str(page.url), link))
        form = _login_form(page.text)
        self._timed(obs, "ent_login_page", began)
        if form is None:
            self._final(obs, page)
            return
        obs.reached_cas_login = True
        began = time.monotonic()
        page = self._submit_login(obs, page, form, account)
        if _login_form(page.text) and urlsplit(str(page.url)).netloc == urlsplit(t.cas_url).netloc:
            obs.credentials_rejected = True
            self._final(obs, page)
            return
        obs.reached_portal = True
        self._timed(obs, "portal", began)
        began = time.monotonic()
        parsed = parse_page(page.text)
        href = _find_link(parsed, (t.shortcut_label.casefold(),), exact=True)
        obs.shortcut_found = href is not None
        if href is None:
            self._final(obs, page)
            return
        url = urljoin(str(page.url), href)
        obs.shortcut_url = safe_url(url)
        page = self.follow(obs, "GET", url)
        frames = parse_page(page.text).frames if urlsplit(url).netloc not in t.pronote_hosts else []
        if frames:  # the shortcut opens PRONOTE inside a portal frame
            page = self.follow(obs, "GET", urljoin(url, frames[0]))
        self._timed(obs, "pronote", began)
        self._final(obs, page)
        if obs.pronote_service:
            began = time.monotonic()
            self.identify(obs)
            self._timed(obs, "cas_identifier", began)
            obs.step = "pronote"

    def identify(self, obs: Observation) -> None:
        """Ask the CAS for a fresh ticket for PRONOTE's service by SSO, and validate it ourselves."""
        assert obs.pronote_service
        login = urljoin(self.target.cas_url, "login")
        try:
            response = self._send(obs, "GET", login, params={"service": obs.pronote_service})
        except JourneyError:
            return
        location = response.headers.get("location", "")
        ticket = httpx.URL(location).params.get("ticket") if location else None
        if ticket:
            obs.cas_validation = validate_ticket(
                self.client, self.target.cas_url, obs.pronote_service, ticket
            )

    def _submit_login(
        self, obs: Observation, page: httpx.Response, form: Form, account: Account
    ) -> httpx.Response:
        assert account.password is not None
        data: dict[str, str] = {}
        for field_ in form.inputs:
            name, kind = field_.get("name"), field_.get("type", "text").lower()
            if not name or kind in ("checkbox", "radio", "submit") or field_["tag"] == "button":
                continue
            data[name] = field_.get("value", "")
        user_field = next(
            (
                i["name"]
                for i in form.inputs
                if i.get("name") in ("username", "j_username", "login")
            ),
            "username",
        )
        pass_field = next(
            (i["name"] for i in form.inputs if i.get("type", "").lower() == "password"), "password"
        )
        data[user_field] = account.login
        data[pass_field] = account.password.get_secret_value()
        action = urljoin(str(page.url), form.action or str(page.url))
        return self.follow(obs, "POST", action, data=data)

    def _final(self, obs: Observation, page: httpx.Response) -> None:
        url = str(page.url)
        obs.final_url = safe_url(url)
        obs.final_status = page.status_code
        obs.final_kind = page_kind(
            url,
            page.status_code,
            page.text,
            pronote_hosts=self.target.pronote_hosts,
            cas_url=self.target.cas_url,
        )
        obs.final_text = visible_text(page.text, limit=600)


def _login_form(html: str) -> Form | None:
    return next((f for f in parse_page(html).forms if f.has_password), None)


def _find_link(parsed: PageParser, names: tuple[str, ...], *, exact: bool = False) -> str | None:
    for href, text in parsed.links:
        folded = text.casefold()
        if (folded in names) if exact else any(n in folded for n in names):
            return href
    return None


class ProbeJourney:
    """The fast probe with the browser journey's interface: `run(target, account)`."""

    def __init__(self, timeout_s: float, retries: int) -> None:
        self.timeout_s, self.retries = timeout_s, retries

    def run(self, target: Target, account: Account) -> Observation:
        journey = HttpJourney(target, timeout_s=self.timeout_s, retries=self.retries)
        try:
            return journey.run(account)
        finally:
            journey.close()
