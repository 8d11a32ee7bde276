"""Where the console keeps its files: one place, overridable for tests.

``SCORING_CONSOLE_HOME`` (an env var) replaces every per-user directory with
sub-directories of one folder, so tests and benchmarks never touch the real profile.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import platformdirs

APP_NAME = "ScoringConsole"
HOME_ENV = "SCORING_CONSOLE_HOME"


def _base(kind: str) -> Path:
    override = os.environ.get(HOME_ENV)
    if override:
        return Path(override) / kind
    if kind == "data":
        return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    if kind == "config":
        return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))
    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))


def data_dir() -> Path:
    """Per-user data: local caches and outboxes."""
    return _base("data")


def config_dir() -> Path:
    """Per-user settings."""
    return _base("config")


def settings_dir(data_dir: Path | None = None) -> Path:
    """Where the console keeps user settings and window state.

    With ``--data-dir`` the settings live inside that folder, beside the caches, so a
    profile folder (a venue workstation's, a test's) carries its whole state and never
    touches the machine-wide ``config_dir()``.
    """
    return data_dir / "settings" if data_dir is not None else config_dir()


def log_dir() -> Path:
    """Per-user logs."""
    return _base("logs")


def profile_key(server_url: str, username: str) -> str:
    """A file-system-safe key for one (server, user) pair."""
    raw = f"{username}@{server_url.rstrip('/')}"
    return re.sub(r"[^A-Za-z0-9._@-]+", "_", raw)[:180]


def profile_dir(server_url: str, username: str, base: Path | None = None) -> Path:
    """The folder holding one (server, user) pair's cache and outbox."""
    return (base or data_dir()) / "profiles" / profile_key(server_url, username)
