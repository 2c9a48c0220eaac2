"""Django settings: one module, driven by config.env (the only reader of the environment)."""

from __future__ import annotations

from typing import Any

import dj_database_url
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

from config.env import BASE_DIR, ENV

HOME = ENV.home
SECRET_KEY = ENV.secret_key
DEBUG = ENV.debug
ALLOWED_HOSTS = ENV.allowed_hosts
CSRF_TRUSTED_ORIGINS = ENV.csrf_trusted_origins

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "csp",
    "treebeard",
    "ninja",
    "channels",
    "django_tasks",
    "django_tasks_db",
    # Tongke apps, lowest layer first (see docs/architecture.md).
    "tongke.core",
    "tongke.audit",
    "tongke.orgs",
    "tongke.accounts",
    "tongke.notifications",
    "tongke.roster",
    "tongke.courses",
    "tongke.library",
    "tongke.learning",
    "tongke.live",
    "tongke.portal",
    "tongke.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "tongke.core.request_context.RequestContextMiddleware",
    "tongke.core.middleware.ErrorPageMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tongke.portal.context.navigation",
            ],
        },
    },
]

# --- Database: SQLite (WAL) in the data home by default, PostgreSQL when configured.
if ENV.database_url:
    # Under ASGI every request runs in a thread of its own, so persistent per-thread
    # connections would pile up; a per-process pool (psycopg_pool) reuses them instead.
    DATABASES = {"default": dj_database_url.parse(ENV.database_url, conn_max_age=0)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": 2,
            "max_size": ENV.db_pool_size,
            "timeout": 20,
        }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(HOME / "tongke.sqlite3"),
            "OPTIONS": {
                # BEGIN IMMEDIATE takes the write lock up front, so concurrent writers wait
                # (busy timeout) instead of failing half-way through a transaction.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA foreign_keys=ON;"
                    "PRAGMA busy_timeout=20000;"
                ),
            },
            "TEST": {"NAME": ""},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache: Redis in a regional deployment, process memory in the embedded mode.
# The cache is never the source of truth: it holds cached sessions and memoized reads (the
# sign-in throttle counts in the database, accounts.LoginThrottle).
if ENV.redis_url:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": ENV.redis_url,
            "KEY_PREFIX": "tongke",
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Live classes: WebSocket signaling through Django Channels. One process: the in-memory
# layer; several app-server processes share the Redis layer.
if ENV.redis_url:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            # A receive blocks in BRPOP for up to 5 s (channels-redis); the socket's read
            # timeout must be longer, or an idle room's connection dies with a TimeoutError.
            "CONFIG": {
                "hosts": [{"address": ENV.redis_url, "socket_timeout": 30}],
                "capacity": 1500,
                "expiry": 30,
            },
        }
    }
else:
    CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels.layers.InMemoryChannelLayer", "CONFIG": {"capacity": 1500}}
    }
LIVE_JANUS_URL = ENV.janus_url  # empty: browsers connect peer to peer
LIVE_JANUS_API_SECRET = ENV.janus_api_secret
LIVE_STUN_URLS = ENV.stun_urls
LIVE_TURN_URLS = ENV.turn_urls
LIVE_TURN_SECRET = ENV.turn_secret

AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "portal:home"
TONGKE_LOGIN_ATTEMPTS = ENV.login_attempts
TONGKE_LOGIN_WINDOW_S = ENV.login_window_s

# --- Language: Chinese first, English complete as the second language.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

# --- Static files: served by Tongke itself (WhiteNoise), never from another host.
STATIC_URL = "/static/"
STATIC_ROOT = HOME / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise expects it, even when empty
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded and processed media: local files in the data home by default; S3-compatible object
# storage (django-storages, the optional "s3" extra) when TONGKE_S3_BUCKET is set.
_DEFAULT_STORAGE: dict[str, Any] = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
if ENV.s3_bucket:
    _DEFAULT_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": ENV.s3_bucket,
            "endpoint_url": ENV.s3_endpoint_url or None,
            "region_name": ENV.s3_region or None,
            "access_key": ENV.s3_access_key or None,
            "secret_key": ENV.s3_secret_key or None,
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": 3600,
            "file_overwrite": False,
        },
    }
STORAGES = {
    "default": _DEFAULT_STORAGE,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if ENV.production
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not ENV.production
MEDIA_ROOT = HOME / "media"
MEDIA_URL = "/media/"

# --- Request limits: a JSON body or form larger than this is refused with a 4xx.
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000
FILE_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
TONGKE_ROSTER_MAX_BYTES = 50 * 1024 * 1024
TONGKE_UPLOAD_LIMIT_BYTES = ENV.upload_limit_mb * 1024 * 1024
# Every upload streams to a temporary file and is cut off past the limit (no file is ever
# held whole in memory); the view then answers 413.
FILE_UPLOAD_HANDLERS = ["tongke.library.media.intake.LimitedUploadHandler"]
# The server caps bodies before Django reads them (config/body_limit.py): an anonymous caller
# may send this much, a signed-in one an upload (multipart) or this much of anything else.
TONGKE_ANON_BODY_LIMIT_BYTES = DATA_UPLOAD_MAX_MEMORY_SIZE
TONGKE_BODY_LIMIT_BYTES = 16 * 1024 * 1024

# --- Background work (django-tasks): queued in the database, run by `tongke worker` (and by
# the worker `tongke demo` starts). TONGKE_TASKS_IMMEDIATE runs tasks in the request instead
# (tests, one-off scripts).
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if ENV.tasks_immediate
            else "django_tasks_db.DatabaseBackend"
        )
    }
}

# --- Security headers. The CSP allows no inline script and nothing from another host.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "media-src": [SELF, "blob:"],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
if ENV.production:
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
TONGKE_BEHIND_PROXY = ENV.behind_proxy
if ENV.behind_proxy:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True

NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 200

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": ENV.log_level},
    "loggers": {"django.request": {"level": "ERROR"}},
}
CSRF_FAILURE_VIEW = "tongke.core.views.csrf_failure"
