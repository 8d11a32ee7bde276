"""Alembic environment of the server's database, run from :mod:`..upgrade` (never by hand).

The caller passes an open SQLAlchemy connection in ``config.attributes["connection"]``;
every revision of one run goes into one transaction (PostgreSQL's DDL is transactional;
SQLite's connection begins with ``BEGIN IMMEDIATE``). On PostgreSQL a transaction-level
advisory lock keeps two nodes starting together from migrating at the same time.
"""

from __future__ import annotations

from alembic import context

from scoring_console.server.db.schema import metadata

MIGRATION_LOCK = 0x5C0E_0002
"""``pg_advisory_xact_lock`` key held while migrating (not the write lock's key)."""

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run the server's migrations through scoring_console.server.db.upgrade")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=True,
    transactional_ddl=True,
    compare_server_default=True,
)
with context.begin_transaction():
    if connection.dialect.name == "postgresql":
        context.execute(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
    context.run_migrations()
