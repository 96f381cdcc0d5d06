"""Real networks: an HTTP proxy (maybe with a password) and a TLS-re-signing proxy's authority.

School and académie networks reach the ENT through a proxy, and some re-sign TLS with their
own certificate authority. One `NetworkSettings` says how, and the same answer goes to the
browser and to every HTTP call (preflight, identity replay, probe):

- proxy: `VERIFIER_PROXY` (`http://[user:password@]host:port`), else the usual `HTTPS_PROXY`,
  `HTTP_PROXY`, `ALL_PROXY` (either case); `NO_PROXY` lists hosts reached directly. Loopback
  (`localhost`, `127.0.0.1`, `::1`) is always reached directly, as Chromium does by default,
  so a lab on this machine never goes to a proxy.
- `VERIFIER_CA_BUNDLE`: a PEM file of extra authorities, trusted on top of the usual ones.
  httpx gets an `ssl.SSLContext` with both. Chromium on Linux reads locally added authorities
  from an NSS database in `$HOME/.pki/nssdb` only (no command-line flag adds a trusted root):
  the browser is started with `HOME` pointing at a private folder whose NSS database holds
  the bundle, written with NSS's `certutil` (Debian package `libnss3-tools`). Chromium then
  checks certificates fully (chain, name, dates) against that authority.
  Rejected alternative: `--ignore-certificate-errors-spki-list` with the authority's key
  hash. It works headless only when the proxy sends its authority in the chain, and then it
  ignores *every* certificate error for any chain that carries that (public) certificate:
  not trust, a hole. A remote browser (`VERIFIER_BROWSER_WS_ENDPOINT`) must trust the
  authority on its own machine.
- `VERIFIER_INSECURE_TLS=true`: no certificate check at all (staging only; reported).

The proxy password is a secret like the account passwords: `secrets_to_scrub` gives it to
the scan, and no message here ever contains it.
"""

from __future__ import annotations

import ipaddress
import os
import re
import shutil
import ssl
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import httpx

PROXY_SCHEMES = ("http", "https", "socks5")
ENV_PROXIES = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy")
ENV_NO_PROXY = ("NO_PROXY", "no_proxy")
LOOPBACK = ("localhost", "127.0.0.1", "[::1]")
PEM_CERTIFICATE = re.compile(
    rb"-----BEGIN CERTIFICATE-----\s+[A-Za-z0-9+/=\s]+?-----END CERTIFICATE-----"
)


class NetworkSettingsError(ValueError):
    """A proxy or authority setting that cannot work, in one French line (never a password)."""


@dataclass(frozen=True)
class Proxy:
    """A proxy address split as Playwright wants it; `password` stays out of `server`."""

    server: str  # scheme://host:port, without credentials
    username: str | None
    password: str | None
    origin: str  # the setting it came from: VERIFIER_PROXY, HTTPS_PROXY…

    @property
    def url(self) -> str:
        """The address with its credentials, for httpx (never printed)."""
        if self.username is None:
            return self.server
        scheme, _, rest = self.server.partition("://")
        user = httpx.URL(f"{scheme}://u@{rest}").copy_with(
            username=self.username, password=self.password or ""
        )
        return str(user)


@dataclass(frozen=True)
class NetworkSettings:
    """Proxy, extra authorities and TLS leniency, resolved once from settings and environment."""

    proxy: Proxy | None = None
    no_proxy: tuple[str, ...] = ()
    ca_bundle: Path | None = None
    insecure_tls: bool = False

    @classmethod
    def resolve(
        cls,
        proxy: Any = None,
        ca_bundle: Path | str | None = None,
        insecure_tls: bool = False,
        environ: Mapping[str, str] | None = None,
    ) -> NetworkSettings:
        """From `VERIFIER_PROXY` / `VERIFIER_CA_BUNDLE` values (a `SecretStr` is fine), else the
        environment's `HTTPS_PROXY`… and `NO_PROXY`; errors are French and never show a password.
        """
        env = os.environ if environ is None else environ
        raw = _reveal(proxy)
        origin = "VERIFIER_PROXY"
        if not raw:
            origin, raw = next(((k, env[k]) for k in ENV_PROXIES if env.get(k)), ("", ""))
        no_proxy = tuple(
            entry.strip()
            for key in ENV_NO_PROXY
            for entry in env.get(key, "").split(",")
            if entry.strip()
        )
        parsed = _parse_proxy(raw, origin.upper()) if raw else None
        if "*" in no_proxy:
            parsed = None
        bundle = Path(ca_bundle) if ca_bundle else None
        if bundle is not None:
            _check_bundle(bundle)
        return cls(parsed, tuple(dict.fromkeys(no_proxy)), bundle, bool(insecure_tls))

    @classmethod
    def of(cls, settings: Any, *, insecure_tls: bool = False) -> NetworkSettings:
        """From the verifier's settings (`proxy`, `ca_bundle`, `insecure_tls` attributes)."""
        if isinstance(settings, NetworkSettings):
            if insecure_tls and not settings.insecure_tls:
                return cls(settings.proxy, settings.no_proxy, settings.ca_bundle, True)
            return settings
        return cls.resolve(
            proxy=getattr(settings, "proxy", None),
            ca_bundle=getattr(settings, "ca_bundle", None),
            insecure_tls=insecure_tls or bool(getattr(settings, "insecure_tls", False)),
        )

    @property
    def bypass(self) -> tuple[str, ...]:
        """Hosts reached without the proxy: `NO_PROXY`, and loopback always."""
        return tuple(dict.fromkeys((*self.no_proxy, *LOOPBACK)))


def _reveal(value: Any) -> str:
    if value is None:
        return ""
    reveal = getattr(value, "get_secret_value", None)
    return (reveal() if callable(reveal) else str(value)).strip()


def _parse_proxy(raw: str, origin: str) -> Proxy:
    expected = f"{origin} : adresse de proxy invalide (attendu http://[utilisateur:mot de passe@]hôte:port)"
    if "://" not in raw:
        raw = f"http://{raw}"  # `proxy.example:3128`, as curl accepts it
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError:
        raise NetworkSettingsError(expected) from None
    if parts.scheme not in PROXY_SCHEMES or not parts.hostname:
        raise NetworkSettingsError(expected)
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    server = f"{parts.scheme}://{host}" + (f":{port}" if port else "")
    username = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password is not None else None
    if password and parts.scheme == "socks5":
        raise NetworkSettingsError(
            f"{origin} : Chromium ne sait pas s'authentifier auprès d'un proxy SOCKS5 ; "
            "utilisez le proxy HTTP du réseau"
        )
    return Proxy(server, username, password, origin)


def _check_bundle(bundle: Path) -> None:
    try:
        data = bundle.read_bytes()
    except OSError as exc:
        raise NetworkSettingsError(
            f"VERIFIER_CA_BUNDLE : fichier illisible ({bundle} : {exc.strerror})"
        ) from None
    if not PEM_CERTIFICATE.search(data):
        raise NetworkSettingsError(
            f"VERIFIER_CA_BUNDLE : {bundle} ne contient aucun certificat PEM "
            "(-----BEGIN CERTIFICATE-----) ; exportez l'autorité du proxy au format PEM"
        )
    try:
        ssl.create_default_context().load_verify_locations(cafile=str(bundle))
    except ssl.SSLError as exc:
        raise NetworkSettingsError(
            f"VERIFIER_CA_BUNDLE : certificat illisible dans {bundle} ({exc.reason or exc})"
        ) from None


# -- httpx ----------------------------------------------------------------------------------


def ssl_context(net: NetworkSettings) -> ssl.SSLContext | bool:
    """`verify=` for httpx: the usual authorities plus the bundle's; False when insecure."""
    if net.insecure_tls:
        return False
    context = ssl.create_default_context()
    if net.ca_bundle is not None:
        context.load_verify_locations(cafile=str(net.ca_bundle))
    return context


def httpx_client_kwargs(
    settings: Any,
    *,
    insecure_tls: bool = False,
    asynchronous: bool = True,
    verify: ssl.SSLContext | bool | None = None,
) -> dict[str, Any]:
    """Keyword arguments for `httpx.AsyncClient` (or `httpx.Client` with `asynchronous=False`).

    The environment is read once, by `NetworkSettings`, so `trust_env` is off: httpx must not
    pick another proxy or authority file on its own. *verify*, an `ssl_context` made before,
    is shared by the clients given it: each new context reads the system's authorities again
    (about a megabyte and tens of milliseconds), which a client per journey would pay.
    """
    net = NetworkSettings.of(settings, insecure_tls=insecure_tls)
    verify = ssl_context(net) if verify is None else verify
    kwargs: dict[str, Any] = {"verify": verify, "trust_env": False}
    if net.proxy is None:
        return kwargs
    transport = httpx.AsyncHTTPTransport if asynchronous else httpx.HTTPTransport
    mounts: dict[str, Any] = {"all://": transport(proxy=net.proxy.url, verify=verify)}
    for host in net.bypass:
        direct = transport(verify=verify)
        bare = host.lstrip(".").removeprefix("*.")
        mounts[f"all://{bare}"] = direct
        if not _is_address(bare):
            mounts[f"all://*.{bare}"] = direct
    kwargs["mounts"] = mounts
    return kwargs


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


# -- Chromium (Playwright) ------------------------------------------------------------------


def playwright_proxy(settings: Any) -> dict[str, str] | None:
    """Playwright's launch `proxy` (`server`, `bypass`, `username`, `password`), or None."""
    net = NetworkSettings.of(settings)
    if net.proxy is None:
        return None
    proxy = {"server": net.proxy.server, "bypass": ",".join(net.bypass)}
    if net.proxy.username is not None:
        proxy["username"] = net.proxy.username
        proxy["password"] = net.proxy.password or ""
    return proxy


def browser_launch_options(settings: Any, workdir: Path) -> dict[str, Any]:
    """Playwright `chromium.launch` keyword arguments for the network: `proxy`, and `env` whose
    `HOME` holds an NSS database trusting `VERIFIER_CA_BUNDLE`.

    `workdir` must outlive the browser (e.g. a session temporary folder). Without a bundle,
    only `proxy` (if any) is returned.
    """
    net = NetworkSettings.of(settings)
    options: dict[str, Any] = {}
    proxy = playwright_proxy(net)
    if proxy:
        options["proxy"] = proxy
    if net.ca_bundle is not None and not net.insecure_tls:
        home = nss_home(net.ca_bundle, workdir)
        options["env"] = {**os.environ, "HOME": str(home)}
    return options


def browser_context_options(settings: Any, *, insecure_tls: bool = False) -> dict[str, Any]:
    """Playwright `new_context` keyword arguments: `ignore_https_errors` only when insecure."""
    net = NetworkSettings.of(settings, insecure_tls=insecure_tls)
    return {"ignore_https_errors": net.insecure_tls}


def nss_home(ca_bundle: Path, workdir: Path) -> Path:
    """A folder to use as Chromium's `HOME`: `.pki/nssdb` trusts each authority of the bundle."""
    certutil = shutil.which("certutil")
    if certutil is None:
        raise NetworkSettingsError(
            "VERIFIER_CA_BUNDLE : pour que Chromium fasse confiance à cette autorité, il faut "
            "certutil (paquet Debian/Ubuntu libnss3-tools) ; VERIFIER_INSECURE_TLS=true ne "
            "vérifie plus rien (essai seulement)"
        )
    home = workdir / "chromium-home"
    database = home / ".pki" / "nssdb"
    database.mkdir(parents=True, exist_ok=True)
    db = f"sql:{database}"
    _certutil([certutil, "-N", "-d", db, "--empty-password"], ca_bundle)
    pems = PEM_CERTIFICATE.findall(ca_bundle.read_bytes())
    for number, pem in enumerate(pems, 1):
        one = workdir / f"authority-{number}.pem"
        one.write_bytes(pem + b"\n")
        # C,, : a trusted authority for TLS servers only.
        _certutil([certutil, "-A", "-d", db, "-n", f"verifier-{number}", "-t", "C,,", "-i", str(one)], ca_bundle)  # fmt: skip
    return home


def _certutil(command: list[str], bundle: Path) -> None:
    done = subprocess.run(command, capture_output=True, text=True, timeout=30, check=False)
    if done.returncode != 0:
        why = " ".join(done.stderr.split())[:200] or f"code {done.returncode}"
        raise NetworkSettingsError(
            f"VERIFIER_CA_BUNDLE : certutil n'a pas pu ajouter {bundle} pour Chromium ({why})"
        )


# -- secrets and errors -----------------------------------------------------------------------


def secrets_to_scrub(settings: Any) -> list[str]:
    """The proxy password (decoded, and as written in the URL when that differs)."""
    net = NetworkSettings.of(settings)
    if net.proxy is None or not net.proxy.password:
        return []
    forms = [net.proxy.password]
    written = urlsplit(net.proxy.url).password
    if written and written not in forms:
        forms.append(written)
    return forms


# The two ways the proxy itself fails a request: it cannot be reached (or will not relay),
# or it wants other credentials (HTTP 407). Drivers and preflight report them as such.
PROXY_UNREACHABLE = "proxy_unreachable"
PROXY_AUTH = "proxy_auth"


def proxy_error_kind(
    settings: Any,
    *,
    status: int | None = None,
    error: BaseException | str | None = None,
    url: str = "",
) -> str | None:
    """`PROXY_AUTH` or `PROXY_UNREACHABLE` when a response or an error comes from the proxy
    itself, else None.

    `status` 407 (only a proxy sends it) for a request that went through the proxy (`url`
    not bypassed); an httpx error raised by the proxy (`ProxyError`), or a `ConnectError` of a
    request that went through it (through a proxy, httpx connects to the proxy only); a
    Chromium error naming the proxy or its tunnel (`error` may be its message).
    """
    net = NetworkSettings.of(settings)
    if net.proxy is None:
        return None
    if isinstance(error, str):
        text = error
    else:
        text = f"{type(error).__name__} {error}" if error is not None else ""
    host = urlsplit(url).hostname or "" if url else ""
    if host and _bypassed(host, net):
        return None
    said_407 = isinstance(error, httpx.HTTPError) and "407" in text  # httpx's ProxyError
    if status == 407 or said_407 or "ERR_PROXY_AUTH" in text:
        return PROXY_AUTH
    if isinstance(error, httpx.ProxyError) or "ERR_PROXY" in text or "ERR_TUNNEL" in text:
        return PROXY_UNREACHABLE
    if isinstance(error, httpx.ConnectError) and not _tls_failure(text):
        try:
            host = error.request.url.host
        except RuntimeError:  # an error raised outside a request
            host = ""
        if host and not _bypassed(host, net):
            return PROXY_UNREACHABLE
    return None


def proxy_named(settings: Any) -> str | None:
    """The proxy as the reports name it: its address and the setting it came from, never its
    credentials (`http://proxy.example:3128 (VERIFIER_PROXY)`)."""
    net = NetworkSettings.of(settings)
    return None if net.proxy is None else f"{net.proxy.server} ({net.proxy.origin})"


def proxy_failure(
    settings: Any, *, status: int | None = None, error: BaseException | None = None
) -> str | None:
    """One French line when a response or an error comes from the proxy itself, else None.

    `status` 407 (the proxy wants other credentials), or an httpx/Chromium error naming the
    proxy or its tunnel. The line names the proxy's address, never its password.
    """
    net = NetworkSettings.of(settings)
    kind = proxy_error_kind(net, status=status, error=error)
    if net.proxy is None or kind is None:
        return None
    where = proxy_named(net)
    if kind == PROXY_AUTH:
        who = (
            f"l'utilisateur « {net.proxy.username} »" if net.proxy.username else "aucun identifiant"
        )
        return (
            f"Proxy {where} : authentification refusée (HTTP 407) pour {who} ; vérifiez "
            "l'identifiant et le mot de passe du proxy dans VERIFIER_PROXY"
        )
    if "ERR_TUNNEL_CONNECTION_FAILED" in str(error):
        return f"Proxy {where} : le proxy a refusé d'ouvrir la connexion (CONNECT)"
    return f"Proxy {where} injoignable ; vérifiez son adresse et son port"


def _tls_failure(text: str) -> bool:
    return any(mark in text for mark in ("SSL", "CERTIFICATE", "certificate", "TLS"))


def _bypassed(host: str, net: NetworkSettings) -> bool:
    """Whether `host` is reached without the proxy (the same rules as the httpx mounts)."""
    host = host.lower().strip("[]")
    for entry in net.bypass:
        bare = entry.lower().lstrip(".").removeprefix("*.").strip("[]")
        if host == bare or (not _is_address(bare) and host.endswith(f".{bare}")):
            return True
    return False
