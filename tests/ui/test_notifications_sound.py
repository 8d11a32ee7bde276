"""The optional sound: a failing QtMultimedia import degrades to "sound unavailable"."""

from __future__ import annotations

import importlib
from typing import Any

from PySide6.QtCore import QUrl
from pytestqt.qtbot import QtBot

from scoring_console.ui.icons import sound_path
from scoring_console.ui.notifications import NotificationSound
from scoring_console.ui.notifications.sound import import_sound_effect


def failing_import() -> Any:
    raise ImportError("libpulse.so.0: cannot open shared object file: No such file or directory")


class RecordingEffect:
    """Stands in for QSoundEffect."""

    instances: list[RecordingEffect] = []

    def __init__(self, parent: object) -> None:
        self.parent = parent
        self.source: QUrl | None = None
        self.volume = 0.0
        self.plays = 0
        RecordingEffect.instances.append(self)

    def setSource(self, url: QUrl) -> None:
        self.source = url

    def setVolume(self, volume: float) -> None:
        self.volume = volume

    def play(self) -> None:
        self.plays += 1


def test_failing_import_means_sound_unavailable_without_error(qtbot: QtBot) -> None:
    sound = NotificationSound(enabled=True, importer=failing_import)
    assert sound.sound_available is False
    assert "libpulse" in sound.unavailable_reason
    assert sound.play() is False  # enabled, but nothing to play with: no exception


def test_nothing_is_imported_before_it_is_needed() -> None:
    calls: list[str] = []

    def importer() -> Any:
        calls.append("import")
        return RecordingEffect

    sound = NotificationSound(enabled=False, importer=importer)
    assert sound.play() is False  # disabled: no import
    assert calls == []
    assert sound.sound_available is True
    assert sound.sound_available is True
    assert calls == ["import"]  # once


def test_enabled_sound_plays_notify_wav() -> None:
    RecordingEffect.instances.clear()
    sound = NotificationSound(enabled=True, importer=lambda: RecordingEffect)
    assert sound.play() is True
    assert sound.play() is True
    (effect,) = RecordingEffect.instances
    assert effect.plays == 2
    assert effect.source is not None
    assert effect.source.toLocalFile() == str(sound_path("notify"))
    assert 0 < effect.volume <= 1
    assert sound.unavailable_reason == ""
    sound.enabled = False
    assert sound.play() is False
    assert effect.plays == 2


def test_backend_failing_at_play_time_is_contained() -> None:
    class Broken(RecordingEffect):
        def play(self) -> None:
            raise RuntimeError("no audio device")

    sound = NotificationSound(enabled=True, importer=lambda: Broken)
    assert sound.play() is False


def test_real_import_on_this_machine_never_raises(qtbot: QtBot) -> None:
    try:
        import_sound_effect()
    except ImportError:
        expected = False
    else:
        expected = True
    sound = NotificationSound(enabled=True)
    assert sound.sound_available is expected
    assert sound.play() in (False, expected)
    assert (sound.unavailable_reason == "") is expected
    importlib.invalidate_caches()
