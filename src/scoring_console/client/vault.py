"""The refresh token's home: the OS keyring when there is one, else memory only.

Keyring calls may block (D-Bus, a locked keychain), so they run in a worker thread. Any
keyring failure (``NoKeyringError`` on headless Linux, a locked or broken backend)
degrades to memory only and sets :attr:`TokenVault.available` to False; it never fails
a login.

The keyring is touched only for a profile that asked to be remembered: a small marker
file (no secret in it) under the per-user data dir records that a token was stored, and
without it :meth:`TokenVault.load` and :meth:`TokenVault.delete` do not call the
backend. On a desktop whose keyring is locked or not yet created, each call could raise
a password prompt; this way a user who never ticks "Remember me" sees none, and one who
does sees at most the one prompt of storing it.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import keyring
from keyring.backend import KeyringBackend
from keyring.backends import fail

from scoring_console import paths

log = logging.getLogger(__name__)

SERVICE = "scoring-console"


def keyring_key(server_url: str, username: str) -> str:
    """The keyring user name a profile's refresh token is stored under."""
    return f"{server_url.rstrip('/')}|{username}"


def default_marker(server_url: str, username: str) -> Path:
    """Where the "a token is in the keyring" marker of one profile lives."""
    return paths.data_dir() / "keyring-entries" / paths.profile_key(server_url, username)


class TokenVault:
    """Stores one profile's refresh token in a keyring backend, degrading gracefully."""

    def __init__(
        self,
        server_url: str,
        username: str,
        backend: KeyringBackend | type[KeyringBackend] | None = None,
        marker: Path | None = None,
    ) -> None:
        self.key = keyring_key(server_url, username)
        self.marker = marker if marker is not None else default_marker(server_url, username)
        if isinstance(backend, type):
            backend = backend()
        self._backend: KeyringBackend | None = backend
        self.available = True
        try:
            self._resolve()  # so `available` is right before the first login
        except Exception as exc:
            self._degrade("detect", exc)

    def _resolve(self) -> KeyringBackend:
        if self._backend is None:
            self._backend = keyring.get_keyring()
        if isinstance(self._backend, fail.Keyring):
            self.available = False
        return self._backend

    def _degrade(self, action: str, exc: BaseException) -> None:
        if self.available:
            log.warning("keyring unavailable (%s: %s); refresh token kept in memory", action, exc)
        self.available = False

    async def load(self) -> str | None:
        """The stored refresh token, or ``None`` (none stored, or no keyring)."""
        if not self.marker.exists():
            return None  # nothing was stored: do not wake the keyring (a prompt)
        try:
            backend = self._resolve()
            return await asyncio.to_thread(backend.get_password, SERVICE, self.key)
        except Exception as exc:
            self._degrade("read", exc)
            return None

    async def save(self, token: str) -> bool:
        """Store the refresh token; False when only memory will hold it."""
        try:
            backend = self._resolve()
            await asyncio.to_thread(backend.set_password, SERVICE, self.key, token)
        except Exception as exc:
            self._degrade("write", exc)
            return False
        try:
            self.marker.parent.mkdir(parents=True, exist_ok=True)
            self.marker.touch()
        except OSError as exc:
            log.warning(
                "cannot write %s (%s): the next start asks for the password", self.marker, exc
            )
        return True

    async def delete(self) -> None:
        """Forget the stored refresh token (a missing entry is fine)."""
        if not self.marker.exists():
            return  # nothing was stored by this profile: no keyring call, no prompt
        try:
            backend = self._resolve()
            await asyncio.to_thread(backend.delete_password, SERVICE, self.key)
        except keyring.errors.PasswordDeleteError:
            pass
        except Exception as exc:
            self._degrade("delete", exc)
            return
        self.marker.unlink(missing_ok=True)
