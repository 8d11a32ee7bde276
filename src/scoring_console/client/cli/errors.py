"""Exit codes of ``scoring-cli`` and the translation of client-core errors into them."""

from __future__ import annotations

from ..errors import ClientError, NotLoggedIn, ServerUnreachable, SessionExpired

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_UNREACHABLE = 3
EXIT_AUTH = 4
EXIT_INVALID = 5
EXIT_INTERRUPTED = 130


class CliError(Exception):
    """A failure reported to the user as one line on stderr, with an exit code."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def from_client_error(exc: ClientError, server: str) -> CliError:
    """The exit code and message for an error of the client core that reached the top."""
    if isinstance(exc, NotLoggedIn):
        return CliError(EXIT_AUTH, f"not logged in: {exc}")
    if isinstance(exc, SessionExpired):
        return CliError(EXIT_AUTH, f"session expired: {exc}")
    if isinstance(exc, ServerUnreachable):
        return CliError(EXIT_UNREACHABLE, f"cannot reach {server}: {exc}")
    return CliError(EXIT_FAILED, str(exc))
