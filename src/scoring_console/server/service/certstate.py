"""Reading a category's certification state: required judges, sign-offs, status."""

from __future__ import annotations

from datetime import datetime

from scoring_console.protocol.entities import (
    Certification,
    CertificationSignoff,
    CertificationStatus,
)
from scoring_console.protocol.roles import Role

from ..db import Connection
from ..db import rows as r

PANEL_SCORES_SQL = (
    "SELECT * FROM scores WHERE category_id = ? AND judge_id IN "
    "(SELECT user_id FROM assignments WHERE category_id = scores.category_id AND role = 'JUDGE')"
)
"""Scores that count: those of judges on the category's panel (its JUDGE assignments).

A judge taken off the panel keeps their scores in the database and the audit trail,
but they no longer count in totals or in what the later sign-offs cover: nobody on the
panel signed them.
"""


def required_judge_ids(conn: Connection, category_id: int) -> list[int]:
    """Judges assigned to the category: each must sign before the tally master."""
    return [
        row[0]
        for row in conn.execute(
            "SELECT user_id FROM assignments WHERE category_id = ? AND role = ? ORDER BY user_id",
            (category_id, Role.JUDGE.value),
        )
    ]


def signoffs(conn: Connection, category_id: int) -> list[CertificationSignoff]:
    """Sign-offs of a category in signing order."""
    rows = conn.execute(
        "SELECT s.role, s.user_id, s.signed_at, s.receipt, u.name FROM signoffs s "
        "JOIN users u ON u.id = s.user_id WHERE s.category_id = ? ORDER BY s.id",
        (category_id,),
    ).fetchall()
    return [
        CertificationSignoff(
            role=Role(row["role"]),
            user_id=row["user_id"],
            user_name=row["name"],
            signed_at=r.from_iso(row["signed_at"]),
            receipt=row["receipt"],
        )
        for row in rows
    ]


def status_of(required: list[int], signed: list[CertificationSignoff]) -> CertificationStatus:
    """Where the chain stands, from the required judges and the sign-offs so far."""
    roles = {s.role for s in signed}
    if Role.BOARD in roles:
        return CertificationStatus.CERTIFIED
    if Role.AUDITOR in roles:
        return CertificationStatus.AUDITOR_SIGNED
    if Role.TALLY_MASTER in roles:
        return CertificationStatus.TALLY_SIGNED
    judges = {s.user_id for s in signed if s.role is Role.JUDGE}
    if not judges:
        return CertificationStatus.NOT_STARTED
    if required and set(required) <= judges:
        return CertificationStatus.JUDGES_SIGNED
    return CertificationStatus.JUDGES_SIGNING


def signers(conn: Connection, category_id: int, role: Role) -> list[int]:
    """Users who may sign ``role``'s step of a category: its assigned judges or tally
    masters, every active auditor or board member."""
    if role in (Role.JUDGE, Role.TALLY_MASTER):
        rows = conn.execute(
            "SELECT a.user_id FROM assignments a JOIN users u ON u.id = a.user_id "
            "WHERE a.category_id = ? AND a.role = ? AND u.active = 1 ORDER BY a.user_id",
            (category_id, role.value),
        )
    else:
        rows = conn.execute(
            "SELECT id FROM users WHERE role = ? AND active = 1 ORDER BY id", (role.value,)
        )
    return [row[0] for row in rows]


def certification(conn: Connection, category_id: int) -> Certification:
    """The certification of one category as clients see it."""
    required = required_judge_ids(conn, category_id)
    signed = signoffs(conn, category_id)
    row = conn.execute(
        "SELECT version, seq FROM certifications WHERE category_id = ?", (category_id,)
    ).fetchone()
    return Certification(
        category_id=category_id,
        status=status_of(required, signed),
        required_judge_ids=required,
        signoffs=signed,
        version=0 if row is None else row["version"],
        seq=0 if row is None else row["seq"],
    )


def touch(conn: Connection, category_id: int, seq: int, now: datetime) -> Certification:
    """Record a change of a category's certification (new version, ``seq``, status)."""
    conn.execute(
        "INSERT INTO certifications (category_id, status, version, seq, updated_at) "
        "VALUES (?, '', 1, ?, ?) ON CONFLICT (category_id) DO UPDATE SET "
        "version = certifications.version + 1, seq = excluded.seq, "
        "updated_at = excluded.updated_at",
        (category_id, seq, r.to_iso(now)),
    )
    state = certification(conn, category_id)
    conn.execute(
        "UPDATE certifications SET status = ? WHERE category_id = ?",
        (state.status.value, category_id),
    )
    return state
