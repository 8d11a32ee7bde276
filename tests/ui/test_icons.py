"""Icons and the notification sound: present, valid, consistent, found by name."""

from __future__ import annotations

import re
import subprocess
import sys
import wave
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtGui import QColor
from PySide6.QtSvg import QSvgRenderer
from pytestqt.qtbot import QtBot

from scoring_console.ui import icons
from scoring_console.ui.notifications.severity import ICON_NAMES as SEVERITY_ICONS
from scoring_console.ui.notifications.tray import TRAY_ICONS
from scoring_console.ui.sync_state import ICON_NAMES as SYNC_ICONS

REQUIRED = {
    "app", "connected", "reconnecting", "offline", "saved-locally", "synced", "rejected",
    "warning", "bell", "certificate", "lock", "publish", "judge", "tally",
    "tray", "tray-unread", "tray-offline",
}  # fmt: skip
UI_DIR = Path(icons.__file__).resolve().parent
SVG_NS = "{http://www.w3.org/2000/svg}"


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    icons.clear_cache()


def test_every_required_icon_exists_and_renders(qtbot: QtBot) -> None:
    assert set(icons.available_icons()) >= REQUIRED
    for name in icons.available_icons():
        path = icons.icon_path(name)
        assert QSvgRenderer(str(path)).isValid(), name
        image = icons.icon(name).pixmap(24, 24).toImage()
        painted = sum(
            1 for x in range(24) for y in range(24) if QColor(image.pixel(x, y)).alpha() > 0
        )
        assert painted > 20, f"{name} renders (almost) nothing"


def test_icons_share_one_style() -> None:
    for path in sorted((icons.resources_dir() / "icons").glob("*.svg")):
        root = ET.parse(path).getroot()
        assert root.tag == f"{SVG_NS}svg", path.name
        assert root.get("viewBox") == "0 0 24 24", path.name
        assert root.get("stroke-width") == "2", path.name
        assert root.get("stroke-linecap") == "round", path.name
        assert root.find(f"{SVG_NS}title") is not None, f"{path.name} has no <title>"


def test_every_icon_name_the_ui_uses_exists() -> None:
    used = set(SYNC_ICONS.values()) | set(SEVERITY_ICONS.values()) | set(TRAY_ICONS)
    for source in UI_DIR.rglob("*.py"):
        used |= set(re.findall(r"""\bicon\(\s*["']([\w-]+)["']""", source.read_text()))
    assert used, "the scan found no icon names"
    missing = [n for n in sorted(used) if not icons.icon_path(n).is_file()]
    assert missing == []


def test_icons_are_cached(qtbot: QtBot) -> None:
    first = icons.icon("bell")
    assert icons.icon("bell") is first
    assert icons.icon("online").cacheKey() != first.cacheKey()  # an alias of "connected"


def test_missing_icon_raises_a_clear_error(qtbot: QtBot) -> None:
    with pytest.raises(icons.IconNotFoundError) as info:
        icons.icon("no-such-icon")
    message = str(info.value)
    assert "'no-such-icon'" in message
    assert "bell" in message  # lists what exists


def test_invalid_svg_is_refused(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "icons").mkdir()
    (tmp_path / "icons" / "broken.svg").write_text("<svg><path d=")
    monkeypatch.setenv(icons.RESOURCES_ENV, str(tmp_path))
    assert icons.resources_dir() == tmp_path
    with pytest.raises(icons.IconNotFoundError, match="could not be loaded"):
        icons.icon("broken")
    with pytest.raises(icons.ResourceError, match="Sound 'notify' not found"):
        icons.sound_path("notify")


def test_resources_override_falls_back_when_it_has_no_icons(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(icons.RESOURCES_ENV, str(tmp_path))
    assert icons.resources_dir() != tmp_path
    assert tmp_path in icons.resource_roots()


def test_notify_sound_is_a_short_wav() -> None:
    with wave.open(str(icons.sound_path("notify"))) as sound:
        assert sound.getnchannels() == 1
        assert sound.getsampwidth() == 2
        seconds = sound.getnframes() / sound.getframerate()
    assert 0.1 <= seconds <= 0.5


def test_notify_sound_is_reproducible_from_its_script(tmp_path: Path) -> None:
    script = Path(__file__).resolve().parents[2] / "packaging" / "tools" / "make_notify_sound.py"
    out = tmp_path / "notify.wav"
    subprocess.run([sys.executable, str(script), str(out)], check=True, capture_output=True)
    assert out.read_bytes() == icons.sound_path("notify").read_bytes()
