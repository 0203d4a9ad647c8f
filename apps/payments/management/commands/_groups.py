"""Commands run group by group, re-entering each group's schema."""

from django.core.management.base import CommandError
from django_tenants.utils import tenant_context

from apps.groups.models import Group


def each_group(slug: str | None):
    groups = Group.objects.exclude(schema_name="public").order_by("slug")
    if slug:
        groups = groups.filter(slug=slug)
        if not groups.exists():
            raise CommandError(f"No group '{slug}'.")
    for group in groups:
        with tenant_context(group):
            yield group
