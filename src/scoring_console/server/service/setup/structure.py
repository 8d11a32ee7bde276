"""Events, contests, categories (with criteria), contestants and category membership."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scoring_console.protocol.setup import (
    CategoryContestants,
    CategorySave,
    ContestantSave,
    ContestSave,
    EventSave,
    SetupDelete,
    SetupKind,
    SetupSaved,
)

from ...db import Connection, IntegrityError, Row
from ..types import Actor, Conflict, NotFound, Outcome
from . import ops
from .unit import SetupWrite, category_label, setup_write

if TYPE_CHECKING:
    from ..service import ScoringService


class StructureArea:
    """``event:save``, ``contest:save``, ``category:save``, ``contestant:save``,
    ``category:contestants`` and ``setup:delete`` (organizers and admins)."""

    def __init__(self, service: ScoringService) -> None:
        self.service = service

    def save_event(self, actor: Actor, payload: EventSave) -> Outcome[SetupSaved]:
        """Create an event or rename / re-date it."""
        with setup_write(self.service, actor) as w:
            event_id = ops.save_event(w, payload.id, payload.name, payload.date)
            return _saved(w, event_id)

    def save_contest(self, actor: Actor, payload: ContestSave) -> Outcome[SetupSaved]:
        """Create a contest in an event or rename it (refused while it is locked)."""
        with setup_write(self.service, actor) as w:
            contest_id = ops.save_contest(w, payload.id, payload.event_id, payload.name)
            return _saved(w, contest_id)

    def save_category(self, actor: Actor, payload: CategorySave) -> Outcome[SetupSaved]:
        """Create or change a category with its whole ordered list of criteria."""
        with setup_write(self.service, actor) as w:
            category_id = ops.save_category(w, payload.id, payload.contest_id, payload.name)
            specs = [
                ops.CriterionSpec(c.name, c.max_score, c.id, c.weight) for c in payload.criteria
            ]
            ops.set_criteria(w, category_id, specs)
            if payload.scoring is not None:
                ops.set_scoring(w, category_id, payload.scoring)
            return _saved(w, category_id)

    def save_contestant(self, actor: Actor, payload: ContestantSave) -> Outcome[SetupSaved]:
        """Create a contestant or change their bib number / name."""
        with setup_write(self.service, actor) as w:
            contestant_id = ops.save_contestant(w, payload.id, payload.number, payload.name)
            return _saved(w, contestant_id)

    def set_contestants(self, actor: Actor, payload: CategoryContestants) -> Outcome[SetupSaved]:
        """Set who competes in a category (removing one with scores is refused)."""
        with setup_write(self.service, actor) as w:
            self.service.shared._category(w.conn, payload.category_id)
            ops.set_contestants(w, payload.category_id, payload.contestant_ids)
            return _saved(w, payload.category_id)

    def delete(self, actor: Actor, payload: SetupDelete) -> Outcome[SetupSaved]:
        """Remove an empty event / contest, a category without scores or signatures, or
        a contestant who has no scores."""
        with setup_write(self.service, actor) as w:
            try:
                _DELETERS[payload.kind](w, payload.id)
            except IntegrityError as exc:
                # a record this code does not know about still refers to it: keep it
                raise Conflict(
                    f"this {payload.kind.value} is still referred to by other records; "
                    "it cannot be removed",
                    {"kind": payload.kind.value, "id": payload.id},
                ) from exc
            return _saved(w, payload.id)


def _saved(w: SetupWrite, entity_id: int) -> Outcome[SetupSaved]:
    return Outcome(SetupSaved(id=entity_id, changes=list(w.changes)), w.effects())


def _row(conn: Connection, table: str, entity_id: int) -> Row:
    row: Row | None = conn.execute(f"SELECT * FROM {table} WHERE id = ?", (entity_id,)).fetchone()
    if row is None:
        raise NotFound(f"{table[:-1]} {entity_id} not found", {"id": entity_id})
    return row


def _delete_event(w: SetupWrite, event_id: int) -> None:
    row = _row(w.conn, "events", event_id)
    if w.conn.execute("SELECT 1 FROM contests WHERE event_id = ?", (event_id,)).fetchone():
        raise Conflict(f"event {row['name']!r} still has contests; remove them first")
    w.conn.execute("DELETE FROM events WHERE id = ?", (event_id,))
    w.changed(f"event {row['name']!r} removed", action="event.delete", subject=row["name"])


def _delete_contest(w: SetupWrite, contest_id: int) -> None:
    row = _row(w.conn, "contests", contest_id)
    w.require_unlocked_contest(contest_id)
    if w.conn.execute("SELECT 1 FROM categories WHERE contest_id = ?", (contest_id,)).fetchone():
        raise Conflict(f"contest {row['name']!r} still has categories; remove them first")
    w.conn.execute("DELETE FROM contests WHERE id = ?", (contest_id,))
    w.changed(f"contest {row['name']!r} removed", action="contest.delete", subject=row["name"])


_CATEGORY_TABLES = (
    "criteria",
    "category_contestants",
    "assignments",
    "certifications",
)


def _delete_category(w: SetupWrite, category_id: int) -> None:
    conn = w.conn
    row = _row(conn, "categories", category_id)
    label = category_label(conn, category_id)
    w.require_unlocked_contest(row["contest_id"])
    for table, what in (
        ("scores", "score(s)"),
        ("signoffs", "signature(s)"),
        ("deductions", "deduction(s)"),
        ("removal_requests", "removal request(s)"),
        ("refused_writes", "refused score write(s) on record"),
    ):
        count = conn.execute(
            f"SELECT COUNT(*) FROM {table} WHERE category_id = ?", (category_id,)
        ).fetchone()[0]
        if count:
            raise Conflict(f"{label} has {count} {what}; it cannot be removed")
    for user in conn.execute(
        "SELECT user_id FROM assignments WHERE category_id = ?", (category_id,)
    ).fetchall():
        w.touch_user(user[0])
    for table in _CATEGORY_TABLES:
        conn.execute(f"DELETE FROM {table} WHERE category_id = ?", (category_id,))
    conn.execute("DELETE FROM categories WHERE id = ?", (category_id,))
    w.changed(f"category {label} removed", action="category.delete", subject=row["name"])


def _delete_contestant(w: SetupWrite, contestant_id: int) -> None:
    conn = w.conn
    row = _row(conn, "contestants", contestant_id)
    person = f"{row['number']} {row['name']}"
    for table, what in (("scores", "score(s)"), ("deductions", "deduction(s)")):
        count = conn.execute(
            f"SELECT COUNT(*) FROM {table} WHERE contestant_id = ?", (contestant_id,)
        ).fetchone()[0]
        if count:
            raise Conflict(f"contestant {person} has {count} {what}; they cannot be removed")
    for (category_id,) in conn.execute(
        "SELECT category_id FROM category_contestants WHERE contestant_id = ?", (contestant_id,)
    ).fetchall():
        w.require_unlocked_contest(ops.contest_of(conn, category_id))
    conn.execute("DELETE FROM category_contestants WHERE contestant_id = ?", (contestant_id,))
    conn.execute("DELETE FROM contestants WHERE id = ?", (contestant_id,))
    w.changed(f"contestant {person} removed", action="contestant.delete", subject=person)


_DELETERS = {
    SetupKind.EVENT: _delete_event,
    SetupKind.CONTEST: _delete_contest,
    SetupKind.CATEGORY: _delete_category,
    SetupKind.CONTESTANT: _delete_contestant,
}
