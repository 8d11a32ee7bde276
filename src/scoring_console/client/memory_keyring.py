"""An in-memory keyring backend for tests, the CLI's ``--no-keyring`` mode and UI tests.

Pass an *instance* to ``ClientCore(keyring_backend=...)`` to share stored tokens between
several cores of one process (a restart within a test); a class is instantiated fresh.
Its priority is negative, so keyring's own detection never picks it as the default.
"""

from __future__ import annotations

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError


class MemoryKeyring(KeyringBackend):
    """Passwords in a dict, gone with the process."""

    priority = -1

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        """The stored secret, or ``None``."""
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        """Store a secret."""
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        """Delete a secret; raises ``PasswordDeleteError`` when there is none."""
        try:
            del self.passwords[(service, username)]
        except KeyError:
            raise PasswordDeleteError(f"no password for {service!r}/{username!r}") from None
