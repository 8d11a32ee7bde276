"""The "Competition" workspace for organizers and admins: set-up, accounts, assignments,
announcements — every change through the protocol, refusals shown where they happen.

:func:`install_competition_workspace` is the one hook the main window calls.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget

from scoring_console.protocol.roles import Role

from .workspace import CompetitionWorkspace

if TYPE_CHECKING:
    from ..main_window import MainWindow

MANAGER_ROLES = frozenset({Role.ADMIN, Role.ORGANIZER})


def install_competition_workspace(window: MainWindow) -> CompetitionWorkspace | None:
    """Add the Competition workspace (a dock, listed in the View menu) for organizers and
    admins; ``None`` for every other role."""
    if window.role not in MANAGER_ROLES:
        return None
    workspace = CompetitionWorkspace(window.bridge)
    dock = QDockWidget("Competition", window)
    dock.setObjectName("competitionDock")
    dock.setWidget(workspace)
    window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
    window.view_menu.addAction(dock.toggleViewAction())
    window.competition_dock = dock  # type: ignore[attr-defined]
    window.competition = workspace  # type: ignore[attr-defined]
    return workspace


__all__ = ["CompetitionWorkspace", "install_competition_workspace"]
