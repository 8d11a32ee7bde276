"""The server's SQLite database: connection, transactions, ordered migrations, seq counter."""

from .connection import Database, open_database
from .errors import DatabaseError
from .migrations import MIGRATIONS, SCHEMA_VERSION

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "Database", "DatabaseError", "open_database"]
