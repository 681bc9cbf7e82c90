"""One settings module for schutznetz, driven by environment variables.

Every variable is named ``SCHUTZNETZ_…`` except ``DATABASE_URL``. With
``SCHUTZNETZ_DEBUG=1`` (development and demo) missing keys are generated into
``var/``; without it a missing key stops the start with a message naming the
variable, so a production server never runs on a made-up key.
"""

import os
from pathlib import Path

import dj_database_url

from schutznetz.core.keys import load_keys

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name, default=None):
    return os.environ.get(name, default)


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "ja"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("SCHUTZNETZ_DEBUG", False)
VAR_DIR = Path(env("SCHUTZNETZ_VAR_DIR", str(BASE_DIR / "var"))).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)

_keys = load_keys(os.environ, VAR_DIR, generate_missing=DEBUG)
SECRET_KEY = _keys.secret_key
# Field encryption keys; the first is active, the others only decrypt (rotation).
SCHUTZNETZ_FIELD_KEYS = _keys.field_keys
SCHUTZNETZ_BLIND_INDEX_KEY = _keys.blind_index_key

ALLOWED_HOSTS = env_list("SCHUTZNETZ_ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("SCHUTZNETZ_CSRF_TRUSTED_ORIGINS")
SCHUTZNETZ_EXIT_URL = env("SCHUTZNETZ_EXIT_URL", "https://www.wetter.de/")
SCHUTZNETZ_SITE_URL = env("SCHUTZNETZ_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SCHUTZNETZ_NETWORK_NAME = env(
    "SCHUTZNETZ_NETWORK_NAME", "Kreiskooperationsrunde Häusliche Gewalt und Kinderschutz Kreis Soest"
)

INSTALLED_APPS = [
    "schutznetz.core.apps.SchutznetzAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rules.apps.AutodiscoverRulesConfig",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "rest_framework",
    "drf_spectacular",
    "django_tasks",
    "django_tasks_db",
    "django_htmx",
    "schutznetz.core",
    "schutznetz.accounts",
    "schutznetz.directory",
    "schutznetz.network",
    "schutznetz.cases",
    "schutznetz.evidence",
    "schutznetz.events",
    "schutznetz.reports",
    "schutznetz.api",
]
# Models used only by the test suite (schutznetz.testing.pytest_env sets this).
if env_bool("SCHUTZNETZ_TEST_APPS", False):
    INSTALLED_APPS.append("schutznetz.testing.testapp")

MIDDLEWARE = [
    "schutznetz.core.middleware.SecurityHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Outside the session, CSRF and locale middleware, so that no cookie any of
    # them would add reaches the browser from a public GET page.
    "schutznetz.core.middleware.PublicPageMiddleware",
    # Before CsrfViewMiddleware: Referrer-Policy no-referrer makes browsers send "Origin: null".
    "schutznetz.core.middleware.NullOriginMiddleware",
    "schutznetz.core.middleware.RejectNulCharacterMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "schutznetz.accounts.middleware.SessionRenewalMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's, passing on the version read with the session (see the class).
    "schutznetz.accounts.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "schutznetz.accounts.middleware.SessionLifetimeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "schutznetz.accounts.middleware.MfaRequiredMiddleware",
]

ROOT_URLCONF = "schutznetz.urls"
WSGI_APPLICATION = "schutznetz.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "schutznetz" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "schutznetz.core.context_processors.schutznetz",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
DATABASE_URL = env("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
# The queries every staff page runs (session, user, case list, start page) are compiled once
# (core/prepared.py) and, on PostgreSQL, also prepared on the server. Set to 0 behind a connection
# pooler in transaction mode that cannot keep prepared statements (PgBouncer before 1.21).
# The case list and the start page are served again, per sign-in, while nothing in the database has
# changed (core/page_cache.py), for at most this many seconds; 0 switches it off. Held in the
# worker's memory only, at most SCHUTZNETZ_PAGE_CACHE_PAGES pages per worker.
SCHUTZNETZ_PAGE_CACHE_SECONDS = int(env("SCHUTZNETZ_PAGE_CACHE_SECONDS", "30"))
SCHUTZNETZ_PAGE_CACHE_PAGES = int(env("SCHUTZNETZ_PAGE_CACHE_PAGES", "200"))
SCHUTZNETZ_PREPARED_STATEMENTS = env_bool("SCHUTZNETZ_PREPARED_STATEMENTS", True)
if DATABASE_URL and SCHUTZNETZ_PREPARED_STATEMENTS and DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # Django switches psycopg's prepared statements off (None). A threshold no query reaches keeps
    # psycopg from preparing anything on its own, and lets core/prepared.py ask for it explicitly;
    # Django's own cursors bind on the client and are never prepared.
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["prepare_threshold"] = 2**31 - 1
    # Only those prepared queries use the plan cache. They are index probes whose best plan does not
    # depend on which organisation asks, so the plan is made once, not again on each run (PostgreSQL
    # kept re-planning the case list's page query, 1 ms a time, for the police's share of the cases).
    options["options"] = (options.get("options", "") + " -c plan_cache_mode=force_generic_plan").strip()
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "schutznetz.sqlite3",
            # WAL, immediate transactions and a busy timeout let concurrent writers
            # wait for each other instead of failing with "database is locked".
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
                ),
            },
            "TEST": {"NAME": str(VAR_DIR / "test.sqlite3")},
            # Kept open between requests: closing the last connection checkpoints the WAL into
            # the database file, which made every request (even /healthz) pay about 10 ms.
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# A database cache is shared by all gunicorn workers, so login lock-outs and
# rate limits hold across processes without another service to run.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "schutznetz_cache",
    },
    # Template fragments that depend only on the language (page head, public header, the
    # emergency numbers): rendered once per worker and kept in its memory. Never user data.
    "fragments": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "schutznetz-fragments",
        "TIMEOUT": None,
    },
}

# --- Accounts and authentication -------------------------------------------
AUTH_USER_MODEL = "accounts.User"
# Permissions come from the rules alone (see accounts/backends.py).
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "schutznetz.accounts.backends.SignInBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "core:staff_home"
LOGOUT_REDIRECT_URL = "core:home"

ACCOUNT_ADAPTER = "schutznetz.accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_PREVENT_ENUMERATION = True
# Five failed logins for one account within 15 minutes lock it for the rest of
# that window. The per-address limit is higher: a whole office often shares one
# address, and one person's typos must not lock out their colleagues.
# Behind a reverse proxy, how many proxies append to X-Forwarded-For: login lock-outs and the
# rate limits of public forms (core.ratelimit) count per real client address, not per proxy.
ALLAUTH_TRUSTED_PROXY_COUNT = int(env("SCHUTZNETZ_TRUSTED_PROXY_COUNT", "0"))
ACCOUNT_RATE_LIMITS = {
    "login_failed": "20/15m/ip,5/15m/key",
    "login": "30/m/ip",
}
# Demo logins (User.is_demo) skip the second factor only in development.
SCHUTZNETZ_DEMO_LOGIN_WITHOUT_MFA = DEBUG
# TOTP secrets and recovery-code seeds are encrypted with SCHUTZNETZ_FIELD_KEYS.
MFA_ADAPTER = "schutznetz.accounts.adapter.MfaAdapter"
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_PASSKEY_LOGIN_ENABLED = False
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG
MFA_TOTP_ISSUER = "schutznetz"

# Database sessions; the read every request makes is compiled once (accounts/sessions.py).
SESSION_ENGINE = "schutznetz.accounts.sessions"
# An idle staff session ends after 30 minutes.
SESSION_COOKIE_AGE = 30 * 60
# Renewed by accounts.middleware.SessionRenewalMiddleware at most once a minute instead.
SESSION_SAVE_EVERY_REQUEST = False
SCHUTZNETZ_SESSION_RENEW_SECONDS = 60
# Signed-in pages warn this long before the idle timeout and offer to stay signed in (WCAG 2.2.1).
SCHUTZNETZ_SESSION_WARNING_SECONDS = 5 * 60
# However busy, a sign-in ends after 12 hours and asks for password and second factor again.
SCHUTZNETZ_SESSION_MAX_SECONDS = int(env("SCHUTZNETZ_SESSION_MAX_SECONDS", 12 * 60 * 60))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# --- Internationalisation --------------------------------------------------
LANGUAGE_CODE = "de"
# Each language is named in itself, so a reader finds their own.
LANGUAGES = [("de", "Deutsch"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Berlin"
# English pages write dates day first with the 24-hour clock (schutznetz/formats/en/formats.py).
FORMAT_MODULE_PATH = ["schutznetz.formats"]
USE_I18N = True
USE_TZ = True
# The language lives in the URL prefix (/en/…); no cookie remembers it.
LANGUAGE_COOKIE_NAME = "schutznetz_language_unused"

# --- Static and media ------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- Mail -----------------------------------------------------------------
EMAIL_BACKEND = env(
    "SCHUTZNETZ_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env("SCHUTZNETZ_EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("SCHUTZNETZ_EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("SCHUTZNETZ_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env("SCHUTZNETZ_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("SCHUTZNETZ_EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("SCHUTZNETZ_EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = env("SCHUTZNETZ_EMAIL_FROM", "schutznetz <noreply@schutznetz.invalid>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Mails to affected persons (the evidence reminder) come from a sender that names neither the service
# nor its topic: the mailbox may be read by the person they hide from (checked by `check --deploy`).
SCHUTZNETZ_NEUTRAL_EMAIL_FROM = env(
    "SCHUTZNETZ_NEUTRAL_EMAIL_FROM", "Terminerinnerung <noreply@example.invalid>"
)

# --- Tasks ----------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if env("SCHUTZNETZ_TASKS") == "immediate"
            else "django_tasks_db.DatabaseBackend"
        ),
    }
}

# --- REST API ---------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_RATES": {"anon": "120/min", "user": "600/min"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "schutznetz API",
    "DESCRIPTION": "Schnittstelle des Kooperationsnetzwerks gegen häusliche Gewalt und für Kinderschutz.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # `check --deploy` is about the running installation; schema quality is
    # checked by tests/test_api_schema.py, which fails on any schema warning.
    "ENABLE_DJANGO_DEPLOY_CHECK": False,
    # Choice sets sharing a field name ("status") need a stable name of their own.
    "ENUM_NAME_OVERRIDES": {"ActionStatusEnum": "schutznetz.cases.models.ActionStatus"},
}

# --- Security ---------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "no-referrer"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SECURE_HSTS_SECONDS = int(env("SCHUTZNETZ_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_SSL_REDIRECT = env_bool("SCHUTZNETZ_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # Browsers accept a "__Host-" cookie only over HTTPS, for exactly this host and the path "/":
    # no other host under the county's domain can set or overwrite the session or the CSRF cookie
    # (ASVS 3.4.4). Development over plain HTTP keeps Django's names.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# --- Retention (days) -------------------------------------------------------
SCHUTZNETZ_CASE_RETENTION_DAYS = int(env("SCHUTZNETZ_CASE_RETENTION_DAYS", str(2 * 365)))
SCHUTZNETZ_EVENT_RETENTION_DAYS = int(env("SCHUTZNETZ_EVENT_RETENTION_DAYS", "90"))
SCHUTZNETZ_AUDIT_RETENTION_DAYS = int(env("SCHUTZNETZ_AUDIT_RETENTION_DAYS", str(10 * 365)))
SCHUTZNETZ_ACCESS_LOG_RETENTION_DAYS = int(env("SCHUTZNETZ_ACCESS_LOG_RETENTION_DAYS", str(3 * 365)))

# Smallest count a published statistic shows; below it the cell reads "<5".
SCHUTZNETZ_DISCLOSURE_MIN_CELL = int(env("SCHUTZNETZ_DISCLOSURE_MIN_CELL", "5"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("SCHUTZNETZ_LOG_LEVEL", "INFO" if DEBUG else "WARNING")},
    # WeasyPrint and fontTools narrate every rendering step at INFO.
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
