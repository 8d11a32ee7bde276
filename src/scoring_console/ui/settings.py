"""User settings and window state, kept in two separate INI files under ``config_dir()``.

User settings (``settings.ini``) are choices the user makes in the settings dialog:
server address(es), last user name, sound, tray messages. Window state (``window-state.ini``)
is what the app remembers by itself: geometry, splitter and table header layouts.
Keeping them apart means "reset layout" never loses a preference and vice versa.
Both live in one folder: ``paths.settings_dir(data_dir)`` — inside ``--data-dir`` when
one is given, else the per-user config folder (``SCORING_CONSOLE_HOME`` overrides it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

from scoring_console import paths

from .plausibility import DEFAULT_GAP_PERCENT

DEFAULT_SERVER_URL = "http://127.0.0.1:8765"


def _settings(name: str, directory: Path | None) -> QSettings:
    directory = directory or paths.config_dir()
    directory.mkdir(parents=True, exist_ok=True)
    return QSettings(str(directory / name), QSettings.Format.IniFormat)


def _as_bool(value: object, default: bool) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "on"}
    return default


def _as_percent(value: object) -> int:
    try:
        return max(0, min(100, int(str(value))))
    except ValueError:
        return DEFAULT_GAP_PERCENT


@dataclass
class UserSettings:
    """Preferences the user edits in the settings dialog."""

    server_url: str = DEFAULT_SERVER_URL
    """One server address, or several nodes of one cluster as ``a, b`` (one INI value,
    so a settings file of an older version reads as a list of one)."""
    username: str = ""
    remember_me: bool = True
    sound_enabled: bool = True
    tray_messages: bool = True
    unusual_score_gap: int = DEFAULT_GAP_PERCENT
    """Ask to confirm a score this far (% of the maximum) from my other scores; 0 = never."""
    directory: Path | None = field(default=None, compare=False, repr=False)
    """The folder the settings are read from and saved to (``None``: ``config_dir()``)."""

    @classmethod
    def load(cls, directory: Path | None = None) -> UserSettings:
        """Read from ``settings.ini`` in ``directory`` (defaults for anything missing)."""
        store = _settings("settings.ini", directory)
        return cls(
            directory=directory,
            server_url=str(store.value("server/url", DEFAULT_SERVER_URL)) or DEFAULT_SERVER_URL,
            username=str(store.value("server/username", "")),
            remember_me=_as_bool(store.value("login/remember", True), True),
            sound_enabled=_as_bool(store.value("notifications/sound", True), True),
            tray_messages=_as_bool(store.value("notifications/tray", True), True),
            unusual_score_gap=_as_percent(
                store.value("scoring/unusual_score_gap", DEFAULT_GAP_PERCENT)
            ),
        )

    def save(self) -> None:
        """Write to ``settings.ini``."""
        store = _settings("settings.ini", self.directory)
        store.setValue("server/url", self.server_url)
        store.setValue("server/username", self.username)
        store.setValue("login/remember", self.remember_me)
        store.setValue("notifications/sound", self.sound_enabled)
        store.setValue("notifications/tray", self.tray_messages)
        store.setValue("scoring/unusual_score_gap", self.unusual_score_gap)
        store.sync()


class WindowState:
    """Geometry and layout blobs (``saveGeometry``/``saveState``) keyed by name."""

    def __init__(self, directory: Path | None = None) -> None:
        self._store = _settings("window-state.ini", directory)

    def load(self, key: str) -> QByteArray | None:
        """The blob saved under ``key``, or ``None``."""
        value = self._store.value(key)
        if isinstance(value, QByteArray) and not value.isEmpty():
            return value
        return None

    def save(self, key: str, blob: QByteArray) -> None:
        """Remember ``blob`` under ``key``."""
        self._store.setValue(key, blob)

    def load_ids(self, key: str) -> set[int]:
        """A set of ids saved under ``key`` (e.g. dismissed announcements)."""
        raw = self._store.value(key, "")
        text = ",".join(raw) if isinstance(raw, list) else str(raw or "")
        return {int(part) for part in text.split(",") if part.strip().isdigit()}

    def save_ids(self, key: str, ids: set[int]) -> None:
        """Remember a set of ids under ``key``."""
        self._store.setValue(key, ",".join(str(i) for i in sorted(ids)))

    def sync(self) -> None:
        """Flush to disk."""
        self._store.sync()
