"""Alembic migrations of the server database (env.py + versions/), shipped in the package."""
