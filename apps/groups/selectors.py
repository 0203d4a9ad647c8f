"""Reads for groups and planner access."""

from django.db.models import QuerySet

from .models import Group, Membership


def membership_for(*, user, group: Group) -> Membership | None:
    if not user.is_authenticated:
        return None
    return Membership.objects.filter(user=user, group=group).first()


def planner_can_access(*, user, group: Group) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    return user.is_superuser or Membership.objects.filter(user=user, group=group).exists()


def planner_can_edit(*, user, group: Group) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    membership = membership_for(user=user, group=group)
    return membership is not None and membership.can_edit


def groups_for_planner(*, user) -> QuerySet[Group]:
    groups = Group.objects.select_related("agency").prefetch_related("domains")
    if user.is_superuser:
        return groups.all()
    return groups.filter(memberships__user=user)


def group_site_url(group: Group, path: str = "/") -> str:
    """Absolute link to a page on the group's own site, for e-mails and redirects."""
    from django.conf import settings

    port = f":{settings.ANCILE_SITE_PORT}" if settings.ANCILE_SITE_PORT else ""
    return f"{settings.ANCILE_SITE_SCHEME}://{group.slug}.{settings.ANCILE_DOMAIN}{port}{path}"
