"""Development settings: `make run` and `make manage`."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "local-development-only-not-a-secret")
os.environ.setdefault("DJANGO_DEBUG", "true")
os.environ.setdefault("ANCILE_SITE_SCHEME", "http")
os.environ.setdefault("ANCILE_SITE_PORT", os.environ.get("PORT", "8000"))

from .base import *  # noqa: E402,F403

EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
