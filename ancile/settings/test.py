"""Settings for `make test`: the real PostgreSQL and Redis that ancile.stack starts."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-not-a-secret")
os.environ.setdefault("DJANGO_DEBUG", "false")
os.environ.setdefault("ANCILE_SITE_SCHEME", "http")
# Payments run against the built-in fake Stripe, which the tests start (tests/payments).
os.environ.setdefault("STRIPE_SECRET_KEY", "sk_test_ancile_fake")
os.environ.setdefault("STRIPE_WEBHOOK_SECRET", "whsec_test_ancile_fake")
os.environ.setdefault("STRIPE_API_BASE", "http://127.0.0.1:9")  # replaced by the fixture

from .base import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
ALLOWED_HOSTS = [".localhost", "localhost", "testserver"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tests reuse block ids across rolled-back transactions: remembered rates would leak
# between them (tests/core/test_memo.py tests the memory itself).
RISK_STAY_RATES_SECONDS = 0
BOOKING_RATES_MEMO_SECONDS = 0
