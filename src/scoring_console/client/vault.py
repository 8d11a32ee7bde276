"""The refresh token's home: the OS keyring when there is one, else memory only.

Keyring calls may block (D-Bus, a locked keychain), so they run in a worker thread. Any
keyring failure (``NoKeyringError`` on headless Linux, a locked or broken backend)
degrades to memory only and sets :attr:`TokenVault.available` to False; it never fails
a login.
"""

from __future__ import annotations

import asyncio
import logging

import keyring
from keyring.backend import KeyringBackend
from keyring.backends import fail

log = logging.getLogger(__name__)

SERVICE = "scoring-console"


def keyring_key(server_url: str, username: str) -> str:
    """The keyring user name a profile's refresh token is stored under."""
    return f"{server_url.rstrip('/')}|{username}"


class TokenVault:
    """Stores one profile's refresh token in a keyring backend, degrading gracefully."""

    def __init__(
        self,
        server_url: str,
        username: str,
        backend: KeyringBackend | type[KeyringBackend] | None = None,
    ) -> None:
        self.key = keyring_key(server_url, username)
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
        return True

    async def delete(self) -> None:
        """Forget the stored refresh token (a missing entry is fine)."""
        try:
            backend = self._resolve()
            await asyncio.to_thread(backend.delete_password, SERVICE, self.key)
        except keyring.errors.PasswordDeleteError:
            pass
        except Exception as exc:
            self._degrade("delete", exc)
