"""Contestants, category membership and the judges / tally masters of a category.

Refused, naming what blocks it: taking a contestant with scores out of a category,
removing a judge who signed, changing the panel once the tally master signed, anything
in a locked contest. Assignment changes move the users' live sockets (via the write's
touched users) and notify them.
"""

from __future__ import annotations

from scoring_console.protocol.entities import NotificationType
from scoring_console.protocol.roles import ASSIGNABLE_ROLES, Role

from ...db import Connection, inserted_id
from ...db import rows as r
from ..types import Conflict, Invalid, Locked, NotFound
from .criteria_ops import score_count
from .structure_ops import contest_of, one_row
from .unit import SetupWrite, category_label


def save_contestant(w: SetupWrite, contestant_id: int | None, number: int, name: str) -> int:
    """Create a contestant or change their number / name; their id."""
    conn = w.conn
    row = (
        one_row(conn, "SELECT * FROM contestants WHERE id = ?", contestant_id)
        if contestant_id is not None
        else one_row(conn, "SELECT * FROM contestants WHERE number = ?", number)
    )
    if contestant_id is not None and row is None:
        raise NotFound(f"contestant {contestant_id} not found", {"contestantId": contestant_id})
    other = one_row(conn, "SELECT id, name FROM contestants WHERE number = ?", number)
    if other is not None and (row is None or other["id"] != row["id"]):
        raise Conflict(f"number {number} is already {other['name']}", {"number": number})
    if row is None:
        cursor = conn.execute(
            "INSERT INTO contestants (number, name) VALUES (?, ?) RETURNING id", (number, name)
        )
        new_id = inserted_id(cursor)
        w.changed(f"contestant {number} {name!r} created", action="contestant.create", subject=name)
        return new_id
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
        if one_row(conn, "SELECT 1 FROM contestants WHERE id = ?", cid) is None:
            raise NotFound(f"contestant {cid} not found", {"contestantId": cid})
    removed = sorted(current - set(wanted))
    added = [cid for cid in wanted if cid not in current]
    if not removed and not added:
        return
    w.require_unlocked_contest(contest_of(conn, category_id))
    w.service.shared._require_judges_step_open(conn, category_id)
    for cid in removed:
        person = _person(conn, cid)
        count = score_count(conn, "category_id = ? AND contestant_id = ?", category_id, cid)
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
        row = one_row(conn, "SELECT username, role, active FROM users WHERE id = ?", uid)
        if row is None or not row["active"]:
            raise NotFound(f"user {uid} not found or inactive", {"userId": uid})
        if Role(row["role"]) is not role or role not in ASSIGNABLE_ROLES:
            raise Invalid(
                f"{row['username']} is a {row['role']}, not a {role.value}", {"userId": uid}
            )
        other = one_row(
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


def _contests_of_contestant(conn: Connection, contestant_id: int) -> list[int]:
    return [
        row[0]
        for row in conn.execute(
            "SELECT DISTINCT c.contest_id FROM category_contestants cc "
            "JOIN categories c ON c.id = cc.category_id WHERE cc.contestant_id = ?",
            (contestant_id,),
        )
    ]


def _person(conn: Connection, contestant_id: int) -> str:
    row = one_row(conn, "SELECT number, name FROM contestants WHERE id = ?", contestant_id)
    return f"{row['number']} {row['name']}" if row is not None else f"#{contestant_id}"
