"""Which group a microsite host belongs to, remembered for a few seconds per process.

Every request to a group's microsite needs its group. Looking it up costs a query on the
public schema (and a search_path switch) before the group's own work starts: two of the
fourteen database round trips a microsite hold made before this memory. A group is remembered for
GROUP_HOST_CACHE_SECONDS in each process. Saving or deleting a group or domain makes this
process forget at once; other processes see the change within those seconds. Unknown
hosts are never remembered, so a new group's site works on its first request.
"""

import copy

from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from apps.core.memo import Recent

from .models import Domain, Group

_groups = Recent(lambda: settings.GROUP_HOST_CACHE_SECONDS, max_entries=1_000)


def group_for_host(hostname: str) -> Group:
    """The group whose domain is `hostname`; raises Domain.DoesNotExist."""
    group = _groups.get(hostname, lambda: Domain.objects.select_related("tenant")
                        .get(domain=hostname).tenant)
    return copy.copy(group)  # a request may change its copy; the remembered one stays


def forget_hosts() -> None:
    _groups.forget()


@receiver([post_save, post_delete], sender=Group)
@receiver([post_save, post_delete], sender=Domain)
def _group_or_domain_changed(sender, **kwargs):
    forget_hosts()
