"""JWT issuing and verification: expiry, signature, algorithm, token type, secret file."""

from __future__ import annotations

import base64
import json
import stat
import time
from pathlib import Path
from typing import Any

import jwt
import pytest

from scoring_console.protocol.roles import Role
from scoring_console.server.tokens import (
    TokenExpired,
    TokenInvalid,
    TokenIssuer,
    load_or_create_secret,
)

SECRET = "ab" * 32


class FakeClock:
    """A settable wall clock."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def issuer(clock: FakeClock) -> TokenIssuer:
    return TokenIssuer(SECRET, access_ttl=900, refresh_ttl=3600, clock=clock)


def _b64(obj: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()


def test_access_token_round_trip_with_documented_claims(issuer: TokenIssuer) -> None:
    token = issuer.issue_access(7, "judge1", Role.JUDGE)
    claims = issuer.verify_access(token)
    assert (claims.user_id, claims.username, claims.role) == (7, "judge1", Role.JUDGE)
    raw = jwt.decode(token, SECRET, algorithms=["HS256"], options={"verify_exp": False})
    assert raw["sub"] == "7" and raw["userId"] == 7 and raw["type"] == "access"
    assert raw["exp"] - raw["iat"] == 900 and raw["jti"]


def test_expired_access_token_is_refused(issuer: TokenIssuer, clock: FakeClock) -> None:
    token = issuer.issue_access(7, "judge1", Role.JUDGE)
    clock.now += 901
    with pytest.raises(TokenExpired):
        issuer.verify_access(token)


def test_wrong_signature_is_refused(issuer: TokenIssuer, clock: FakeClock) -> None:
    other = TokenIssuer("cd" * 32, 900, 3600, clock=clock)
    with pytest.raises(TokenInvalid):
        issuer.verify_access(other.issue_access(7, "judge1", Role.JUDGE))


def test_alg_none_is_refused(issuer: TokenIssuer, clock: FakeClock) -> None:
    good = jwt.decode(issuer.issue_access(7, "judge1", Role.JUDGE), SECRET, algorithms=["HS256"])
    unsigned = _b64({"alg": "none", "typ": "JWT"}) + "." + _b64(good) + "."
    with pytest.raises(TokenInvalid):
        issuer.verify_access(unsigned)


def test_other_hmac_algorithm_is_refused(issuer: TokenIssuer, clock: FakeClock) -> None:
    claims = {
        "sub": "7",
        "userId": 7,
        "username": "judge1",
        "role": "JUDGE",
        "type": "access",
        "iat": int(clock.now),
        "exp": int(clock.now) + 60,
    }
    with pytest.raises(TokenInvalid):
        issuer.verify_access(jwt.encode(claims, SECRET * 2, algorithm="HS512"))


def test_refresh_token_is_not_an_access_token_and_vice_versa(issuer: TokenIssuer) -> None:
    refresh = issuer.issue_refresh(7)
    with pytest.raises(TokenInvalid):
        issuer.verify_access(refresh.token)
    with pytest.raises(TokenInvalid):
        issuer.verify_refresh(issuer.issue_access(7, "judge1", Role.JUDGE))
    claims = issuer.verify_refresh(refresh.token)
    assert (claims.user_id, claims.jti) == (7, refresh.jti)


@pytest.mark.parametrize("missing", ["exp", "iat", "sub", "type"])
def test_required_claims(issuer: TokenIssuer, clock: FakeClock, missing: str) -> None:
    claims: dict[str, Any] = {
        "sub": "7",
        "userId": 7,
        "username": "judge1",
        "role": "JUDGE",
        "type": "access",
        "iat": int(clock.now),
        "exp": int(clock.now) + 60,
    }
    del claims[missing]
    with pytest.raises(TokenInvalid):
        issuer.verify_access(jwt.encode(claims, SECRET, algorithm="HS256"))


@pytest.mark.parametrize("token", ["", "garbage", "a.b.c", 12345, None])
def test_garbage_is_invalid(issuer: TokenIssuer, token: Any) -> None:
    with pytest.raises(TokenInvalid):
        issuer.verify_access(token)


def test_secret_created_once_with_mode_0600(tmp_path: Path) -> None:
    path = tmp_path / "jwt-secret"
    first = load_or_create_secret(path)
    assert len(first) == 64 and int(first, 16) >= 0
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_or_create_secret(path) == first
