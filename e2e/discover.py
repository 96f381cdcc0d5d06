"""Discovery: an establishment's set-up from its PRONOTE.net address, over plain HTTP, no login.

What public answers give (DOMAIN.md, "Finding an establishment's set-up from public facts"):
- `infoMobileApp.json` (either spelling, with the id public clients send): the name, the
  PRONOTE version, whether CAS is on, `casURL`, the spaces;
- each space page, requested without following redirects: the CAS it sends an anonymous user
  to, and the `service` PRONOTE.net announces there (its public URL, procedure II.6);
- the CAS login page, anonymously: the login family, read from its markup (Kosmos WAYF and
  form, Apereo `#fm1`, Open ENT NG `/auth/login` and its dominos, a discovery WAYF), and the
  ÉduConnect and local choices it offers;
- the CAS host, looked up in the ENT catalogue (`e2e/ents.toml`, `VERIFIER_ENT_CATALOGUE`).

Nothing here logs in, and `login=true` (which bypasses CAS) is never sent. Many establishments
are probed at once, but never more than `per_host` requests at a time to one host, and each
CAS login page is read once per run: an académie's ENT sees one request, not hundreds.
"""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit, urlunsplit

import httpx
from bs4 import BeautifulSoup

from e2e.ent_catalogue import Ent, ents_at_host
from e2e.network import proxy_failure
from e2e.routes import recognise_markup
from pages.locators import wayf_selection_for
from verdict.wording import Wording, found

# The id public clients send with infoMobileApp.json (DOMAIN.md, Pawnote, Papillon).
INFO_MOBILE_APP_ID = "0D264427-EEFC-4810-A9E9-346942A862A4"
INFO_SPELLINGS = ("infoMobileApp.json", "InfoMobileApp.json")
UAI = re.compile(r"^\d{7}[A-Za-z]$")
DEFAULT_PRONOTE_PATTERN = "https://{uai}.index-education.net/pronote/"
ROUTE_WORDS = {"educonnect": "ÉduConnect", "local": "compte ENT (formulaire local)"}

# Stable codes of what stops discovery for one establishment (French lines below).
UNREACHABLE = "PN-DECOUVERTE-INJOIGNABLE"
NOT_PRONOTE = "PN-DECOUVERTE-PAS-PRONOTE"
UNAVAILABLE = "PN-DECOUVERTE-SITE-INDISPONIBLE"
CAS_OFF = "PN-DECOUVERTE-CAS-DESACTIVE"
CAS_UNREACHABLE = "PN-DECOUVERTE-CAS-INJOIGNABLE"
CAS_NOT_IN_CATALOGUE = "PN-DECOUVERTE-CAS-HORS-CATALOGUE"


class DiscoveryInputError(ValueError):
    """An argument that is neither a PRONOTE.net address nor a UAI (one French line)."""


@dataclass(frozen=True)
class Found:
    """One discovered value and how it was found."""

    value: Any
    evidence: str


@dataclass(frozen=True)
class Choice:
    """One way in offered by the CAS login page: a Kosmos WAYF choice or an Open ENT NG domino."""

    key: str  # the selection value (`EDU_parent_eleve`) or the domino's class (`eleve`)
    label: str
    route: str  # "educonnect" or "local"
    where: str  # the element, as a selector (`#idp-EDU_parent_eleve`, `a.domino.eleve`)


@dataclass
class LoginPage:
    url: str  # where the CAS login ended, redirects followed
    family: str  # a route of e2e/routes/ (kosmos, opentent, edifice…), or unknown
    evidence: str
    choices: list[Choice] = field(default_factory=list)


@dataclass
class Space:
    page: str  # `eleve.html`
    status: int
    location: str | None = None
    cas_root: str | None = None
    service: str | None = None


@dataclass(frozen=True)
class Problem:
    code: str
    message: str  # one French line
    blocking: bool = True  # False: the set-up is known, the line says what is missing


@dataclass
class Wanted:
    """One establishment to discover, as the user gave it."""

    requested: str  # the argument or the CSV row's key
    pronote_url: str
    uai: str | None = None
    name: str | None = None
    ent_url: str | None = None
    accounts: list[dict[str, Any]] = field(default_factory=list)
    # Other addresses a UAI may stand for, tried in turn when one answers nothing or is not
    # PRONOTE.net (some académies host elsewhere than <uai>.index-education.net, DOMAIN.md).
    fallbacks: list[str] = field(default_factory=list)


@dataclass
class Discovery:
    wanted: Wanted
    info_url: str | None = None
    name: str | None = None
    version: str | None = None
    cas_active: bool | None = None
    spaces: list[Space] = field(default_factory=list)
    login: LoginPage | None = None
    ent: Ent | None = None
    facts: dict[str, Found] = field(default_factory=dict)  # settings key → value, evidence
    wayf: dict[str, Found] = field(default_factory=dict)  # login route → WAYF choice
    warnings: list[str] = field(default_factory=list)
    problem: Problem | None = None

    @property
    def usable(self) -> bool:
        """Enough is known to write a target (a non-blocking problem still makes exit non-zero)."""
        return self.problem is None or not self.problem.blocking

    @property
    def label(self) -> str:
        uai = self.wanted.uai or ""
        name = self.name or self.wanted.name or ""
        return " ".join(x for x in (uai, name) if x) or self.wanted.pronote_url

    def left_for_user(self) -> list[str]:
        """What no public answer gives, in the user's words."""
        left = []
        if "ent_url" not in self.facts:
            left.append(
                "l'adresse du portail de l'ENT (VERIFIER_ENT_URL) : propre à chaque "
                "établissement, aucune réponse publique ne la donne"
            )
        if not self.wanted.accounts:
            left.append(
                "les comptes de test (VERIFIER_ACCOUNTS), leurs mots de passe dans les "
                "variables nommées par password_env"
            )
        left.append(
            "l'attribut CAS qui porte l'identifiant PRONOTE (VERIFIER_IDENTIFIER_ATTRIBUTE, "
            "identifiantPronote par défaut) : à confirmer auprès de l'administrateur de l'ENT"
        )
        return left


# -- arguments -----------------------------------------------------------------------------


def pronote_root(url: str) -> str:
    """The PRONOTE.net root of an address: no page, no query, ending with /."""
    parts = urlsplit(url.strip())
    path = parts.path or "/"
    if path.endswith(".html") or path.endswith(".json"):
        path = path.rsplit("/", 1)[0] + "/"
    if not path.endswith("/"):
        path += "/"
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def wanted_from_argument(
    argument: str, patterns: str | list[str] = DEFAULT_PRONOTE_PATTERN
) -> Wanted:
    """A UAI (`0310001A`, the first of `patterns`, the others as fallbacks) or an address."""
    text = argument.strip()
    if UAI.match(text):
        urls = [
            p.format(uai=text.lower(), UAI=text.upper())
            for p in ([patterns] if isinstance(patterns, str) else patterns)
        ]
        return Wanted(text, urls[0], uai=text.upper(), fallbacks=urls[1:])
    parts = urlsplit(text)
    if parts.scheme in ("http", "https") and parts.hostname:
        first = parts.hostname.split(".", 1)[0]
        uai = first.upper() if UAI.match(first) else None
        return Wanted(text, pronote_root(text), uai=uai)
    raise DiscoveryInputError(
        f"« {argument} » n'est ni une adresse PRONOTE.net (https://…/pronote/) ni un UAI "
        "(7 chiffres et une lettre, ex. 0310001A)"
    )


# -- reading pages -----------------------------------------------------------------------------


def _text(node: Any) -> str:
    return " ".join(node.get_text(" ", strip=True).split()) if node else ""


def read_login_page(url: str, html: str) -> LoginPage:
    """The login family a CAS login page shows, and the choices it offers (DOMAIN.md, "The
    login routes of real ENTs", "Edifice (Open ENT NG) facts")."""
    soup = BeautifulSoup(html, "html.parser")
    path = urlsplit(url).path
    route = recognise_markup(html)
    family = route.name if route is not None and route.name != "formulaire" else None
    if family == "kosmos" and (wayf := soup.select_one(".cas__wayf-form")) is not None:
        choices = []
        for radio in wayf.select('input[name="selection"]'):
            value = str(radio.get("value") or "")
            ident = str(radio.get("id") or "")
            label = _text(soup.select_one(f'label[for="{ident}"]')) if ident else ""
            way = "educonnect" if wayf_selection_for("educonnect", [value]) else "local"
            choices.append(Choice(value, label, way, f"#{ident}" if ident else value))
        ids = ", ".join(c.where for c in choices) or "aucun choix"
        return LoginPage(url, "kosmos", f"WAYF Kosmos .cas__wayf-form ({ids})", choices)
    if family == "kosmos":
        return LoginPage(url, "kosmos", "formulaire Kosmos form.cas__login-form")
    if family == "apereo":
        return LoginPage(url, "apereo", "formulaire Apereo CAS form#fm1")
    if family in ("edifice", "opentent"):
        choices = []
        dominos = soup.select("a.domino")
        for domino in dominos:
            classes = [c for c in domino.get("class") or [] if c not in ("domino", "centered-text")]
            key = classes[0] if classes else ""
            href = str(domino.get("href") or "")
            # `/auth/login` is the ENT's own form; `/auth/saml/authn/<provider>` a federation
            # such as ÉduConnect (entcore's wayf.html, SamlController).
            way = "local" if "/auth/login" in href else "educonnect"
            choices.append(Choice(key, _text(domino), way, f"a.domino.{key}"))
        where = "dominos a.domino" if dominos else "input#email"
        return LoginPage(url, family, f"Open ENT NG {path} ({where})", choices)
    if family == "discovery" or soup.select('[name="_saml_idp"], [name="origin"]'):
        return LoginPage(url, "discovery", "page de choix du fournisseur d'identité (discovery)")
    title = _text(soup.title) or "sans titre"
    return LoginPage(url, "unknown", f"page non reconnue « {title[:60]} »")


def cas_root_of(location: str) -> str | None:
    """The CAS root of a `…/login?service=…` address (what PRONOTE.net's II.3 holds)."""
    parts = urlsplit(location)
    if not parts.path.endswith("/login"):
        return None
    return urlunsplit((parts.scheme, parts.netloc, parts.path[: -len("login")], "", ""))


def _same_root(a: str, b: str) -> bool:
    one, two = urlsplit(a), urlsplit(b)
    return (one.scheme, one.netloc.casefold(), one.path.rstrip("/")) == (
        two.scheme,
        two.netloc.casefold(),
        two.path.rstrip("/"),
    )


def _version(value: Any) -> str | None:
    if isinstance(value, list) and value:
        return ".".join(str(v) for v in value)
    return str(value) if value else None


# -- probing -----------------------------------------------------------------------------------


class Prober:
    """Probes establishments concurrently over one HTTP client, bounded per host."""

    def __init__(
        self,
        catalogue: dict[str, Ent],
        *,
        client_kwargs: dict[str, Any] | None = None,
        per_host: int = 4,
        net: Any = None,
        wording: Wording | None = None,
    ) -> None:
        self.catalogue = catalogue
        self.per_host = per_host
        self.net = net
        self.wording = wording or Wording()
        self._client_kwargs = client_kwargs or {}
        # One small client per host: the number of requests at once to a host is its pool's
        # size, and one pool over hundreds of hosts would scan them all at every request.
        self._clients: dict[str, httpx.AsyncClient] = {}
        self._login_pages: dict[str, asyncio.Task[LoginPage | Problem]] = {}

    async def get(self, url: str, *, follow: bool = False, **kwargs: Any) -> httpx.Response:
        host = urlsplit(url).netloc.casefold()
        client = self._clients.get(host)
        if client is None:
            limits = httpx.Limits(
                max_connections=self.per_host, max_keepalive_connections=self.per_host
            )
            client = httpx.AsyncClient(**self._client_kwargs, limits=limits)
            self._clients[host] = client
        return await client.get(url, follow_redirects=follow, **kwargs)

    async def aclose(self) -> None:
        for client in self._clients.values():
            await client.aclose()
        self._clients.clear()

    def _unreachable(self, code: str, url: str, exc: httpx.HTTPError, what: str) -> Problem:
        line = proxy_failure(self.net, error=exc) if self.net is not None else None
        reason = line or type(exc).__name__
        if isinstance(exc, httpx.ConnectError) and "CERTIFICATE_VERIFY_FAILED" in str(exc):
            reason = "certificat non reconnu (VERIFIER_CA_BUNDLE si le réseau re-signe TLS)"
        return Problem(code, f"{what} {url} injoignable : {reason}")

    async def discover(self, wanted: Wanted) -> Discovery:
        tried: list[tuple[str, Problem]] = []
        for url in (wanted.pronote_url, *wanted.fallbacks):
            wanted.pronote_url = url
            found_ = Discovery(wanted)
            try:
                await self._discover(found_)
            except httpx.HTTPError as exc:  # a later request of a reachable site failing
                found_.problem = self._unreachable(UNREACHABLE, url, exc, "PRONOTE.net")
            problem = found_.problem
            if problem is None or problem.code not in (UNREACHABLE, NOT_PRONOTE):
                break
            tried.append((url, problem))
        # The last address tried stands; the ones before it are said.
        earlier = tried if found_.problem is None else tried[:-1]
        found_.warnings[:0] = [f"{u} essayé d'abord : {p.message}" for u, p in earlier]
        return found_

    async def _discover(self, d: Discovery) -> None:
        root = d.wanted.pronote_url
        info = await self._info(d, root)
        if info is None:
            return
        d.name = str(info.get("nomEtab") or "") or None
        d.version = _version(info.get("version"))
        cas: dict[str, Any] = info["CAS"] if isinstance(info.get("CAS"), dict) else {}
        d.cas_active = bool(cas.get("actif"))
        version = f"PRONOTE {d.version}" if d.version else "PRONOTE"
        d.facts["pronote_url"] = Found(root, f"{d.info_url} répond ({version})")
        if d.name:
            d.facts["establishment"] = Found(
                " ".join(x for x in (d.wanted.uai, d.name) if x), f"nomEtab de {d.info_url}"
            )
        if not d.cas_active:
            d.problem = Problem(
                CAS_OFF,
                f"{root} : l'authentification CAS est désactivée dans PRONOTE.net "
                f"({d.info_url} : CAS.actif = false) ; dans PRONOTE.net, bouton « ENT », "
                "activer l'intégration CAS (procédure II.1 et II.2), puis republier",
            )
            return
        await self._spaces(d, root, info)
        cas_root = self._cas_root(d, str(cas.get("casURL") or ""))
        if cas_root is None:
            return
        page = await self._login_page(cas_root, d)
        if isinstance(page, Problem):
            d.problem = page
            return
        d.login = page
        self._judge(d, cas_root)

    async def _info(self, d: Discovery, root: str) -> dict[str, Any] | None:
        answers = []
        for spelling in INFO_SPELLINGS:
            url = root + spelling
            try:
                response = await self.get(url, params={"id": INFO_MOBILE_APP_ID})
            except httpx.HTTPError as exc:
                d.problem = self._unreachable(UNREACHABLE, root, exc, "PRONOTE.net")
                return None
            if response.status_code == 200:
                try:
                    data = response.json()
                except ValueError:
                    data = None
                if isinstance(data, dict) and ("CAS" in data or "espaces" in data):
                    d.info_url = url
                    return data
            phrase = found(response.text, self.wording.unavailable)
            if phrase or response.status_code == 503:
                d.problem = Problem(
                    UNAVAILABLE,
                    f"{root} : site PRONOTE.net non publié ou indisponible ({spelling} : "
                    f"HTTP {response.status_code}"
                    + (f", « {phrase} »" if phrase else "")
                    + ") ; publier la base dans PRONOTE.net",
                )
                return None
            kind = response.headers.get("content-type", "?").split(";")[0]
            answers.append(f"{spelling} : HTTP {response.status_code} {kind}")
        d.problem = Problem(
            NOT_PRONOTE,
            f"{root} n'est pas un PRONOTE.net ({'; '.join(answers)}) : vérifier l'adresse "
            "(elle finit d'ordinaire par /pronote/)",
        )
        return None

    async def _spaces(self, d: Discovery, root: str, info: dict[str, Any]) -> None:
        pages = []
        for space in info.get("espaces") or []:
            url = str(space.get("URL") or "") if isinstance(space, dict) else ""
            page = url.rsplit("/", 1)[-1].removeprefix("mobile.")
            if page.endswith(".html") and page not in pages:
                pages.append(page)
        pages = pages or ["eleve.html"]

        async def one(page: str) -> Space:
            response = await self.get(root + page)
            space = Space(page, response.status_code)
            if response.is_redirect:
                space.location = urljoin(root + page, response.headers.get("location", ""))
                space.cas_root = cas_root_of(space.location)
                query = parse_qs(urlsplit(space.location).query)
                space.service = next(iter(query.get("service") or []), None)
            return space

        d.spaces = list(await asyncio.gather(*(one(p) for p in pages)))

    def _cas_root(self, d: Discovery, cas_url: str) -> str | None:
        redirected = [s for s in d.spaces if s.cas_root]
        info_root = cas_url.rstrip("/") + "/" if cas_url else None
        if redirected:
            counted = Counter(s.cas_root for s in redirected).most_common()
            cas_root = str(counted[0][0])
            first = next(s for s in redirected if s.cas_root == cas_root)
            d.facts["cas_url"] = Found(cas_root, f"{first.page} → 302 vers {first.location}")
            if len(counted) > 1:
                d.warnings.append(
                    "les espaces n'envoient pas tous vers le même CAS : "
                    + ", ".join(f"{root} ({n} espaces)" for root, n in counted)
                )
            if info_root and not _same_root(info_root, cas_root):
                d.warnings.append(
                    f"casURL de {d.info_url} ({cas_url}) diffère du CAS où renvoient les "
                    f"espaces ({cas_root})"
                )
        elif info_root:
            cas_root = info_root
            d.facts["cas_url"] = Found(cas_root, f"CAS.casURL de {d.info_url}")
            d.warnings.append(
                "aucune page d'espace n'a renvoyé vers le CAS ("
                + ", ".join(f"{s.page} : HTTP {s.status}" for s in d.spaces)
                + ")"
            )
        else:
            d.problem = Problem(
                CAS_OFF,
                f"{d.wanted.pronote_url} : CAS actif mais sans URL de serveur CAS "
                f"({d.info_url} : casURL vide) et aucun espace ne renvoie vers un CAS ; "
                "renseigner l'URL du serveur CAS dans PRONOTE.net (procédure II.3)",
            )
            return None
        root = d.wanted.pronote_url
        for space in redirected:
            if space.service and not _same_root(pronote_root(space.service), root):
                d.warnings.append(
                    f"{space.page} annonce au CAS le service {space.service}, qui n'est pas "
                    f"à l'adresse sondée {root} : l'URL publique de PRONOTE.net (procédure "
                    "II.6) semble erronée (PN-URL-PUBLIQUE-ERRONEE au test)"
                )
                break
        return cas_root

    async def _login_page(self, cas_root: str, d: Discovery) -> LoginPage | Problem:
        """The CAS login page, read once per CAS root for the whole run."""
        task = self._login_pages.get(cas_root)
        if task is None:
            service = next((s.service for s in d.spaces if s.service), None)
            task = asyncio.ensure_future(self._read_login_page(cas_root, service))
            self._login_pages[cas_root] = task
        return await asyncio.shield(task)

    async def _read_login_page(self, cas_root: str, service: str | None) -> LoginPage | Problem:
        url = cas_root + "login"
        try:
            response = await self.get(
                url, follow=True, params={"service": service} if service else None
            )
        except httpx.HTTPError as exc:
            return self._unreachable(CAS_UNREACHABLE, url, exc, "le CAS de l'ENT")
        page = read_login_page(str(response.url), response.text)
        if response.status_code >= 400:
            page.evidence += f", HTTP {response.status_code}"
        return page

    def _judge(self, d: Discovery, cas_root: str) -> None:
        """The catalogue's entry for the CAS host, and the facts from page and catalogue."""
        login = d.login
        assert login is not None
        host = urlsplit(cas_root).netloc.casefold()
        candidates = ents_at_host(host, self.catalogue) or ents_at_host(
            urlsplit(cas_root).hostname or "", self.catalogue
        )
        offered = {c.key for c in login.choices}
        if len(candidates) > 1:
            scored = Counter(
                {e.key: len(set(e.wayf_selections.values()) & offered) for e in candidates}
            ).most_common()
            if scored[0][1] > (scored[1][1] if len(scored) > 1 else -1):
                candidates = [e for e in candidates if e.key == scored[0][0]]
            else:
                d.warnings.append(
                    f"le CAS {host} sert plusieurs ENT du catalogue ("
                    + ", ".join(e.key for e in candidates)
                    + ") et sa page ne permet pas de les départager"
                )
        d.ent = candidates[0] if len(candidates) == 1 else None
        ent = d.ent

        family = login.family
        at = urlunsplit(urlsplit(login.url)._replace(query="", fragment=""))
        if family != "unknown":
            d.facts["login_family"] = Found(family, f"{login.evidence} sur {at}")
            if ent and ent.family != family:
                d.warnings.append(
                    f"le catalogue ({ent.key}) annonce la famille {ent.family}, la page de "
                    f"connexion montre {family} : la page est retenue"
                )
        elif ent:
            d.facts["login_family"] = Found(
                ent.family, f"catalogue {ent.key} [{ent.sources.get('family', '')}]"
            )
            d.warnings.append(f"page de connexion du CAS non reconnue ({login.evidence})")
        else:
            d.warnings.append(f"page de connexion du CAS non reconnue ({login.evidence})")

        if family == "kosmos" and login.choices:
            keys = [c.key for c in login.choices]
            for route in ("educonnect", "local"):
                pick = wayf_selection_for(route, keys)
                mine = ent.wayf_selections.get(route) if ent else None
                if mine and mine in keys:
                    pick = mine
                elif mine and pick:
                    d.warnings.append(
                        f"le catalogue ({ent.key if ent else ''}) annonce le choix {mine} pour "
                        f"{ROUTE_WORDS[route]}, la page ne le propose pas : {pick} retenu"
                    )
                if pick:
                    choice = next(c for c in login.choices if c.key == pick)
                    d.wayf[route] = Found(pick, f"{choice.where} « {choice.label} » sur {at}")
        elif ent and family in ("unknown", ent.family):
            for route, selection in ent.wayf_selections.items():
                source = ent.sources.get(f"wayf.{route}", "")
                d.wayf[route] = Found(selection, f"catalogue {ent.key} [{source}]")

        if d.wanted.ent_url:
            d.facts["ent_url"] = Found(d.wanted.ent_url, "donnée par l'utilisateur")
        elif ent and ent.ent_url:
            d.facts["ent_url"] = Found(
                ent.ent_url, f"catalogue {ent.key} [{ent.sources.get('ent_url', '')}]"
            )
        if ent and ent.shortcut_pattern:
            d.facts["shortcut_pattern"] = Found(
                ent.shortcut_pattern,
                f"catalogue {ent.key} [{ent.sources.get('shortcut_pattern', '')}]",
            )
        if not candidates:
            seen = ", ".join(c.key for c in login.choices)
            d.problem = Problem(
                CAS_NOT_IN_CATALOGUE,
                f"le CAS {host} (de {d.wanted.pronote_url}) n'est pas dans le catalogue des ENT : "
                f"famille {family}"
                + (f", choix {seen}" if seen else "")
                + " lus sur sa page ; ajoutez cet ENT dans votre fichier VERIFIER_ENT_CATALOGUE "
                "(voir python -m e2e presets)",
                blocking=False,
            )


async def discover_all(
    prober: Prober,
    wanted: list[Wanted],
    *,
    at_once: int = 32,
    progress: Callable[[int, int], None] | None = None,
) -> list[Discovery]:
    """Every establishment, `at_once` at a time; results in the order given."""
    gate = asyncio.Semaphore(at_once)
    done = 0

    async def one(w: Wanted) -> Discovery:
        nonlocal done
        async with gate:
            result = await prober.discover(w)
        done += 1
        if progress:
            progress(done, len(wanted))
        return result

    return list(await asyncio.gather(*(one(w) for w in wanted)))
