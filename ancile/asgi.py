"""ASGI entry point. Production sets DJANGO_SETTINGS_MODULE=ancile.settings.production."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ancile.settings.production")

application = get_asgi_application()
