"""Error codes carried in failed acknowledgements, and the protocol's exception tree."""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class ErrorCode(StrEnum):
    """The ``error.code`` of a failed acknowledgement."""

    UNAUTHENTICATED = "unauthenticated"
    FORBIDDEN = "forbidden"
    VALIDATION_ERROR = "validation_error"
    NOT_FOUND = "not_found"
    CONFLICT = "conflict"
    LOCKED = "locked"
    PRECONDITION_FAILED = "precondition_failed"
    RATE_LIMITED = "rate_limited"
    INVALID_EVENT = "invalid_event"
    INTERNAL = "internal"


PERMANENT_ERRORS: frozenset[ErrorCode] = frozenset(
    {
        ErrorCode.FORBIDDEN,
        ErrorCode.VALIDATION_ERROR,
        ErrorCode.NOT_FOUND,
        ErrorCode.CONFLICT,
        ErrorCode.LOCKED,
        ErrorCode.PRECONDITION_FAILED,
        ErrorCode.INVALID_EVENT,
    }
)
"""Refusals that will not change on retry: an outbox keeps such an entry as rejected."""

RETRYABLE_ERRORS: frozenset[ErrorCode] = frozenset(
    {ErrorCode.RATE_LIMITED, ErrorCode.INTERNAL, ErrorCode.UNAUTHENTICATED}
)
"""Failures worth retrying later (after ``retryAfter``, a fresh token, or a pause)."""

AUTH_MISSING_MESSAGE = "Authentication token missing"
AUTH_INVALID_MESSAGE = "Invalid token"
INVALID_EVENT_MESSAGE = "Invalid event type"


class ProtocolError(Exception):
    """Base of the protocol's errors: something on the wire was not what the contract says."""


class PayloadError(ProtocolError):
    """A payload failed validation against its model."""

    def __init__(self, event: str, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(f"{event}: {message}")
        self.event = event
        self.message = message
        self.details = details or {}


class AckFailed(ProtocolError):
    """The peer answered an acknowledged call with ``{ok: false}``."""

    def __init__(
        self, code: ErrorCode, message: str, details: dict[str, Any] | None = None
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.details = details or {}

    @property
    def retry_after(self) -> float | None:
        """Seconds to wait before retrying, for ``rate_limited`` refusals."""
        value = self.details.get("retryAfter")
        return float(value) if isinstance(value, int | float) else None
