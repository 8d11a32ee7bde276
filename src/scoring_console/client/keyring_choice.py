"""One keyring setting for the console and ``scoring-cli``: ``SCORING_CONSOLE_KEYRING``.

``system`` (the default) uses the OS keyring that the ``keyring`` package detects;
``memory`` keeps tokens in the process only (tests: nothing persists, every run logs in
with the password); ``none`` never stores a refresh token. :func:`keyring_usable` tells
the login dialog whether "Remember me" can work at all.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import keyring
from keyring.backend import KeyringBackend
from keyring.backends import fail

KEYRING_ENV = "SCORING_CONSOLE_KEYRING"
CHOICES = ("system", "memory", "none")


class KeyringChoiceError(ValueError):
    """``SCORING_CONSOLE_KEYRING`` holds a value that is not one of :data:`CHOICES`."""


def keyring_choice(environ: Mapping[str, str] | None = None) -> str:
    """The normalised setting: ``system``, ``memory`` or ``none``."""
    env = os.environ if environ is None else environ
    choice = env.get(KEYRING_ENV, "").strip().lower()
    if choice in ("", "system", "default"):
        return "system"
    if choice in ("memory",):
        return "memory"
    if choice in ("none", "off", "fail"):
        return "none"
    raise KeyringChoiceError(f"{KEYRING_ENV}={choice!r} is not one of: {', '.join(CHOICES)}")


def keyring_backend_from_env(environ: Mapping[str, str] | None = None) -> KeyringBackend | None:
    """The backend the setting names (``None``: the OS keyring, detected on first use)."""
    choice = keyring_choice(environ)
    if choice == "memory":
        from .memory_keyring import MemoryKeyring

        return MemoryKeyring()
    if choice == "none":
        return fail.Keyring()  # type: ignore[no-untyped-call]
    return None


def keyring_usable(backend: KeyringBackend | None) -> bool:
    """False when a refresh token cannot be stored (no OS keyring, or ``none``)."""
    try:
        chosen = backend if backend is not None else keyring.get_keyring()
    except Exception:
        return False
    return not isinstance(chosen, fail.Keyring)
