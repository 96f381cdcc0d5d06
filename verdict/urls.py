"""URL comparisons as CAS and PRONOTE make them, shared by the rules and the preflight."""

from __future__ import annotations

from typing import Literal
from urllib.parse import parse_qs, urlsplit

from verdict.cas import cas_root
from verdict.target import TargetLike

HostRole = Literal["ent", "cas", "pronote"]
_DEFAULT_PORTS = {"http": ":80", "https": ":443"}


def norm(url: str) -> str:
    """Scheme and host lowercased, default port dropped, path kept: how CAS compares roots."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = parts.netloc.lower()
    default = _DEFAULT_PORTS.get(scheme)
    if default and host.endswith(default):
        host = host.removesuffix(default)
    return f"{scheme}://{host}{parts.path}"


def host(url: str) -> str:
    return urlsplit(norm(url)).netloc


def under(url: str, root: str) -> bool:
    """*url* is *root* or below it (PRONOTE announces its root or one of its space pages)."""
    url, root = norm(url), norm(root)
    return url == root or url.startswith(root if root.endswith("/") else root + "/")


def same_host(a: str, b: str) -> bool:
    return host(a) == host(b)


def pronote_urls(target: TargetLike) -> list[str]:
    urls = (target.pronote_url, target.pronote_classic_url, target.pronote_direct_url)
    return [u for u in urls if u]


def host_role(url: str | None, target: TargetLike) -> HostRole | None:
    """Which of the target's sites *url* belongs to: "ent", "cas", "pronote" or None."""
    if not url:
        return None
    if under(url, target.cas_url):
        return "cas"
    if host(url) in {host(u) for u in pronote_urls(target)}:
        return "pronote"
    if host(url) == host(target.ent_url):
        return "ent"
    if host(url) == host(target.cas_url):
        return "cas"
    return None


def wrong_cas(cas_login_url: str | None, target: TargetLike) -> bool:
    """PRONOTE.net sent the browser to a CAS whose root is not the target's CAS."""
    if not cas_login_url:
        return False
    expected = target.cas_url if target.cas_url.endswith("/") else target.cas_url + "/"
    return norm(cas_root(cas_login_url)) != norm(expected)


def is_direct(url: str | None, target: TargetLike) -> bool:
    """*url* is PRONOTE's direct authentication (its own login, `?login=true`)."""
    if not url:
        return False
    if target.pronote_direct_url and norm(url) == norm(target.pronote_direct_url):
        return urlsplit(url).query == urlsplit(target.pronote_direct_url).query
    on_pronote = urlsplit(url).netloc in target.pronote_hosts
    return on_pronote and parse_qs(urlsplit(url).query).get("login") == ["true"]
