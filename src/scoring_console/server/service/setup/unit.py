"""One setup write: a transaction with its ``seq``, audit seam, room moves and broadcast."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from scoring_console.protocol.events import ServerEvent
from scoring_console.protocol.roles import VENUE_WIDE_ROLES, Role
from scoring_console.protocol.setup import SetupChanged

from ...db import Connection
from .. import rooms
from ..types import Actor, Broadcast, Effect, Forbidden, Locked, RoomChange

if TYPE_CHECKING:
    from ..service import ScoringService

MANAGERS = frozenset({Role.ORGANIZER, Role.ADMIN})


class SetupWrite:
    """The state of one setup transaction.

    Areas record what they changed (:meth:`changed`, in words with names), call
    :meth:`touch_user` before changing a user's assignments or role, and read
    :attr:`seq` for rows that carry one (allocated on first use). :meth:`effects`
    then yields the room moves and one ``setup:changed`` broadcast — nothing when
    nothing changed, so a repeated import is silent.
    """

    def __init__(self, service: ScoringService, conn: Connection, actor: Actor) -> None:
        self.service = service
        self.conn = conn
        self.actor = actor
        self.changes: list[str] = []
        self.notes: list[Effect] = []
        """Further effects (notifications, certification updates) of this write."""
        self._seq: int | None = None
        self._rooms_before: dict[int, tuple[Actor, set[str]]] = {}
        for row in conn.execute(
            "SELECT id, username, role FROM users WHERE active = 1 AND role IN "
            f"({','.join('?' * len(VENUE_WIDE_ROLES))})",
            [r.value for r in VENUE_WIDE_ROLES],
        ):
            self.touch_user(row["id"])

    @property
    def seq(self) -> int:
        """The ``seq`` of this write (one per transaction)."""
        if self._seq is None:
            self._seq = self.service.db.next_seq(self.conn)
        return self._seq

    def changed(self, text: str, *, action: str, subject: str) -> None:
        """Record one change (``text`` for people; ``action`` / ``subject`` for the audit)."""
        self.changes.append(text)
        _ = self.seq
        self._audit(action, subject, text)

    def _audit(self, action: str, subject: str, text: str) -> None:
        """Every setup and account write is recorded here, inside its own transaction:
        who (the actor), when (the service clock), what (``action`` such as
        ``category.rename``, on ``subject``) and the old → new description (``text``)."""
        self.service.shared._audit(
            self.conn,
            self.actor,
            action,
            action.partition(".")[0],
            None,
            text,
            new={"subject": subject},
        )

    def touch_user(self, user_id: int) -> None:
        """Remember a user's rooms before their assignments or role change."""
        if user_id in self._rooms_before:
            return
        row = self.conn.execute(
            "SELECT id, username, role FROM users WHERE id = ?", (user_id,)
        ).fetchone()
        if row is None:
            return
        target = Actor(row["id"], Role(row["role"]), row["username"])
        self._rooms_before[user_id] = (target, self.service.views._rooms(self.conn, target))

    def require_unlocked_contest(self, contest_id: int) -> None:
        """``Locked`` (naming the contest) while a contest is locked."""
        row = self.conn.execute(
            "SELECT name, locked FROM contests WHERE id = ?", (contest_id,)
        ).fetchone()
        if row is not None and row["locked"]:
            raise Locked(
                f"{row['name']} is locked; unlock it before changing its set-up",
                {"contestId": contest_id},
            )

    def effects(self) -> list[Effect]:
        """Room moves for every touched user, then one ``setup:changed`` to everyone."""
        if not self.changes:
            return []
        effects: list[Effect] = list(self.notes)
        for user_id, (before_actor, before) in self._rooms_before.items():
            row = self.conn.execute(
                "SELECT role, active FROM users WHERE id = ?", (user_id,)
            ).fetchone()
            role = Role(row["role"]) if row is not None else before_actor.role
            after_actor = Actor(user_id, role, before_actor.username)
            after = self.service.views._rooms(self.conn, after_actor)
            if after != before:
                effects.append(
                    RoomChange(
                        user_id,
                        join=tuple(sorted(after - before)),
                        leave=tuple(sorted(before - after)),
                    )
                )
        event = SetupChanged(changes=self.changes[:50], by_user_id=self.actor.user_id, seq=self.seq)
        effects.append(Broadcast(ServerEvent.SETUP_CHANGED, event, (rooms.ALL,)))
        return effects


def category_label(conn: Connection, category_id: int) -> str:
    """``Vocal Performance (Senior Showcase)``: a category as people name it."""
    row = conn.execute(
        "SELECT c.name, k.name AS contest FROM categories c "
        "JOIN contests k ON k.id = c.contest_id WHERE c.id = ?",
        (category_id,),
    ).fetchone()
    return f"{row['name']} ({row['contest']})" if row is not None else f"category {category_id}"


@contextmanager
def setup_write(service: ScoringService, actor: Actor) -> Iterator[SetupWrite]:
    """A :class:`SetupWrite` in one transaction (rolled back on any error)."""
    require_manager(actor)
    with service.db.transaction() as conn:
        yield SetupWrite(service, conn, actor)


def require_manager(actor: Actor) -> None:
    """``Forbidden`` unless the actor is an organizer or admin."""
    if actor.role not in MANAGERS:
        raise Forbidden(f"{actor.role.value} cannot change the competition set-up")
