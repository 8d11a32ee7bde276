"""Ordered schema migrations; ``PRAGMA user_version`` counts how many have run.

Append new migrations at the end, never edit one that has shipped. Each runs in its own
transaction together with the ``user_version`` bump, so a crash leaves either the old
or the new schema.
"""

from __future__ import annotations

import sqlite3
from typing import Final

from .errors import DatabaseError

_V1_SCHEMA = """
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
INSERT INTO meta (key, value) VALUES ('seq', 0);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    active        INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT NOT NULL
);

CREATE TABLE refresh_tokens (
    jti        TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id),
    expires_at TEXT NOT NULL,
    used_at    TEXT,
    revoked    INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE events (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    date TEXT
);

CREATE TABLE contests (
    id       INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL REFERENCES events(id),
    name     TEXT NOT NULL,
    locked   INTEGER NOT NULL DEFAULT 0,
    seq      INTEGER NOT NULL DEFAULT 0,
    UNIQUE (event_id, name)
);

CREATE TABLE categories (
    id           INTEGER PRIMARY KEY,
    contest_id   INTEGER NOT NULL REFERENCES contests(id),
    name         TEXT NOT NULL,
    published    INTEGER NOT NULL DEFAULT 0,
    published_at TEXT,
    seq          INTEGER NOT NULL DEFAULT 0,
    UNIQUE (contest_id, name)
);

CREATE TABLE criteria (
    id          INTEGER PRIMARY KEY,
    category_id INTEGER NOT NULL REFERENCES categories(id),
    name        TEXT NOT NULL,
    max_score   REAL NOT NULL CHECK (max_score > 0),
    position    INTEGER NOT NULL DEFAULT 0,
    UNIQUE (category_id, name)
);

CREATE TABLE contestants (
    id     INTEGER PRIMARY KEY,
    number INTEGER NOT NULL UNIQUE,
    name   TEXT NOT NULL
);

CREATE TABLE category_contestants (
    category_id   INTEGER NOT NULL REFERENCES categories(id),
    contestant_id INTEGER NOT NULL REFERENCES contestants(id),
    PRIMARY KEY (category_id, contestant_id)
);

CREATE TABLE assignments (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id),
    category_id INTEGER NOT NULL REFERENCES categories(id),
    role        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    seq         INTEGER NOT NULL DEFAULT 0,
    UNIQUE (user_id, category_id)
);

CREATE TABLE scores (
    id            INTEGER PRIMARY KEY,
    client_id     TEXT NOT NULL,
    category_id   INTEGER NOT NULL REFERENCES categories(id),
    contestant_id INTEGER NOT NULL REFERENCES contestants(id),
    criterion_id  INTEGER NOT NULL REFERENCES criteria(id),
    judge_id      INTEGER NOT NULL REFERENCES users(id),
    score         REAL NOT NULL,
    comment       TEXT,
    version       INTEGER NOT NULL DEFAULT 1,
    updated_at    TEXT NOT NULL,
    seq           INTEGER NOT NULL,
    UNIQUE (judge_id, category_id, contestant_id, criterion_id)
);

CREATE TABLE score_writes (
    client_id    TEXT PRIMARY KEY,
    judge_id     INTEGER NOT NULL REFERENCES users(id),
    content_hash TEXT NOT NULL,
    result       TEXT NOT NULL,
    created_at   TEXT NOT NULL
);

CREATE TABLE score_audit (
    id            INTEGER PRIMARY KEY,
    score_id      INTEGER NOT NULL,
    action        TEXT NOT NULL CHECK (action IN ('create', 'update', 'delete')),
    category_id   INTEGER NOT NULL,
    contestant_id INTEGER NOT NULL,
    criterion_id  INTEGER NOT NULL,
    judge_id      INTEGER NOT NULL,
    old_score     REAL,
    new_score     REAL,
    old_comment   TEXT,
    new_comment   TEXT,
    changed_by    INTEGER NOT NULL,
    changed_at    TEXT NOT NULL,
    client_id     TEXT,
    seq           INTEGER NOT NULL
);

CREATE TABLE certifications (
    category_id INTEGER PRIMARY KEY REFERENCES categories(id),
    status      TEXT NOT NULL,
    version     INTEGER NOT NULL DEFAULT 0,
    seq         INTEGER NOT NULL DEFAULT 0,
    updated_at  TEXT NOT NULL
);

CREATE TABLE signoffs (
    id                 INTEGER PRIMARY KEY,
    category_id        INTEGER NOT NULL REFERENCES categories(id),
    role               TEXT NOT NULL,
    user_id            INTEGER NOT NULL REFERENCES users(id),
    signed_at          TEXT NOT NULL,
    receipt            TEXT NOT NULL,
    signed_score_count INTEGER NOT NULL,
    client_id          TEXT NOT NULL UNIQUE,
    result             TEXT NOT NULL,
    UNIQUE (category_id, user_id)
);

CREATE TABLE deductions (
    id            INTEGER PRIMARY KEY,
    client_id     TEXT NOT NULL UNIQUE,
    content_hash  TEXT NOT NULL,
    category_id   INTEGER NOT NULL REFERENCES categories(id),
    contestant_id INTEGER NOT NULL REFERENCES contestants(id),
    amount        REAL NOT NULL,
    reason        TEXT NOT NULL,
    requested_by  INTEGER NOT NULL REFERENCES users(id),
    status        TEXT NOT NULL,
    decided_by    INTEGER REFERENCES users(id),
    decision_note TEXT,
    created_at    TEXT NOT NULL,
    decided_at    TEXT,
    seq           INTEGER NOT NULL
);

CREATE TABLE removal_requests (
    id            INTEGER PRIMARY KEY,
    client_id     TEXT NOT NULL UNIQUE,
    content_hash  TEXT NOT NULL,
    score_id      INTEGER NOT NULL,
    category_id   INTEGER NOT NULL REFERENCES categories(id),
    contestant_id INTEGER NOT NULL,
    criterion_id  INTEGER NOT NULL,
    judge_id      INTEGER NOT NULL,
    requested_by  INTEGER NOT NULL REFERENCES users(id),
    reason        TEXT NOT NULL,
    status        TEXT NOT NULL,
    decided_by    INTEGER REFERENCES users(id),
    decision_note TEXT,
    created_at    TEXT NOT NULL,
    decided_at    TEXT,
    seq           INTEGER NOT NULL
);

CREATE TABLE notifications (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id),
    type        TEXT NOT NULL,
    title       TEXT NOT NULL,
    message     TEXT NOT NULL,
    category_id INTEGER,
    read        INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT NOT NULL,
    seq         INTEGER NOT NULL
);

CREATE TABLE announcements (
    id        INTEGER PRIMARY KEY,
    message   TEXT NOT NULL,
    type      TEXT NOT NULL,
    timestamp TEXT NOT NULL,
    author_id INTEGER REFERENCES users(id),
    seq       INTEGER NOT NULL
);

CREATE TABLE presence (
    user_id       INTEGER PRIMARY KEY REFERENCES users(id),
    last_seen     TEXT,
    pending_count INTEGER NOT NULL DEFAULT 0,
    seq           INTEGER NOT NULL DEFAULT 0
);
"""

_V2_INDEXES = """
CREATE INDEX idx_scores_category ON scores (category_id);
CREATE INDEX idx_score_audit_score ON score_audit (score_id);
CREATE INDEX idx_assignments_category ON assignments (category_id);
CREATE INDEX idx_notifications_user ON notifications (user_id);
CREATE INDEX idx_deductions_category ON deductions (category_id);
CREATE INDEX idx_removal_requests_category ON removal_requests (category_id);
CREATE INDEX idx_refresh_tokens_user ON refresh_tokens (user_id);
"""

_REFUSED_WRITES_AND_PENDING_AGE = """
CREATE TABLE refused_writes (
    id            INTEGER PRIMARY KEY,
    client_id     TEXT NOT NULL UNIQUE,
    judge_id      INTEGER NOT NULL REFERENCES users(id),
    category_id   INTEGER NOT NULL REFERENCES categories(id),
    contestant_id INTEGER,
    criterion_id  INTEGER,
    score         REAL,
    code          TEXT NOT NULL,
    reason        TEXT NOT NULL,
    refused_at    TEXT NOT NULL,
    seq           INTEGER NOT NULL
);
CREATE INDEX idx_refused_writes_category ON refused_writes (category_id);
ALTER TABLE presence ADD COLUMN pending_as_of TEXT;
"""
"""Issue 7: refused score writes for the tally master; when a pending count arrived."""

_REFRESH_TOKEN_FAMILIES = """
ALTER TABLE refresh_tokens ADD COLUMN family TEXT;
CREATE INDEX idx_refresh_tokens_family ON refresh_tokens (family);
"""
"""Refresh tokens remember their rotation family (the first token's jti): a reused
rotated token revokes the whole family (issue 12)."""
_SCORING_RULES = """
ALTER TABLE criteria ADD COLUMN weight TEXT NOT NULL DEFAULT '1';
ALTER TABLE categories ADD COLUMN scoring TEXT;
"""
"""Criterion weights (exact decimal text) and per-category scoring rules (JSON text;
NULL means the defaults: sum, nothing dropped, no tie-break, 2 decimals)."""

_SCORING_REVIEWS = """
CREATE TABLE tie_decisions (
    id             INTEGER PRIMARY KEY,
    client_id      TEXT NOT NULL UNIQUE,
    content_hash   TEXT NOT NULL,
    category_id    INTEGER NOT NULL REFERENCES categories(id),
    contestant_ids TEXT NOT NULL,
    reason         TEXT NOT NULL,
    decided_by     INTEGER NOT NULL REFERENCES users(id),
    decided_at     TEXT NOT NULL,
    seq            INTEGER NOT NULL
);
CREATE INDEX idx_tie_decisions_category ON tie_decisions (category_id);

CREATE TABLE outlier_reviews (
    id            INTEGER PRIMARY KEY,
    client_id     TEXT NOT NULL UNIQUE,
    content_hash  TEXT NOT NULL,
    category_id   INTEGER NOT NULL REFERENCES categories(id),
    contestant_id INTEGER NOT NULL,
    criterion_id  INTEGER NOT NULL,
    judge_id      INTEGER NOT NULL,
    score_version INTEGER NOT NULL,
    action        TEXT NOT NULL CHECK (action IN ('clear', 'ask_judge')),
    note          TEXT NOT NULL,
    reviewed_by   INTEGER NOT NULL REFERENCES users(id),
    reviewed_at   TEXT NOT NULL,
    seq           INTEGER NOT NULL
);
CREATE INDEX idx_outlier_reviews_category ON outlier_reviews (category_id);
"""
"""Manual tie-break orders (contestant ids as a JSON list, best first) and tally
masters' reviews of outlier flags; both append-only."""
_SETUP_ACCOUNTS = """
ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;
ALTER TABLE announcements ADD COLUMN contest_id INTEGER REFERENCES contests(id);
"""
"""Issue 8: a reset or generated password must be changed at the next login; an
announcement may address one contest."""

_AUDIT_TRAIL = """
CREATE TABLE audit_log (
    id              INTEGER PRIMARY KEY,
    at              TEXT NOT NULL,
    actor_id        INTEGER,
    actor_username  TEXT NOT NULL,
    actor_role      TEXT,
    action          TEXT NOT NULL,
    entity_kind     TEXT NOT NULL,
    entity_id       TEXT,
    label           TEXT NOT NULL,
    category_id     INTEGER,
    contest_id      INTEGER,
    subject_user_id INTEGER,
    old_json        TEXT,
    new_json        TEXT,
    reason          TEXT,
    client_id       TEXT
);
CREATE INDEX idx_audit_log_category ON audit_log (category_id, id);
CREATE INDEX idx_audit_log_actor ON audit_log (actor_id, id);
CREATE INDEX idx_audit_log_subject ON audit_log (subject_user_id, id);
CREATE INDEX idx_audit_log_entity ON audit_log (entity_kind, entity_id, id);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
INSERT INTO audit_log (at, actor_id, actor_username, actor_role, action, entity_kind,
    entity_id, label, category_id, contest_id, subject_user_id, old_json, new_json, reason,
    client_id)
SELECT a.changed_at, a.changed_by, COALESCE(u.username, 'user ' || a.changed_by), u.role,
    'score.' || CASE a.action WHEN 'create' THEN 'created' WHEN 'update' THEN 'updated'
        ELSE 'deleted' END,
    'score', CAST(a.score_id AS TEXT),
    'score of #' || COALESCE(k.number, a.contestant_id) || ', '
        || COALESCE(c.name, 'criterion ' || a.criterion_id),
    a.category_id, g.contest_id, a.judge_id,
    CASE WHEN a.old_score IS NULL THEN NULL
        ELSE json_object('score', a.old_score, 'comment', a.old_comment) END,
    CASE WHEN a.new_score IS NULL THEN NULL
        ELSE json_object('score', a.new_score, 'comment', a.new_comment) END,
    NULL, a.client_id
FROM score_audit a
LEFT JOIN users u ON u.id = a.changed_by
LEFT JOIN contestants k ON k.id = a.contestant_id
LEFT JOIN criteria c ON c.id = a.criterion_id
LEFT JOIN categories g ON g.id = a.category_id
ORDER BY a.id;
"""
"""The append-only audit trail of every write (:mod:`..service.audit` records into it).

Triggers refuse UPDATE and DELETE. Score history written before this migration (the
``score_audit`` table, which stays as the score-only detail) is copied in once, in order.
"""

_SHEET_REOPENS = """
CREATE TABLE reopen_requests (
    id                 INTEGER PRIMARY KEY,
    client_id          TEXT NOT NULL UNIQUE,
    content_hash       TEXT NOT NULL,
    category_id        INTEGER NOT NULL REFERENCES categories(id),
    judge_id           INTEGER NOT NULL REFERENCES users(id),
    reason             TEXT NOT NULL,
    status             TEXT NOT NULL,
    superseded_receipt TEXT,
    decided_by         INTEGER REFERENCES users(id),
    decision_note      TEXT,
    created_at         TEXT NOT NULL,
    decided_at         TEXT,
    seq                INTEGER NOT NULL
);
CREATE INDEX idx_reopen_requests_category ON reopen_requests (category_id, judge_id);

CREATE TABLE superseded_signoffs (
    id                 INTEGER PRIMARY KEY,
    category_id        INTEGER NOT NULL,
    role               TEXT NOT NULL,
    user_id            INTEGER NOT NULL,
    signed_at          TEXT NOT NULL,
    receipt            TEXT NOT NULL,
    signed_score_count INTEGER NOT NULL,
    client_id          TEXT NOT NULL UNIQUE,
    superseded_at      TEXT NOT NULL,
    reopen_request_id  INTEGER
);
"""
"""Corrections after sign-off: reopen requests, and the sign-offs an approval superseded
(their ``clientId`` stays taken, their receipt stays in the audit trail)."""

_PAPER_SHEETS = """
CREATE TABLE paper_sheets (
    id            INTEGER PRIMARY KEY,
    client_id     TEXT NOT NULL UNIQUE,
    content_hash  TEXT NOT NULL,
    category_id   INTEGER NOT NULL REFERENCES categories(id),
    judge_id      INTEGER NOT NULL REFERENCES users(id),
    entered_by    INTEGER NOT NULL REFERENCES users(id),
    entries       TEXT NOT NULL,
    note          TEXT,
    status        TEXT NOT NULL,
    decided_by    INTEGER REFERENCES users(id),
    decision_note TEXT,
    created_at    TEXT NOT NULL,
    decided_at    TEXT,
    seq           INTEGER NOT NULL
);
CREATE INDEX idx_paper_sheets_category ON paper_sheets (category_id);
"""
"""Paper sheets typed in on a judge's behalf, waiting for a second person's confirmation."""

MIGRATIONS: Final[tuple[str, ...]] = (
    _V1_SCHEMA,
    _V2_INDEXES,
    _REFUSED_WRITES_AND_PENDING_AGE,
    _REFRESH_TOKEN_FAMILIES,
    _SCORING_RULES,
    _SCORING_REVIEWS,
    _AUDIT_TRAIL,
    _SHEET_REOPENS,
    _PAPER_SHEETS,
    _SETUP_ACCOUNTS,
)
"""Migration ``i`` brings the schema from version ``i`` to ``i + 1``."""

SCHEMA_VERSION: Final[int] = len(MIGRATIONS)


def migrate(conn: sqlite3.Connection) -> int:
    """Apply every pending migration in order; return the resulting schema version."""
    current = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if current > SCHEMA_VERSION:
        raise DatabaseError(
            f"database schema version {current} is newer than this server ({SCHEMA_VERSION})"
        )
    for version in range(current, SCHEMA_VERSION):
        # executescript runs the whole step, version bump included, in one transaction.
        conn.executescript(
            f"BEGIN IMMEDIATE;\n{MIGRATIONS[version]}\nPRAGMA user_version = {version + 1};\n"
            "COMMIT;"
        )
    return SCHEMA_VERSION
