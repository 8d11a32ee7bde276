"""The client's local SQLite: the cached snapshot and the durable outbox.

One database file per (server, user) pair; imports :mod:`scoring_console.protocol` only.
"""
