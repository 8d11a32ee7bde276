"""Scoring Console: a desktop scoring console with a bundled real-time scoring server."""

__version__ = "0.1.0"
