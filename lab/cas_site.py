"""The lab ENT's CAS server: django-cas-server 3.1, configured in-process, offline.

`configure(world, data_dir)` must run before anything imports `cas_server`:
Django reads its settings once per process. The lab runs a single CAS.

Around django-cas-server's own login view, the login routes of real ENTs
(DOMAIN.md, "The login routes of real ENTs"): a Kosmos CAS shows a WAYF, sends
élèves and parents to ÉduConnect (SAML 2.0, the CAS is the service provider)
and others to its local form; an Open ENT NG portal is its own CAS under
`/cas/`, with its `/auth/login` form and profile dominos.
"""

from __future__ import annotations

import importlib.util
import re
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest

from lab import login_apereo, login_discovery, login_edifice, login_routes
from lab.directory import CATEGORIES
from lab.server import TEMPLATES
from lab.state import World

# Lab cookies live on 127.0.0.1 beside the ENT's and PRONOTE's: unique names.
SESSION_COOKIE = "cas_sessionid"

_world: World | None = None

# Attributes each service gets (one ServicePattern per lab service).
ENT_ATTRIBUTES = ("uid", "nom", "prenom", "categories", "profil")
PRONOTE_ATTRIBUTES = ("uid", "nom", "prenom", "dateNaissance", "categories", "codePostal")

# The stylesheets and empty scripts the CAS pages load (lab/static/), served locally: the
# real ones come from public CDNs and the lab is offline.
ASSETS = Path(__file__).parent / "static"


# django-cas-server's settings for the lab (DOMAIN.md, "django-cas-server"): offline, one
# cookie name per lab app (they share 127.0.0.1), users from the lab ENT's directory.
_DJANGO: dict[str, Any] = {
    "DEBUG": False,
    "ALLOWED_HOSTS": ["127.0.0.1", "localhost"],
    "INSTALLED_APPS": [
        "django.contrib.auth",
        "django.contrib.contenttypes",
        "django.contrib.sessions",
        "django.contrib.messages",
        "cas_server",
    ],
    "MIDDLEWARE": [
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.common.CommonMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "django.contrib.messages.middleware.MessageMiddleware",
        "lab.cas_site.logout_guard",
    ],
    "ROOT_URLCONF": "lab.cas_site",
    "TEMPLATES": [
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "DIRS": [TEMPLATES],
            "APP_DIRS": True,
            "OPTIONS": {
                "context_processors": [
                    "django.template.context_processors.request",
                    "django.contrib.messages.context_processors.messages",
                    "lab.login_routes.template_context",
                ]
            },
        }
    ],
    "USE_TZ": True,
    "LANGUAGE_CODE": "fr",
    "USE_I18N": True,
    "STATIC_URL": "/static/",
    "SESSION_COOKIE_NAME": SESSION_COOKIE,
    "CSRF_COOKIE_NAME": "cas_csrftoken",
    "DEFAULT_AUTO_FIELD": "django.db.models.AutoField",
    "CAS_AUTH_CLASS": "lab.cas_site.LabAuthUser",
    "CAS_NEW_VERSION_HTML_WARNING": False,
    "CAS_NEW_VERSION_EMAIL_WARNING": False,
    "CAS_SHOW_POWERED": False,
    "CAS_LOGO_URL": None,
    "CAS_FAVICON_URL": None,
    "CAS_INFO_MESSAGES": {},
    "CAS_INFO_MESSAGES_ORDER": [],
    "CAS_COMPONENT_URLS": {
        "bootstrap3_css": "/lab-assets/style.css",
        "bootstrap3_js": "/lab-assets/empty.js",
        "html5shiv": "/lab-assets/empty.js",
        "respond": "/lab-assets/empty.js",
        "bootstrap4_css": "/lab-assets/style.css",
        "bootstrap4_js": "/lab-assets/empty.js",
        "jquery": "/lab-assets/empty.js",
    },
    "LOGGING_CONFIG": None,
    # A throw-away database: its tables are made from the models in one go (syncdb)
    # instead of replaying every app's migrations at every start.
    "MIGRATION_MODULES": {
        app: None for app in ("auth", "contenttypes", "sessions", "messages", "cas_server")
    },
}
_SQLITE: dict[str, Any] = {
    "ENGINE": "django.db.backends.sqlite3",
    # One connection per server thread, kept (as a production CAS keeps its pool) rather
    # than opening SQLite and its pragmas at every request.
    "CONN_MAX_AGE": None,
    # Many journeys at once: readers never wait for a writer (WAL), writers wait
    # for each other instead of failing, and a throw-away database skips fsync.
    "OPTIONS": {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF;",
    },
}
# The login pages of the ENT families (lab/templates/cas/) instead of django-cas-server's.
_LAB_PAGES = {"CAS_LOGIN_TEMPLATE": "cas/login.html", "CAS_LOGGED_TEMPLATE": "cas/logged.html"}


# The login pages of each ENT family (lab.families), one module each.
FAMILY_ROUTES: dict[str, Callable[[], list[Any]]] = {
    "kosmos": login_routes.kosmos_urls,
    "opentent": login_routes.ng_urls,
    "apereo": login_apereo.urls,
    "edifice": login_edifice.urls,
    "discovery": login_discovery.urls,
}


class LabAuthUser:
    """django-cas-server auth class backed by the lab ENT's directory (hashed passwords)."""

    def __init__(self, username: str) -> None:
        self.username = username

    def test_password(self, password: str) -> bool:
        return login_routes.password_accepted(_require_world(), self.username, password)

    def attributs(self) -> dict[str, Any]:
        world = _require_world()
        person = world.person(self.username)
        if person is None:
            return {}
        attributes: dict[str, Any] = {
            "uid": person.uid,
            "nom": person.nom,
            "prenom": person.prenom,
            "dateNaissance": person.date_naissance,
            "categories": CATEGORIES[person.profile],
            "profil": person.profile,
            "codePostal": "31000",
        }
        # Only what the ENT imported from PRONOTE's identifiers file is released.
        code = world.establishment(person.uai).imported.get(person.uid)
        if code:
            attributes[world.identifier_attribute] = code
        return attributes


def _require_world() -> World:
    if _world is None:
        raise RuntimeError("lab CAS used before lab.cas_site.configure()")
    return _world


def configure(
    world: World,
    data_dir: Path,
    *,
    ticket_validity_s: int = 60,
    routes: login_routes.LoginRoutes | None = None,
) -> None:
    """Configure Django for the lab CAS and create its SQLite database.

    *routes* (`lab.login_routes.LoginRoutes`) says the ENT family, the wording and
    the SAML federation with ÉduConnect; without it, django-cas-server's own pages.
    """
    global _world
    _world = world
    login_routes.install(routes)
    from django.conf import settings

    spec = importlib.util.find_spec("cas_server")
    assert spec is not None and spec.origin, "django-cas-server is not installed"
    settings.configure(
        **_DJANGO,
        SECRET_KEY=secrets.token_urlsafe(32),
        DATABASES={"default": {**_SQLITE, "NAME": str(data_dir / "cas.db")}},
        CAS_TICKET_VALIDITY=ticket_validity_s,
        LAB_CAS_STATIC=str(Path(spec.origin).parent / "static"),
        **(_LAB_PAGES if routes is not None else {}),
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", run_syncdb=True, verbosity=0, interactive=False)
    sync_service_patterns()


def sync_service_patterns() -> None:
    """One ServicePattern per lab service, as the world says they are registered."""
    from cas_server.models import ReplaceAttributName, ServicePattern
    from cas_server.models import User as CasUser

    world = _require_world()
    ServicePattern.objects.all().delete()
    ent = ServicePattern.objects.create(
        pos=1, name="ENT", pattern="^" + re.escape(world.ent_url), single_log_out=False
    )
    for name in ENT_ATTRIBUTES:
        ReplaceAttributName.objects.create(service_pattern=ent, name=name, replace="")
    if world.service_registered:
        for pos, site in enumerate(world.establishments, start=10):
            pattern = ServicePattern.objects.create(
                pos=pos,
                name=f"PRONOTE {site.uai}",
                pattern="^" + re.escape(site.cas_listener_url),
                user_field="uid",
            )
            for name in (*PRONOTE_ATTRIBUTES, world.identifier_attribute):
                ReplaceAttributName.objects.create(service_pattern=pattern, name=name, replace="")
    # Reset also ends every CAS session: each journey after it is a fresh login.
    CasUser.objects.all().delete()


def logout_guard(get_response):
    """Only follow /logout's `service` or `url` to a registered service (open redirect)."""
    from cas_server.models import ServicePattern

    def middleware(request: HttpRequest) -> HttpResponse:
        if request.path in ("/logout", "/cas/logout"):
            for key in ("service", "url"):
                target = request.GET.get(key)
                if target is None:
                    continue
                try:
                    ServicePattern.validate(target)
                except ServicePattern.DoesNotExist:
                    return HttpResponseBadRequest(
                        "Adresse de retour non autorisée.", content_type="text/plain; charset=utf-8"
                    )
        return get_response(request)

    return middleware


def _build_urlpatterns() -> list:
    from django.conf import settings
    from django.urls import include, path, re_path
    from django.views.static import serve

    common = [
        re_path(r"^lab-assets/(?P<path>[\w.-]+)$", serve, {"document_root": str(ASSETS)}),
        re_path(r"^static/(?P<path>.*)$", serve, {"document_root": settings.LAB_CAS_STATIC}),
    ]
    routes = login_routes.installed()
    if routes is None:
        return [*common, path("", include("cas_server.urls", namespace="cas_server"))]
    return [*common, *FAMILY_ROUTES[routes.family]()]


def __getattr__(name: str) -> Any:
    # Django imports ROOT_URLCONF lazily, after configure(): build the patterns then.
    if name == "urlpatterns":
        return _build_urlpatterns()
    raise AttributeError(name)


def wsgi_app() -> Any:
    from django.core.wsgi import get_wsgi_application

    return get_wsgi_application()
