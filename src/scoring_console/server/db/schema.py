"""The server's schema, once, for SQLite and PostgreSQL (SQLAlchemy Core ``MetaData``).

Why SQLAlchemy Core + Alembic: both are well kept and widely used; one ``MetaData``
renders the right DDL for each dialect (``INTEGER PRIMARY KEY`` rowid on SQLite,
``SERIAL`` on PostgreSQL, ``REAL`` vs ``DOUBLE PRECISION``), and Alembic runs ordered,
versioned migrations on both, with its batch mode for SQLite's limited ``ALTER TABLE``.
Only the schema goes through SQLAlchemy: the queries stay hand-written SQL on the DB-API
connection (:mod:`.connection`), which is the tuned hot path — one connection, savepoints
and group commit — with no engine, pool or ORM per statement.

This module describes the schema exactly as the ten legacy migrations
(:mod:`.migrations`) left it; ``alembic/versions/0001_baseline.py`` creates the same
tables (a test compares a legacy-built and an Alembic-built database). Later changes are
new Alembic revisions, and this ``MetaData`` follows them.
"""

from __future__ import annotations

from typing import Final

import sqlalchemy as sa

metadata: Final = sa.MetaData()

Real: Final[sa.types.TypeEngine[float]] = sa.Double().with_variant(sa.REAL(), "sqlite")
"""A float column: ``REAL`` on SQLite (as the legacy schema), ``DOUBLE PRECISION`` on
PostgreSQL (its ``REAL`` is single precision)."""


def _id() -> sa.Column[int]:
    return sa.Column("id", sa.Integer, primary_key=True)


def _fk(name: str, target: str, *, nullable: bool = False) -> sa.Column[int]:
    return sa.Column(name, sa.Integer, sa.ForeignKey(target), nullable=nullable)


def _text(name: str, *, nullable: bool = False) -> sa.Column[str]:
    return sa.Column(name, sa.Text, nullable=nullable)


def _int(name: str, *, nullable: bool = False, default: int | None = None) -> sa.Column[int]:
    server_default = None if default is None else sa.text(str(default))
    return sa.Column(name, sa.Integer, nullable=nullable, server_default=server_default)


sa.Table("meta", metadata, sa.Column("key", sa.Text, primary_key=True), _int("value"))

sa.Table(
    "users",
    metadata,
    _id(),
    sa.Column("username", sa.Text, nullable=False, unique=True),
    _text("name"),
    _text("role"),
    _text("password_hash"),
    _int("active", default=1),
    _text("created_at"),
    _int("must_change_password", default=0),
)

sa.Table(
    "refresh_tokens",
    metadata,
    sa.Column("jti", sa.Text, primary_key=True),
    _fk("user_id", "users.id"),
    _text("expires_at"),
    _text("used_at", nullable=True),
    _int("revoked", default=0),
    _text("family", nullable=True),
    sa.Index("idx_refresh_tokens_user", "user_id"),
    sa.Index("idx_refresh_tokens_family", "family"),
)

sa.Table(
    "events",
    metadata,
    _id(),
    sa.Column("name", sa.Text, nullable=False, unique=True),
    _text("date", nullable=True),
)

sa.Table(
    "contests",
    metadata,
    _id(),
    _fk("event_id", "events.id"),
    _text("name"),
    _int("locked", default=0),
    _int("seq", default=0),
    sa.UniqueConstraint("event_id", "name"),
)

sa.Table(
    "categories",
    metadata,
    _id(),
    _fk("contest_id", "contests.id"),
    _text("name"),
    _int("published", default=0),
    _text("published_at", nullable=True),
    _int("seq", default=0),
    _text("scoring", nullable=True),
    sa.UniqueConstraint("contest_id", "name"),
)

sa.Table(
    "criteria",
    metadata,
    _id(),
    _fk("category_id", "categories.id"),
    _text("name"),
    sa.Column("max_score", Real, sa.CheckConstraint("max_score > 0"), nullable=False),
    _int("position", default=0),
    sa.Column("weight", sa.Text, nullable=False, server_default=sa.text("'1'")),
    sa.UniqueConstraint("category_id", "name"),
)

sa.Table(
    "contestants",
    metadata,
    _id(),
    sa.Column("number", sa.Integer, nullable=False, unique=True),
    _text("name"),
)

sa.Table(
    "category_contestants",
    metadata,
    sa.Column("category_id", sa.Integer, sa.ForeignKey("categories.id"), primary_key=True),
    sa.Column("contestant_id", sa.Integer, sa.ForeignKey("contestants.id"), primary_key=True),
)

sa.Table(
    "assignments",
    metadata,
    _id(),
    _fk("user_id", "users.id"),
    _fk("category_id", "categories.id"),
    _text("role"),
    _text("created_at"),
    _int("seq", default=0),
    sa.UniqueConstraint("user_id", "category_id"),
    sa.Index("idx_assignments_category", "category_id"),
)

sa.Table(
    "scores",
    metadata,
    _id(),
    _text("client_id"),
    _fk("category_id", "categories.id"),
    _fk("contestant_id", "contestants.id"),
    _fk("criterion_id", "criteria.id"),
    _fk("judge_id", "users.id"),
    sa.Column("score", Real, nullable=False),
    _text("comment", nullable=True),
    _int("version", default=1),
    _text("updated_at"),
    _int("seq"),
    sa.UniqueConstraint("judge_id", "category_id", "contestant_id", "criterion_id"),
    sa.Index("idx_scores_category", "category_id"),
)

sa.Table(
    "score_writes",
    metadata,
    sa.Column("client_id", sa.Text, primary_key=True),
    _fk("judge_id", "users.id"),
    _text("content_hash"),
    _text("result"),
    _text("created_at"),
)

sa.Table(
    "score_audit",
    metadata,
    _id(),
    _int("score_id"),
    sa.Column(
        "action",
        sa.Text,
        sa.CheckConstraint("action IN ('create', 'update', 'delete')"),
        nullable=False,
    ),
    _int("category_id"),
    _int("contestant_id"),
    _int("criterion_id"),
    _int("judge_id"),
    sa.Column("old_score", Real),
    sa.Column("new_score", Real),
    _text("old_comment", nullable=True),
    _text("new_comment", nullable=True),
    _int("changed_by"),
    _text("changed_at"),
    _text("client_id", nullable=True),
    _int("seq"),
    sa.Index("idx_score_audit_score", "score_id"),
)

sa.Table(
    "certifications",
    metadata,
    sa.Column("category_id", sa.Integer, sa.ForeignKey("categories.id"), primary_key=True),
    _text("status"),
    _int("version", default=0),
    _int("seq", default=0),
    _text("updated_at"),
)

sa.Table(
    "signoffs",
    metadata,
    _id(),
    _fk("category_id", "categories.id"),
    _text("role"),
    _fk("user_id", "users.id"),
    _text("signed_at"),
    _text("receipt"),
    _int("signed_score_count"),
    sa.Column("client_id", sa.Text, nullable=False, unique=True),
    _text("result"),
    sa.UniqueConstraint("category_id", "user_id"),
)

sa.Table(
    "deductions",
    metadata,
    _id(),
    sa.Column("client_id", sa.Text, nullable=False, unique=True),
    _text("content_hash"),
    _fk("category_id", "categories.id"),
    _fk("contestant_id", "contestants.id"),
    sa.Column("amount", Real, nullable=False),
    _text("reason"),
    _fk("requested_by", "users.id"),
    _text("status"),
    _fk("decided_by", "users.id", nullable=True),
    _text("decision_note", nullable=True),
    _text("created_at"),
    _text("decided_at", nullable=True),
    _int("seq"),
    sa.Index("idx_deductions_category", "category_id"),
)

sa.Table(
    "removal_requests",
    metadata,
    _id(),
    sa.Column("client_id", sa.Text, nullable=False, unique=True),
    _text("content_hash"),
    _int("score_id"),
    _fk("category_id", "categories.id"),
    _int("contestant_id"),
    _int("criterion_id"),
    _int("judge_id"),
    _fk("requested_by", "users.id"),
    _text("reason"),
    _text("status"),
    _fk("decided_by", "users.id", nullable=True),
    _text("decision_note", nullable=True),
    _text("created_at"),
    _text("decided_at", nullable=True),
    _int("seq"),
    sa.Index("idx_removal_requests_category", "category_id"),
)

sa.Table(
    "notifications",
    metadata,
    _id(),
    _fk("user_id", "users.id"),
    _text("type"),
    _text("title"),
    _text("message"),
    _int("category_id", nullable=True),
    _int("read", default=0),
    _text("created_at"),
    _int("seq"),
    sa.Index("idx_notifications_user", "user_id"),
)

sa.Table(
    "announcements",
    metadata,
    _id(),
    _text("message"),
    _text("type"),
    _text("timestamp"),
    _fk("author_id", "users.id", nullable=True),
    _int("seq"),
    _fk("contest_id", "contests.id", nullable=True),
)

sa.Table(
    "presence",
    metadata,
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), primary_key=True),
    _text("last_seen", nullable=True),
    _int("pending_count", default=0),
    _int("seq", default=0),
    _text("pending_as_of", nullable=True),
)

sa.Table(
    "refused_writes",
    metadata,
    _id(),
    sa.Column("client_id", sa.Text, nullable=False, unique=True),
    _fk("judge_id", "users.id"),
    _fk("category_id", "categories.id"),
    _int("contestant_id", nullable=True),
    _int("criterion_id", nullable=True),
    sa.Column("score", Real),
    _text("code"),
    _text("reason"),
    _text("refused_at"),
    _int("seq"),
    sa.Index("idx_refused_writes_category", "category_id"),
)

sa.Table(
    "tie_decisions",
    metadata,
    _id(),
    sa.Column("client_id", sa.Text, nullable=False, unique=True),
    _text("content_hash"),
    _fk("category_id", "categories.id"),
    _text("contestant_ids"),
    _text("reason"),
    _fk("decided_by", "users.id"),
    _text("decided_at"),
    _int("seq"),
    sa.Index("idx_tie_decisions_category", "category_id"),
)

sa.Table(
    "outlier_reviews",
    metadata,
    _id(),
    sa.Column("client_id", sa.Text, nullable=False, unique=True),
    _text("content_hash"),
    _fk("category_id", "categories.id"),
    _int("contestant_id"),
    _int("criterion_id"),
    _int("judge_id"),
    _int("score_version"),
    sa.Column(
        "action",
        sa.Text,
        sa.CheckConstraint("action IN ('clear', 'ask_judge')"),
        nullable=False,
    ),
    _text("note"),
    _fk("reviewed_by", "users.id"),
    _text("reviewed_at"),
    _int("seq"),
    sa.Index("idx_outlier_reviews_category", "category_id"),
)

audit_log = sa.Table(
    "audit_log",
    metadata,
    _id(),
    _text("at"),
    _int("actor_id", nullable=True),
    _text("actor_username"),
    _text("actor_role", nullable=True),
    _text("action"),
    _text("entity_kind"),
    _text("entity_id", nullable=True),
    _text("label"),
    _int("category_id", nullable=True),
    _int("contest_id", nullable=True),
    _int("subject_user_id", nullable=True),
    _text("old_json", nullable=True),
    _text("new_json", nullable=True),
    _text("reason", nullable=True),
    _text("client_id", nullable=True),
    sa.Index("idx_audit_log_category", "category_id", "id"),
    sa.Index("idx_audit_log_actor", "actor_id", "id"),
    sa.Index("idx_audit_log_subject", "subject_user_id", "id"),
    sa.Index("idx_audit_log_entity", "entity_kind", "entity_id", "id"),
)

sa.Table(
    "reopen_requests",
    metadata,
    _id(),
    sa.Column("client_id", sa.Text, nullable=False, unique=True),
    _text("content_hash"),
    _fk("category_id", "categories.id"),
    _fk("judge_id", "users.id"),
    _text("reason"),
    _text("status"),
    _text("superseded_receipt", nullable=True),
    _fk("decided_by", "users.id", nullable=True),
    _text("decision_note", nullable=True),
    _text("created_at"),
    _text("decided_at", nullable=True),
    _int("seq"),
    sa.Index("idx_reopen_requests_category", "category_id", "judge_id"),
)

sa.Table(
    "superseded_signoffs",
    metadata,
    _id(),
    _int("category_id"),
    _text("role"),
    _int("user_id"),
    _text("signed_at"),
    _text("receipt"),
    _int("signed_score_count"),
    sa.Column("client_id", sa.Text, nullable=False, unique=True),
    _text("superseded_at"),
    _int("reopen_request_id", nullable=True),
)

sa.Table(
    "paper_sheets",
    metadata,
    _id(),
    sa.Column("client_id", sa.Text, nullable=False, unique=True),
    _text("content_hash"),
    _fk("category_id", "categories.id"),
    _fk("judge_id", "users.id"),
    _fk("entered_by", "users.id"),
    _text("entries"),
    _text("note", nullable=True),
    _text("status"),
    _fk("decided_by", "users.id", nullable=True),
    _text("decision_note", nullable=True),
    _text("created_at"),
    _text("decided_at", nullable=True),
    _int("seq"),
    sa.Index("idx_paper_sheets_category", "category_id"),
)

sa.Table(
    "settings",
    metadata,
    sa.Column("key", sa.Text, primary_key=True),
    _text("value"),
)
"""Revision 0002: server-wide text settings shared by every node (the JWT signing secret
when the server runs on PostgreSQL)."""

APPEND_ONLY_MESSAGE: Final = "the audit log is append-only"

AUDIT_TRIGGERS: Final[dict[str, tuple[str, ...]]] = {
    "sqlite": (
        "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
        f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END",
        "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
        f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END",
    ),
    "postgresql": (
        "CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS "
        f"$$ BEGIN RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}'; END $$",
        "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
        "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()",
        "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
        "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()",
    ),
}
"""The audit log's append-only triggers, per dialect (UPDATE and DELETE are refused)."""

for _dialect, _statements in AUDIT_TRIGGERS.items():
    for _statement in _statements:
        ddl = sa.DDL(_statement)  # type: ignore[no-untyped-call]
        sa.event.listen(audit_log, "after_create", ddl.execute_if(dialect=_dialect))
