"""Structure writes inside one :class:`~.unit.SetupWrite`, shared by the single events and
the competition-file import.

Each function changes only what differs (so a repeated import records nothing) and
refuses, naming the things involved, any change that would lose or rewrite scores or
signatures: removing a criterion or contestant that has scores, lowering ``maxScore``
below an entered score, removing a judge who signed, anything in a locked contest.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from decimal import Decimal

from scoring_console.protocol.entities import NotificationType
from scoring_console.protocol.roles import ASSIGNABLE_ROLES, Role
from scoring_console.protocol.scoring import ScoringRules, exact

from ...db import rows as r
from ..types import Conflict, Invalid, Locked, NotFound
from .unit import SetupWrite, category_label


@dataclass(frozen=True)
class CriterionSpec:
    """A criterion as a setup call wants it (``id`` matches an existing one, else the name)."""

    name: str
    max_score: float
    id: int | None = None
    weight: Decimal = Decimal(1)


def _one(conn: sqlite3.Connection, sql: str, *args: object) -> sqlite3.Row | None:
    row: sqlite3.Row | None = conn.execute(sql, args).fetchone()
    return row


def _fmt(value: float) -> str:
    return f"{value:g}"


# --- events and contests ---------------------------------------------------------------


def save_event(w: SetupWrite, event_id: int | None, name: str, date: str | None) -> int:
    """Create or rename / re-date an event; its id."""
    conn = w.conn
    row = (
        _one(conn, "SELECT * FROM events WHERE id = ?", event_id)
        if event_id is not None
        else _one(conn, "SELECT * FROM events WHERE name = ?", name)
    )
    if event_id is not None and row is None:
        raise NotFound(f"event {event_id} not found", {"eventId": event_id})
    _require_free(conn, "events", "name = ?", (name,), row, f"an event named {name!r} exists")
    if row is None:
        cursor = conn.execute("INSERT INTO events (name, date) VALUES (?, ?)", (name, date))
        w.changed(f"event {name!r} created", action="event.create", subject=name)
        return int(cursor.lastrowid or 0)
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
    event = _one(conn, "SELECT name FROM events WHERE id = ?", event_id)
    if event is None:
        raise NotFound(f"event {event_id} not found", {"eventId": event_id})
    row = (
        _one(conn, "SELECT * FROM contests WHERE id = ?", contest_id)
        if contest_id is not None
        else _one(conn, "SELECT * FROM contests WHERE event_id = ? AND name = ?", event_id, name)
    )
    if contest_id is not None and row is None:
        raise NotFound(f"contest {contest_id} not found", {"contestId": contest_id})
    if row is not None and row["event_id"] != event_id:
        raise Invalid(f"{row['name']} belongs to another event; it cannot move")
    where = ("event_id = ? AND name = ?", (event_id, name))
    _require_free(conn, "contests", *where, row, f"{event['name']} already has a contest {name!r}")
    if row is None:
        cursor = conn.execute(
            "INSERT INTO contests (event_id, name, seq) VALUES (?, ?, ?)", (event_id, name, w.seq)
        )
        w.changed(f"contest {name!r} created", action="contest.create", subject=name)
        return int(cursor.lastrowid or 0)
    if row["name"] != name:
        w.require_unlocked_contest(row["id"])
        conn.execute("UPDATE contests SET name = ?, seq = ? WHERE id = ?", (name, w.seq, row["id"]))
        w.changed(
            f"contest {row['name']!r} renamed {name!r}", action="contest.rename", subject=name
        )
    return int(row["id"])


# --- categories and criteria -----------------------------------------------------------


def save_category(w: SetupWrite, category_id: int | None, contest_id: int, name: str) -> int:
    """Create or rename a category of a contest (criteria: :func:`set_criteria`); its id."""
    conn = w.conn
    contest = _one(conn, "SELECT name FROM contests WHERE id = ?", contest_id)
    if contest is None:
        raise NotFound(f"contest {contest_id} not found", {"contestId": contest_id})
    row = (
        _one(conn, "SELECT * FROM categories WHERE id = ?", category_id)
        if category_id is not None
        else _one(
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
            "INSERT INTO categories (contest_id, name, seq) VALUES (?, ?, ?)",
            (contest_id, name, w.seq),
        )
        w.changed(
            f"category {name!r} created in {contest['name']}",
            action="category.create",
            subject=name,
        )
        return int(cursor.lastrowid or 0)
    if row["name"] != name:
        w.require_unlocked_contest(contest_id)
        conn.execute(
            "UPDATE categories SET name = ?, seq = ? WHERE id = ?", (name, w.seq, row["id"])
        )
        w.changed(
            f"category {row['name']!r} renamed {name!r}", action="category.rename", subject=name
        )
    return int(row["id"])


def set_criteria(w: SetupWrite, category_id: int, wanted: list[CriterionSpec]) -> None:
    """Make the category's criteria exactly ``wanted``, in that order."""
    conn = w.conn
    label = category_label(conn, category_id)
    current = {
        row["id"]: row
        for row in conn.execute("SELECT * FROM criteria WHERE category_id = ?", (category_id,))
    }
    by_name = {row["name"]: row for row in current.values()}
    kept: dict[int, CriterionSpec] = {}
    for spec in wanted:
        row = current.get(spec.id) if spec.id is not None else by_name.get(spec.name)
        if spec.id is not None and row is None:
            raise NotFound(f"criterion {spec.id} is not in {label}", {"criterionId": spec.id})
        if row is not None:
            kept[row["id"]] = spec
    removed = [row for cid, row in current.items() if cid not in kept]
    kept_specs = {id(spec) for spec in kept.values()}
    added = [spec for spec in wanted if id(spec) not in kept_specs]
    plan: list[tuple[str, str, str]] = []
    for row in removed:
        count = _score_count(conn, "criterion_id = ?", row["id"])
        if count:
            raise Conflict(
                f"criterion {row['name']!r} in {label} has {count} score(s); it cannot be "
                "removed (ask for the scores' removal first)",
                {"criterion": row["name"], "scores": count},
            )
        text = f"criterion {row['name']!r} removed from {label}"
        plan.append(("criterion.remove", row["name"], text))
    for cid, spec in kept.items():
        row = current[cid]
        if spec.max_score != row["max_score"]:
            _require_max_above_scores(conn, row, spec.max_score, label)
            text = (
                f"criterion {row['name']!r} in {label}: maxScore "
                f"{_fmt(row['max_score'])} → {_fmt(spec.max_score)}"
            )
            plan.append(("criterion.update", spec.name, text))
        if spec.name != row["name"]:
            text = f"criterion {row['name']!r} in {label} renamed {spec.name!r}"
            plan.append(("criterion.rename", spec.name, text))
        if exact(row["weight"]) != spec.weight:
            text = (
                f"criterion {spec.name!r} in {label}: weight {exact(row['weight'])} → {spec.weight}"
            )
            plan.append(("criterion.weight", spec.name, text))
    for spec in added:
        plan.append(("criterion.create", spec.name, f"criterion {spec.name!r} added to {label}"))
    positions = {spec_id: index for index, spec_id in enumerate(id(s) for s in wanted)}
    reordered = any(current[cid]["position"] != positions[id(spec)] for cid, spec in kept.items())
    if not plan and not reordered:
        return
    w.require_unlocked_contest(contest_of(conn, category_id))
    if removed or added:
        w.service.shared._require_judges_step_open(conn, category_id)
    for row in removed:
        conn.execute("DELETE FROM criteria WHERE id = ?", (row["id"],))
    # names may swap: park kept rows on temporary names first (UNIQUE(category_id, name))
    for cid in kept:
        conn.execute("UPDATE criteria SET name = ? WHERE id = ?", (f"\x00{cid}", cid))
    for position, spec in enumerate(wanted):
        match = next((cid for cid, s in kept.items() if s is spec), None)
        if match is None:
            conn.execute(
                "INSERT INTO criteria (category_id, name, max_score, position, weight) "
                "VALUES (?, ?, ?, ?, ?)",
                (category_id, spec.name, spec.max_score, position, str(spec.weight)),
            )
        else:
            conn.execute(
                "UPDATE criteria SET name = ?, max_score = ?, position = ?, weight = ? "
                "WHERE id = ?",
                (spec.name, spec.max_score, position, str(spec.weight), match),
            )
    for action, subject, text in plan:
        w.changed(text, action=action, subject=subject)
    if not plan:
        w.changed(f"criteria of {label} reordered", action="criteria.reorder", subject=label)


def set_scoring(w: SetupWrite, category_id: int, rules: ScoringRules) -> None:
    """Store the category's scoring rules (their tie-break criteria must exist)."""
    conn = w.conn
    label = category_label(conn, category_id)
    names = {
        row[0]
        for row in conn.execute("SELECT name FROM criteria WHERE category_id = ?", (category_id,))
    }
    for name in rules.tie_break_criteria():
        if name not in names:
            raise Invalid(f"the tie-break names criterion {name!r}, which {label} does not have")
    row = _one(conn, "SELECT scoring FROM categories WHERE id = ?", category_id)
    current = ScoringRules.from_json_text(row["scoring"] if row is not None else None)
    if current == rules:
        return
    w.require_unlocked_contest(contest_of(conn, category_id))
    conn.execute(
        "UPDATE categories SET scoring = ?, seq = ? WHERE id = ?",
        (rules.to_json_text(), w.seq, category_id),
    )
    w.changed(f"scoring rules of {label} changed", action="category.scoring", subject=label)


# --- contestants -----------------------------------------------------------------------


def save_contestant(w: SetupWrite, contestant_id: int | None, number: int, name: str) -> int:
    """Create a contestant or change their number / name; their id."""
    conn = w.conn
    row = (
        _one(conn, "SELECT * FROM contestants WHERE id = ?", contestant_id)
        if contestant_id is not None
        else _one(conn, "SELECT * FROM contestants WHERE number = ?", number)
    )
    if contestant_id is not None and row is None:
        raise NotFound(f"contestant {contestant_id} not found", {"contestantId": contestant_id})
    other = _one(conn, "SELECT id, name FROM contestants WHERE number = ?", number)
    if other is not None and (row is None or other["id"] != row["id"]):
        raise Conflict(f"number {number} is already {other['name']}", {"number": number})
    if row is None:
        cursor = conn.execute(
            "INSERT INTO contestants (number, name) VALUES (?, ?)", (number, name)
        )
        w.changed(f"contestant {number} {name!r} created", action="contestant.create", subject=name)
        return int(cursor.lastrowid or 0)
    if row["number"] != number or row["name"] != name:
        for contest_id in _contests_of_contestant(conn, row["id"]):
            w.require_unlocked_contest(contest_id)
        conn.execute(
            "UPDATE contestants SET number = ?, name = ? WHERE id = ?", (number, name, row["id"])
        )
        w.changed(
            f"contestant {row['number']} {row['name']!r} → {number} {name!r}",
            action="contestant.update",
            subject=name,
        )
    return int(row["id"])


def set_contestants(w: SetupWrite, category_id: int, contestant_ids: list[int]) -> None:
    """Make the category's contestants exactly ``contestant_ids``."""
    conn = w.conn
    label = category_label(conn, category_id)
    current = {
        row[0]
        for row in conn.execute(
            "SELECT contestant_id FROM category_contestants WHERE category_id = ?", (category_id,)
        )
    }
    wanted = list(dict.fromkeys(contestant_ids))
    for cid in wanted:
        if _one(conn, "SELECT 1 FROM contestants WHERE id = ?", cid) is None:
            raise NotFound(f"contestant {cid} not found", {"contestantId": cid})
    removed = sorted(current - set(wanted))
    added = [cid for cid in wanted if cid not in current]
    if not removed and not added:
        return
    w.require_unlocked_contest(contest_of(conn, category_id))
    w.service.shared._require_judges_step_open(conn, category_id)
    for cid in removed:
        person = _person(conn, cid)
        count = _score_count(conn, "category_id = ? AND contestant_id = ?", category_id, cid)
        if count:
            raise Conflict(
                f"contestant {person} has {count} score(s) in {label}; they cannot be removed "
                "from it",
                {"contestant": person, "scores": count},
            )
        conn.execute(
            "DELETE FROM category_contestants WHERE category_id = ? AND contestant_id = ?",
            (category_id, cid),
        )
        w.changed(
            f"contestant {person} removed from {label}",
            action="category.contestant.remove",
            subject=person,
        )
    for cid in added:
        conn.execute(
            "INSERT INTO category_contestants (category_id, contestant_id) VALUES (?, ?)",
            (category_id, cid),
        )
        person = _person(conn, cid)
        w.changed(
            f"contestant {person} added to {label}",
            action="category.contestant.add",
            subject=person,
        )


# --- assignments -----------------------------------------------------------------------


def set_staff(w: SetupWrite, category_id: int, role: Role, user_ids: list[int]) -> None:
    """Make the category's judges (or tally masters) exactly ``user_ids``; moves rooms."""
    conn = w.conn
    label = category_label(conn, category_id)
    current = {
        row[0]
        for row in conn.execute(
            "SELECT user_id FROM assignments WHERE category_id = ? AND role = ?",
            (category_id, role.value),
        )
    }
    wanted = list(dict.fromkeys(user_ids))
    for uid in wanted:
        row = _one(conn, "SELECT username, role, active FROM users WHERE id = ?", uid)
        if row is None or not row["active"]:
            raise NotFound(f"user {uid} not found or inactive", {"userId": uid})
        if Role(row["role"]) is not role or role not in ASSIGNABLE_ROLES:
            raise Invalid(
                f"{row['username']} is a {row['role']}, not a {role.value}", {"userId": uid}
            )
        other = _one(
            conn,
            "SELECT role FROM assignments WHERE user_id = ? AND category_id = ?",
            uid,
            category_id,
        )
        if other is not None and other["role"] != role.value:
            raise Conflict(f"{row['username']} is already assigned to {label}")
    removed = sorted(current - set(wanted))
    added = [uid for uid in wanted if uid not in current]
    if not removed and not added:
        return
    w.require_unlocked_contest(contest_of(conn, category_id))
    if role is Role.JUDGE:
        w.service.shared._require_judges_step_open(conn, category_id)
    word = "judge" if role is Role.JUDGE else "tally master"
    for uid in removed:
        who = w.service.shared._user_name(conn, uid)
        if role is Role.JUDGE and w.service.shared._judge_signed(conn, uid, category_id):
            raise Locked(
                f"judge {who} has signed {label}; the judge cannot be removed from it",
                {"judge": who},
            )
        w.touch_user(uid)
        conn.execute(
            "DELETE FROM assignments WHERE user_id = ? AND category_id = ?", (uid, category_id)
        )
        w.notes.append(
            w.service.shared._notify(
                conn,
                uid,
                type=NotificationType.WARNING,
                title="Assignment removed",
                message=f"You are no longer assigned to {label}",
                category_id=category_id,
            )
        )
        w.changed(f"{word} {who} removed from {label}", action="assignment.remove", subject=who)
    for uid in added:
        who = w.service.shared._user_name(conn, uid)
        w.touch_user(uid)
        conn.execute(
            "INSERT INTO assignments (user_id, category_id, role, created_at, seq) "
            "VALUES (?, ?, ?, ?, ?)",
            (uid, category_id, role.value, r.to_iso(w.service.clock()), w.seq),
        )
        w.notes.append(
            w.service.shared._notify(
                conn,
                uid,
                type=NotificationType.INFO,
                title="New assignment",
                message=f"You were assigned to {label} as {word}",
                category_id=category_id,
            )
        )
        w.changed(f"{word} {who} assigned to {label}", action="assignment.create", subject=who)
    if role is Role.JUDGE:
        w.notes.extend(w.service.assignments._judges_changed(conn, category_id, role))


# --- helpers ---------------------------------------------------------------------------


def _require_free(
    conn: sqlite3.Connection,
    table: str,
    where: str,
    args: tuple[object, ...],
    row: sqlite3.Row | None,
    message: str,
) -> None:
    other = _one(conn, f"SELECT id FROM {table} WHERE {where}", *args)
    if other is not None and (row is None or other["id"] != row["id"]):
        raise Conflict(message)


def _require_max_above_scores(
    conn: sqlite3.Connection, row: sqlite3.Row, max_score: float, label: str
) -> None:
    top = _one(conn, "SELECT MAX(score) AS top FROM scores WHERE criterion_id = ?", row["id"])
    if top is not None and top["top"] is not None and top["top"] > max_score:
        raise Conflict(
            f"criterion {row['name']!r} in {label} already has a score of {_fmt(top['top'])}; "
            f"maxScore cannot go below it (asked {_fmt(max_score)})",
            {"criterion": row["name"], "highestScore": top["top"]},
        )


def _score_count(conn: sqlite3.Connection, where: str, *args: object) -> int:
    row = _one(conn, f"SELECT COUNT(*) AS n FROM scores WHERE {where}", *args)
    return int(row["n"]) if row is not None else 0


def contest_of(conn: sqlite3.Connection, category_id: int) -> int:
    row = _one(conn, "SELECT contest_id FROM categories WHERE id = ?", category_id)
    if row is None:
        raise NotFound(f"category {category_id} not found", {"categoryId": category_id})
    return int(row["contest_id"])


def _contests_of_contestant(conn: sqlite3.Connection, contestant_id: int) -> list[int]:
    return [
        row[0]
        for row in conn.execute(
            "SELECT DISTINCT c.contest_id FROM category_contestants cc "
            "JOIN categories c ON c.id = cc.category_id WHERE cc.contestant_id = ?",
            (contestant_id,),
        )
    ]


def _person(conn: sqlite3.Connection, contestant_id: int) -> str:
    row = _one(conn, "SELECT number, name FROM contestants WHERE id = ?", contestant_id)
    return f"{row['number']} {row['name']}" if row is not None else f"#{contestant_id}"
