"""Who is calling: bearer tokens, scopes and the per-token rate limit."""

import logging
import math
import time
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_redis import get_redis_connection
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from redis.exceptions import RedisError
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.throttling import BaseThrottle

from apps.core.exceptions import PermissionDenied

from ..models import ApiToken
from ..selectors import token_for_secret

logger = logging.getLogger(__name__)

LAST_USED_EVERY = timedelta(minutes=1)


class ApiTokenAuthentication(BaseAuthentication):
    """`Authorization: Bearer anc_…`. The request's user is the partner, its auth the token."""

    def authenticate(self, request):
        header = request.headers.get("Authorization", "")
        if not header:
            return None
        scheme, _, secret = header.partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            raise exceptions.AuthenticationFailed(
                "Send the token as 'Authorization: Bearer <token>'.", code="invalid_token")
        token = token_for_secret(secret.strip())
        if token is None:
            raise exceptions.AuthenticationFailed("This token is not known.",
                                                  code="invalid_token")
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed("This token was revoked.",
                                                  code="token_revoked")
        if not token.partner.is_active:
            raise exceptions.AuthenticationFailed("This partner account is switched off.",
                                                  code="partner_inactive")
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_EVERY:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.partner, token

    def authenticate_header(self, request):
        return 'Bearer realm="ancile"'


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = ApiTokenAuthentication
    name = "partnerToken"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "bearerFormat": "anc_…",
                "description": "A partner API token, shown once when it is issued."}


def required_scope(request) -> str:
    return ApiToken.Scope.READ if request.method in SAFE_METHODS else ApiToken.Scope.BOOK


class HasScope(BasePermission):
    """Reads need the `read` scope, writes the `book` scope."""

    def has_permission(self, request, view):
        token = request.auth
        if not isinstance(token, ApiToken):
            return False  # DRF answers 401 not_authenticated
        scope = required_scope(request)
        if scope not in token.scopes:
            raise PermissionDenied(f"This token does not have the '{scope}' scope.",
                                   code="permission_denied",
                                   extra={"required_scope": scope})
        return True


class TokenRateThrottle(BaseThrottle):
    """A fixed one-minute window per token in Redis. Redis down: let the request through."""

    def allow_request(self, request, view):
        token = request.auth
        limit = settings.ANCILE_API_RATE_LIMIT
        if not isinstance(token, ApiToken) or not limit:
            return True
        now = time.time()
        window = int(now // 60)
        key = f"ancile:ratelimit:{{token:{token.pk}}}:{window}"
        try:
            pipe = get_redis_connection("default").pipeline()
            pipe.incr(key)
            pipe.expire(key, 61)
            count = pipe.execute()[0]
        except RedisError as error:
            logger.warning("rate limit skipped, Redis unavailable: %s", error)
            return True
        self.retry_after = max(1, math.ceil((window + 1) * 60 - now))
        self.limit, self.count = limit, count
        return count <= limit

    def wait(self):
        return getattr(self, "retry_after", 60)
