"""Turn a failed core call into one sentence: what went wrong and what the user can do.

Shared by the notification center, the certification panel and the requests panel, so
a refusal reads the same wherever it happens.
"""

from __future__ import annotations

from scoring_console.client.errors import (
    AuthError,
    CallTimeout,
    ConnectionLost,
    NotConnected,
    PendingEntriesError,
)
from scoring_console.protocol import AckFailed, ErrorCode

_HINTS: dict[ErrorCode, str] = {
    ErrorCode.FORBIDDEN: "Your role may not do this; ask an administrator if it should.",
    ErrorCode.VALIDATION_ERROR: "Correct the input and try again.",
    ErrorCode.NOT_FOUND: "It no longer exists on the server; the view refreshes on the next sync.",
    ErrorCode.CONFLICT: "It changed elsewhere meanwhile; check the current state and try again.",
    ErrorCode.LOCKED: (
        "The contest is locked: a correction needs the board or an organizer to unlock it "
        "(published results stay final)."
    ),
    ErrorCode.PRECONDITION_FAILED: "Complete what is missing, then try again.",
    ErrorCode.RATE_LIMITED: "Too many requests; wait a moment and try again.",
    ErrorCode.UNAUTHENTICATED: "Your session expired; log in again.",
    ErrorCode.INVALID_EVENT: "This console and the server disagree; update the console.",
    ErrorCode.INTERNAL: "Try again; if it keeps failing, tell the administrator.",
}


def describe_refusal(action: str, code: str | None, message: str) -> str:
    """``"<action> refused: <reason> (<code>). <what to do>"`` for a kept outbox refusal."""
    try:
        error = ErrorCode(code or "")
    except ValueError:
        error = ErrorCode.INTERNAL
    return _ack_text(action, "refused", AckFailed(error, message))


def _ack_text(action: str, verb: str, exc: AckFailed) -> str:
    hint = _HINTS.get(exc.code, "")
    if exc.code is ErrorCode.LOCKED and "reopen" in exc.message:
        hint = ""  # a signed sheet or category, not a locked contest: the reason says who acts
    if exc.code is ErrorCode.RATE_LIMITED and exc.retry_after is not None:
        hint = f"Too many requests; try again in {exc.retry_after:.0f} s."
    reason = exc.message or str(exc.code)
    return f"{action} {verb}: {reason} ({exc.code}). {hint}".strip()


def describe_failure(action: str, exc: BaseException) -> str:
    """``"<action> failed: <what went wrong>. <what to do>"`` for any exception."""
    if isinstance(exc, AckFailed):
        return _ack_text(action, "failed", exc)
    if isinstance(exc, CallTimeout):
        return (
            f"{action}: no answer from the server in time; it may or may not have been "
            "applied. Wait for the view to update, then try again if it did not change."
        )
    if isinstance(exc, ConnectionLost):
        return (
            f"{action} failed: the connection dropped before the server answered. "
            "Try again once the status bar shows connected."
        )
    if isinstance(exc, NotConnected):
        return (
            f"{action} failed: the console is offline. This needs the server; "
            "try again once the status bar shows connected."
        )
    if isinstance(exc, PendingEntriesError):
        return (
            f"{action} failed: {exc.count} entries for this category are still waiting to "
            "be sent. Wait until they are synced (or fix rejected ones), then try again."
        )
    if isinstance(exc, AuthError):
        return f"{action} failed: {exc}. Log in again."
    if isinstance(exc, TimeoutError):
        return f"{action} failed: the server did not answer in time. Check the connection."
    detail = str(exc) or type(exc).__name__
    return f"{action} failed: {detail}. Try again; if it keeps failing, tell the administrator."
