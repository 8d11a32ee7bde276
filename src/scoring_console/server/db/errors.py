"""Errors of the database layer."""


class DatabaseError(Exception):
    """The database file cannot be opened, migrated, or is newer than this code."""
