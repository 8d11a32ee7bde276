"""Alembic revisions, oldest first (r0001 = the schema the legacy chain built)."""
