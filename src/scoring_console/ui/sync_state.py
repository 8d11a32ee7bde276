"""How a score cell stands with the server, and how that is shown (text, tint, icon).

Tints are translucent so they read on light and dark palettes alike; the icon and the
tooltip carry the same information for users who do not see the colour.
"""

from __future__ import annotations

from enum import StrEnum

from PySide6.QtGui import QColor


class CellSync(StrEnum):
    """Sync state of one sheet cell."""

    EMPTY = "empty"
    SAVING = "saving"
    SAVED_LOCALLY = "saved locally"
    SYNCED = "synced"
    REJECTED = "rejected"


LABELS: dict[CellSync, str] = {
    CellSync.EMPTY: "Not scored yet",
    CellSync.SAVING: "Saving…",
    CellSync.SAVED_LOCALLY: "Saved locally — waiting to reach the server",
    CellSync.SYNCED: "Synced — stored on the server",
    CellSync.REJECTED: "Rejected by the server",
}

_TINTS: dict[CellSync, QColor] = {
    CellSync.SAVING: QColor(230, 160, 20, 45),
    CellSync.SAVED_LOCALLY: QColor(230, 160, 20, 70),
    CellSync.REJECTED: QColor(220, 50, 47, 90),
}


def tint(sync: CellSync) -> QColor | None:
    """The translucent background of a cell in ``sync`` state, if any."""
    return _TINTS.get(sync)


ICON_NAMES: dict[CellSync, str] = {
    CellSync.SAVING: "saved-locally",
    CellSync.SAVED_LOCALLY: "saved-locally",
    CellSync.SYNCED: "synced",
    CellSync.REJECTED: "rejected",
}
