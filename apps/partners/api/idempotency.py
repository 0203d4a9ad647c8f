"""Idempotency-Key for every write: a retry gets the first response, byte for byte.

- same key, same request (method, path, body): the stored status and body again, with
  `Idempotent-Replayed: true`;
- same key, different request: 422 `idempotency_key_reused`;
- same key while the first is still running: 409 `request_in_progress` with Retry-After;
- a first attempt that failed on our side (5xx, `busy`) is not stored: retry freely.

Records live in PostgreSQL (public schema), per token, for RECORD_HOURS.
"""

import hashlib
import json
import re
from datetime import timedelta
from functools import wraps

from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.utils import timezone
from rest_framework.exceptions import APIException
from rest_framework.renderers import JSONRenderer

from apps.core.exceptions import ApplicationError, Conflict, ValidationFailed

from ..models import IdempotencyRecord

HEADER = "Idempotency-Key"
KEY_PATTERN = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
RECORD_HOURS = 24
# A first attempt that has not finished after this long died with its process: a retry
# may take over.
STALE_SECONDS = 60
RETRY_AFTER_SECONDS = 1


class InProgress(Conflict):
    pass


def fingerprint(method: str, path: str, body: bytes) -> str:
    """The request's identity. JSON bodies are compared by content, not key order."""
    try:
        canonical = json.dumps(json.loads(body or b"null"), sort_keys=True,
                               separators=(",", ":")).encode()
    except ValueError:
        canonical = body
    digest = hashlib.sha256()
    for part in (method.encode(), b"\n", path.encode(), b"\n", canonical):
        digest.update(part)
    return digest.hexdigest()


def valid_key(request) -> str:
    key = request.headers.get(HEADER, "").strip()
    if not KEY_PATTERN.match(key):
        raise ValidationFailed(
            f"Send an {HEADER} header (1-64 letters, digits, '_', '-', '.', ':') with every "
            f"write; retries reuse it.", code="idempotency_key_required",
            extra={"header": HEADER})
    return key


def begin(*, token, key: str, method: str, path: str, body: bytes
          ) -> tuple[IdempotencyRecord, IdempotencyRecord | None]:
    """(record, None) when this request runs; (record, record) when it is a replay."""
    print_ = fingerprint(method, path, body)
    try:
        with transaction.atomic():
            record = IdempotencyRecord.objects.create(
                token=token, key=key, fingerprint=print_, method=method, path=path[:300])
        return record, None
    except IntegrityError:
        pass
    record = IdempotencyRecord.objects.get(token=token, key=key)
    now = timezone.now()
    if record.created_at < now - timedelta(hours=RECORD_HOURS):
        # An old key: forget what it did and start again.
        IdempotencyRecord.objects.filter(pk=record.pk).delete()
        return begin(token=token, key=key, method=method, path=path, body=body)
    if record.fingerprint != print_:
        raise ValidationFailed(
            f"This {HEADER} was already used for a different request "
            f"({record.method} {record.path}). Use a new key for a new request.",
            code="idempotency_key_reused", extra={"method": record.method,
                                                  "path": record.path})
    if record.status_code is None:
        took_over = IdempotencyRecord.objects.filter(
            pk=record.pk, status_code__isnull=True,
            created_at__lt=now - timedelta(seconds=STALE_SECONDS)).update(created_at=now)
        if took_over:
            return record, None
        raise InProgress("A request with this Idempotency-Key is still running. Retry "
                         "shortly to get its response.", code="request_in_progress",
                         extra={"retry_after": RETRY_AFTER_SECONDS})
    return record, record


def replay(record: IdempotencyRecord) -> HttpResponse:
    response = HttpResponse(bytes(record.response_body or b""), status=record.status_code,
                            content_type="application/json")
    response["Idempotent-Replayed"] = "true"
    return response


def finish(record: IdempotencyRecord, response) -> None:
    body = getattr(response, "data", None)
    code = body.get("code") if isinstance(body, dict) else None
    if response.status_code >= 500 or code in {"busy", "request_in_progress"}:
        IdempotencyRecord.objects.filter(pk=record.pk).delete()
        return
    IdempotencyRecord.objects.filter(pk=record.pk).update(
        status_code=response.status_code, completed_at=timezone.now(),
        response_body=JSONRenderer().render(body) if body is not None else b"")


def idempotent(method):
    """Wrap a DRF view's write method (after authentication, before any work)."""

    @wraps(method)
    def wrapper(view, request, *args, **kwargs):
        key = valid_key(request)
        record, done = begin(token=request.auth, key=key, method=request.method,
                             path=request.path, body=request.body)
        if done is not None:
            return replay(done)
        try:
            response = method(view, request, *args, **kwargs)
        except (ApplicationError, APIException) as error:
            response = view.handle_exception(error)
        except BaseException:
            IdempotencyRecord.objects.filter(pk=record.pk).delete()
            raise
        finish(record, response)
        return response

    return wrapper


def records_purge(*, older_than_hours: int = RECORD_HOURS) -> int:
    cutoff = timezone.now() - timedelta(hours=older_than_hours)
    return IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()[0]
