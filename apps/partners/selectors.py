"""Reads for the partner API: which token is this, which groups does it reach."""

from django.db.models import Q, QuerySet

from apps.groups.models import Group

from .models import ApiToken, WebhookEndpoint
from .services.tokens import token_hash


def token_for_secret(secret: str) -> ApiToken | None:
    """The active token with this secret, with its partner; None if unknown or revoked."""
    if not secret.startswith(ApiToken.PREFIX):
        return None
    return (ApiToken.objects.select_related("partner")
            .filter(token_hash=token_hash(secret)).first())


def reach_filter(token: ApiToken) -> Q:
    """Groups the token reaches: its own list, and every group of its agency."""
    reach = Q(pk__in=token.groups.values("pk"))
    if token.agency_id:
        reach |= Q(agency_id=token.agency_id)
    return reach


def groups_for_token(token: ApiToken) -> QuerySet[Group]:
    return Group.objects.filter(reach_filter(token)).select_related("agency")


def group_for_token(token: ApiToken, slug: str) -> Group | None:
    """The group, if this token reaches it; None otherwise (as if it did not exist)."""
    return groups_for_token(token).filter(slug=slug).first()


def endpoints_for_group(group: Group, event_type: str) -> list[WebhookEndpoint]:
    """Active endpoints of active partners with an active token reaching the group."""
    reaching = ApiToken.objects.filter(revoked_at__isnull=True).filter(
        Q(groups=group) | Q(agency_id=group.agency_id))
    endpoints = (WebhookEndpoint.objects
                 .filter(is_active=True, partner__is_active=True,
                         partner__in=reaching.values("partner_id"))
                 .order_by("pk"))
    return [endpoint for endpoint in endpoints if endpoint.wants(event_type)]


API_HOLD_KEY = "api:{token_id}:{key}"


def api_hold_key(token: ApiToken, key: str) -> str:
    """The hold service's idempotency key for a partner's hold: it also says who made it."""
    return API_HOLD_KEY.format(token_id=token.pk, key=key)


def hold_partner_id(group: Group, hold_id: int) -> int | None:
    """The partner whose token made this hold; None for the microsite's holds."""
    from django_tenants.utils import tenant_context

    from apps.bookings.models import Hold

    with tenant_context(group):
        key = Hold.objects.filter(pk=hold_id).values_list("idempotency_key", flat=True).first()
    prefix, _, rest = (key or "").partition(":")
    token_id = rest.partition(":")[0]
    if prefix != "api" or not token_id.isdigit():
        return None
    return ApiToken.objects.filter(pk=int(token_id)).values_list("partner_id", flat=True).first()
