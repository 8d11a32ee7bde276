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

MIGRATIONS: Final[tuple[str, ...]] = (_V1_SCHEMA, _V2_INDEXES, _REFUSED_WRITES_AND_PENDING_AGE)
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
