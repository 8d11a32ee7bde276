"""Presence: live connection counts, heartbeats with pending-outbox counts, who sees whom.

``pendingAsOf`` is when the heartbeat that reported the pending count arrived. A beat
with an unchanged count is stored (and the stamp moved) at most every
:data:`BEAT_PERSIST_INTERVAL`, so while a judge is online the stamp is never older than
that plus one heartbeat; an older stamp, or ``online: false``, means the count is stale.

Judges' presence goes to the tally masters of the judges' categories and to auditors,
board, organizers and admins. Online state is a count of live connections per user
(:class:`OnlineCounts`: in memory for one process, in Redis across a cluster's nodes —
:mod:`scoring_console.server.cluster.presence`); ``last_seen``, ``pending_count`` and
``pending_as_of`` are persisted.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol

from scoring_console.protocol.entities import Presence
from scoring_console.protocol.events import ServerEvent
from scoring_console.protocol.payloads import Heartbeat, HeartbeatResult
from scoring_console.protocol.roles import VENUE_WIDE_ROLES, Role

from ..db import Connection, Database, Row
from ..db import rows as r
from . import rooms
from .base import ServiceBase, utc_now
from .types import Actor, Broadcast, Outcome

BEAT_PERSIST_INTERVAL = timedelta(seconds=10)
"""A heartbeat with an unchanged pending count is written (and broadcast) at most this
often per user: clients beat every few seconds, and a client that beats in a tight loop
must not turn each beat into a FULL-sync commit and a broadcast to every tally master."""

_PRESENCE_ROLE_ROOMS = rooms.VENUE_ROLE_ROOMS
"""Every venue-wide role, as in the ``sync`` presence list: the board locks contests and
must see who is offline or still has entries on their laptop."""


BEAT_INTERVAL = timedelta(seconds=2)
"""Default for :attr:`PresenceArea.beat_interval`: at most one stored beat per user per
this interval, whatever it carries (alternating counts must not bypass it)."""


class OnlineCounts(Protocol):
    """Live connections per user (wherever they are connected)."""

    def change(self, user_id: int, delta: int) -> tuple[int, int]:
        """Add ``delta`` (+1 connect, -1 disconnect); the user's counts before and after."""

    def count(self, user_id: int) -> int:
        """The user's live connections now."""


class MemoryOnlineCounts:
    """:class:`OnlineCounts` of this process (after a restart nobody is online)."""

    def __init__(self) -> None:
        self._connections: dict[int, int] = {}
        self._lock = threading.Lock()

    def change(self, user_id: int, delta: int) -> tuple[int, int]:
        with self._lock:
            before = self._connections.get(user_id, 0)
            after = max(0, before + delta)
            if after:
                self._connections[user_id] = after
            else:
                self._connections.pop(user_id, None)
        return before, after

    def count(self, user_id: int) -> int:
        with self._lock:
            return self._connections.get(user_id, 0)


class PresenceArea(ServiceBase):
    """Heartbeats, online/offline, and the presence list of a snapshot."""

    beat_interval: timedelta = BEAT_INTERVAL
    """At most one stored heartbeat per user per this interval (set by the server)."""

    def __init__(self, db: Database, *, clock: Callable[[], datetime] = utc_now) -> None:
        super().__init__(db, clock=clock)
        self.online: OnlineCounts = MemoryOnlineCounts()
        """Live connections per user (the server swaps in Redis counts in a cluster)."""
        self._connections_lock = threading.Lock()
        self._last_beats: dict[int, tuple[datetime, int]] = {}
        self._pending_beats: dict[int, tuple[Actor, int, datetime]] = {}
        """The latest heartbeat count per user not stored yet (throttled)."""

    def heartbeat(self, actor: Actor, payload: Heartbeat) -> Outcome[HeartbeatResult]:
        """``user:active``: store ``last_seen`` and ``pending_count``.

        At most one beat per user is stored (and broadcast) per :attr:`beat_interval`,
        whatever it carries: a beat inside the interval is acknowledged without a write
        and its count kept as pending — the latest value wins, stored by the next beat
        after the interval or by :meth:`flush_beats`. A beat whose pending count did not
        change within :data:`BEAT_PERSIST_INTERVAL` of the last stored one is not stored.

        For a judge the effect is ``presence:updated`` to the tally masters of the
        judge's categories and to auditors, organizers and admins.
        """
        now = self.clock()
        count = payload.pending_count
        with self._connections_lock:
            last = self._last_beats.get(actor.user_id)
            if last is not None and now - last[0] < self.beat_interval:
                if count != last[1]:
                    self._pending_beats[actor.user_id] = (actor, count, now)
                else:
                    self._pending_beats.pop(actor.user_id, None)
                store = False
            else:
                self._pending_beats.pop(actor.user_id, None)
                store = not (
                    last is not None and last[1] == count and now - last[0] < BEAT_PERSIST_INTERVAL
                )
                if store:
                    self._last_beats[actor.user_id] = (now, count)
        if not store:
            return Outcome(HeartbeatResult(server_time=now, seq=self.db.current_seq()), [])
        seq, effects = self._store_beat(actor, count, now, now)
        return Outcome(HeartbeatResult(server_time=now, seq=seq), list(effects))

    def flush_beats(self) -> list[Broadcast]:
        """Store the pending beats whose slot has come; the broadcasts to deliver.

        The transport calls it every :attr:`beat_interval`, so a count that changed
        inside an interval reaches the tally masters even if no further beat comes.
        """
        now = self.clock()
        due: list[tuple[Actor, int, datetime]] = []
        with self._connections_lock:
            for user_id, (actor, count, arrived) in list(self._pending_beats.items()):
                last = self._last_beats.get(user_id)
                if last is None or now - last[0] >= self.beat_interval:
                    del self._pending_beats[user_id]
                    self._last_beats[user_id] = (now, count)
                    due.append((actor, count, arrived))
        effects: list[Broadcast] = []
        for actor, count, arrived in due:
            effects.extend(self._store_beat(actor, count, now, arrived)[1])
        return effects

    def _store_beat(
        self, actor: Actor, count: int, now: datetime, as_of: datetime
    ) -> tuple[int, list[Broadcast]]:
        """Persist a beat (``as_of``: when its count arrived) and its broadcast."""
        with self.db.transaction() as conn:
            seq = self.db.next_seq(conn)
            conn.execute(
                "INSERT INTO presence (user_id, last_seen, pending_count, pending_as_of, seq) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET "
                "last_seen = excluded.last_seen, pending_count = excluded.pending_count, "
                "pending_as_of = excluded.pending_as_of, seq = excluded.seq",
                (actor.user_id, r.to_iso(now), count, r.to_iso(as_of), seq),
            )
            effects: list[Broadcast] = []
            if actor.role is Role.JUDGE:
                effects.append(self._presence_broadcast(conn, actor.user_id))
        return seq, effects

    def set_online(self, actor: Actor, online: bool) -> list[Broadcast]:
        """Count the actor's live connections; call on every connect and disconnect.

        When a judge goes from 0 to 1 connections (or back to 0) the ``presence:updated``
        broadcasts to deliver are returned; otherwise an empty list.
        """
        before, after = self.online.change(actor.user_id, 1 if online else -1)
        if (before > 0) == (after > 0):
            return []
        return self._store_online_change(actor.user_id, actor.role)

    def went_offline(self, user_id: int) -> list[Broadcast]:
        """The user's last sockets were on a cluster node that died: store the change
        and return the ``presence:updated`` broadcasts (none if they are back online)."""
        if self.is_online(user_id):
            return []
        with self.db.reading() as conn:
            row = conn.execute("SELECT role FROM users WHERE id = ?", (user_id,)).fetchone()
        if row is None:
            return []
        return self._store_online_change(user_id, Role(row["role"]))

    def _store_online_change(self, user_id: int, role: Role) -> list[Broadcast]:
        with self.db.transaction() as conn:
            seq = self.db.next_seq(conn)
            conn.execute(
                "INSERT INTO presence (user_id, last_seen, pending_count, seq) "
                "VALUES (?, ?, 0, ?) ON CONFLICT (user_id) DO UPDATE SET "
                "last_seen = excluded.last_seen, seq = excluded.seq",
                (user_id, r.to_iso(self.clock()), seq),
            )
            if role is not Role.JUDGE:
                return []
            return [self._presence_broadcast(conn, user_id)]

    def is_online(self, user_id: int) -> bool:
        """True while the user has a live connection (as told through :meth:`set_online`)."""
        return self.online.count(user_id) > 0

    # --- helpers --------------------------------------------------------------------

    def _presence(self, row: Row) -> Presence:
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

    def _presence_broadcast(self, conn: Connection, judge_id: int) -> Broadcast:
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

    def _presence_list(self, conn: Connection, actor: Actor) -> list[Presence]:
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
