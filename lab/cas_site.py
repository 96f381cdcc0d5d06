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
from pathlib import Path
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest

from lab import login_routes
from lab.directory import CATEGORIES, check_password
from lab.state import World

# Lab cookies live on 127.0.0.1 beside the ENT's and PRONOTE's: unique names.
SESSION_COOKIE = "cas_sessionid"

_world: World | None = None

# Attributes each service gets (one ServicePattern per lab service).
ENT_ATTRIBUTES = ("uid", "nom", "prenom", "categories", "profil")
PRONOTE_ATTRIBUTES = ("uid", "nom", "prenom", "dateNaissance", "categories", "codePostal")

# A little of Bootstrap's look, served locally: the real stylesheet comes from a CDN.
_ASSETS = {
    "style.css": (
        "text/css",
        "body{font-family:DejaVu Sans,Arial,sans-serif;background:#eef2f7;margin:0}"
        ".cover-container{max-width:32rem;margin:3rem auto}"
        "#app-name{color:#1d4f91;font-size:1.6rem;text-align:center}"
        ".card{background:#fff;border:1px solid #c5cfdc;border-radius:6px;padding:1rem 1.5rem}"
        ".card-header h2{font-size:1.2rem;color:#333}"
        ".form-group{margin:.8rem 0}.form-group label{display:block;margin-bottom:.3rem}"
        ".form-control{width:100%;padding:.5rem;box-sizing:border-box}"
        ".btn{background:#1d4f91;color:#fff;border:0;padding:.7rem;width:100%;font-size:1rem;"
        "border-radius:4px}.alert{padding:.6rem;border-radius:4px;margin:.5rem 0}"
        ".alert-danger{background:#f8d7da;color:#721c24}.alert-success{background:#d4edda}"
        ".alert-info{background:#d1ecf1}",
    ),
    "empty.js": ("application/javascript", ""),
    # The look of a Kosmos CAS page and of an Open ENT NG login page, roughly.
    "kosmos.css": (
        "text/css",
        "body{font-family:DejaVu Sans,Arial,sans-serif;background:#e9eef4;margin:0}"
        ".cas__container{max-width:34rem;margin:2rem auto}.cas__header{font-size:1.4rem;"
        "color:#0b5394;padding:1rem 0}.panel{background:#fff;border-radius:8px;padding:1.5rem}"
        ".form__fieldset{border:0;padding:0;margin:0 0 1rem}.list-radio{list-style:none;"
        "padding:0}.form__input{width:100%;padding:.5rem;box-sizing:border-box}"
        ".btn{padding:.6rem 1rem;border:1px solid #0b5394;background:#fff;color:#0b5394}"
        ".btn--primary{background:#0b5394;color:#fff}.text--right{text-align:right}"
        ".msg--error{background:#fbe3e4;color:#8a1f11;padding:.6rem}",
    ),
    "ng.css": (
        "text/css",
        "body{font-family:DejaVu Sans,Arial,sans-serif;background:#f2f2f2;margin:0}"
        ".container{max-width:30rem;margin:3rem auto}.panel{background:#fff;padding:2rem}"
        ".dominos{display:grid;grid-template-columns:1fr 1fr;gap:1rem}.domino{display:block;"
        "padding:2rem 1rem;background:#ff8d2e;color:#fff;text-align:center;text-decoration:none}"
        "input{display:block;width:100%;padding:.5rem;margin:.3rem 0 1rem;box-sizing:border-box}"
        ".warning{color:#c00}",
    ),
}


class LabAuthUser:
    """django-cas-server auth class backed by the lab ENT's directory (hashed passwords)."""

    def __init__(self, username: str) -> None:
        self.username = username

    def test_password(self, password: str) -> bool:
        person = _require_world().person(self.username)
        # An ÉduConnect account has no ENT password: ÉduConnect checks its password.
        return (
            person is not None
            and person.route == "local"
            and check_password(password, person.password_hash)
        )

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
    cas_pkg = Path(spec.origin).parent
    settings.configure(
        DEBUG=False,
        SECRET_KEY=secrets.token_urlsafe(32),
        ALLOWED_HOSTS=["127.0.0.1", "localhost"],
        INSTALLED_APPS=[
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "django.contrib.sessions",
            "django.contrib.messages",
            "cas_server",
        ],
        MIDDLEWARE=[
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.middleware.common.CommonMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
            "django.contrib.messages.middleware.MessageMiddleware",
            "lab.cas_site.logout_guard",
        ],
        ROOT_URLCONF="lab.cas_site",
        TEMPLATES=[
            {
                "BACKEND": "django.template.backends.django.DjangoTemplates",
                "DIRS": [str(Path(__file__).parent / "templates")],
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
        DATABASES={
            "default": {
                "ENGINE": "django.db.backends.sqlite3",
                "NAME": str(data_dir / "cas.db"),
                # One connection per server thread, kept (as a production CAS keeps its pool):
                # opening SQLite and its pragmas at every request was a tenth of the lab's CPU.
                "CONN_MAX_AGE": None,
                # Many journeys at once: readers never wait for a writer (WAL), writers wait
                # for each other instead of failing, and a throw-away database skips fsync.
                "OPTIONS": {
                    "timeout": 30,
                    "transaction_mode": "IMMEDIATE",
                    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF;",
                },
            }
        },
        USE_TZ=True,
        LANGUAGE_CODE="fr",
        USE_I18N=True,
        STATIC_URL="/static/",
        SESSION_COOKIE_NAME=SESSION_COOKIE,
        CSRF_COOKIE_NAME="cas_csrftoken",
        DEFAULT_AUTO_FIELD="django.db.models.AutoField",
        CAS_AUTH_CLASS="lab.cas_site.LabAuthUser",
        **(
            {
                "CAS_LOGIN_TEMPLATE": "cas/login.html",
                "CAS_LOGGED_TEMPLATE": "cas/logged.html",
            }
            if routes is not None
            else {}
        ),
        CAS_TICKET_VALIDITY=ticket_validity_s,
        CAS_NEW_VERSION_HTML_WARNING=False,
        CAS_NEW_VERSION_EMAIL_WARNING=False,
        CAS_SHOW_POWERED=False,
        CAS_LOGO_URL=None,
        CAS_FAVICON_URL=None,
        CAS_INFO_MESSAGES={},
        CAS_INFO_MESSAGES_ORDER=[],
        CAS_COMPONENT_URLS={
            "bootstrap3_css": "/lab-assets/style.css",
            "bootstrap3_js": "/lab-assets/empty.js",
            "html5shiv": "/lab-assets/empty.js",
            "respond": "/lab-assets/empty.js",
            "bootstrap4_css": "/lab-assets/style.css",
            "bootstrap4_js": "/lab-assets/empty.js",
            "jquery": "/lab-assets/empty.js",
        },
        LOGGING_CONFIG=None,
        LAB_CAS_STATIC=str(cas_pkg / "static"),
        # A throw-away database: its tables are made from the models in one go (syncdb)
        # instead of replaying every app's migrations, which took 0.8 s of each lab start.
        MIGRATION_MODULES={
            app: None for app in ("auth", "contenttypes", "sessions", "messages", "cas_server")
        },
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


def _asset(request: HttpRequest, name: str) -> HttpResponse:
    if name not in _ASSETS:
        return HttpResponse(status=404)
    content_type, body = _ASSETS[name]
    return HttpResponse(body, content_type=content_type)


def _build_urlpatterns() -> list:
    from django.conf import settings
    from django.urls import include, path, re_path
    from django.views.static import serve

    common = [
        path("lab-assets/<str:name>", _asset),
        re_path(r"^static/(?P<path>.*)$", serve, {"document_root": settings.LAB_CAS_STATIC}),
    ]
    routes = login_routes.installed()
    if routes is None:
        return [*common, path("", include("cas_server.urls", namespace="cas_server"))]
    return [*common, *login_routes.urlpatterns(routes)]


def __getattr__(name: str) -> Any:
    # Django imports ROOT_URLCONF lazily, after configure(): build the patterns then.
    if name == "urlpatterns":
        return _build_urlpatterns()
    raise AttributeError(name)


def wsgi_app() -> Any:
    from django.core.wsgi import get_wsgi_application

    return get_wsgi_application()
