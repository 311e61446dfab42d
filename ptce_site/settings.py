"""Settings of the PTCE registry, read from environment variables.

One file, no layers of base and local settings: every value that changes between a laptop,
CI and production comes from the environment through small typed helpers
(``ptce_site/env.py``), which refuse a bad value with a message naming the variable instead of
failing later and elsewhere. ``.env.example`` lists every variable. Development defaults are
safe: SQLite file, DEBUG on, e-mail printed to the console.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from .api_settings import API_THROTTLE_RATE, REST_FRAMEWORK, SPECTACULAR_SETTINGS  # noqa: F401
from .cors_settings import *  # the open data's CORS_* (django-cors-headers)  # noqa: F403
from .env import (
    BASE_DIR,
    database_from_url,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_str,
    sqlite_database,
)
from .logging import logging_config

DEBUG = env_bool("DEBUG", True)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "django-insecure-development-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "modeltranslation",  # before the admin, which it extends (name_fr / name_en fields)
    # SimpleAdminConfig: the default one autodiscovers every ``admin`` module, and
    # ``leaflet.admin`` imports GeoDjango (needs GDAL): ours skips leaflet's.
    "ptce_site.apps.PtceAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.sitemaps",
    "django_filters",
    "leaflet",
    "simple_history",
    "ptce_site.apps.LoginLockoutConfig",  # django-axes, named « Sécurité des connexions »
    "import_export",
    "drf_spectacular",  # DRF itself not: its French catalogue would replace Django's messages
    "corsheaders",
    "poles",
    "members",
    "calls",
]

MIDDLEWARE = [
    "ptce_site.logging.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",  # above the answering ones: see cors_settings
    "django.contrib.sessions.middleware.SessionMiddleware",
    "ptce_site.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    # Before the ETag is computed (responses go up the list): no-break spaces in French text.
    "ptce_site.middleware.FrenchSpacingMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "ptce_site.middleware.PrivatePagesMiddleware",
    # Staff writes (the admin's bulk updates send no signal) invalidate the page cache.
    "ptce_site.cache.StaffWriteMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Records who made each change in the history (django-simple-history).
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last: locks out repeated failed logins (django-axes).
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # First, so that a locked-out username/address is refused before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, finding the account by e-mail address or username.
    "ptce_site.accounts.EmailOrUsernameBackend",
]

ROOT_URLCONF = "ptce_site.urls"
WSGI_APPLICATION = "ptce_site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ptce_site.context_processors.site",
            ],
        },
    },
]

DATABASE_URL = env_str("DATABASE_URL")
DATABASES = {
    "default": database_from_url(DATABASE_URL)
    if DATABASE_URL
    else sqlite_database(BASE_DIR / "db.sqlite3")
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "space:my-poles"
LOGOUT_REDIRECT_URL = "poles:home"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Repeated failed logins (django-axes): after LOGIN_FAILURE_LIMIT failures for one username
# from one address, that pair is refused for LOGIN_LOCKOUT_MINUTES; staff unlock in the admin
# ("Tentatives d'accès") or with `manage.py axes_reset_username`.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "ptce_site.lockout.lockout_username"
# Behind a proxy that terminates HTTPS: trust its X-Forwarded-Proto and X-Forwarded-For.
BEHIND_HTTPS_PROXY = env_bool("BEHIND_HTTPS_PROXY", False)
# The client's address, for the lockout as for the form limits: one rule (the last address the
# proxy appended to X-Forwarded-For behind a proxy, else the connection's), in ptce_site.ratelimit.
AXES_CLIENT_IP_CALLABLE = "ptce_site.ratelimit.client_address"

# Internationalisation: the site speaks French; English is offered as a second language.
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("Anglais"))]
# English dates in British order, as the templates write them (ptce_site/formats/en/).
FORMAT_MODULE_PATH = ["ptce_site.formats"]
LOCALE_PATHS = [BASE_DIR / "ptce_site" / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Europe/Paris")
try:
    import zoneinfo

    zoneinfo.ZoneInfo(TIME_ZONE)
except (zoneinfo.ZoneInfoNotFoundError, ValueError):
    raise ImproperlyConfigured(f"TIME_ZONE={TIME_ZONE!r} is not a known time zone.") from None
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Where `collectstatic` writes and whitenoise reads the production static files.
STATIC_ROOT = Path(env_str("STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or BASE_DIR / "media")
# Static files: hashed and compressed by `collectstatic` in production. With DEBUG, in tests
# (which would otherwise need `collectstatic` first) and with PLAIN_STATICFILES
# (quick trials, benchmarks), plain names served straight from the apps' and project's static
# folders: whitenoise's finders below, so no `collectstatic` is needed.
PLAIN_STATICFILES = DEBUG or env_bool("PLAIN_STATICFILES", False)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if PLAIN_STATICFILES
        else "whitenoise.storage.CompressedManifestStaticFilesStorage",
    },
}
# Uploaded files (logos) on S3-compatible storage, for several nodes: set the bucket and
# install the extra (pip install -e '.[s3]', django-storages and boto3). Unset: MEDIA_ROOT.
AWS_STORAGE_BUCKET_NAME = env_str("AWS_STORAGE_BUCKET_NAME")
MEDIA_ORIGINS: list[str] = []  # where the pages' images may come from besides the site (CSP)
if AWS_STORAGE_BUCKET_NAME:
    import importlib.util

    if importlib.util.find_spec("storages") is None:
        raise ImproperlyConfigured(
            "AWS_STORAGE_BUCKET_NAME is set but django-storages is not installed: "
            "pip install -e '.[s3]'."
        )
    _s3 = {
        "bucket_name": AWS_STORAGE_BUCKET_NAME,
        "endpoint_url": env_str("AWS_S3_ENDPOINT_URL") or None,
        "region_name": env_str("AWS_S3_REGION_NAME") or None,
        "custom_domain": env_str("AWS_S3_CUSTOM_DOMAIN") or None,
        # Logos are public: plain URLs, which pages (and the page cache) can keep.
        "querystring_auth": env_bool("AWS_QUERYSTRING_AUTH", False),
        "file_overwrite": False,
    }
    # Credentials: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (read by boto3), or the
    # machine's role.
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {key: value for key, value in _s3.items() if value is not None},
    }
    if _s3["custom_domain"]:
        MEDIA_ORIGINS = [f"https://{_s3['custom_domain']}"]
    elif _s3["endpoint_url"]:
        _endpoint = urlsplit(_s3["endpoint_url"])
        MEDIA_ORIGINS = [f"{_endpoint.scheme}://{_endpoint.netloc}"]
    else:
        MEDIA_ORIGINS = [f"https://{AWS_STORAGE_BUCKET_NAME}.s3.amazonaws.com"]
        if _s3["region_name"]:
            MEDIA_ORIGINS.append(
                f"https://{AWS_STORAGE_BUCKET_NAME}.s3.{_s3['region_name']}.amazonaws.com"
            )

# Cache: per process by default; shared by every node with Redis (REDIS_URL=redis://host:6379/0).
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL and not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured(f"REDIS_URL={REDIS_URL!r} must start with redis://, rediss:// or unix://.")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "ptce"),
    }
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "ptce"}
}
# Anonymous public pages are cached this many seconds (0 = off), see ptce_site/cache.py. On by
# default with Redis only: a per-process cache would not see the other workers' invalidations.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 600 if REDIS_URL else 0, minimum=0)
# A page whose body is bigger than this many bytes (the open data is gzipped for clients that
# take gzip) is served but not stored, so that a few huge pages cannot fill Redis; 0 = no
# limit. 1 MiB keeps every HTML page and the gzipped GeoJSON of 10,000 poles (about 350 KB),
# not its plain 3-4 MB.
PAGE_CACHE_MAX_BYTES = env_int("PAGE_CACHE_MAX_BYTES", 1024 * 1024, minimum=0)
# After a change, a page that has a last copy is built again by a thread of the process while
# that copy is served (ptce_site/cache_flight.py): no visitor waits for the rebuild.
PAGE_CACHE_REFRESH_IN_BACKGROUND = env_bool("PAGE_CACHE_REFRESH_IN_BACKGROUND", True)

# With the plain storage whitenoise serves files straight from the apps' and project's static
# folders (listed once at start-up; looked up again on each request only with DEBUG, to see
# edits), since STATIC_ROOT is empty without `collectstatic`.
WHITENOISE_USE_FINDERS = PLAIN_STATICFILES
WHITENOISE_AUTOREFRESH = DEBUG

# E-mail (Django 6.1's MAILERS): SMTP when SMTP_HOST is set; otherwise printed on the console
# in development, and handed to the local mail server (localhost:25) in production.
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Registre des PTCE <ne-pas-repondre@localhost>")
SERVER_EMAIL = env_str("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
if env_str("SMTP_HOST") or not DEBUG:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": env_str("SMTP_HOST", "localhost"),
                "port": env_int("SMTP_PORT", 587 if env_str("SMTP_HOST") else 25, minimum=1),
                "username": env_str("SMTP_USER"),
                "password": env_str("SMTP_PASSWORD"),
                "use_tls": env_bool("SMTP_USE_TLS", bool(env_str("SMTP_HOST"))),
                "timeout": env_int("SMTP_TIMEOUT", 10, minimum=1),
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
# The site's one address: every absolute link (e-mails, canonical addresses, open data) starts
# with it, never with the request's Host header (ptce_site/links.py). Required in production.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000" if DEBUG else "").rstrip("/")
if not SITE_URL:
    raise ImproperlyConfigured(
        "SITE_URL must be set when DEBUG is off: the site's address, e.g. https://ptce.example.org."
    )
if urlsplit(SITE_URL).scheme not in {"http", "https"} or not urlsplit(SITE_URL).netloc:
    raise ImproperlyConfigured(
        f"SITE_URL={SITE_URL!r} must be an http(s) URL, e.g. https://ptce.example.org."
    )
INVITATION_MAX_AGE_DAYS = env_int("INVITATION_MAX_AGE_DAYS", 7, minimum=1)  # a leader link's days
# Bulk imports (ptce_site/imports.py): the largest file and the most data rows accepted.
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_MEGABYTES", 10, minimum=1) * 1024 * 1024
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 20_000, minimum=1)
# Where an import's file waits between preview and confirmation (django-import-export's setting;
# import_pending.py; several nodes: sticky sessions or CacheStorage with Redis, see the README).
IMPORT_EXPORT_TMP_STORAGE_CLASS = (
    env_str("IMPORT_EXPORT_TMP_STORAGE_CLASS") or "ptce_site.import_pending.PendingImportStorage"
)

# Forms that send e-mail (ptce_site/ratelimit.py): at most this many submissions per client
# address, and per target, within a sliding window of minutes; then a 429 page.
EMAIL_FORM_LIMIT_PER_CLIENT = env_int("EMAIL_FORM_LIMIT_PER_CLIENT", 5, minimum=1)
EMAIL_FORM_LIMIT_PER_TARGET = env_int("EMAIL_FORM_LIMIT_PER_TARGET", 3, minimum=1)
EMAIL_FORM_WINDOW_MINUTES = env_int("EMAIL_FORM_WINDOW_MINUTES", 60, minimum=1)

# Leaders' edits e-mailed to staff (poles.leadership.notifications): "each", "daily" (digest,
# `manage.py send_edit_digest`) or "off". About a pole: to its region's regional curators; to
# national staff (or STAFF_NOTIFICATION_EMAILS) when it has none, or "always".
LEADER_EDIT_NOTIFICATIONS = env_choice("LEADER_EDIT_NOTIFICATIONS", "each daily off")
STAFF_NOTIFICATION_EMAILS = env_list("STAFF_NOTIFICATION_EMAILS", [])
NATIONAL_CURATORS_NOTIFIED = env_choice("NATIONAL_CURATORS_NOTIFIED", "fallback always")
CONTACT_EMAIL = env_str("CONTACT_EMAIL", "")  # the team's, on /contact/ (empty: the staff above)
# Map tiles: OpenStreetMap by default; another {z}/{x}/{y} source, or empty for no tiles (the
# site then draws its own layers only and makes no request to a tile server).
MAP_TILES_URL = env_str("MAP_TILES_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
# HTML: OpenStreetMap's licence asks for a link. The default in the page's language (lazy);
# one the operator sets is shown as written.
MAP_TILES_ATTRIBUTION = env_str("MAP_TILES_ATTRIBUTION", "") or _(
    '© <a href="https://www.openstreetmap.org/copyright">les contributeurs d\'OpenStreetMap</a>'
)
# "{s}" (tile subdomains) becomes a "*" wildcard in the Content-Security-Policy.
_tiles = urlsplit(MAP_TILES_URL.replace("{s}", "subdomain"))
if MAP_TILES_URL and (_tiles.scheme not in {"http", "https"} or not _tiles.netloc):
    raise ImproperlyConfigured(
        f"MAP_TILES_URL={MAP_TILES_URL!r} must be an http(s) URL with {{z}}/{{x}}/{{y}}, or empty."
    )
TILES_ORIGIN = (
    f"{_tiles.scheme}://{_tiles.netloc.replace('subdomain', '*')}" if MAP_TILES_URL else None
)

# django-leaflet: every map is a `{% leaflet_map %}` built from these options, given its
# behaviour by the page's `map:init` handler; templates/leaflet/ says why no script is inline.
# RESET_VIEW would reset to SPATIAL_EXTENT, which stays the whole world (as maxBounds, a France
# extent hides the overseas regions): off; the full map has "Aller à" buttons instead.
LEAFLET_CONFIG = {
    "TILES": [(_("Fond de carte"), MAP_TILES_URL, {"attribution": MAP_TILES_ATTRIBUTION})]
    if MAP_TILES_URL
    else [],  # no tile source: the maps draw the site's own layers (outlines) only
    "ATTRIBUTION_PREFIX": '<a href="https://leafletjs.com">Leaflet</a>',
    "DEFAULT_CENTER": (46.6, 2.4), "DEFAULT_ZOOM": 5, "MIN_ZOOM": 2, "MAX_ZOOM": 18,
    "RESET_VIEW": False, "SCALE": None,
    "PLUGINS": {  # css/maps.css on every map; the vendored markercluster (static/vendor/)
        "ptce": {"css": ["css/maps.css"], "auto-include": True},
        "markercluster": {
            "js": ["vendor/leaflet.markercluster/leaflet.markercluster.js"],
            "css": ["vendor/leaflet.markercluster/MarkerCluster.css"],
        },
    },
}

# Content-Security-Policy (Django 6's middleware): own origin only, scripts with nonces.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:", *([TILES_ORIGIN] if TILES_ORIGIN else []), *MEDIA_ORIGINS],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

X_FRAME_OPTIONS = "DENY"
# Who may frame the embeddable map and directory (/integrer/...), the only framable pages.
EMBED_FRAME_ANCESTORS = env_list("EMBED_FRAME_ANCESTORS", ["*"])
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# The language cookie like the others: over HTTPS only in production, not sent cross-site.
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SAMESITE = "Lax"
# Pages under these prefixes hold a user's own data: never kept by a browser or a proxy cache
# (Cache-Control: private, no-store; ptce_site.middleware.PrivatePagesMiddleware).
PRIVATE_PATH_PREFIXES = ("/espace/", "/compte/")
# Django's CSRF failure page, in the site's look and language (ptce_site/views.py).
CSRF_FAILURE_VIEW = "ptce_site.views.csrf_failure"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# HTTPS: redirect and HSTS in production. Behind a proxy that terminates TLS, set
# BEHIND_HTTPS_PROXY so that Django trusts its X-Forwarded-Proto header.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# A load balancer checks the health over plain HTTP: it must get the answer, not a redirect.
SECURE_REDIRECT_EXEMPT = [r"^healthz\Z"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
if BEHIND_HTTPS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Where the admin lives (a less guessable path cuts noise from scanners).
ADMIN_URL = env_str("ADMIN_URL", "admin/").strip("/") + "/"

# Logs on stdout: text in development, one JSON object a line in production (ptce_site/logging.py).
LOG_FORMAT = env_str("LOG_FORMAT", "text" if DEBUG else "json")
LOG_LEVEL = env_str("LOG_LEVEL", "INFO").upper()
LOGGING = logging_config(LOG_FORMAT, LOG_LEVEL)
