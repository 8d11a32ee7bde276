"""Shared plumbing of the service mixins: clock, lookups, authorization, notifications."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from scoring_console.protocol.entities import (
    PAST_JUDGES_STEP,
    Notification,
    NotificationType,
)
from scoring_console.protocol.events import ServerEvent
from scoring_console.protocol.roles import VENUE_WIDE_ROLES, Role

from ..db import Connection, Database, Row, inserted_id
from ..db import rows as r
from . import audit, certstate, rooms
from .notices import Notice
from .types import Actor, Broadcast, Conflict, Forbidden, Invalid, Locked, NotFound


def utc_now() -> datetime:
    """The default clock: aware UTC now."""
    return datetime.now(UTC)


def role_label(role: Role) -> str:
    """A role as people say it: ``"tally master"``."""
    return role.value.lower().replace("_", " ")


def content_hash(**fields: Any) -> str:
    """A stable hash of a write's content, to tell a replay from a clientId reuse."""
    text = json.dumps(fields, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class CategoryInfo:
    """A category with the ids above it and its contest's lock state."""

    id: int
    name: str
    contest_id: int
    event_id: int
    locked: bool
    published: bool
    contest_name: str = ""

    @property
    def label(self) -> str:
        """How people name it: ``"Vocal Performance (Senior Showcase)"``."""
        return f"{self.name} ({self.contest_name})" if self.contest_name else self.name


class ServiceBase:
    """State and helpers every area of the service uses."""

    def __init__(self, db: Database, *, clock: Callable[[], datetime] = utc_now) -> None:
        self.db = db
        self.clock = clock

    # --- lookups --------------------------------------------------------------------

    def _category(self, conn: Connection, category_id: int) -> CategoryInfo:
        row = conn.execute(
            "SELECT c.id, c.name, c.contest_id, c.published, k.event_id, k.locked, "
            "k.name AS contest_name "
            "FROM categories c JOIN contests k ON k.id = c.contest_id WHERE c.id = ?",
            (category_id,),
        ).fetchone()
        if row is None:
            raise NotFound(f"category {category_id} not found", {"categoryId": category_id})
        return CategoryInfo(
            id=row["id"],
            name=row["name"],
            contest_id=row["contest_id"],
            event_id=row["event_id"],
            locked=bool(row["locked"]),
            published=bool(row["published"]),
            contest_name=row["contest_name"],
        )

    def _assigned_role(self, conn: Connection, user_id: int, category_id: int) -> Role | None:
        row = conn.execute(
            "SELECT role FROM assignments WHERE user_id = ? AND category_id = ?",
            (user_id, category_id),
        ).fetchone()
        return None if row is None else Role(row["role"])

    def _visible_ids(self, conn: Connection, actor: Actor) -> set[int]:
        if actor.role in VENUE_WIDE_ROLES:
            return {row[0] for row in conn.execute("SELECT id FROM categories")}
        return {
            row[0]
            for row in conn.execute(
                "SELECT category_id FROM assignments WHERE user_id = ? AND role = ?",
                (actor.user_id, actor.role.value),
            )
        }

    def _can_view(self, conn: Connection, actor: Actor, category_id: int) -> bool:
        if actor.role in VENUE_WIDE_ROLES:
            return True
        return self._assigned_role(conn, actor.user_id, category_id) is actor.role

    def _visible_category(self, conn: Connection, actor: Actor, category_id: int) -> CategoryInfo:
        """The category if the actor may see it; ``NotFound`` otherwise (no existence leak)."""
        info = self._category(conn, category_id)
        if not self._can_view(conn, actor, category_id):
            raise NotFound(f"category {category_id} not found", {"categoryId": category_id})
        return info

    def _require_assigned(
        self, conn: Connection, actor: Actor, category_id: int, role: Role
    ) -> None:
        if (
            actor.role is not role
            or self._assigned_role(conn, actor.user_id, category_id) is not role
        ):
            label = self._category(conn, category_id).label
            raise Forbidden(
                f"you are not assigned to {label} as {role_label(role)}",
                {"categoryId": category_id},
            )

    def _require_unlocked(self, info: CategoryInfo) -> None:
        if info.locked:
            raise Locked(
                f"{info.label} is locked",
                {"contestId": info.contest_id, "categoryId": info.id},
            )

    def _require_contestant_in(
        self, conn: Connection, category_id: int, contestant_id: int
    ) -> None:
        if (
            conn.execute("SELECT 1 FROM contestants WHERE id = ?", (contestant_id,)).fetchone()
            is None
        ):
            raise NotFound(f"contestant {contestant_id} not found", {"contestantId": contestant_id})
        linked = conn.execute(
            "SELECT 1 FROM category_contestants WHERE category_id = ? AND contestant_id = ?",
            (category_id, contestant_id),
        ).fetchone()
        if linked is None:
            label = self._category(conn, category_id).label
            raise Invalid(
                f"{self._contestant_label(conn, contestant_id)} is not in {label}",
                {"contestantId": contestant_id, "categoryId": category_id},
            )

    def _judge_signed(self, conn: Connection, judge_id: int, category_id: int) -> bool:
        row = conn.execute(
            "SELECT 1 FROM signoffs WHERE category_id = ? AND user_id = ? AND role = ?",
            (category_id, judge_id, Role.JUDGE.value),
        ).fetchone()
        return row is not None

    def _require_judges_step_open(self, conn: Connection, category_id: int) -> None:
        """Refuse changes to what the judges' panel produced once the tally master signed.

        From TALLY_SIGNED on, the scores, deductions and the panel itself are what the
        later signatures and any published results stand on: a change there would alter
        certified totals that nobody signs again.
        """
        status = certstate.certification(conn, category_id).status
        if status in PAST_JUDGES_STEP:
            label = self._category(conn, category_id).label
            raise Locked(
                f"the tally master has signed {label}; its scores, deductions and panel "
                "can no longer change unless a judge's sheet is reopened (the judge asks; "
                "the tally master or an admin approves)",
                {"categoryId": category_id, "status": status.value},
            )

    def _require_sheet_open(self, conn: Connection, judge_id: int, category_id: int) -> None:
        if self._judge_signed(conn, judge_id, category_id):
            label = self._category(conn, category_id).label
            raise Locked(
                f"{self._user_name(conn, judge_id)} has signed {label}; the sheet is locked "
                "until it is reopened (the judge asks; the tally master or an admin approves)",
                {"categoryId": category_id, "judgeId": judge_id},
            )

    def _reason_required(self, conn: Connection, judge_id: int, category_id: int) -> bool:
        """True once the judge's signed sheet of the category was reopened."""
        row = conn.execute(
            "SELECT 1 FROM reopen_requests WHERE judge_id = ? AND category_id = ? "
            "AND status = 'APPROVED'",
            (judge_id, category_id),
        ).fetchone()
        return row is not None

    def _user_name(self, conn: Connection, user_id: int) -> str:
        row = conn.execute("SELECT name FROM users WHERE id = ?", (user_id,)).fetchone()
        return str(row["name"]) if row is not None else "an unknown user"

    def _contestant_label(self, conn: Connection, contestant_id: int) -> str:
        """``"#7 Ana Lima"``: the sheet number and name."""
        row = conn.execute(
            "SELECT number, name FROM contestants WHERE id = ?", (contestant_id,)
        ).fetchone()
        return f"#{row['number']} {row['name']}" if row is not None else "an unknown contestant"

    def _replayed(self, conn: Connection, table: str, client_id: str, digest: str) -> Row | None:
        """The stored row written under ``client_id`` in ``table`` (a fixed table name),
        ``None`` if there is none; ``Conflict`` if it was written with other content."""
        row: Row | None = conn.execute(
            f"SELECT * FROM {table} WHERE client_id = ?", (client_id,)
        ).fetchone()
        if row is not None and row["content_hash"] != digest:
            raise Conflict(
                f"clientId {client_id} was already used for a different request",
                {"clientId": client_id},
            )
        return row

    def _score_label(
        self, conn: Connection, contestant_id: int, criterion_id: int, judge_id: int
    ) -> str:
        """``#12 Anna Berg · Poise · judge Judge One``: a score cell in the users' words."""
        contestant = conn.execute(
            "SELECT number, name FROM contestants WHERE id = ?", (contestant_id,)
        ).fetchone()
        criterion = conn.execute(
            "SELECT name FROM criteria WHERE id = ?", (criterion_id,)
        ).fetchone()
        who = (
            f"#{contestant['number']} {contestant['name']}"
            if contestant is not None
            else f"contestant {contestant_id}"
        )
        what = criterion["name"] if criterion is not None else f"criterion {criterion_id}"
        return f"{who} · {what} · judge {self._user_name(conn, judge_id)}"

    # --- writes shared by several areas ---------------------------------------------

    def _audit(
        self,
        conn: Connection,
        actor: Actor | None,
        action: str,
        entity: str,
        entity_id: int | str | None,
        label: str,
        **details: Any,
    ) -> int:
        """:func:`audit.record` with the service's clock (``details``: its keyword args)."""
        return audit.record(
            conn,
            at=self.clock(),
            actor=actor,
            action=action,
            entity=entity,
            entity_id=entity_id,
            label=label,
            **details,
        )

    def _tell(
        self, conn: Connection, user_id: int, notice: Notice, category_id: int | None
    ) -> Broadcast:
        """Persist a :class:`~.notices.Notice` for one user; its ``notification`` broadcast."""
        return self._notify(
            conn,
            user_id,
            type=notice.type,
            title=notice.title,
            message=notice.message,
            category_id=category_id,
        )

    def _notify(
        self,
        conn: Connection,
        user_id: int,
        *,
        type: NotificationType,
        title: str,
        message: str,
        category_id: int | None = None,
    ) -> Broadcast:
        """Persist a notification for one user; the ``notification`` broadcast for it."""
        seq = self.db.next_seq(conn)
        cursor = conn.execute(
            "INSERT INTO notifications (user_id, type, title, message, category_id, read, "
            "created_at, seq) VALUES (?, ?, ?, ?, ?, 0, ?, ?) RETURNING id",
            (user_id, type.value, title, message, category_id, r.to_iso(self.clock()), seq),
        )
        row = conn.execute(
            "SELECT * FROM notifications WHERE id = ?", (inserted_id(cursor),)
        ).fetchone()
        note: Notification = r.notification(row)
        return Broadcast(ServerEvent.NOTIFICATION, note, (rooms.user(user_id),))
