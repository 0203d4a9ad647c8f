"""API tokens: issued once, stored as a hash, revoked for good."""

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from apps.core.exceptions import ValidationFailed
from apps.groups.models import Agency, Group

from ..models import ApiToken, Partner


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str  # the full token: shown to the partner once, never stored


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def api_token_create(*, partner: Partner, name: str, scopes: Iterable[str],
                     groups: Iterable[Group] = (), agency: Agency | None = None,
                     secret: str | None = None) -> IssuedToken:
    """Issue a token reaching `groups` and/or every group of `agency`.

    `secret` is for the demo only (a token the README can show); normally it is random.
    """
    scopes = sorted(set(scopes))
    unknown = set(scopes) - set(ApiToken.Scope.values)
    if unknown or not scopes:
        raise ValidationFailed("Choose the token's scopes among read and book.",
                               code="validation_error",
                               extra={"fields": {"scopes": sorted(unknown) or ["Required."]}})
    groups = list(groups)
    if not groups and agency is None:
        raise ValidationFailed("A token must reach at least one group or an agency.",
                               code="validation_error",
                               extra={"fields": {"groups": ["Required without an agency."]}})
    secret = secret or ApiToken.PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(partner=partner, name=name, scopes=scopes,
                                        agency=agency, prefix=secret[:12],
                                        token_hash=token_hash(secret))
        token.groups.set(groups)
    return IssuedToken(token=token, secret=secret)


def api_token_revoke(*, token: ApiToken) -> ApiToken:
    """Refuse the token from now on. Revoking twice keeps the first date."""
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now())
    token.refresh_from_db(fields=["revoked_at"])
    return token
