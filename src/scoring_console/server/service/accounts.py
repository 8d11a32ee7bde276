"""Users and refresh tokens: authentication, activation, one-time refresh tokens."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from scoring_console.protocol.entities import UserInfo
from scoring_console.protocol.roles import Role

from ..db import Connection, IntegrityError, inserted_id
from ..db import rows as r
from ..passwords import hash_password, verify_password
from .base import ServiceBase
from .types import CloseSessions, Conflict, NotFound, Outcome

log = logging.getLogger(__name__)

REFRESH_REUSE_GRACE = timedelta(seconds=30)
"""A spent refresh token presented again within this time is refused without revoking
its family: the console and scoring-cli share one token and may race to rotate it."""

# Verified against when the username is unknown, so both failures cost the same time.
_DUMMY_HASH = hash_password("not-a-real-password")


class AccountsArea(ServiceBase):
    """Users, credentials and refresh-token storage."""

    def create_user(self, username: str, name: str, role: Role, password: str) -> UserInfo:
        """Create an active user with a scrypt-hashed password; ``Conflict`` if taken."""
        hashed = hash_password(password)
        try:
            with self.db.transaction() as conn:
                cursor = conn.execute(
                    "INSERT INTO users (username, name, role, password_hash, active, created_at) "
                    "VALUES (?, ?, ?, ?, 1, ?) RETURNING id",
                    (username, name, role.value, hashed, r.to_iso(self.clock())),
                )
                row = conn.execute(
                    "SELECT * FROM users WHERE id = ?", (inserted_id(cursor),)
                ).fetchone()
        except IntegrityError as exc:
            raise Conflict(f"username {username!r} is taken", {"username": username}) from exc
        return r.user_info(row)

    def authenticate(self, username: str, password: str) -> UserInfo | None:
        """The active user with these credentials, or ``None`` (same for every failure)."""
        with self.db.reading() as conn:
            row = conn.execute(
                "SELECT * FROM users WHERE username = ? AND active = 1", (username,)
            ).fetchone()
        if row is None:
            verify_password(password, _DUMMY_HASH)
            return None
        if not verify_password(password, row["password_hash"]):
            return None
        return r.user_info(row)

    def get_user(self, user_id: int) -> UserInfo | None:
        """The active user with this id; ``None`` if missing or deactivated."""
        with self.db.reading() as conn:
            row = conn.execute(
                "SELECT * FROM users WHERE id = ? AND active = 1", (user_id,)
            ).fetchone()
        return None if row is None else r.user_info(row)

    def get_user_by_username(self, username: str) -> UserInfo | None:
        """The active user with this username; ``None`` if missing or deactivated."""
        with self.db.reading() as conn:
            row = conn.execute(
                "SELECT * FROM users WHERE username = ? AND active = 1", (username,)
            ).fetchone()
        return None if row is None else r.user_info(row)

    def list_users(self) -> list[UserInfo]:
        """Every active user, by id."""
        with self.db.reading() as conn:
            rows = conn.execute("SELECT * FROM users WHERE active = 1 ORDER BY id").fetchall()
        return [r.user_info(row) for row in rows]

    def set_user_active(self, user_id: int, active: bool) -> Outcome[None]:
        """Activate or deactivate a user.

        Deactivation revokes the user's refresh tokens and returns a
        :class:`CloseSessions` effect: the transport closes their live sockets at once.
        """
        effects: list[CloseSessions] = []
        with self.db.transaction() as conn:
            cursor = conn.execute(
                "UPDATE users SET active = ? WHERE id = ?", (1 if active else 0, user_id)
            )
            if cursor.rowcount == 0:
                raise NotFound(f"user {user_id} not found", {"userId": user_id})
            if not active:
                effects.append(self._end_sessions(conn, user_id, "account deactivated"))
        return Outcome(None, list(effects))

    def _end_sessions(self, conn: Connection, user_id: int, reason: str) -> CloseSessions:
        """Revoke every refresh token of ``user_id`` (inside the caller's transaction) and
        return the effect that closes their live sockets.

        Call it from every write that ends a user's credentials: deactivation, a role
        change, a password reset.
        """
        conn.execute("UPDATE refresh_tokens SET revoked = 1 WHERE user_id = ?", (user_id,))
        return CloseSessions(user_id, reason)

    def must_change_password(self, user_id: int) -> bool:
        """Whether the user's password was reset or generated and must be changed."""
        with self.db.reading() as conn:
            row = conn.execute(
                "SELECT must_change_password FROM users WHERE id = ?", (user_id,)
            ).fetchone()
        return row is not None and bool(row["must_change_password"])

    def change_password(self, user_id: int, password: str) -> None:
        """Set the user's own new password and clear the must-change mark."""
        hashed = hash_password(password)
        with self.db.transaction() as conn:
            conn.execute(
                "UPDATE users SET password_hash = ?, must_change_password = 0 WHERE id = ?",
                (hashed, user_id),
            )

    def store_refresh_token(
        self, jti: str, user_id: int, expires_at: datetime, family: str | None = None
    ) -> None:
        """Remember an issued refresh token (by its ``jti``) for one-time use.

        ``family`` is the rotation family: the ``jti`` of the login's first token
        (default: this one, for a fresh login).
        """
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT INTO refresh_tokens (jti, user_id, expires_at, family) VALUES (?, ?, ?, ?)",
                (jti, user_id, r.to_iso(expires_at), family or jti),
            )

    def consume_refresh_token(self, jti: str, user_id: int) -> bool:
        """Use a refresh token once (see :meth:`rotate_refresh_token`)."""
        return self.rotate_refresh_token(jti, user_id) is not None

    def rotate_refresh_token(self, jti: str, user_id: int) -> str | None:
        """Spend a refresh token; its family (for the next token), or ``None``.

        ``None`` if it is unknown, already used, revoked, expired, issued to another
        user, or the user is inactive. A token used again more than
        :data:`REFRESH_REUSE_GRACE` after it was spent was stolen (or its holder's copy
        was): its whole family is revoked. Within the grace it is just refused — two
        processes of one user (console and ``scoring-cli``) may race to rotate it.
        """
        now = self.clock()
        with self.db.transaction() as conn:
            row = conn.execute(
                "SELECT t.*, u.active FROM refresh_tokens t JOIN users u ON u.id = t.user_id "
                "WHERE t.jti = ?",
                (jti,),
            ).fetchone()
            if row is None or row["user_id"] != user_id:
                return None
            family = row["family"] or row["jti"]
            if row["used_at"] is not None:
                if now - r.from_iso(row["used_at"]) > REFRESH_REUSE_GRACE:
                    revoked = conn.execute(
                        "UPDATE refresh_tokens SET revoked = 1 WHERE family = ? AND revoked = 0",
                        (family,),
                    ).rowcount
                    log.warning(
                        "refresh token of user %d reused after rotation: revoked its family "
                        "(%d tokens)",
                        user_id,
                        revoked,
                    )
                return None
            if row["revoked"] or not row["active"] or r.from_iso(row["expires_at"]) <= now:
                return None
            conn.execute(
                "UPDATE refresh_tokens SET used_at = ? WHERE jti = ?", (r.to_iso(now), jti)
            )
        return str(family)

    def revoke_refresh_family(self, jti: str, user_id: int) -> int:
        """Logout: revoke the family of this refresh token; returns how many tokens."""
        with self.db.transaction() as conn:
            row = conn.execute(
                "SELECT family, user_id FROM refresh_tokens WHERE jti = ?", (jti,)
            ).fetchone()
            if row is None or row["user_id"] != user_id:
                return 0
            family = row["family"] or jti
            return int(
                conn.execute(
                    "UPDATE refresh_tokens SET revoked = 1 "
                    "WHERE (family = ? OR jti = ?) AND revoked = 0",
                    (family, jti),
                ).rowcount
            )

    def revoke_user_tokens(self, user_id: int) -> int:
        """Revoke every unused refresh token of a user; returns how many."""
        with self.db.transaction() as conn:
            cursor = conn.execute(
                "UPDATE refresh_tokens SET revoked = 1 "
                "WHERE user_id = ? AND revoked = 0 AND used_at IS NULL",
                (user_id,),
            )
        return cursor.rowcount
