"""Refused writes: every score write the server refused is recorded and shown to staff.

A judge's laptop shows its own refusals (from the ack); the tally master must see them
too, with who, which cell, which value, and why. A refusal is stored in
``refused_writes`` (once per ``clientId``: a replayed refusal is not recorded twice)
and delivered as ``scores:refused`` to the category's tally masters and the venue-wide
roles; ``sync`` carries them to the same people (:func:`visible_refusals`). Writes
refused before a category could be resolved (an unknown category) have nobody to be
shown to and are not recorded.
"""

from __future__ import annotations

import logging

from scoring_console.protocol.entities import RefusedWrite
from scoring_console.protocol.events import ServerEvent
from scoring_console.protocol.payloads import ScoreSubmit
from scoring_console.protocol.roles import VENUE_WIDE_ROLES, Role

from ..db import Connection, Row
from ..db import rows as r
from . import rooms
from .base import ServiceBase
from .types import Actor, Broadcast, ServiceError

log = logging.getLogger(__name__)

_SELECT = (
    "SELECT w.*, u.name AS judge_name FROM refused_writes w JOIN users u ON u.id = w.judge_id "
)


def refused_write(row: Row) -> RefusedWrite:
    """A ``refused_writes`` row (joined with the judge's name) as the wire model."""
    return RefusedWrite(
        id=row["id"],
        client_id=row["client_id"],
        judge_id=row["judge_id"],
        judge_name=row["judge_name"],
        category_id=row["category_id"],
        contestant_id=row["contestant_id"],
        criterion_id=row["criterion_id"],
        score=row["score"],
        code=row["code"],
        reason=row["reason"],
        refused_at=r.from_iso(row["refused_at"]),
        seq=row["seq"],
    )


def visible_refusals(conn: Connection, actor: Actor, category_ids: list[int]) -> list[RefusedWrite]:
    """Refused writes the actor oversees: venue-wide roles all of their visible
    categories, tally masters their assigned ones, judges none."""
    if actor.role not in VENUE_WIDE_ROLES and actor.role is not Role.TALLY_MASTER:
        return []
    if not category_ids:
        return []
    marks = ",".join("?" * len(category_ids))
    rows = conn.execute(
        _SELECT + f"WHERE w.category_id IN ({marks}) ORDER BY w.id", category_ids
    ).fetchall()
    return [refused_write(row) for row in rows]


class RefusalsMixin(ServiceBase):
    """Recording refused score writes."""

    def _record_refusal(
        self, conn: Connection, actor: Actor, payload: ScoreSubmit, exc: ServiceError
    ) -> Broadcast | None:
        """Store one refusal inside the caller's transaction; its ``scores:refused``
        broadcast, or ``None`` (unknown category, or this ``clientId`` already refused)."""
        known = conn.execute(
            "SELECT 1 FROM categories WHERE id = ?", (payload.category_id,)
        ).fetchone()
        if known is None or actor.role is not Role.JUDGE:
            return None
        seen = conn.execute(
            "SELECT 1 FROM refused_writes WHERE client_id = ?", (payload.client_id,)
        ).fetchone()
        if seen is not None:
            return None  # a replay of a refused write: recorded (and shown) once
        seq = self.db.next_seq(conn)
        cursor = conn.execute(
            "INSERT INTO refused_writes (client_id, judge_id, category_id, "
            "contestant_id, criterion_id, score, code, reason, refused_at, seq) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id",
            (
                payload.client_id,
                actor.user_id,
                payload.category_id,
                payload.contestant_id,
                payload.criterion_id,
                float(payload.score),
                exc.code.value,
                exc.message,
                r.to_iso(self.clock()),
                seq,
            ),
        )
        inserted = cursor.fetchone()
        if inserted is None:
            return None
        row = conn.execute(_SELECT + "WHERE w.id = ?", (inserted[0],)).fetchone()
        refusal = refused_write(row)
        targets = (
            rooms.category_role(payload.category_id, Role.TALLY_MASTER),
            *rooms.VENUE_ROLE_ROOMS,
        )
        return Broadcast(ServerEvent.SCORES_REFUSED, refusal, targets)

    def _refused(self, actor: Actor, payload: ScoreSubmit, exc: ServiceError) -> None:
        """Record a refusal of a single write in its own transaction; the broadcast
        rides on the exception (``exc.effects``) for the transport to deliver."""
        try:
            with self.db.transaction() as conn:
                effect = self._record_refusal(conn, actor, payload, exc)
        except Exception:  # recording must never turn a clear refusal into "internal"
            log.exception("could not record a refused write")
            return
        if effect is not None:
            exc.effects.append(effect)
