"""Client integration tests: a real server, real SQLite files, an in-memory keyring."""
