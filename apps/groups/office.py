"""Sign in once on the public host, then move between your groups' back offices.

Each group's back office lives on the group's own host (`<slug>.<domain>/admin/`), so its
session cookie is that host's. The public host hands a signed, single-use, one-minute
token to the group host, which signs the planner in there. The hand-off is refused for a
planner who is not a member of the group.
"""

import secrets

from django.contrib.auth import get_user_model, login
from django.core import signing
from django.core.cache import cache

from .models import Group
from .selectors import planner_can_access

SALT = "ancile.office.handoff"
MAX_AGE_SECONDS = 60


def handoff_token_create(*, user, group: Group) -> str:
    return signing.dumps({"user": user.pk, "group": group.pk, "nonce": secrets.token_hex(8)},
                         salt=SALT)


def handoff_token_redeem(*, request, token: str, group: Group) -> bool:
    """Sign the token's planner in on this group's host. False if it cannot be used."""
    try:
        payload = signing.loads(token, salt=SALT, max_age=MAX_AGE_SECONDS)
    except signing.BadSignature:
        return False
    if payload.get("group") != group.pk:
        return False
    if not cache.add(f"office-handoff:{payload['nonce']}", True, MAX_AGE_SECONDS * 2):
        return False  # already used
    user = get_user_model().objects.filter(pk=payload["user"], is_active=True).first()
    if user is None or not planner_can_access(user=user, group=group):
        return False
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return True
