"""Login, refresh and the keyring against the real server: memory keyring, no keyring."""

from __future__ import annotations

import socket
from typing import Any

import pytest
from keyring.backends import fail
from keyring.errors import NoKeyringError

from scoring_console.client.errors import InvalidCredentials, ServerUnreachable, SessionExpired
from scoring_console.client.memory_keyring import MemoryKeyring
from scoring_console.client.vault import SERVICE, default_marker, keyring_key
from scoring_console.protocol.roles import Role

from .conftest import CoreFactory


async def test_login_keeps_the_refresh_token_in_the_keyring(
    server: Any, make_core: CoreFactory, keyring_backend: MemoryKeyring
) -> None:
    core = make_core(server.url)
    user = await core.login("demo")
    assert (user.username, user.role) == ("judge1", Role.JUDGE)
    assert core.keyring_available
    stored = keyring_backend.get_password(SERVICE, keyring_key(server.url, "judge1"))
    assert stored is not None
    assert core.session.access_token is not None and core.session.access_token != stored

    # a later start (same keyring, same profile) resumes without the password
    again = make_core(server.url)
    resumed = await again.resume()
    assert resumed == user
    # refresh tokens rotate: the keyring now holds a new one
    assert keyring_backend.get_password(SERVICE, keyring_key(server.url, "judge1")) != stored


async def test_without_a_keyring_login_still_works_in_memory(
    server: Any, make_core: CoreFactory
) -> None:
    core = make_core(server.url, keyring_backend=fail.Keyring)
    user = await core.login("demo")
    assert user.username == "judge1"
    assert not core.keyring_available
    assert await core.session.refresh()  # the refresh token is kept in memory
    # nothing was stored, so a new process cannot resume
    assert await make_core(server.url, keyring_backend=fail.Keyring).resume() is None


async def test_remember_false_stores_nothing(
    server: Any, make_core: CoreFactory, keyring_backend: MemoryKeyring
) -> None:
    await make_core(server.url).login("demo", remember=False)
    assert keyring_backend.passwords == {}


async def test_wrong_password_and_unreachable_server(server: Any, make_core: CoreFactory) -> None:
    with pytest.raises(InvalidCredentials):
        await make_core(server.url).login("wrong")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    with pytest.raises(ServerUnreachable):
        await make_core(f"http://127.0.0.1:{closed_port}").login("demo")


async def test_refused_stored_token_raises_session_expired(
    server: Any, make_core: CoreFactory, keyring_backend: MemoryKeyring
) -> None:
    keyring_backend.set_password(SERVICE, keyring_key(server.url, "judge1"), "not-a-token")
    marker = default_marker(server.url, "judge1")  # as TokenVault.save leaves it
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.touch()
    with pytest.raises(SessionExpired):
        await make_core(server.url).resume()


async def test_token_rotated_by_another_process_is_picked_up(
    server: Any, make_core: CoreFactory
) -> None:
    desktop = make_core(server.url)
    await desktop.login("demo")
    cli = make_core(server.url)
    assert await cli.resume() is not None  # spends the desktop's refresh token
    # the desktop's in-memory refresh token is now spent; it finds the new one
    assert await desktop.session.refresh()


class LockedKeyring(MemoryKeyring):
    """A keyring that exists but refuses every access (locked, D-Bus gone, …)."""

    def get_password(self, service: str, username: str) -> str | None:
        raise NoKeyringError("no usable backend")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise NoKeyringError("no usable backend")


async def test_a_failing_keyring_degrades_to_memory(server: Any, make_core: CoreFactory) -> None:
    core = make_core(server.url, keyring_backend=LockedKeyring())
    assert core.keyring_available  # not known to be broken until it is used
    await core.login("demo")
    assert not core.keyring_available
    await core.start()
    assert await core.wait_connected(10)
    assert await core.session.refresh()
