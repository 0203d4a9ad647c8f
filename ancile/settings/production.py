"""Production settings. Refuses to start on a missing secret or with DEBUG on."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .env import env, env_bool

if DEBUG:  # noqa: F405
    raise ImproperlyConfigured("DJANGO_DEBUG must be false in production.")
if SECRET_KEY.startswith(("local-", "test-")) or len(SECRET_KEY) < 40:  # noqa: F405
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY must be a real secret of at least 40 characters in production.")
ALLOWED_HOSTS = env("DJANGO_ALLOWED_HOSTS").split(",")
# Required here: base.py's "localhost" would route no group site and break e-mail links.
env("ANCILE_DOMAIN")

MIDDLEWARE = [MIDDLEWARE[0], MIDDLEWARE[1], "whitenoise.middleware.WhiteNoiseMiddleware",  # noqa: F405
              *MIDDLEWARE[2:]]  # noqa: F405

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 30
SECURE_CONTENT_TYPE_NOSNIFF = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = env("DJANGO_EMAIL_HOST")
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL")

# Payments: real Stripe keys, never the built-in fake's.
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET")
if not STRIPE_SECRET_KEY.startswith(("sk_live_", "rk_live_", "sk_test_", "rk_test_")) or \
        "fake" in STRIPE_SECRET_KEY:
    raise ImproperlyConfigured("STRIPE_SECRET_KEY must be a real Stripe secret key "
                               "(sk_live_… or a restricted rk_live_… key).")
if not STRIPE_WEBHOOK_SECRET.startswith("whsec_") or "fake" in STRIPE_WEBHOOK_SECRET:
    raise ImproperlyConfigured("STRIPE_WEBHOOK_SECRET must be the signing secret of the "
                               "Stripe webhook endpoint (whsec_…).")
if STRIPE_API_BASE:  # noqa: F405
    raise ImproperlyConfigured("STRIPE_API_BASE points at a fake Stripe; unset it in production.")
