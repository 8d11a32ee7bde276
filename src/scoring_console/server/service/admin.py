"""Venue-wide actions: locking contests, publishing results, announcements, read marks."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from scoring_console.protocol.audit import AuditAction, AuditEntity
from scoring_console.protocol.entities import (
    Announcement,
    CertificationStatus,
    Contest,
)
from scoring_console.protocol.events import ServerEvent
from scoring_console.protocol.payloads import (
    AnnouncementCreate,
    ContestLock,
    ContestLocked,
    NotificationRead,
    NotificationReadResult,
    ResultsPublish,
    ResultsPublished,
    TotalsData,
)
from scoring_console.protocol.roles import Role

from ..db import Connection, Database, Row, inserted_id
from ..db import rows as r
from . import certstate, notices, rooms
from .base import ServiceBase, utc_now
from .scores import ScoresArea
from .types import (
    Actor,
    Broadcast,
    Effect,
    Forbidden,
    Locked,
    NotFound,
    Outcome,
    PreconditionFailed,
)

_LOCK_ROLES = frozenset({Role.BOARD, Role.ORGANIZER, Role.ADMIN})
_PUBLISH_ROLES = _LOCK_ROLES
_ANNOUNCE_ROLES = frozenset({Role.ORGANIZER, Role.ADMIN})


class AdminArea(ServiceBase):
    """Contest locks, results, announcements and notification read marks."""

    def __init__(
        self,
        db: Database,
        scores: ScoresArea,
        *,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        super().__init__(db, clock=clock)
        self.scores = scores
        """The scores area: results are published with its totals."""

    def lock_contest(self, actor: Actor, payload: ContestLock) -> Outcome[Contest]:
        """``contest:lock`` (board, organizer, admin): lock or unlock a contest.

        While locked, every score, deduction and removal in it is refused with
        ``Locked``; certification goes on (signing edits nothing). Effect:
        ``contest:locked`` to ``contest:{id}`` and the venue-wide role rooms; when the
        lock state changes, a notification to each judge of the contest. Unlocking a
        contest with published results is refused (``Locked``): they are public.
        """
        if actor.role not in _LOCK_ROLES:
            raise Forbidden(f"{actor.role.value} cannot lock contests")
        with self.db.transaction() as conn:
            before = conn.execute(
                "SELECT * FROM contests WHERE id = ?", (payload.contest_id,)
            ).fetchone()
            if before is None:
                raise NotFound(
                    f"contest {payload.contest_id} not found", {"contestId": payload.contest_id}
                )
            if not payload.locked:
                self._refuse_unlock_if_published(conn, before)
            seq = self.db.next_seq(conn)
            conn.execute(
                "UPDATE contests SET locked = ?, seq = ? WHERE id = ?",
                (1 if payload.locked else 0, seq, payload.contest_id),
            )
            row = conn.execute(
                "SELECT * FROM contests WHERE id = ?", (payload.contest_id,)
            ).fetchone()
            self._audit(
                conn,
                actor,
                AuditAction.CONTEST_LOCKED if payload.locked else AuditAction.CONTEST_UNLOCKED,
                AuditEntity.CONTEST,
                payload.contest_id,
                f"contest {row['name']}",
                old={"locked": bool(before["locked"])},
                new={"locked": bool(row["locked"])},
                contest_id=payload.contest_id,
            )
            contest = r.contest(row)
            effects: list[Effect] = []
            if bool(before["locked"]) != contest.locked:
                effects.extend(self._tell_contest_judges(conn, contest))
        event = ContestLocked(contest_id=contest.id, locked=contest.locked, seq=seq)
        targets = (rooms.contest(contest.id), *rooms.VENUE_ROLE_ROOMS)
        return Outcome(contest, [Broadcast(ServerEvent.CONTEST_LOCKED, event, targets), *effects])

    def _refuse_unlock_if_published(self, conn: Connection, contest: Row) -> None:
        """Published results are public: unlocking their contest would let scores change
        under results people already read. Reopening is a separate, deliberate flow."""
        published = [
            row["name"]
            for row in conn.execute(
                "SELECT name FROM categories WHERE contest_id = ? AND published = 1 ORDER BY id",
                (contest["id"],),
            )
        ]
        if published:
            names = ", ".join(published)
            raise Locked(
                f"The results of {names} ({contest['name']}) are already public; "
                f"{contest['name']} cannot be unlocked.",
                {"contestId": contest["id"], "published": published},
            )

    def _tell_contest_judges(self, conn: Connection, contest: Contest) -> list[Broadcast]:
        """One notification per judge of the contest, naming their categories in it."""
        rows = conn.execute(
            "SELECT a.user_id, c.id, c.name FROM assignments a "
            "JOIN categories c ON c.id = a.category_id JOIN users u ON u.id = a.user_id "
            "WHERE c.contest_id = ? AND a.role = ? AND u.active = 1 ORDER BY a.user_id, c.id",
            (contest.id, Role.JUDGE.value),
        ).fetchall()
        per_judge: dict[int, list[tuple[int, str]]] = {}
        for row in rows:
            per_judge.setdefault(row[0], []).append((row[1], row[2]))
        effects = []
        for judge_id, categories in per_judge.items():
            notice = notices.contest_locked(
                [name for _, name in categories], contest.name, contest.locked
            )
            category_id = categories[0][0] if len(categories) == 1 else None
            effects.append(self._tell(conn, judge_id, notice, category_id=category_id))
        return effects

    def publish_results(self, actor: Actor, payload: ResultsPublish) -> Outcome[TotalsData]:
        """``results:publish`` (board, organizer, admin): publish a CERTIFIED category.

        ``NotFound`` for an unknown category, ``PreconditionFailed`` unless certified.
        Publishing again re-sends the current totals. Effect: ``results:published``
        to everyone who sees the category.
        """
        if actor.role not in _PUBLISH_ROLES:
            raise Forbidden(f"{actor.role.value} cannot publish results")
        now = self.clock()
        with self.db.transaction() as conn:
            info = self._category(conn, payload.category_id)
            status = certstate.certification(conn, info.id).status
            if status is not CertificationStatus.CERTIFIED:
                raise PreconditionFailed(
                    f"{info.label} is not certified yet ({status.value})",
                    {"categoryId": info.id, "status": status.value},
                )
            seq = self.db.next_seq(conn)
            conn.execute(
                "UPDATE categories SET published = 1, published_at = ?, seq = ? WHERE id = ?",
                (r.to_iso(now), seq, info.id),
            )
            data = self.scores._totals(conn, info.id)
            self._audit(
                conn,
                actor,
                AuditAction.RESULTS_PUBLISHED,
                AuditEntity.CATEGORY,
                info.id,
                f"results of {info.name}",
                old={"published": info.published},
                new={
                    "published": True,
                    "publishedAt": r.to_iso(now),
                    "totals": [t.model_dump(mode="json", by_alias=True) for t in data.totals],
                },
                category_id=info.id,
                contest_id=info.contest_id,
            )
            told: list[Effect] = []
            if not info.published:  # publishing again re-sends totals, not notifications
                notice = notices.results_published(info.label)
                told = [
                    self._tell(conn, judge_id, notice, category_id=info.id)
                    for judge_id in certstate.signers(conn, info.id, Role.JUDGE)
                ]
        event = ResultsPublished(category_id=info.id, totals=data.totals, published_at=now, seq=seq)
        effect = Broadcast(ServerEvent.RESULTS_PUBLISHED, event, rooms.category_viewers(info.id))
        return Outcome(data, [effect, *told])

    def announce(self, actor: Actor, payload: AnnouncementCreate) -> Outcome[Announcement]:
        """``system:announcement`` (organizer, admin): persisted, then sent to ``all`` — or,
        with ``contestId``, to ``contest:{id}`` and the venue-wide role rooms."""
        if actor.role not in _ANNOUNCE_ROLES:
            raise Forbidden(f"{actor.role.value} cannot send announcements")
        targets: tuple[str, ...] = (rooms.ALL,)
        with self.db.transaction() as conn:
            if payload.contest_id is not None:
                if not conn.execute(
                    "SELECT 1 FROM contests WHERE id = ?", (payload.contest_id,)
                ).fetchone():
                    raise NotFound(
                        f"contest {payload.contest_id} not found",
                        {"contestId": payload.contest_id},
                    )
                targets = (rooms.contest(payload.contest_id), *rooms.VENUE_ROLE_ROOMS)
            seq = self.db.next_seq(conn)
            cursor = conn.execute(
                "INSERT INTO announcements (message, type, timestamp, author_id, seq, "
                "contest_id) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                (
                    payload.message,
                    payload.type.value,
                    r.to_iso(self.clock()),
                    actor.user_id,
                    seq,
                    payload.contest_id,
                ),
            )
            row = conn.execute(
                "SELECT * FROM announcements WHERE id = ?", (inserted_id(cursor),)
            ).fetchone()
            announcement = r.announcement(row)
            self._audit(
                conn,
                actor,
                AuditAction.ANNOUNCEMENT_SENT,
                AuditEntity.ANNOUNCEMENT,
                announcement.id,
                f"announcement: {payload.message[:60]}",
                new={"message": payload.message, "type": payload.type.value}
                | ({} if payload.contest_id is None else {"contestId": payload.contest_id}),
            )
        effect = Broadcast(ServerEvent.SYSTEM_ANNOUNCEMENT, announcement, targets)
        return Outcome(announcement, [effect])

    def mark_notifications_read(
        self, actor: Actor, payload: NotificationRead
    ) -> Outcome[NotificationReadResult]:
        """``notification:read``: mark the caller's own notifications read.

        Ids of other users' notifications (or unknown ids) are ignored; the result
        counts the notifications that changed.
        """
        ids = sorted(set(payload.ids))
        where = f"user_id = ? AND read = 0 AND id IN ({','.join('?' * len(ids))})"
        with self.db.transaction() as conn:
            unread = conn.execute(
                f"SELECT COUNT(*) FROM notifications WHERE {where}", (actor.user_id, *ids)
            ).fetchone()[0]
            if not unread:
                return Outcome(NotificationReadResult(updated=0), [])
            seq = self.db.next_seq(conn)
            cursor = conn.execute(
                f"UPDATE notifications SET read = 1, seq = ? WHERE {where}",
                (seq, actor.user_id, *ids),
            )
            updated = cursor.rowcount
        return Outcome(NotificationReadResult(updated=updated), [])
