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
}


def resource_dirs() -> list[Path]:
    """Where icon SVGs may live: the source tree's ``resources/`` or an installed copy."""
    here = Path(__file__).resolve()
    return [here.parents[3] / "resources" / "icons", here.parents[1] / "resources" / "icons"]


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
