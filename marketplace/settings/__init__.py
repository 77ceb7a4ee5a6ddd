"""Dimsum settings, read from the environment (this module, with generators.py and compliance.py).

The defaults are the embedded setup (SQLite, tasks run in-process, local media, console
email). Production sets DATABASE_URL, REDIS_URL / CELERY_BROKER_URL, SECRET_KEY and DEBUG=0;
every variable is documented in README.md.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from marketplace.beat import beat_schedule
from marketplace.core.env import (
    env_bool,
    env_choice,
    env_int,
    env_int_list,
    env_list,
    env_matching,
    env_rate,
    env_retired,
    env_secret,
    env_str,
)
from marketplace.core.object_storage import object_storages

BASE_DIR = Path(__file__).resolve().parents[2]

DEBUG = env_bool("DEBUG", True)
_DEV_SECRET = "dev-only-insecure-secret-key-change-me-0123456789abcdef"
SECRET_KEY = env_secret("SECRET_KEY", _DEV_SECRET if DEBUG else "")
if not SECRET_KEY or (not DEBUG and SECRET_KEY == _DEV_SECRET):
    raise ImproperlyConfigured("SECRET_KEY must be set to a long random value when DEBUG=0")

# A local (DEBUG) run always answers on this machine's loopback names, and ALLOWED_HOSTS adds to
# them (a LAN address, a tunnel's name): naming one must not turn localhost away. With DEBUG=0
# only ALLOWED_HOSTS counts. `manage.py runlocal` adds the address it serves on (marketplace/core).
LOCAL_HOSTS = ["localhost", "127.0.0.1", "[::1]", "testserver"]
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [])
if DEBUG:
    ALLOWED_HOSTS = list(dict.fromkeys([*LOCAL_HOSTS, *ALLOWED_HOSTS]))
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_NAME = env_str("SITE_NAME", "Dimsum")

INSTALLED_APPS = [
    "marketplace.accounts.apps.DimsumAdminConfig",  # django.contrib.admin with the sign-in lock
    # Before django.contrib.auth, so its changepassword command is the one manage.py runs.
    "marketplace.accounts",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "marketplace.core",
    "marketplace.verification",
    "marketplace.notifications",
    "marketplace.storefront",
    "marketplace.tutoring",
    "marketplace.rates",
    "prompts",
    "payments",
    "marketplace.privacy",  # retention, account deletion, data export: above payments
    "marketplace.demo",  # seed_demo: demo data across every app, so it sits above them all
]

MIDDLEWARE = [
    # First: load balancers probe over plain HTTP, by IP, and must not depend on anything below.
    "marketplace.core.middleware.HealthProbeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # A database outage is a 503 with Retry-After on every path, without a traceback in the log.
    "marketplace.core.middleware.DatabaseUnavailableMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "marketplace.core.input_guard.ControlCharacterCookieMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "marketplace.storefront.middleware.LanguageQueryMiddleware",  # ?lang=: the hreflang addresses
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "marketplace.storefront.middleware.MessageMiddleware",  # Django's; HEAD leaves flash messages
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "marketplace.storefront.middleware.ContentSecurityPolicyMiddleware",
    "marketplace.storefront.middleware.VisitorTimezoneMiddleware",
    "marketplace.core.input_guard.ControlCharacterMiddleware",
]

ROOT_URLCONF = "marketplace.urls"
WSGI_APPLICATION = "marketplace.wsgi.application"
ASGI_APPLICATION = "marketplace.asgi.application"
AUTH_USER_MODEL = "accounts.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "marketplace.storefront.context.site",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------
# Persistent connections: the catalog is read-heavy and a reconnect per request costs more
# than the query itself.
DATABASE_URL = env_secret("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 600, minimum=0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis, cache and Celery --------------------------------------------------------------
REDIS_URL = env_secret("REDIS_URL", "")
CELERY_BROKER_URL = env_secret("CELERY_BROKER_URL", REDIS_URL)
# The cache is optional at run time: with Redis down, reads miss and writes are dropped (see
# marketplace/core/cache.py). Short socket timeouts keep a dead or unreachable Redis from stalling
# each request; after a failure the cache is skipped for REDIS_CACHE_RETRY_SECONDS.
REDIS_CACHE_TIMEOUT_MS = env_int("REDIS_CACHE_TIMEOUT_MS", 300, minimum=10, maximum=10_000)
REDIS_CACHE_RETRY_SECONDS = env_int("REDIS_CACHE_RETRY_SECONDS", 5, minimum=0, maximum=300)
_cache_timeout, _local_cache = REDIS_CACHE_TIMEOUT_MS / 1000, "django.core.cache.backends.locmem.LocMemCache"
CACHES: dict[str, dict[str, object]] = {"default": {"BACKEND": _local_cache}}
if REDIS_URL:
    CACHES["default"] = {
        "BACKEND": "marketplace.core.cache.ResilientRedisCache",
        "LOCATION": REDIS_URL,
        "OPTIONS": {"socket_connect_timeout": _cache_timeout, "socket_timeout": _cache_timeout},
        "RETRY_SECONDS": REDIS_CACHE_RETRY_SECONDS,
    }

# With no broker the embedded default runs tasks in-process, right after the commit that
# enqueued them.
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 300, minimum=10)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 240, minimum=5)
CELERY_TASK_IGNORE_RESULT = True
# The longest a late-acknowledged task may run (its hard time limit) or hold its message waiting
# for a retry (retry backoffs stop at 600 s); tests/prompts/test_redelivery_settings.py holds every
# task to it.
CELERY_TASK_LONGEST_SECONDS = max(CELERY_TASK_TIME_LIMIT, 600)
# A task whose worker died unacknowledged is redelivered once it is older than the visibility
# timeout, found by a sweep every interval x throttle seconds: a killed worker's task runs again
# about this long after it started. Shorter than the longest task, Redis would hand a task that is
# still running, or waiting for its retry, to a second worker. Far-future schedules live in the
# database, not in ETAs. DEBUG allows a shorter one, to watch redelivery happen in seconds.
CELERY_VISIBILITY_TIMEOUT = env_int("CELERY_VISIBILITY_TIMEOUT", CELERY_TASK_LONGEST_SECONDS + 60, minimum=1)
if CELERY_VISIBILITY_TIMEOUT <= CELERY_TASK_LONGEST_SECONDS and not DEBUG:
    raise ImproperlyConfigured(
        f"CELERY_VISIBILITY_TIMEOUT={CELERY_VISIBILITY_TIMEOUT} must be above {CELERY_TASK_LONGEST_SECONDS}, "
        "the longest task time limit or retry delay: Redis would run such a task twice at once. "
        "Leave it unset to use that plus a minute."
    )
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    "unacked_restore_interval": env_int("CELERY_RESTORE_INTERVAL", 10, minimum=1),
    "unacked_restore_throttle": env_int("CELERY_RESTORE_THROTTLE", 10, minimum=1),
}
CELERY_TASK_DEFAULT_QUEUE = "default"
# Image work has its own queue and workers; everything else (documents, payments) uses default.
CELERY_TASK_ROUTES = {
    "prompts.render_previews": {"queue": "previews"},
    "prompts.generate_previews": {"queue": "previews"},
    "prompts.add_preview_sizes": {"queue": "previews"},
}
# Images still pending or processing this long are re-queued (a task the broker never took, or lost
# with its worker); after a few tries they are failed. Above the render's 3-minute hard time limit,
# so a render still running is never queued again.
PREVIEW_REQUEUE_AFTER_MINUTES = env_int("PREVIEW_REQUEUE_AFTER_MINUTES", 5, minimum=4, maximum=24 * 60)

# --- Auth and API -----------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# How many proxies in front of the app append to X-Forwarded-For. 0: the header is ignored and the
# socket address is the client's; N: the N-th entry from the right is (marketplace/core/client.py).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0, maximum=10)
# One sign-in lock for the website, the API's token endpoint and the admin, kept in the database
# (marketplace/accounts/lockout.py). Per email and client address: LOGIN_MAX_FAILURES failures,
# then waits of LOGIN_LOCK_FIRST_MINUTES doubling after each further failure up to
# LOGIN_LOCK_MAX_MINUTES. Across emails, one address may fail LOGIN_ADDRESS_FAILURES_PER_HOUR
# times an hour; across addresses, one email LOGIN_ACCOUNT_FAILURES_PER_HOUR times.
LOGIN_MAX_FAILURES = env_int("LOGIN_MAX_FAILURES", 5, minimum=1)
LOGIN_LOCK_FIRST_MINUTES = env_int("LOGIN_LOCK_FIRST_MINUTES", 1, minimum=1)
LOGIN_LOCK_MAX_MINUTES = env_int("LOGIN_LOCK_MAX_MINUTES", 60, minimum=LOGIN_LOCK_FIRST_MINUTES)
LOGIN_ADDRESS_FAILURES_PER_HOUR = env_int("LOGIN_ADDRESS_FAILURES_PER_HOUR", 50, minimum=1)
LOGIN_ACCOUNT_FAILURES_PER_HOUR = env_int("LOGIN_ACCOUNT_FAILURES_PER_HOUR", 100, minimum=1)
for _retired in ("WEB_LOGIN_MAX_FAILURES", "WEB_LOGIN_LOCK_MINUTES"):  # a flat lock no longer offered
    env_retired(_retired, "set LOGIN_MAX_FAILURES, LOGIN_LOCK_FIRST_MINUTES, LOGIN_LOCK_MAX_MINUTES.")
# API tokens stop working this many days after their creation; 0: they last until revoked.
API_TOKEN_TTL_DAYS = env_int("API_TOKEN_TTL_DAYS", 0, minimum=0, maximum=3650)
# Where the admin is served, e.g. "staff-7f3a/": relative, ending with "/".
ADMIN_URL = env_matching(
    "ADMIN_URL", "admin/", r"(?:(?!\.\.?/)[A-Za-z0-9._~-]+/)+", shape="a relative path ending with '/'"
)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token only: a cookie alone never authenticates an API call, so the API needs no CSRF.
        "marketplace.accounts.authentication.BearerTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # DRF's parsers, refusing bodies nested past 64 levels or holding control characters.
    "DEFAULT_PARSER_CLASSES": [
        "marketplace.core.parsers.JSONParser",
        "marketplace.core.parsers.MultiPartParser",
        "marketplace.core.parsers.FormParser",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "marketplace.api.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "marketplace.core.errors.api_exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        "auth": env_rate("AUTH_THROTTLE_RATE", "10/min"),
        # Sign-ups per client address: accounts created, and attempts of any outcome.
        "register": env_rate("REGISTER_THROTTLE_RATE", "5/hour"),
        "register_attempt": env_rate("REGISTER_ATTEMPT_THROTTLE_RATE", "30/hour"),
    },
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # Our throttles call client_address(); any other DRF throttle reads the same proxy count.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Dimsum API",
    "DESCRIPTION": (
        "Prompt marketplace API. Sellers manage listings under /api/v1/seller/; anyone browses "
        "/api/v1/listings/. Authenticate with `Authorization: Bearer <token>` from /api/v1/auth/token/."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Internationalisation ----------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "marketplace" / "locale"]
FORMAT_MODULE_PATH = ["marketplace.core.formats"]  # one date format per language
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:home"
# Password reset emails an hour per mailbox and client address (10x that per mailbox, per address).
WEB_PASSWORD_RESET_PER_HOUR = env_int("WEB_PASSWORD_RESET_PER_HOUR", 3, minimum=1)

# --- Static, media, uploads ---------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "var" / "static")))
MEDIA_URL = env_str("MEDIA_URL", "/media/")
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
PRIVATE_MEDIA_ROOT = Path(env_str("PRIVATE_MEDIA_ROOT", str(BASE_DIR / "var" / "private")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT), "base_url": None},
    },
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Object storage in production (marketplace/core/object_storage.py); unset: local files.
OBJECT_STORAGE_BUCKET = env_str("OBJECT_STORAGE_BUCKET", "")
if OBJECT_STORAGE_BUCKET:
    STORAGES.update(object_storages(OBJECT_STORAGE_BUCKET))
SERVE_MEDIA = env_bool("SERVE_MEDIA", DEBUG and not OBJECT_STORAGE_BUCKET)
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 15 * 1024 * 1024, minimum=1024)
UPLOAD_MAX_PIXELS = env_int("UPLOAD_MAX_PIXELS", 40_000_000, minimum=10_000)
PREVIEW_WIDTHS = env_int_list("PREVIEW_WIDTHS", [2048, 1280, 640, 320], minimum=1)
# Names the producer and propagator in every preview's AI-generated label (XMP), with an opaque
# content id: the platform's service code as registered with the regulator, never an account id.
AI_LABEL_SERVICE_CODE = env_str("AI_LABEL_SERVICE_CODE", "dimsum")
if not (
    len(AI_LABEL_SERVICE_CODE) <= 64
    and AI_LABEL_SERVICE_CODE.isascii()
    and all(char.isalnum() or char in "._-" for char in AI_LABEL_SERVICE_CODE)
):
    raise ImproperlyConfigured(
        "AI_LABEL_SERVICE_CODE must be up to 64 ASCII letters, digits, dots, dashes or underscores, "
        f"got {AI_LABEL_SERVICE_CODE!r}"
    )
# Request bodies other than file uploads (JSON, form fields) stop at 1 MB.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 1024 * 1024, minimum=1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# --- Marketplace rules and platform-generated previews -----------------------------------------
LISTING_REVIEW = env_choice("LISTING_REVIEW", "auto", {"auto", "manual"})
# Platform-generated previews (generators and their keys): marketplace/settings/generators.py.
from marketplace.settings.generators import *  # noqa: E402, F403
from marketplace.settings.trials import *  # noqa: E402, F403

# --- Payments -------------------------------------------------------------------------------
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
STRIPE_SECRET_KEY = env_secret("STRIPE_SECRET_KEY", "")
STRIPE_WEBHOOK_SECRET = env_secret("STRIPE_WEBHOOK_SECRET", "")
STRIPE_API_BASE = env_str("STRIPE_API_BASE", "")  # e.g. a local Stripe-shaped fake
if bool(STRIPE_SECRET_KEY) != bool(STRIPE_WEBHOOK_SECRET):
    raise ImproperlyConfigured("Set both STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET, or neither (sandbox).")
PAYMENTS_PROVIDER = "stripe" if STRIPE_SECRET_KEY else "sandbox"
if PAYMENTS_PROVIDER == "sandbox" and not DEBUG:
    raise ImproperlyConfigured(
        "DEBUG=0 with the sandbox payment provider: set STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET."
    )
PLATFORM_FEE_BPS = env_int("PLATFORM_FEE_BPS", 2000, minimum=0, maximum=10_000)  # 20% commission
# The webhook's paid-checkout statement waits for the WAL flush like every other payment write;
# set, it commits without waiting (payments/services/paid_event_fast_path.py says what a crash then loses).
PAYMENTS_WEBHOOK_ASYNC_COMMIT = env_bool("PAYMENTS_WEBHOOK_ASYNC_COMMIT", False)
env_retired(
    "PAYMENTS_WEBHOOK_SYNC_COMMIT",
    "webhooks commit durably by default. Remove it; set PAYMENTS_WEBHOOK_ASYNC_COMMIT=1 to commit "
    "without waiting for the WAL flush.",
)
PAYMENTS_RECONCILE_DAYS = env_int("PAYMENTS_RECONCILE_DAYS", 3, minimum=1, maximum=30)
PAYMENTS_RECONCILE_EVERY = env_int("PAYMENTS_RECONCILE_EVERY", 900, minimum=60)

# --- Tutoring ---------------------------------------------------------------------------------
# How long a booking holds its slot while the buyer pays; the beat job frees expired holds.
TUTORING_HOLD_MINUTES = env_int("TUTORING_HOLD_MINUTES", 15, minimum=1, maximum=120)
# Tutors are paid by a transfer this long after their session ends (time for complaints and refunds).
TUTORING_PAYOUT_DELAY_HOURS = env_int("TUTORING_PAYOUT_DELAY_HOURS", 24, minimum=0, maximum=24 * 60)

# --- Exchange rates (sorting and filtering prices across currencies) ------------------------------
# A JSON feed of rates ({"base": "USD", "rates": {"CNY": 7.18, ...}}); empty keeps the shipped rates.
EXCHANGE_RATES_URL = env_str("EXCHANGE_RATES_URL", "")
EXCHANGE_RATES_TIMEOUT = env_int("EXCHANGE_RATES_TIMEOUT", 10, minimum=1, maximum=120)
EXCHANGE_RATES_REFRESH_SECONDS = env_int("EXCHANGE_RATES_REFRESH_SECONDS", 3600, minimum=60)

# --- Periodic tasks (celery beat, or runlocal's in-process beat): marketplace/beat.py ----------
CELERY_BEAT_SCHEDULE = beat_schedule(
    reconcile_every=PAYMENTS_RECONCILE_EVERY, rates_every=EXCHANGE_RATES_REFRESH_SECONDS
)

# --- Email ------------------------------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Dimsum <no-reply@dimsum.local>")
# Notification emails still unsent this long after their event are queued again (a lost enqueue).
NOTIFICATIONS_REQUEUE_AFTER_SECONDS = env_int("NOTIFICATIONS_REQUEUE_AFTER_SECONDS", 600, minimum=60)

# --- Security -------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
if env_bool("BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOG_LEVEL = env_choice("LOG_LEVEL", "info", {"debug", "info", "warning", "warn", "error", "critical"}).upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# China's rules, per deployment (README "Compliance"): marketplace/settings/compliance.py.
from marketplace.settings.compliance import *  # noqa: E402, F403
