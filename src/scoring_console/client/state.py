"""The console's in-memory picture of the competition, fed by snapshots and events.

:class:`StateStore` holds plain dicts of protocol models keyed by id (read them, do not
mutate them) and tells listeners what changed through ``on_change``. Applying is
idempotent: an entity is replaced only by a newer one (by ``version`` where the entity
has one, else by ``seq``), so replays, duplicated events and late acks are harmless.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, TypeVar

from pydantic import BaseModel

from scoring_console.protocol import ServerEvent
from scoring_console.protocol.entities import (
    Announcement,
    Assignment,
    Category,
    Certification,
    Contest,
    Contestant,
    Deduction,
    Event,
    Notification,
    Presence,
    RankedTotal,
    RefusedWrite,
    RemovalRequest,
    RequestStatus,
    Score,
    ScoreDeleted,
    Snapshot,
    UserInfo,
)
from scoring_console.protocol.payloads import (
    AssignmentRevoked,
    ContestLocked,
    ResultsPublished,
    ScoresData,
)
from scoring_console.protocol.ranking import rank_totals
from scoring_console.protocol.roles import Role

from .observable import Observable

log = logging.getLogger(__name__)

M = TypeVar("M", bound=BaseModel)
Cell = tuple[int, int, int, int]  # category, contestant, criterion, judge


class ChangeKind(StrEnum):
    """What a :class:`StateChange` is about."""

    SNAPSHOT = "snapshot"
    SCORE = "score"
    SCORE_DELETED = "score_deleted"
    CERTIFICATION = "certification"
    DEDUCTION = "deduction"
    REMOVAL = "removal"
    NOTIFICATION = "notification"
    ANNOUNCEMENT = "announcement"
    PRESENCE = "presence"
    CONTEST = "contest"
    CATEGORY = "category"
    ASSIGNMENT = "assignment"
    RESULTS = "results"
    REFUSED = "refused"
    """A refused write was recorded (key: its id; value: the :class:`RefusedWrite`)."""


@dataclass(frozen=True)
class StateChange:
    """One change: its kind, the dict key it touched, and the new value.

    ``value`` is ``None`` when the entry was removed (a deleted score, a revoked
    assignment). For ``SNAPSHOT`` the key is ``None`` and the value the snapshot
    (``None`` after :meth:`StateStore.clear`).
    """

    kind: ChangeKind
    key: int | None
    value: Any


_DECIDED = frozenset({RequestStatus.APPROVED, RequestStatus.REJECTED})


def is_newer(existing: BaseModel | None, incoming: BaseModel) -> bool:
    """True when ``incoming`` should replace ``existing`` (idempotent, never backwards)."""
    if existing is None:
        return True
    if incoming == existing:
        return False
    old_version = getattr(existing, "version", None)
    new_version = getattr(incoming, "version", None)
    if isinstance(old_version, int) and isinstance(new_version, int):
        return new_version > old_version
    old_status = getattr(existing, "status", None)
    if old_status in _DECIDED and getattr(incoming, "status", None) not in _DECIDED:
        return False  # a decided request never reverts to pending
    old_seq = getattr(existing, "seq", 0) or 0
    new_seq = getattr(incoming, "seq", 0) or 0
    return not (old_seq and new_seq and new_seq < old_seq)


class StateStore:
    """Everything this user may see, as dicts of protocol models keyed by id.

    ``certifications`` and ``results`` are keyed by category id, ``presence`` by user
    id. ``seq`` is the highest server sequence number applied.
    """

    def __init__(self) -> None:
        self.on_change: Observable[StateChange] = Observable("state.on_change")
        self._reset()

    def clear(self) -> None:
        """Forget everything (logout); emits ``SNAPSHOT`` with ``value=None``."""
        self._reset()
        self.on_change.emit(StateChange(ChangeKind.SNAPSHOT, None, None))

    def _reset(self) -> None:
        self.user: UserInfo | None = None
        self.seq = 0
        self.server_time: datetime | None = None
        """The ``serverTime`` of the last snapshot applied."""
        self.events: dict[int, Event] = {}
        self.contests: dict[int, Contest] = {}
        self.categories: dict[int, Category] = {}
        self.contestants: dict[int, Contestant] = {}
        self.assignments: dict[int, Assignment] = {}
        self.scores: dict[int, Score] = {}
        self.certifications: dict[int, Certification] = {}
        self.deductions: dict[int, Deduction] = {}
        self.removal_requests: dict[int, RemovalRequest] = {}
        self.notifications: dict[int, Notification] = {}
        self.announcements: dict[int, Announcement] = {}
        self.presence: dict[int, Presence] = {}
        self.results: dict[int, ResultsPublished] = {}
        self.refused_writes: dict[int, RefusedWrite] = {}
        """Refused score writes of the categories this user oversees, by id."""
        self._cells: dict[Cell, int] = {}
        self._by_category: dict[int, set[int]] = {}
        self._deleted: dict[int, int] = {}  # score id -> seq of its deletion
        self._contest_seq: dict[int, int] = {}
        self._snapshot_seq = 0

    # --- snapshots -------------------------------------------------------------------

    def apply_snapshot(self, snapshot: Snapshot) -> None:
        """Replace the state with a full snapshot, keeping changes the snapshot predates.

        An event applied while the ``sync`` call was in flight may be newer than the
        snapshot (its ``seq`` is higher); such entities and deletions are kept.
        """
        after = snapshot.seq
        if after < self._snapshot_seq:
            # the server's sequence went backwards (a reset server): nothing local is late
            after = 2**63
        self._snapshot_seq = snapshot.seq
        late_scores = {k: s for k, s in self.scores.items() if s.seq > after}
        late_deleted = {k: q for k, q in self._deleted.items() if q > after}
        self.user = snapshot.user
        self.server_time = snapshot.server_time
        self.seq = max(snapshot.seq, max((s.seq for s in late_scores.values()), default=0))
        self.events = {x.id: x for x in snapshot.events}
        self.contests = {x.id: x for x in snapshot.contests}
        self.categories = {x.id: x for x in snapshot.categories}
        self.contestants = {x.id: x for x in snapshot.contestants}
        self.assignments = {x.id: x for x in snapshot.assignments}
        self.certifications = _merge(
            {x.category_id: x for x in snapshot.certifications}, self.certifications, after
        )
        self.deductions = _merge({x.id: x for x in snapshot.deductions}, self.deductions, after)
        self.removal_requests = _merge(
            {x.id: x for x in snapshot.removal_requests}, self.removal_requests, after
        )
        self.notifications = {x.id: x for x in snapshot.notifications}
        self.announcements = {x.id: x for x in snapshot.announcements}
        self.presence = {x.user_id: x for x in snapshot.presence}
        self.refused_writes = _merge(
            {x.id: x for x in snapshot.refused_writes}, self.refused_writes, after
        )
        self.results = {k: v for k, v in self.results.items() if k in self.categories}
        self._contest_seq = {}
        self._deleted = late_deleted
        self.scores = {}
        self._cells = {}
        self._by_category = {}
        for score in snapshot.scores:
            if score.id not in late_deleted:
                self._put_score(score)
        for score in late_scores.values():
            if is_newer(self.scores.get(score.id), score):
                self._put_score(score)
        self.on_change.emit(StateChange(ChangeKind.SNAPSHOT, None, snapshot))

    def to_snapshot(self, now: datetime) -> Snapshot | None:
        """The current state as a snapshot (what the cache keeps); ``None`` without a user.

        ``now`` stands in for ``serverTime`` when no snapshot was ever applied.
        """
        if self.user is None:
            return None
        return Snapshot(
            seq=self.seq,
            server_time=self.server_time or now,
            user=self.user,
            events=list(self.events.values()),
            contests=list(self.contests.values()),
            categories=list(self.categories.values()),
            contestants=list(self.contestants.values()),
            assignments=list(self.assignments.values()),
            scores=list(self.scores.values()),
            certifications=list(self.certifications.values()),
            deductions=list(self.deductions.values()),
            removal_requests=list(self.removal_requests.values()),
            notifications=list(self.notifications.values()),
            announcements=list(self.announcements.values()),
            presence=list(self.presence.values()),
            refused_writes=list(self.refused_writes.values()),
        )

    # --- events ----------------------------------------------------------------------

    def apply(self, event: ServerEvent, payload: BaseModel) -> bool:
        """Apply one server event (or an ack's entity under its event's name).

        Returns True when the state changed; a duplicate or an older version is a
        no-op. ``payload`` must be the catalog's model for ``event``.
        """
        seq = getattr(payload, "seq", 0) or 0
        changed = self._dispatch(event, payload)
        if seq > self.seq:
            self.seq = seq
        return changed

    def _dispatch(self, event: ServerEvent, payload: BaseModel) -> bool:
        E = ServerEvent
        if event is E.SCORES_UPDATED and isinstance(payload, Score):
            return self._apply_score(payload)
        if event is E.SCORES_DATA and isinstance(payload, ScoresData):
            return any([self._apply_score(s) for s in payload.scores])
        if event is E.SCORES_DELETED and isinstance(payload, ScoreDeleted):
            return self._delete_score(payload)
        if event is E.CERTIFICATION_UPDATED and isinstance(payload, Certification):
            return self._upsert(
                self.certifications, payload.category_id, payload, ChangeKind.CERTIFICATION
            )
        if event in (E.DEDUCTION_PENDING, E.DEDUCTION_DECIDED) and isinstance(payload, Deduction):
            return self._upsert(self.deductions, payload.id, payload, ChangeKind.DEDUCTION)
        if event in (E.SCORE_REMOVAL_PENDING, E.SCORE_REMOVAL_DECIDED) and isinstance(
            payload, RemovalRequest
        ):
            return self._upsert(self.removal_requests, payload.id, payload, ChangeKind.REMOVAL)
        if event is E.NOTIFICATION and isinstance(payload, Notification):
            return self._upsert(self.notifications, payload.id, payload, ChangeKind.NOTIFICATION)
        if event is E.SYSTEM_ANNOUNCEMENT and isinstance(payload, Announcement):
            return self._upsert(self.announcements, payload.id, payload, ChangeKind.ANNOUNCEMENT)
        if event is E.PRESENCE_UPDATED and isinstance(payload, Presence):
            return self._upsert(self.presence, payload.user_id, payload, ChangeKind.PRESENCE)
        if event is E.SCORES_REFUSED and isinstance(payload, RefusedWrite):
            return self._upsert(self.refused_writes, payload.id, payload, ChangeKind.REFUSED)
        if event is E.ASSIGNMENT_NEW and isinstance(payload, Assignment):
            return self._upsert(self.assignments, payload.id, payload, ChangeKind.ASSIGNMENT)
        if event is E.ASSIGNMENT_REVOKED and isinstance(payload, AssignmentRevoked):
            return self._revoke(payload)
        if event is E.CONTEST_LOCKED and isinstance(payload, ContestLocked):
            return self._lock(payload)
        if event is E.RESULTS_PUBLISHED and isinstance(payload, ResultsPublished):
            return self._publish(payload)
        if event is E.ERROR:
            return False
        log.warning("state: %s with unexpected payload %s ignored", event, type(payload).__name__)
        return False

    def apply_contest(self, contest: Contest) -> bool:
        """Apply a contest as returned by ``contest:lock`` (contests carry no version)."""
        if self.contests.get(contest.id) == contest:
            return False
        self.contests[contest.id] = contest
        self.on_change.emit(StateChange(ChangeKind.CONTEST, contest.id, contest))
        return True

    def mark_read(self, ids: list[int]) -> int:
        """Mark notifications read locally (after the server acknowledged it)."""
        count = 0
        for note_id in ids:
            note = self.notifications.get(note_id)
            if note is not None and not note.read:
                updated = note.model_copy(update={"read": True})
                self.notifications[note_id] = updated
                self.on_change.emit(StateChange(ChangeKind.NOTIFICATION, note_id, updated))
                count += 1
        return count

    # --- helpers ---------------------------------------------------------------------

    def score_for(
        self, category_id: int, contestant_id: int, criterion_id: int, judge_id: int
    ) -> Score | None:
        """The score of one sheet cell of one judge, if known."""
        score_id = self._cells.get((category_id, contestant_id, criterion_id, judge_id))
        return None if score_id is None else self.scores.get(score_id)

    def scores_in(self, category_id: int) -> list[Score]:
        """Every known score of a category, ordered by id."""
        ids = sorted(self._by_category.get(category_id, ()))
        return [self.scores[i] for i in ids]

    def judges_of(self, category_id: int) -> list[int]:
        """User ids of the category's judges: assigned ones and any who scored in it."""
        judges = {
            a.user_id
            for a in self.assignments.values()
            if a.category_id == category_id and a.role is Role.JUDGE
        }
        judges.update(s.judge_id for s in self.scores_in(category_id))
        cert = self.certifications.get(category_id)
        if cert is not None:
            judges.update(cert.required_judge_ids)
        return sorted(judges)

    def user_name(self, user_id: int) -> str | None:
        """A user's display name from presence, an assignment or the own user, if known."""
        presence = self.presence.get(user_id)
        if presence is not None:
            return presence.name
        if self.user is not None and self.user.id == user_id:
            return self.user.name
        for assignment in self.assignments.values():
            if assignment.user_id == user_id and assignment.user_name:
                return assignment.user_name
        return None

    def contestants_in(self, category_id: int) -> list[Contestant]:
        """The category's contestants in sheet order (by number); unknown ids skipped."""
        category = self.categories.get(category_id)
        if category is None:
            return []
        found = [self.contestants[i] for i in category.contestant_ids if i in self.contestants]
        return sorted(found, key=lambda c: (c.number, c.id))

    def totals(self, category_id: int) -> list[RankedTotal]:
        """Ranked totals from the visible (unmasked) scores and approved deductions.

        As on the server, only the panel's scores count: those of the category's
        assigned judges (a judge taken off the panel keeps their scores on record).
        """
        category = self.categories.get(category_id)
        panel = {
            a.user_id
            for a in self.assignments.values()
            if a.category_id == category_id and a.role is Role.JUDGE
        }
        scores = [s for s in self.scores_in(category_id) if s.judge_id in panel]
        if category is not None:
            contestant_ids = list(category.contestant_ids)
        else:
            contestant_ids = sorted({s.contestant_id for s in scores})
        values = [(s.contestant_id, s.score) for s in scores if s.score is not None]
        approved = [
            (d.contestant_id, d.amount)
            for d in self.deductions.values()
            if d.category_id == category_id and d.status is RequestStatus.APPROVED
        ]
        return rank_totals(contestant_ids, values, approved)

    def refused_in(self, category_id: int, judge_id: int | None = None) -> list[RefusedWrite]:
        """Refused writes of a category (of one judge when ``judge_id`` is given), oldest
        first."""
        return sorted(
            (
                w
                for w in self.refused_writes.values()
                if w.category_id == category_id and (judge_id is None or w.judge_id == judge_id)
            ),
            key=lambda w: w.id,
        )

    def unread_count(self) -> int:
        """How many notifications are unread."""
        return sum(1 for n in self.notifications.values() if not n.read)

    # --- internals -------------------------------------------------------------------

    def _upsert(self, table: dict[int, M], key: int, value: M, kind: ChangeKind) -> bool:
        if not is_newer(table.get(key), value):
            return False
        table[key] = value
        self.on_change.emit(StateChange(kind, key, value))
        return True

    def _put_score(self, score: Score) -> None:
        old = self.scores.get(score.id)
        if old is not None:
            self._unindex(old)
        cell = (score.category_id, score.contestant_id, score.criterion_id, score.judge_id)
        other = self._cells.get(cell)
        if other is not None and other != score.id:
            # a cell holds one score; a new id replaces a stale one whose delete we missed
            stale = self.scores.pop(other, None)
            if stale is not None:
                self._unindex(stale)
        self.scores[score.id] = score
        self._cells[cell] = score.id
        self._by_category.setdefault(score.category_id, set()).add(score.id)

    def _unindex(self, score: Score) -> None:
        cell = (score.category_id, score.contestant_id, score.criterion_id, score.judge_id)
        if self._cells.get(cell) == score.id:
            del self._cells[cell]
        ids = self._by_category.get(score.category_id)
        if ids is not None:
            ids.discard(score.id)

    def _apply_score(self, score: Score) -> bool:
        if score.id in self._deleted:
            return False
        if not is_newer(self.scores.get(score.id), score):
            return False
        self._put_score(score)
        self.on_change.emit(StateChange(ChangeKind.SCORE, score.id, score))
        return True

    def _delete_score(self, deleted: ScoreDeleted) -> bool:
        self._deleted[deleted.id] = max(deleted.seq, self._deleted.get(deleted.id, 0))
        old = self.scores.pop(deleted.id, None)
        if old is None:
            return False
        self._unindex(old)
        self.on_change.emit(StateChange(ChangeKind.SCORE_DELETED, deleted.id, None))
        return True

    def _revoke(self, revoked: AssignmentRevoked) -> bool:
        gone = [
            key
            for key, a in self.assignments.items()
            if a.user_id == revoked.user_id and a.category_id == revoked.category_id
        ]
        for key in gone:
            del self.assignments[key]
            self.on_change.emit(StateChange(ChangeKind.ASSIGNMENT, key, None))
        return bool(gone)

    def _lock(self, locked: ContestLocked) -> bool:
        if locked.seq and locked.seq < self._contest_seq.get(locked.contest_id, 0):
            return False
        self._contest_seq[locked.contest_id] = locked.seq
        contest = self.contests.get(locked.contest_id)
        if contest is None or contest.locked == locked.locked:
            return False
        updated = contest.model_copy(update={"locked": locked.locked})
        self.contests[contest.id] = updated
        self.on_change.emit(StateChange(ChangeKind.CONTEST, contest.id, updated))
        return True

    def _publish(self, published: ResultsPublished) -> bool:
        if self.results.get(published.category_id) == published:
            return False
        self.results[published.category_id] = published
        category = self.categories.get(published.category_id)
        if category is not None and not category.published:
            updated = category.model_copy(update={"published": True})
            self.categories[category.id] = updated
            self.on_change.emit(StateChange(ChangeKind.CATEGORY, category.id, updated))
        self.on_change.emit(StateChange(ChangeKind.RESULTS, published.category_id, published))
        return True


def _merge(fresh: dict[int, M], current: dict[int, M], after: int) -> dict[int, M]:
    """Snapshot entries, plus current ones changed after the snapshot and newer."""
    for key, value in current.items():
        if (getattr(value, "seq", 0) or 0) > after and is_newer(fresh.get(key), value):
            fresh[key] = value
    return fresh
