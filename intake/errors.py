"""Domain errors. The HTTP layer maps each class to one status code."""

from __future__ import annotations


class DomainError(Exception):
    """Base class: ``code`` is a stable machine-readable reason."""

    code = "domain_error"

    def __init__(self, message: str, **details: object) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class NotFound(DomainError):
    code = "not_found"


class Invalid(DomainError):
    code = "invalid"


class Forbidden(DomainError):
    code = "forbidden"


class IllegalTransition(DomainError):
    """The action is not allowed from the case's current state (HTTP 409)."""

    code = "illegal_transition"


class Busy(DomainError):
    """The request needs more time or memory than one request may take (HTTP 503); a simpler one will pass."""

    code = "busy"


class TooSoon(DomainError):
    """The same step again before its interval has passed (a resident's 催办): HTTP 429."""

    code = "too_soon"


class Conflict(DomainError):
    """Someone else changed the case at the same moment; retry."""

    code = "conflict"
