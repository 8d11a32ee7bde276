"""What a user may see: rooms for their sockets and the ``sync`` snapshot."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from scoring_console.protocol.entities import (
    Deduction,
    RemovalRequest,
    Snapshot,
)
from scoring_console.protocol.roles import VENUE_WIDE_ROLES, Role

from ..db import Connection, Database
from ..db import rows as r
from . import certstate, rooms, standings
from .base import ServiceBase, utc_now
from .masking import certification_for, scores_for
from .presence import PresenceArea
from .refusals import visible_refusals
from .types import Actor, NotFound

_ANNOUNCEMENTS_IN_SNAPSHOT = 200


def _marks(count: int) -> str:
    """``?`` placeholders for an ``IN (…)`` list; ``NULL`` (matches nothing) for none, as
    PostgreSQL refuses an empty ``IN ()``."""
    return ",".join("?" * count) or "NULL"


class ViewsArea(ServiceBase):
    """Visibility, rooms and snapshots."""

    def __init__(
        self,
        db: Database,
        presence: PresenceArea,
        *,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        super().__init__(db, clock=clock)
        self.presence = presence
        """The presence area: snapshots carry its presence list."""

    def current_seq(self) -> int:
        """The last server-wide ``seq`` handed out."""
        return self.db.current_seq()

    def visible_category_ids(self, actor: Actor) -> set[int]:
        """Categories the actor may see: assigned ones for judges and tally masters,
        all for auditors, board, organizers and admins."""
        with self.db.reading() as conn:
            return self._visible_ids(conn, actor)

    def rooms_for(self, actor: Actor) -> set[str]:
        """Every room the actor's sockets belong to.

        ``all``, ``user:{id}``, ``role:{ROLE}``, and for each visible category
        ``category:{id}``, ``category:{id}:{ROLE}``, ``contest:{id}``, ``event:{id}``.
        """
        with self.db.reading() as conn:
            return self._rooms(conn, actor)

    def _rooms(self, conn: Connection, actor: Actor) -> set[str]:
        result = {rooms.ALL, rooms.user(actor.user_id), rooms.role(actor.role)}
        visible = sorted(self._visible_ids(conn, actor))
        if not visible:
            return result
        rows = conn.execute(
            "SELECT c.id, c.contest_id, k.event_id FROM categories c "
            f"JOIN contests k ON k.id = c.contest_id WHERE c.id IN ({_marks(len(visible))})",
            visible,
        ).fetchall()
        for row in rows:
            result.add(rooms.category(row["id"]))
            result.add(rooms.category_role(row["id"], actor.role))
            result.add(rooms.contest(row["contest_id"]))
            result.add(rooms.event(row["event_id"]))
        return result

    def snapshot(self, actor: Actor) -> Snapshot:
        """The ``sync`` answer: everything the actor may see, scores masked, as of ``seq``.

        ``NotFound`` if the actor's user no longer exists or was deactivated.
        """
        with self.db.reading() as conn:
            user_row = conn.execute(
                "SELECT * FROM users WHERE id = ? AND active = 1", (actor.user_id,)
            ).fetchone()
            if user_row is None:
                raise NotFound(f"user {actor.user_id} not found", {"userId": actor.user_id})
            seq = self.db.current_seq()
            ids = sorted(self._visible_ids(conn, actor))
            marks = _marks(len(ids))
            venue = actor.role in VENUE_WIDE_ROLES
            if venue:
                contest_rows = conn.execute("SELECT * FROM contests ORDER BY id").fetchall()
                event_rows = conn.execute("SELECT * FROM events ORDER BY id").fetchall()
            else:
                contest_rows = conn.execute(
                    "SELECT * FROM contests WHERE id IN (SELECT contest_id FROM categories "
                    f"WHERE id IN ({marks})) ORDER BY id",
                    ids,
                ).fetchall()
                event_rows = conn.execute(
                    "SELECT * FROM events WHERE id IN (SELECT event_id FROM contests "
                    "WHERE id IN (SELECT contest_id FROM categories "
                    f"WHERE id IN ({marks}))) ORDER BY id",
                    ids,
                ).fetchall()
            categories = [standings.category_model(conn, cid) for cid in ids]
            reviewers = [] if actor.role is Role.JUDGE else ids
            contestant_rows = conn.execute(
                "SELECT * FROM contestants WHERE id IN (SELECT contestant_id FROM "
                f"category_contestants WHERE category_id IN ({marks})) ORDER BY number, id",
                ids,
            ).fetchall()
            assignment_rows = conn.execute(
                "SELECT a.*, u.name AS user_name FROM assignments a "
                f"JOIN users u ON u.id = a.user_id WHERE a.category_id IN ({marks}) ORDER BY a.id",
                ids,
            ).fetchall()
            score_rows = conn.execute(
                f"SELECT * FROM scores WHERE category_id IN ({marks}) ORDER BY id", ids
            ).fetchall()
            deductions, removals = self._requests_visible(conn, actor, ids)
            notification_rows = conn.execute(
                "SELECT * FROM notifications WHERE user_id = ? ORDER BY id", (actor.user_id,)
            ).fetchall()
            contest_ids = {row["id"] for row in contest_rows}
            announcement_rows = [
                row
                for row in conn.execute(
                    "SELECT * FROM (SELECT * FROM announcements ORDER BY id DESC LIMIT ?) "
                    "AS latest ORDER BY id",
                    (_ANNOUNCEMENTS_IN_SNAPSHOT,),
                ).fetchall()
                if row["contest_id"] is None or row["contest_id"] in contest_ids
            ]
            return Snapshot(
                seq=seq,
                server_time=self.clock(),
                user=r.user_info(user_row),
                events=[r.event(row) for row in event_rows],
                contests=[r.contest(row) for row in contest_rows],
                categories=categories,
                contestants=[r.contestant(row) for row in contestant_rows],
                assignments=[r.assignment(row) for row in assignment_rows],
                scores=scores_for((r.score(row) for row in score_rows), actor.user_id, actor.role),
                certifications=[
                    certification_for(certstate.certification(conn, cid), actor.user_id, actor.role)
                    for cid in ids
                ],
                deductions=deductions,
                removal_requests=removals,
                notifications=[r.notification(row) for row in notification_rows],
                announcements=[r.announcement(row) for row in announcement_rows],
                presence=self.presence._presence_list(conn, actor),
                tie_decisions=standings.tie_decisions(conn, reviewers),
                outlier_reviews=standings.outlier_reviews(conn, reviewers),
                refused_writes=visible_refusals(conn, actor, ids),
            )

    def _requests_visible(
        self, conn: Connection, actor: Actor, ids: list[int]
    ) -> tuple[list[Deduction], list[RemovalRequest]]:
        """Deductions and removal requests the actor may see.

        Judges: the ones they asked for (and removals of their own scores); tally
        masters: those of their categories; venue-wide roles: all.
        """
        if actor.role is Role.JUDGE:
            deduction_rows = conn.execute(
                "SELECT * FROM deductions WHERE requested_by = ? ORDER BY id", (actor.user_id,)
            ).fetchall()
            removal_rows = conn.execute(
                "SELECT * FROM removal_requests WHERE requested_by = ? OR judge_id = ? ORDER BY id",
                (actor.user_id, actor.user_id),
            ).fetchall()
        else:
            marks = _marks(len(ids))
            deduction_rows = conn.execute(
                f"SELECT * FROM deductions WHERE category_id IN ({marks}) ORDER BY id", ids
            ).fetchall()
            removal_rows = conn.execute(
                f"SELECT * FROM removal_requests WHERE category_id IN ({marks}) ORDER BY id", ids
            ).fetchall()
        return (
            [r.deduction(row, conn) for row in deduction_rows],
            [r.removal_request(row, conn) for row in removal_rows],
        )
