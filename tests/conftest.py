"""Test fixtures. The database and Redis are the real servers `make test` starts."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client

from apps.groups.schemas import template_schema_sync


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """After the test database is migrated, build the template new groups are cloned from."""
    with django_db_blocker.unblock():
        template_schema_sync()


@pytest.fixture(autouse=True)
def _public_schema_and_clean_cache():
    """Every test starts in the public schema with an empty cache."""
    connection.set_schema_to_public()
    cache.clear()
    yield
    connection.set_schema_to_public()


@pytest.fixture
def public_client():
    return Client(HTTP_HOST="localhost")
