"""The client core's error tree; protocol refusals stay :class:`protocol.AckFailed`."""

from __future__ import annotations


class ClientError(Exception):
    """Base of every error the client core raises."""


class AuthError(ClientError):
    """Logging in or refreshing the session failed."""


class InvalidCredentials(AuthError):
    """The server refused the username or password."""


class ServerUnreachable(AuthError):
    """The server could not be reached (network down, server stopped, timeout)."""


class SessionExpired(AuthError):
    """The refresh token was refused (expired, revoked, user deactivated): log in again."""


class NotLoggedIn(AuthError):
    """An operation needs a session and there is none (no login, no stored token)."""


class PendingEntriesError(ClientError):
    """The outbox still holds unsent entries; the caller must decide what to do."""

    def __init__(self, count: int, message: str | None = None) -> None:
        super().__init__(message or f"{count} entries are not on the server yet")
        self.count = count


class NotConnected(ClientError):
    """An online-only call was made while the link to the server is down."""


class ConnectionLost(NotConnected):
    """The link dropped while a call was waiting for its acknowledgement."""


class CallTimeout(NotConnected):
    """No acknowledgement arrived in time; the call may or may not have been applied."""
