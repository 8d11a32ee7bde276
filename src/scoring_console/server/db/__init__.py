"""The server database (SQLite file or PostgreSQL): connection, transactions, migrations, seq."""

from .connection import CommitHook, Database, SqliteDatabase, open_database
from .dbapi import Connection, Cursor, IntegrityError, Row, inserted_id
from .errors import DatabaseError
from .migrations import MIGRATIONS, SCHEMA_VERSION

__all__ = [
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "CommitHook",
    "Connection",
    "Cursor",
    "Database",
    "DatabaseError",
    "IntegrityError",
    "Row",
    "SqliteDatabase",
    "inserted_id",
    "open_database",
]
