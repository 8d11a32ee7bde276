"""Presence: live connection counts, heartbeats with pending-outbox counts, who sees whom.

``pendingAsOf`` is when the heartbeat that reported the pending count arrived. A beat
with an unchanged count is stored (and the stamp moved) at most every
:data:`BEAT_PERSIST_INTERVAL`, so while a judge is online the stamp is never older than
that plus one heartbeat; an older stamp, or ``online: false``, means the count is stale.

Judges' presence goes to the tally masters of the judges' categories and to auditors,
board, organizers and admins. Online state lives in memory (connection counts);
``last_seen``, ``pending_count`` and ``pending_as_of`` are persisted.
"""

from __future__ import annotations

import sqlite3
from datetime import timedelta

from scoring_console.protocol.entities import Presence
from scoring_console.protocol.events import ServerEvent
from scoring_console.protocol.payloads import Heartbeat, HeartbeatResult
from scoring_console.protocol.roles import VENUE_WIDE_ROLES, Role

from ..db import rows as r
from . import rooms
from .base import ServiceBase
from .types import Actor, Broadcast, Outcome

BEAT_PERSIST_INTERVAL = timedelta(seconds=10)
"""A heartbeat with an unchanged pending count is written (and broadcast) at most this
often per user: clients beat every few seconds, and a client that beats in a tight loop
must not turn each beat into a FULL-sync commit and a broadcast to every tally master."""

_PRESENCE_ROLE_ROOMS = rooms.VENUE_ROLE_ROOMS
"""Every venue-wide role, as in the ``sync`` presence list: the board locks contests and
must see who is offline or still has entries on their laptop."""


class PresenceMixin(ServiceBase):
    """Heartbeats, online/offline, and the presence list of a snapshot."""

    def heartbeat(self, actor: Actor, payload: Heartbeat) -> Outcome[HeartbeatResult]:
        """``user:active``: store ``last_seen`` and ``pending_count``.

        A beat whose pending count did not change within :data:`BEAT_PERSIST_INTERVAL`
        of the last stored one is acknowledged without a write or a broadcast.

        For a judge the effect is ``presence:updated`` to the tally masters of the
        judge's categories and to auditors, organizers and admins.
        """
        now = self.clock()
        with self._connections_lock:
            last = self._last_beats.get(actor.user_id)
            quiet = (
                last is not None
                and last[1] == payload.pending_count
                and now - last[0] < BEAT_PERSIST_INTERVAL
            )
            if not quiet:
                self._last_beats[actor.user_id] = (now, payload.pending_count)
        if quiet:
            return Outcome(HeartbeatResult(server_time=now, seq=self.db.current_seq()), [])
        with self.db.transaction() as conn:
            seq = self.db.next_seq(conn)
            conn.execute(
                "INSERT INTO presence (user_id, last_seen, pending_count, pending_as_of, seq) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET "
                "last_seen = excluded.last_seen, pending_count = excluded.pending_count, "
                "pending_as_of = excluded.pending_as_of, seq = excluded.seq",
                (actor.user_id, r.to_iso(now), payload.pending_count, r.to_iso(now), seq),
            )
            effects: list[Broadcast] = []
            if actor.role is Role.JUDGE:
                effects.append(self._presence_broadcast(conn, actor.user_id))
        return Outcome(HeartbeatResult(server_time=now, seq=seq), list(effects))

    def set_online(self, actor: Actor, online: bool) -> list[Broadcast]:
        """Count the actor's live connections; call on every connect and disconnect.

        When a judge goes from 0 to 1 connections (or back to 0) the ``presence:updated``
        broadcasts to deliver are returned; otherwise an empty list.
        """
        with self._connections_lock:
            before = self._connections.get(actor.user_id, 0)
            after = before + 1 if online else max(0, before - 1)
            if after:
                self._connections[actor.user_id] = after
            else:
                self._connections.pop(actor.user_id, None)
        if (before > 0) == (after > 0):
            return []
        with self.db.transaction() as conn:
            seq = self.db.next_seq(conn)
            conn.execute(
                "INSERT INTO presence (user_id, last_seen, pending_count, seq) "
                "VALUES (?, ?, 0, ?) ON CONFLICT (user_id) DO UPDATE SET "
                "last_seen = excluded.last_seen, seq = excluded.seq",
                (actor.user_id, r.to_iso(self.clock()), seq),
            )
            if actor.role is not Role.JUDGE:
                return []
            return [self._presence_broadcast(conn, actor.user_id)]

    def is_online(self, user_id: int) -> bool:
        """True while the user has a live connection (as told through :meth:`set_online`)."""
        with self._connections_lock:
            return self._connections.get(user_id, 0) > 0

    # --- helpers --------------------------------------------------------------------

    def _presence(self, row: sqlite3.Row) -> Presence:
        """A presence model from a ``users`` row left-joined with ``presence``."""
        return Presence(
            user_id=row["id"],
            username=row["username"],
            name=row["name"],
            role=Role(row["role"]),
            online=self.is_online(row["id"]),
            last_seen=r.opt_iso(row["last_seen"]),
            pending_count=row["pending_count"] or 0,
            pending_as_of=r.opt_iso(row["pending_as_of"]),
            seq=row["pseq"] or 0,
        )

    _PRESENCE_SELECT = (
        "SELECT u.id, u.username, u.name, u.role, p.last_seen, p.pending_count, "
        "p.pending_as_of, p.seq AS pseq "
        "FROM users u LEFT JOIN presence p ON p.user_id = u.id "
    )

    def _presence_broadcast(self, conn: sqlite3.Connection, judge_id: int) -> Broadcast:
        row = conn.execute(self._PRESENCE_SELECT + "WHERE u.id = ?", (judge_id,)).fetchone()
        categories = [
            c[0]
            for c in conn.execute(
                "SELECT category_id FROM assignments WHERE user_id = ? AND role = ? "
                "ORDER BY category_id",
                (judge_id, Role.JUDGE.value),
            )
        ]
        targets = tuple(rooms.category_role(c, Role.TALLY_MASTER) for c in categories)
        return Broadcast(
            ServerEvent.PRESENCE_UPDATED, self._presence(row), targets + _PRESENCE_ROLE_ROOMS
        )

    def _presence_list(self, conn: sqlite3.Connection, actor: Actor) -> list[Presence]:
        """Judges whose presence the actor sees: tally masters their categories' judges,
        venue-wide roles every judge, judges nobody."""
        if actor.role in VENUE_WIDE_ROLES:
            rows = conn.execute(
                self._PRESENCE_SELECT + "WHERE u.role = ? AND u.active = 1 ORDER BY u.id",
                (Role.JUDGE.value,),
            ).fetchall()
        elif actor.role is Role.TALLY_MASTER:
            rows = conn.execute(
                self._PRESENCE_SELECT + "WHERE u.active = 1 AND u.id IN ("
                "SELECT j.user_id FROM assignments j JOIN assignments t "
                "ON t.category_id = j.category_id "
                "WHERE j.role = ? AND t.role = ? AND t.user_id = ?) ORDER BY u.id",
                (Role.JUDGE.value, Role.TALLY_MASTER.value, actor.user_id),
            ).fetchall()
        else:
            rows = []
        return [self._presence(row) for row in rows]
