"""Errors the services raise. Each carries a stable code that partners can switch on."""


class ApplicationError(Exception):
    status = 422

    def __init__(self, message: str, *, code: str, extra: dict | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.extra = extra or {}


class NotFound(ApplicationError):
    status = 404


class Conflict(ApplicationError):
    status = 409


class PermissionDenied(ApplicationError):
    status = 403


class Unavailable(ApplicationError):
    status = 503


class ValidationFailed(ApplicationError):
    status = 422
