"""Test fixtures. The database and Redis are the real servers `make test` starts."""

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection, connections
from django.test import Client

from apps.groups.schemas import template_schema_sync


# A test that commits for real (threads, a live server). Its flush truncates with CASCADE
# (available_apps set), since group-schema tables reference the public hotel catalogue;
# combine with the drop_group_schemas fixture.
live_database = pytest.mark.django_db(transaction=True, available_apps=settings.INSTALLED_APPS)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """After the test database is migrated, build the template new groups are cloned from."""
    with django_db_blocker.unblock():
        template_schema_sync()


@pytest.fixture(autouse=True)
def _public_schema_and_clean_cache():
    """Every test starts in the public schema with an empty cache, and on a fresh database
    connection: a PostgreSQL backend that has cloned and rolled back many group schemas
    grows its caches until cloning one takes seconds instead of a fifth of a second."""
    connection.set_schema_to_public()
    cache.clear()
    yield
    connection.set_schema_to_public()
    connections.close_all()


@pytest.fixture
def drop_group_schemas():
    """For tests that commit for real: drop the group schemas they made, afterwards."""
    from apps.groups.models import Group

    yield
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        for schema in Group.objects.values_list("schema_name", flat=True):
            cursor.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture
def public_client():
    return Client(HTTP_HOST="localhost")
