"""The audit trail: one append-only table (``audit_log``), one recorder, one reader.

Recording a write — call it inside the write's own transaction, so the entry commits
(or rolls back) with the change it describes::

    from scoring_console.server.service import audit

    audit.record(
        conn,                       # the open transaction's Connection
        at=self.clock(),            # the service's injected clock, never datetime.now()
        actor=actor,                # the Actor who wrote; None for the system (init)
        action="user.created",      # "<entity>.<verb>"; AuditAction lists the scoring ones
        entity="user",              # the kind of entity changed
        entity_id=user_id,          # its id (int or str); None if it has none
        label="user anna (Anna Berg)",  # human-readable, in the users' words
        old=None,                   # the state before: a dict or pydantic model, or None
        new={"role": "JUDGE"},      # the state after: a dict or pydantic model, or None
        reason=None,                # the reason the user gave, if any
        client_id=None,             # the write's clientId (which device/write it was)
        category_id=None,           # optional: for per-category history and filters
        contest_id=None,            # optional: for per-contest history
        subject_user_id=None,       # optional: the user the change concerns (the judge)
    )

``record`` returns the new entry's id. Nothing ever updates or deletes a row (the
table's triggers refuse it): a removal or a superseded receipt is a new entry.
Secrets (password hashes, tokens) must never be passed in ``old``/``new``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from scoring_console.protocol.audit import AuditEntry, AuditPage, AuditQuery
from scoring_console.protocol.roles import Role

from ..db import Connection, Row, inserted_id
from ..db import rows as r
from .types import Actor

SYSTEM_USERNAME = "system"
"""``actorUsername`` of entries written without a user (first-run init, migrations)."""

State = Mapping[str, Any] | BaseModel | None


def record(
    conn: Connection,
    *,
    at: datetime,
    actor: Actor | None,
    action: str,
    entity: str,
    entity_id: int | str | None,
    label: str,
    old: State = None,
    new: State = None,
    reason: str | None = None,
    client_id: str | None = None,
    category_id: int | None = None,
    contest_id: int | None = None,
    subject_user_id: int | None = None,
) -> int:
    """Append one entry to the audit trail; return its id (see the module docstring)."""
    cursor = conn.execute(
        "INSERT INTO audit_log (at, actor_id, actor_username, actor_role, action, "
        "entity_kind, entity_id, label, category_id, contest_id, subject_user_id, "
        "old_json, new_json, reason, client_id) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (
            r.to_iso(at),
            None if actor is None else actor.user_id,
            SYSTEM_USERNAME if actor is None else actor.username,
            None if actor is None else actor.role.value,
            str(action),
            str(entity),
            None if entity_id is None else str(entity_id),
            label,
            category_id,
            contest_id,
            subject_user_id,
            _to_json(old),
            _to_json(new),
            reason,
            client_id,
        ),
    )
    return inserted_id(cursor)


def _to_json(state: State) -> str | None:
    if state is None:
        return None
    if isinstance(state, BaseModel):
        data: Any = state.model_dump(mode="json", by_alias=True, exclude={"seq", "prev_seq"})
    else:
        data = dict(state)
    return json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)


def entry(row: Row) -> AuditEntry:
    """An ``audit_log`` row as the wire model."""
    return AuditEntry(
        id=row["id"],
        at=r.from_iso(row["at"]),
        actor_id=row["actor_id"],
        actor_username=row["actor_username"],
        actor_role=row["actor_role"],
        action=row["action"],
        entity_kind=row["entity_kind"],
        entity_id=row["entity_id"],
        label=row["label"],
        category_id=row["category_id"],
        contest_id=row["contest_id"],
        subject_user_id=row["subject_user_id"],
        old=None if row["old_json"] is None else json.loads(row["old_json"]),
        new=None if row["new_json"] is None else json.loads(row["new_json"]),
        reason=row["reason"],
        client_id=row["client_id"],
    )


def query(
    conn: Connection,
    query: AuditQuery,
    *,
    only_user_id: int | None = None,
    category_ids: set[int] | None = None,
) -> AuditPage:
    """Entries matching ``query``, oldest first, at most ``query.limit`` (the newest).

    ``only_user_id`` restricts to entries that user wrote or that concern them (a
    judge's own history); ``category_ids`` to entries of those categories (what a
    caller may see); both are applied on top of the query's own filters.
    """
    where: list[str] = []
    args: list[Any] = []
    for column, value in (
        ("category_id", query.category_id),
        ("contest_id", query.contest_id),
        ("entity_kind", query.entity_kind),
        ("entity_id", query.entity_id),
        ("action", query.action),
    ):
        if value is not None:
            where.append(f"{column} = ?")
            args.append(value)
    for user_id in (query.user_id, only_user_id):
        if user_id is not None:
            where.append("(actor_id = ? OR subject_user_id = ?)")
            args.extend((user_id, user_id))
    if category_ids is not None:
        marks = ",".join("?" * len(category_ids)) or "NULL"
        where.append(f"category_id IN ({marks})")
        args.extend(sorted(category_ids))
    if query.before_id is not None:
        where.append("id < ?")
        args.append(query.before_id)
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    rows = conn.execute(
        f"SELECT * FROM audit_log {clause} ORDER BY id DESC LIMIT ?", (*args, query.limit + 1)
    ).fetchall()
    more = len(rows) > query.limit
    return AuditPage(entries=[entry(row) for row in reversed(rows[: query.limit])], more=more)


def actor_label(role: Role | str | None, username: str) -> str:
    """``username (role)`` for reports."""
    if role is None:
        return username
    value = role.value if isinstance(role, Role) else role
    return f"{username} ({value.replace('_', ' ').lower()})"
