"""Which group a microsite host belongs to, remembered for a few seconds per process.

Every request to a group's microsite needs its group. Looking it up costs a query on the
public schema (and a search_path switch) before the group's own work starts; under a rush
that is a tenth of a hold's database round trips. A hit is kept for GROUP_HOST_CACHE_SECONDS
in this process. Saving or deleting a group or domain clears this process's memory at once;
other processes see the change within the TTL. Unknown hosts are never remembered, so a
new group's site works on its first request.
"""

import copy
import threading
import time

from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Domain, Group

_lock = threading.Lock()
_groups: dict[str, tuple[float, Group]] = {}


def group_for_host(hostname: str) -> Group:
    """The group whose domain is `hostname`; raises Domain.DoesNotExist."""
    ttl = settings.GROUP_HOST_CACHE_SECONDS
    now = time.monotonic()
    hit = _groups.get(hostname)
    if hit is not None and now - hit[0] < ttl:
        return copy.copy(hit[1])  # a request may change its copy; the cached one stays
    group = Domain.objects.select_related("tenant").get(domain=hostname).tenant
    if ttl > 0:
        with _lock:
            _groups[hostname] = (now, copy.copy(group))
    return group


def forget_hosts() -> None:
    with _lock:
        _groups.clear()


@receiver([post_save, post_delete], sender=Group)
@receiver([post_save, post_delete], sender=Domain)
def _group_or_domain_changed(sender, **kwargs):
    forget_hosts()
