"""First run: the keyring is touched only when the user asks to be remembered (each
touch of a locked or not-yet-created desktop keyring can raise a password prompt), and
one setting, SCORING_CONSOLE_KEYRING, chooses the keyring for console and CLI."""

from __future__ import annotations

from typing import Any

import pytest
from keyring.backends import fail

from scoring_console.client.keyring_choice import (
    KeyringChoiceError,
    keyring_backend_from_env,
    keyring_choice,
    keyring_usable,
)
from scoring_console.client.memory_keyring import MemoryKeyring
from scoring_console.client.vault import default_marker

from .conftest import CoreFactory


class CountingKeyring(MemoryKeyring):
    """Records every call: on a real desktop each one may be a prompt."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[str] = []

    def get_password(self, service: str, username: str) -> str | None:
        self.calls.append("get")
        return super().get_password(service, username)

    def set_password(self, service: str, username: str, password: str) -> None:
        self.calls.append("set")
        super().set_password(service, username, password)

    def delete_password(self, service: str, username: str) -> None:
        self.calls.append("delete")
        super().delete_password(service, username)


async def test_not_remembered_never_touches_the_keyring(
    server: Any, make_core: CoreFactory
) -> None:
    backend = CountingKeyring()
    first = make_core(server.url, keyring_backend=backend)
    assert await first.resume() is None  # the start-up attempt
    await first.login("demo", remember=False)
    await first.stop(flush_timeout=0)
    again = make_core(server.url, keyring_backend=backend)
    assert await again.resume() is None
    assert backend.calls == []


async def test_remembered_costs_one_write_then_resumes(server: Any, make_core: CoreFactory) -> None:
    backend = CountingKeyring()
    first = make_core(server.url, keyring_backend=backend)
    assert await first.resume() is None
    await first.login("demo", remember=True)
    assert backend.calls == ["set"], "one keyring access: storing the token"
    assert default_marker(server.url, "judge1").exists()
    await first.stop(flush_timeout=0)
    backend.calls.clear()
    again = make_core(server.url, keyring_backend=backend)
    user = await again.resume()
    assert user is not None and user.username == "judge1"
    assert backend.calls[0] == "get"


async def test_logout_forgets_token_and_marker(server: Any, make_core: CoreFactory) -> None:
    backend = CountingKeyring()
    core = make_core(server.url, keyring_backend=backend)
    await core.login("demo", remember=True)
    await core.session.forget()
    assert not default_marker(server.url, "judge1").exists()
    assert backend.passwords == {}
    backend.calls.clear()
    await core.session.forget()
    assert backend.calls == [], "nothing stored: a second logout does not ask the keyring"


def test_one_setting_for_console_and_cli() -> None:
    assert keyring_choice({}) == "system"
    assert keyring_choice({"SCORING_CONSOLE_KEYRING": " Memory "}) == "memory"
    assert keyring_backend_from_env({"SCORING_CONSOLE_KEYRING": "system"}) is None
    assert isinstance(
        keyring_backend_from_env({"SCORING_CONSOLE_KEYRING": "memory"}), MemoryKeyring
    )
    none = keyring_backend_from_env({"SCORING_CONSOLE_KEYRING": "none"})
    assert isinstance(none, fail.Keyring)
    assert not keyring_usable(none)
    assert keyring_usable(MemoryKeyring())
    with pytest.raises(KeyringChoiceError, match="system, memory, none"):
        keyring_choice({"SCORING_CONSOLE_KEYRING": "gnome"})
