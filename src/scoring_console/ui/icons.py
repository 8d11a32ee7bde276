"""Icons by name: the SVGs in ``resources/icons`` first, the style's standard icons second.

The resource folder is filled by the notifications/resources owner; until an icon
exists there the platform style supplies a close equivalent, so the UI never shows a
blank where an icon belongs.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QStyle

_FALLBACKS: dict[str, QStyle.StandardPixmap] = {
    "sync-pending": QStyle.StandardPixmap.SP_BrowserReload,
    "sync-done": QStyle.StandardPixmap.SP_DialogApplyButton,
    "sync-rejected": QStyle.StandardPixmap.SP_MessageBoxCritical,
    "online": QStyle.StandardPixmap.SP_DialogYesButton,
    "offline": QStyle.StandardPixmap.SP_DialogNoButton,
    "warning": QStyle.StandardPixmap.SP_MessageBoxWarning,
    "certify": QStyle.StandardPixmap.SP_DialogSaveButton,
    "settings": QStyle.StandardPixmap.SP_FileDialogDetailedView,
    "app": QStyle.StandardPixmap.SP_ComputerIcon,
    "saved-locally": QStyle.StandardPixmap.SP_DriveHDIcon,
    "synced": QStyle.StandardPixmap.SP_DialogApplyButton,
    "rejected": QStyle.StandardPixmap.SP_MessageBoxCritical,
    "connected": QStyle.StandardPixmap.SP_DialogYesButton,
    "reconnecting": QStyle.StandardPixmap.SP_BrowserReload,
}


class ResourceError(Exception):
    """A bundled resource file (sound, icon) is missing."""


def resource_roots() -> list[Path]:
    """Where ``resources/`` may live: the source tree, or a copy inside the package."""
    here = Path(__file__).resolve()
    return [here.parents[3] / "resources", here.parents[1] / "resources"]


def resource_dirs() -> list[Path]:
    """Where icon SVGs may live."""
    return [root / "icons" for root in resource_roots()]


def sound_path(name: str) -> Path:
    """The WAV file ``resources/sounds/<name>.wav``; :class:`ResourceError` if missing."""
    for root in resource_roots():
        path = root / "sounds" / f"{name}.wav"
        if path.is_file():
            return path
    raise ResourceError(f"sound {name!r} not found in {', '.join(map(str, resource_roots()))}")


@cache
def icon(name: str) -> QIcon:
    """The icon called ``name`` (an empty icon when neither an SVG nor a fallback exists)."""
    for directory in resource_dirs():
        path = directory / f"{name}.svg"
        if path.is_file():
            return QIcon(str(path))
    fallback = _FALLBACKS.get(name)
    app = QApplication.instance()
    if fallback is not None and isinstance(app, QApplication):
        return app.style().standardIcon(fallback)
    return QIcon()
