"""One error shape for the API: {"code", "message", "extra"}, with stable codes."""

import logging

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from rest_framework import exceptions as drf_exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .exceptions import ApplicationError

logger = logging.getLogger(__name__)

# DRF's own codes, renamed where the API promises another name.
DRF_CODES = {
    "throttled": "rate_limited",
    "authentication_failed": "invalid_token",
    "not_authenticated": "not_authenticated",
    "permission_denied": "permission_denied",
    "not_found": "not_found",
    "method_not_allowed": "method_not_allowed",
    "parse_error": "parse_error",
    "unsupported_media_type": "unsupported_media_type",
    "not_acceptable": "not_acceptable",
}


def exception_handler(exc, context):
    if isinstance(exc, ApplicationError):
        response = Response({"code": exc.code, "message": exc.message, "extra": exc.extra},
                            status=exc.status)
        retry_after = exc.extra.get("retry_after")
        if retry_after and exc.status in {409, 429, 503}:
            response["Retry-After"] = str(retry_after)
        return response
    if isinstance(exc, RequestDataTooBig):
        return Response({"code": "request_too_large", "message": "The request body is too "
                         "large. Send one hold or booking per request.", "extra": {}},
                        status=413)
    if isinstance(exc, SuspiciousOperation):
        return Response({"code": "bad_request", "message": "The request could not be "
                         "read. Check its headers and body.", "extra": {}}, status=400)
    response = drf_exception_handler(exc, context)
    if response is None:
        logger.exception("unexpected error in %s", context.get("view"), exc_info=exc)
        return Response({"code": "server_error", "message": "Something went wrong on our "
                         "side. Please try again; if it persists, contact us.", "extra": {}},
                        status=500)
    if isinstance(exc, drf_exceptions.ValidationError):
        body = {"code": "validation_error", "message": "The request has invalid fields.",
                "extra": {"fields": response.data}}
    else:
        detail = getattr(exc, "detail", "")
        code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
        body = {"code": DRF_CODES.get(code, code), "message": str(detail), "extra": {}}
        if isinstance(exc, drf_exceptions.Throttled) and exc.wait is not None:
            body["extra"] = {"retry_after": int(exc.wait)}
    response.data = body
    return response
