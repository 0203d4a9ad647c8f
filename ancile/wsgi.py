"""WSGI entry point. Production sets DJANGO_SETTINGS_MODULE=ancile.settings.production."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ancile.settings.production")

application = get_wsgi_application()

# Load the APT-1 risk model now: the log says which execution provider runs it.
from apps.risk.serving import warm_up  # noqa: E402

warm_up()
