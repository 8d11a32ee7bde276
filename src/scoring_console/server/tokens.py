"""JSON Web Tokens: the signing secret, issuing and verifying access / refresh tokens.

HS256 only: ``alg: none`` and every other algorithm are refused. Access tokens carry
``sub`` (the user id as a string), ``userId`` (the same as an int, as the seed reads
it), ``username``, ``role``, ``type``, ``iat``, ``exp`` and ``jti``. Refresh tokens
carry ``type: "refresh"`` and are single-use: their ``jti`` is stored by the service
and spent on use.
"""

from __future__ import annotations

import os
import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt

from scoring_console.protocol.roles import Role

from .db import Database

ALGORITHM = "HS256"
ACCESS = "access"
REFRESH = "refresh"
_REQUIRED = ["exp", "iat", "sub", "type"]


class TokenError(Exception):
    """A token was refused."""


class TokenInvalid(TokenError):
    """Malformed, wrongly signed, of the wrong type, or missing claims."""


class TokenExpired(TokenError):
    """Well-formed and correctly signed, but past its ``exp``."""


@dataclass(frozen=True)
class AccessClaims:
    """The verified content of an access token."""

    user_id: int
    username: str
    role: Role
    issued_at: int
    expires_at: int
    jti: str


@dataclass(frozen=True)
class RefreshClaims:
    """The verified content of a refresh token."""

    user_id: int
    expires_at: int
    jti: str


@dataclass(frozen=True)
class IssuedRefresh:
    """A new refresh token and what the service must store to honour it once."""

    token: str
    jti: str
    user_id: int
    expires_at: int


def load_or_create_secret(path: Path) -> str:
    """Read the signing secret, creating it (64 hex chars, mode 0600) on first run."""
    if path.exists():
        secret = path.read_text(encoding="ascii").strip()
        if len(secret) >= 32:
            return secret
    secret = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(secret)
    os.chmod(path, 0o600)
    return secret


SECRET_SETTING = "jwt_secret"
"""The ``settings`` row holding the signing secret on PostgreSQL."""


def load_or_create_shared_secret(db: Database) -> str:
    """The signing secret kept in the database, shared by every node of a cluster.

    Created once (64 hex chars): nodes starting together are serialized by the write
    transaction, and ``ON CONFLICT DO NOTHING`` keeps the first one's.
    """
    with db.transaction() as conn:
        conn.execute(
            "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
            (SECRET_SETTING, secrets.token_hex(32)),
        )
        row = conn.execute("SELECT value FROM settings WHERE key = ?", (SECRET_SETTING,)).fetchone()
    return str(row[0])


class TokenIssuer:
    """Signs and verifies the server's tokens with one secret and one clock."""

    def __init__(
        self,
        secret: str,
        access_ttl: int,
        refresh_ttl: int,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._secret = secret
        self.access_ttl = access_ttl
        self.refresh_ttl = refresh_ttl
        self.clock = clock
        """Wall clock in seconds; replaceable (tests move time forward)."""

    def now(self) -> int:
        """The issuer's clock, in whole seconds."""
        return int(self.clock())

    def issue_access(self, user_id: int, username: str, role: Role) -> str:
        """A signed access token for this user."""
        now = self.now()
        claims: dict[str, Any] = {
            "sub": str(user_id),
            "userId": user_id,
            "username": username,
            "role": str(role),
            "type": ACCESS,
            "iat": now,
            "exp": now + self.access_ttl,
            "jti": uuid.uuid4().hex,
        }
        return jwt.encode(claims, self._secret, algorithm=ALGORITHM)

    def issue_refresh(self, user_id: int) -> IssuedRefresh:
        """A signed single-use refresh token; store its ``jti`` before handing it out."""
        now = self.now()
        jti = uuid.uuid4().hex
        claims: dict[str, Any] = {
            "sub": str(user_id),
            "type": REFRESH,
            "iat": now,
            "exp": now + self.refresh_ttl,
            "jti": jti,
        }
        token = jwt.encode(claims, self._secret, algorithm=ALGORITHM)
        return IssuedRefresh(token, jti, user_id, now + self.refresh_ttl)

    def verify_access(self, token: str) -> AccessClaims:
        """The claims of a valid access token, or :class:`TokenError`."""
        claims = self._decode(token, ACCESS)
        try:
            user_id = int(claims["userId"])
            role = Role(claims["role"])
            username = str(claims["username"])
        except (KeyError, ValueError, TypeError):
            raise TokenInvalid("access token claims are incomplete") from None
        if str(user_id) != claims["sub"]:
            raise TokenInvalid("sub and userId disagree")
        return AccessClaims(
            user_id, username, role, int(claims["iat"]), int(claims["exp"]), str(claims.get("jti"))
        )

    def verify_refresh(self, token: str, *, allow_expired: bool = False) -> RefreshClaims:
        """The claims of a valid refresh token, or :class:`TokenError`.

        ``allow_expired`` accepts a correctly signed but expired token (logout).
        """
        claims = self._decode(token, REFRESH, allow_expired=allow_expired)
        jti = claims.get("jti")
        if not isinstance(jti, str) or not jti:
            raise TokenInvalid("refresh token without jti")
        try:
            user_id = int(claims["sub"])
        except ValueError:
            raise TokenInvalid("refresh token sub is not a user id") from None
        return RefreshClaims(user_id, int(claims["exp"]), jti)

    def is_expired(self, expires_at: int) -> bool:
        """True once ``expires_at`` (a token's ``exp``) has passed."""
        return self.now() >= expires_at

    def _decode(
        self, token: str, expected_type: str, *, allow_expired: bool = False
    ) -> dict[str, Any]:
        if not isinstance(token, str) or not token:
            raise TokenInvalid("token is not a string")
        try:
            # Expiry is checked below against the injectable clock, not PyJWT's.
            claims: dict[str, Any] = jwt.decode(
                token,
                self._secret,
                algorithms=[ALGORITHM],
                options={"require": _REQUIRED, "verify_exp": False, "verify_iat": False},
            )
        except jwt.PyJWTError as exc:
            raise TokenInvalid(f"token refused: {exc}") from None
        if claims.get("type") != expected_type:
            raise TokenInvalid(f"not an {expected_type} token")
        if not isinstance(claims.get("exp"), int) or not isinstance(claims.get("iat"), int):
            raise TokenInvalid("exp and iat must be integers")
        if self.is_expired(claims["exp"]) and not allow_expired:
            raise TokenExpired("token expired")
        return claims
