"""Users and refresh tokens: credentials, deactivation, one-time refresh tokens."""

from __future__ import annotations

from datetime import timedelta

import pytest

from scoring_console.protocol.roles import Role
from scoring_console.server.service import Conflict

from .conftest import Demo


def test_authenticate(demo: Demo) -> None:
    user = demo.service.accounts.authenticate("judge1", "demo")
    assert user is not None and (user.username, user.role) == ("judge1", Role.JUDGE)
    assert demo.service.accounts.authenticate("judge1", "wrong") is None
    assert demo.service.accounts.authenticate("nobody", "demo") is None
    stored = demo.service.db.conn.execute(
        "SELECT password_hash FROM users WHERE username = 'judge1'"
    ).fetchone()[0]
    assert "demo" not in stored and stored.startswith("scrypt$")


def test_create_user_and_duplicates(demo: Demo) -> None:
    created = demo.service.accounts.create_user("judge9", "Ada Byron", Role.JUDGE, "s3cret")
    assert demo.service.accounts.get_user(created.id) == created
    assert demo.service.accounts.get_user_by_username("judge9") == created
    assert demo.service.accounts.authenticate("judge9", "s3cret") == created
    with pytest.raises(Conflict):
        demo.service.accounts.create_user("judge9", "Someone Else", Role.JUDGE, "x")


def test_deactivated_user_cannot_log_in_or_refresh(demo: Demo) -> None:
    judge = demo.actor("judge1")
    demo.service.accounts.store_refresh_token(
        "jti-1", judge.user_id, demo.clock.now + timedelta(days=1)
    )
    demo.service.accounts.set_user_active(judge.user_id, False)
    assert demo.service.accounts.get_user(judge.user_id) is None
    assert demo.service.accounts.authenticate("judge1", "demo") is None
    assert demo.service.accounts.consume_refresh_token("jti-1", judge.user_id) is False
    demo.service.accounts.set_user_active(judge.user_id, True)
    assert demo.service.accounts.get_user(judge.user_id) is not None
    # tokens revoked on deactivation stay revoked
    assert demo.service.accounts.consume_refresh_token("jti-1", judge.user_id) is False


def test_refresh_token_works_once(demo: Demo) -> None:
    judge = demo.actor("judge1")
    expires = demo.clock.now + timedelta(hours=1)
    demo.service.accounts.store_refresh_token("jti-a", judge.user_id, expires)
    assert (
        demo.service.accounts.consume_refresh_token("jti-a", demo.actor("judge2").user_id) is False
    )
    assert demo.service.accounts.consume_refresh_token("jti-a", judge.user_id) is True
    assert demo.service.accounts.consume_refresh_token("jti-a", judge.user_id) is False
    assert demo.service.accounts.consume_refresh_token("unknown", judge.user_id) is False


def test_expired_and_revoked_refresh_tokens(demo: Demo) -> None:
    judge = demo.actor("judge1")
    demo.service.accounts.store_refresh_token(
        "jti-old", judge.user_id, demo.clock.now + timedelta(seconds=5)
    )
    demo.service.accounts.store_refresh_token(
        "jti-b", judge.user_id, demo.clock.now + timedelta(hours=1)
    )
    demo.service.accounts.store_refresh_token(
        "jti-c", judge.user_id, demo.clock.now + timedelta(hours=1)
    )
    demo.clock.advance(10)
    assert demo.service.accounts.consume_refresh_token("jti-old", judge.user_id) is False
    assert demo.service.accounts.revoke_user_tokens(judge.user_id) == 3
    assert demo.service.accounts.consume_refresh_token("jti-b", judge.user_id) is False
    assert demo.service.accounts.consume_refresh_token("jti-c", judge.user_id) is False
