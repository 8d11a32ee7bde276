"""Account administration: create, rename, change role, reset password, (de)activate.

The organizer rule (see the package docstring): admins manage every account; organizers
manage judges and tally masters only, and may only give them one of those two roles.
Nobody deactivates, demotes or resets their own account here (an admin cannot lock the
venue out by accident). A reset password — and a generated one — must be changed at the
next login (``mustChangePassword``; the login refuses until a new password is sent).
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

from scoring_console.protocol.roles import ASSIGNABLE_ROLES, Role
from scoring_console.protocol.setup import (
    Account,
    AccountActive,
    AccountCreate,
    AccountList,
    AccountListRequest,
    AccountSecret,
    AccountUpdate,
    PasswordReset,
)

from ...db import Row, inserted_id
from ...db import rows as r
from ...passwords import hash_password
from ..types import Actor, Conflict, Forbidden, Invalid, NotFound, Outcome
from .unit import SetupWrite, require_manager, setup_write

if TYPE_CHECKING:
    from ..service import ScoringService


def generate_password() -> str:
    """A one-time password people can type: 12 characters from an unambiguous alphabet."""
    alphabet = "abcdefghjkmnpqrstuvwxyzACDEFGHJKLMNPQRTUVWXY3479"
    return "".join(secrets.choice(alphabet) for _ in range(12))


def account(row: Row) -> Account:
    """A ``users`` row as administrators see it."""
    return Account(
        id=row["id"],
        username=row["username"],
        name=row["name"],
        role=Role(row["role"]),
        active=bool(row["active"]),
        must_change_password=bool(row["must_change_password"]),
    )


def may_manage(actor: Actor, role: Role) -> bool:
    """The organizer rule: admins manage everyone, organizers judges and tally masters."""
    if actor.role is Role.ADMIN:
        return True
    return actor.role is Role.ORGANIZER and role in ASSIGNABLE_ROLES


def require_may_manage(actor: Actor, role: Role, what: str) -> None:
    """``Forbidden`` unless :func:`may_manage`."""
    if not may_manage(actor, role):
        raise Forbidden(
            f"a {actor.role.value} cannot {what} {role.value} accounts; "
            "organizers manage judges and tally masters only"
        )


class AccountsAdmin:
    """``account:create``, ``account:update``, ``account:reset-password``,
    ``account:set-active`` and ``account:list``."""

    def __init__(self, service: ScoringService) -> None:
        self.service = service

    def list_accounts(self, actor: Actor, payload: AccountListRequest) -> Outcome[AccountList]:
        """Every account, inactive ones included (organizers and admins)."""
        require_manager(actor)
        with self.service.db.reading() as conn:
            rows = conn.execute("SELECT * FROM users ORDER BY username").fetchall()
        return Outcome(AccountList(accounts=[account(row) for row in rows]), [])

    def create(self, actor: Actor, payload: AccountCreate) -> Outcome[AccountSecret]:
        """A new active account; without a password, a generated one-time password."""
        with setup_write(self.service, actor) as w:
            row, generated = create_account(
                w, payload.username, payload.name, payload.role, payload.password
            )
            return Outcome(AccountSecret(account=account(row), password=generated), w.effects())

    def update(self, actor: Actor, payload: AccountUpdate) -> Outcome[AccountSecret]:
        """Rename and/or change the role of an account."""
        with setup_write(self.service, actor) as w:
            row = _target(w, payload.user_id, "change")
            if payload.name is not None and payload.name != row["name"]:
                w.conn.execute("UPDATE users SET name = ? WHERE id = ?", (payload.name, row["id"]))
                w.changed(
                    f"account {row['username']}: name {row['name']!r} → {payload.name!r}",
                    action="account.rename",
                    subject=row["username"],
                )
            if payload.role is not None and payload.role.value != row["role"]:
                change_role(w, row, payload.role)
            fresh = w.conn.execute("SELECT * FROM users WHERE id = ?", (row["id"],)).fetchone()
            return Outcome(AccountSecret(account=account(fresh)), w.effects())

    def reset_password(self, actor: Actor, payload: PasswordReset) -> Outcome[AccountSecret]:
        """A new password (generated unless given) to be changed at the next login."""
        with setup_write(self.service, actor) as w:
            row = _target(w, payload.user_id, "reset the password of")
            password = payload.password or generate_password()
            w.conn.execute(
                "UPDATE users SET password_hash = ?, must_change_password = 1 WHERE id = ?",
                (hash_password(password), row["id"]),
            )
            w.notes.append(w.service.accounts._end_sessions(w.conn, row["id"], "password reset"))
            w.changed(
                f"account {row['username']}: password reset",
                action="account.reset-password",
                subject=row["username"],
            )
            fresh = w.conn.execute("SELECT * FROM users WHERE id = ?", (row["id"],)).fetchone()
            secret = AccountSecret(
                account=account(fresh), password=None if payload.password else password
            )
            return Outcome(secret, w.effects())

    def set_active(self, actor: Actor, payload: AccountActive) -> Outcome[AccountSecret]:
        """Deactivate (refresh tokens revoked) or reactivate an account."""
        with setup_write(self.service, actor) as w:
            verb = "reactivate" if payload.active else "deactivate"
            row = _target(w, payload.user_id, verb)
            if bool(row["active"]) != payload.active:
                set_active(w, row, payload.active)
            fresh = w.conn.execute("SELECT * FROM users WHERE id = ?", (row["id"],)).fetchone()
            return Outcome(AccountSecret(account=account(fresh)), w.effects())


def create_account(
    w: SetupWrite, username: str, name: str, role: Role, password: str | None
) -> tuple[Row, str | None]:
    """Insert an account; ``(row, generated password or None)``."""
    require_may_manage(w.actor, role, "create")
    taken = w.conn.execute("SELECT 1 FROM users WHERE username = ?", (username,)).fetchone()
    if taken is not None:
        raise Conflict(f"username {username!r} is taken", {"username": username})
    generated = None if password else generate_password()
    cursor = w.conn.execute(
        "INSERT INTO users (username, name, role, password_hash, active, created_at, "
        "must_change_password) VALUES (?, ?, ?, ?, 1, ?, ?) RETURNING id",
        (
            username,
            name,
            role.value,
            hash_password(password or generated or ""),
            r.to_iso(w.service.clock()),
            1 if generated else 0,
        ),
    )
    new_id = inserted_id(cursor)
    w.changed(
        f"account {username} ({name}, {role.value}) created",
        action="account.create",
        subject=username,
    )
    row = w.conn.execute("SELECT * FROM users WHERE id = ?", (new_id,)).fetchone()
    return row, generated


def change_role(w: SetupWrite, row: Row, role: Role) -> None:
    """Give an account another role; refused while it holds assignments."""
    require_may_manage(w.actor, role, "give the role to")
    if row["id"] == w.actor.user_id:
        raise Forbidden("you cannot change your own role")
    held = w.conn.execute(
        "SELECT COUNT(*) FROM assignments WHERE user_id = ?", (row["id"],)
    ).fetchone()[0]
    if held:
        raise Conflict(
            f"{row['name']} is assigned to {held} categor{'y' if held == 1 else 'ies'}; "
            "remove those assignments before changing the role",
            {"username": row["username"]},
        )
    w.touch_user(row["id"])
    w.conn.execute("UPDATE users SET role = ? WHERE id = ?", (role.value, row["id"]))
    w.notes.append(w.service.accounts._end_sessions(w.conn, row["id"], "role changed"))
    w.changed(
        f"account {row['username']}: role {row['role']} → {role.value}",
        action="account.role",
        subject=row["username"],
    )


def set_active(w: SetupWrite, row: Row, active: bool) -> None:
    """Deactivate (revoking refresh tokens) or reactivate an account."""
    if row["id"] == w.actor.user_id and not active:
        raise Forbidden("you cannot deactivate your own account")
    w.conn.execute("UPDATE users SET active = ? WHERE id = ?", (1 if active else 0, row["id"]))
    if not active:
        w.notes.append(w.service.accounts._end_sessions(w.conn, row["id"], "account deactivated"))
    w.changed(
        f"account {row['username']} {'reactivated' if active else 'deactivated'}",
        action="account.activate" if active else "account.deactivate",
        subject=row["username"],
    )


def _target(w: SetupWrite, user_id: int, what: str) -> Row:
    row: Row | None = w.conn.execute("SELECT * FROM users WHERE id = ?", (user_id,)).fetchone()
    if row is None:
        raise NotFound(f"user {user_id} not found", {"userId": user_id})
    require_may_manage(w.actor, Role(row["role"]), what)
    if what.startswith("reset") and row["id"] == w.actor.user_id:
        raise Invalid("reset your own password by logging in with a new one")
    return row
