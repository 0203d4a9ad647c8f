"""The template schema new groups are cloned from.

Replaying every tenant migration for each new group gets slow as migrations pile up, so
`group_create` clones `TENANT_BASE_SCHEMA` (django-tenants' clone_schema) and only fakes
the migration records. `manage.py migrate_all` keeps the template on the latest
migrations; it must run after every deploy, before any group is created.
"""

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django_tenants.utils import schema_exists


def template_schema_sync(*, verbosity: int = 0) -> None:
    schema = settings.TENANT_BASE_SCHEMA
    if not schema_exists(schema):
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE SCHEMA "{schema}"')
    call_command("migrate_schemas", tenant=True, schema_name=schema, interactive=False,
                 verbosity=verbosity)
    connection.set_schema_to_public()
