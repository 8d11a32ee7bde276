"""The optional notification sound: :class:`QSoundEffect`, imported only when needed.

QtMultimedia is an optional extra (``PySide6-Addons``) and, where it is installed, can
still fail to import (``ImportError: libpulse.so.0`` on a machine without PulseAudio)
or find no audio device. None of that may stop the console: the sound then reports
itself unavailable through :attr:`NotificationSound.sound_available` and
:attr:`NotificationSound.unavailable_reason`, which the settings dialog shows next to
its "play a sound" check box.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QUrl

from ..icons import ResourceError, sound_path

log = logging.getLogger(__name__)

SoundEffectFactory = Callable[[], Any]
"""Returns the ``QSoundEffect`` class (a seam: tests pass one that fails or records)."""


def import_sound_effect() -> Any:
    """Import and return ``PySide6.QtMultimedia.QSoundEffect`` (may raise ImportError)."""
    return importlib.import_module("PySide6.QtMultimedia").QSoundEffect


class NotificationSound(QObject):
    """Plays ``resources/sounds/notify.wav`` when enabled and available.

    Nothing is imported or loaded until the first :meth:`play` or the first look at
    :attr:`sound_available`.
    """

    def __init__(
        self,
        enabled: bool = False,
        path: Path | None = None,
        importer: SoundEffectFactory = import_sound_effect,
        volume: float = 0.6,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._enabled = enabled
        self._path = path
        self._importer = importer
        self._volume = volume
        self._effect: Any = None
        self._loaded = False
        self._reason = ""

    @property
    def enabled(self) -> bool:
        """Whether notifications play the sound (the user's setting)."""
        return self._enabled

    @enabled.setter
    def enabled(self, value: bool) -> None:
        self._enabled = value

    @property
    def sound_available(self) -> bool:
        """True when the sound can play on this machine (loads the backend once)."""
        self._load()
        return self._effect is not None

    @property
    def unavailable_reason(self) -> str:
        """Why the sound cannot play ("" when it can), in words for the settings UI."""
        self._load()
        return self._reason

    def play(self) -> bool:
        """Play the sound if enabled and available; returns whether it was started."""
        if not self._enabled or not self.sound_available:
            return False
        try:
            self._effect.play()
        except Exception:  # a backend failing at play time must not break notifications
            log.warning("notification sound failed to play", exc_info=True)
            return False
        return True

    def _load(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        try:
            path = self._path or sound_path("notify")
        except ResourceError as exc:
            self._reason = f"Sound file missing: {exc}"
            return
        try:
            effect_class = self._importer()
            effect = effect_class(self)
            effect.setSource(QUrl.fromLocalFile(str(path)))
            effect.setVolume(self._volume)
        except (ImportError, OSError) as exc:
            self._reason = f"Sound unavailable: Qt Multimedia could not be loaded ({exc})"
            log.info("notification sound unavailable: %s", exc)
            return
        except Exception as exc:  # any backend failure degrades to "no sound"
            self._reason = f"Sound unavailable: {exc}"
            log.warning("notification sound unavailable", exc_info=True)
            return
        self._effect = effect
