"""Fixed SQL for the few statements on the booking engine's hot path, with rows turned
into ordinary model instances.

The ORM composes a statement afresh on every call. On this project's 2-core machine that
cost about 0.6-1.1 ms of CPU per statement (`make bench-booking`), more than PostgreSQL
took to run it; where a statement runs on every hold, and some while its night rows are
locked, it is written out once here instead. Columns come from the models' own fields, so
a new field needs no change here; tables are unqualified, so a group's statements run in
its schema (django-tenants sets the search_path).
"""

from django.db import connection
from django.db.models import Model


def columns(model: type[Model], alias: str = "") -> str:
    prefix = f"{alias}." if alias else ""
    return ", ".join(f'{prefix}"{f.column}"' for f in model._meta.concrete_fields)


def instances(row: tuple, *models: type[Model]) -> list[Model]:
    """Split one result row into an instance of each model, in order (columns() each)."""
    made, start = [], 0
    for model in models:
        fields = model._meta.concrete_fields
        values = row[start:start + len(fields)]
        made.append(model.from_db(connection.alias, [f.attname for f in fields], values))
        start += len(fields)
    return made


def fetch(sql: str, params: list, *models: type[Model]) -> list[list[Model]]:
    """Run `sql` and return each row as instances of `models`."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [instances(row, *models) for row in cursor.fetchall()]
