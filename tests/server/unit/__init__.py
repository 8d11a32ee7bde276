"""Unit tests of the server's domain layer (db, service, passwords, demo data)."""
