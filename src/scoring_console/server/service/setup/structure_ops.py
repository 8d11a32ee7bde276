"""Events, contests and categories inside one :class:`~.unit.SetupWrite`.

Matched by id when given, else by name (within the event / contest); only what differs
is written. Renaming or adding anything in a locked contest is refused.
"""

from __future__ import annotations

from ...db import Connection, Row, inserted_id
from ..types import Conflict, Invalid, NotFound
from .unit import SetupWrite


def one_row(conn: Connection, sql: str, *args: object) -> Row | None:
    """The first row of a query, or ``None``."""
    row: Row | None = conn.execute(sql, args).fetchone()
    return row


def save_event(w: SetupWrite, event_id: int | None, name: str, date: str | None) -> int:
    """Create or rename / re-date an event; its id."""
    conn = w.conn
    row = (
        one_row(conn, "SELECT * FROM events WHERE id = ?", event_id)
        if event_id is not None
        else one_row(conn, "SELECT * FROM events WHERE name = ?", name)
    )
    if event_id is not None and row is None:
        raise NotFound(f"event {event_id} not found", {"eventId": event_id})
    _require_free(conn, "events", "name = ?", (name,), row, f"an event named {name!r} exists")
    if row is None:
        cursor = conn.execute(
            "INSERT INTO events (name, date) VALUES (?, ?) RETURNING id", (name, date)
        )
        new_id = inserted_id(cursor)
        w.changed(f"event {name!r} created", action="event.create", subject=name)
        return new_id
    if row["name"] != name or (date is not None and row["date"] != date):
        new_date = row["date"] if date is None else date
        conn.execute(
            "UPDATE events SET name = ?, date = ? WHERE id = ?", (name, new_date, row["id"])
        )
        w.changed(
            f"event {row['name']!r} → {name!r} ({new_date or 'no date'})",
            action="event.update",
            subject=name,
        )
    return int(row["id"])


def save_contest(w: SetupWrite, contest_id: int | None, event_id: int, name: str) -> int:
    """Create or rename a contest of an event; its id."""
    conn = w.conn
    event = one_row(conn, "SELECT name FROM events WHERE id = ?", event_id)
    if event is None:
        raise NotFound(f"event {event_id} not found", {"eventId": event_id})
    row = (
        one_row(conn, "SELECT * FROM contests WHERE id = ?", contest_id)
        if contest_id is not None
        else one_row(conn, "SELECT * FROM contests WHERE event_id = ? AND name = ?", event_id, name)
    )
    if contest_id is not None and row is None:
        raise NotFound(f"contest {contest_id} not found", {"contestId": contest_id})
    if row is not None and row["event_id"] != event_id:
        raise Invalid(f"{row['name']} belongs to another event; it cannot move")
    where = ("event_id = ? AND name = ?", (event_id, name))
    _require_free(conn, "contests", *where, row, f"{event['name']} already has a contest {name!r}")
    if row is None:
        cursor = conn.execute(
            "INSERT INTO contests (event_id, name, seq) VALUES (?, ?, ?) RETURNING id",
            (event_id, name, w.seq),
        )
        new_id = inserted_id(cursor)
        w.changed(f"contest {name!r} created", action="contest.create", subject=name)
        return new_id
    if row["name"] != name:
        w.require_unlocked_contest(row["id"])
        conn.execute("UPDATE contests SET name = ?, seq = ? WHERE id = ?", (name, w.seq, row["id"]))
        w.changed(
            f"contest {row['name']!r} renamed {name!r}", action="contest.rename", subject=name
        )
    return int(row["id"])


def save_category(w: SetupWrite, category_id: int | None, contest_id: int, name: str) -> int:
    """Create or rename a category of a contest (criteria: :func:`set_criteria`); its id."""
    conn = w.conn
    contest = one_row(conn, "SELECT name FROM contests WHERE id = ?", contest_id)
    if contest is None:
        raise NotFound(f"contest {contest_id} not found", {"contestId": contest_id})
    row = (
        one_row(conn, "SELECT * FROM categories WHERE id = ?", category_id)
        if category_id is not None
        else one_row(
            conn, "SELECT * FROM categories WHERE contest_id = ? AND name = ?", contest_id, name
        )
    )
    if category_id is not None and row is None:
        raise NotFound(f"category {category_id} not found", {"categoryId": category_id})
    if row is not None and row["contest_id"] != contest_id:
        raise Invalid(f"{row['name']} belongs to another contest; it cannot move")
    where = ("contest_id = ? AND name = ?", (contest_id, name))
    _require_free(
        conn, "categories", *where, row, f"{contest['name']} already has a category {name!r}"
    )
    if row is None:
        w.require_unlocked_contest(contest_id)
        cursor = conn.execute(
            "INSERT INTO categories (contest_id, name, seq) VALUES (?, ?, ?) RETURNING id",
            (contest_id, name, w.seq),
        )
        new_id = inserted_id(cursor)
        w.changed(
            f"category {name!r} created in {contest['name']}",
            action="category.create",
            subject=name,
        )
        return new_id
    if row["name"] != name:
        w.require_unlocked_contest(contest_id)
        conn.execute(
            "UPDATE categories SET name = ?, seq = ? WHERE id = ?", (name, w.seq, row["id"])
        )
        w.changed(
            f"category {row['name']!r} renamed {name!r}", action="category.rename", subject=name
        )
    return int(row["id"])


def _require_free(
    conn: Connection,
    table: str,
    where: str,
    args: tuple[object, ...],
    row: Row | None,
    message: str,
) -> None:
    other = one_row(conn, f"SELECT id FROM {table} WHERE {where}", *args)
    if other is not None and (row is None or other["id"] != row["id"]):
        raise Conflict(message)


def contest_of(conn: Connection, category_id: int) -> int:
    row = one_row(conn, "SELECT contest_id FROM categories WHERE id = ?", category_id)
    if row is None:
        raise NotFound(f"category {category_id} not found", {"categoryId": category_id})
    return int(row["contest_id"])
