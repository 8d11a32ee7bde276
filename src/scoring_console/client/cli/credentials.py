"""Where ``scoring-cli`` gets the password and which keyring keeps the refresh token."""

from __future__ import annotations

import getpass
import os
from typing import TextIO

from keyring.backend import KeyringBackend

from .. import keyring_choice
from ..keyring_choice import KEYRING_ENV, KeyringChoiceError
from .errors import EXIT_USAGE, CliError

PASSWORD_ENV = "SCORING_PASSWORD"
NEW_PASSWORD_ENV = "SCORING_NEW_PASSWORD"
__all__ = [
    "KEYRING_ENV",
    "NEW_PASSWORD_ENV",
    "PASSWORD_ENV",
    "keyring_backend_from_env",
    "read_new_password",
    "read_password",
]


def keyring_backend_from_env() -> KeyringBackend | None:
    """The keyring backend chosen by ``SCORING_CONSOLE_KEYRING`` (None: the OS keyring)."""
    try:
        return keyring_choice.keyring_backend_from_env()
    except KeyringChoiceError as exc:
        raise CliError(EXIT_USAGE, str(exc)) from None


def read_password(username: str, server: str, stdin: TextIO) -> str:
    """The password from ``SCORING_PASSWORD`` or a prompt; exit 2 when neither is possible."""
    password = os.environ.get(PASSWORD_ENV)
    if password:
        return password
    if not stdin.isatty():
        raise CliError(
            EXIT_USAGE,
            f"a password is needed for {username} at {server}: set {PASSWORD_ENV} "
            "(stdin is not a terminal, so it cannot be prompted for)",
        )
    try:
        return getpass.getpass(f"Password for {username} at {server}: ")
    except (EOFError, KeyboardInterrupt):
        raise CliError(EXIT_USAGE, "no password given") from None


def read_new_password(username: str, stdin: TextIO) -> str:
    """A new password when the server demands one (after an administrator's reset):
    ``SCORING_NEW_PASSWORD``, else asked twice on a terminal; exit 2 otherwise."""
    password = os.environ.get(NEW_PASSWORD_ENV)
    if password:
        return password
    if not stdin.isatty():
        raise CliError(
            EXIT_USAGE,
            f"the password of {username} was reset and must be changed: set "
            f"{NEW_PASSWORD_ENV} (stdin is not a terminal, so it cannot be prompted for)",
        )
    try:
        first = getpass.getpass(f"The password of {username} must be changed. New password: ")
        if getpass.getpass("Repeat the new password: ") != first:
            raise CliError(EXIT_USAGE, "the two new passwords differ")
    except (EOFError, KeyboardInterrupt):
        raise CliError(EXIT_USAGE, "no new password given") from None
    return first
