"""The main window: the role's workspace, notifications, status bar, menus.

Judges get :class:`JudgeWorkspace`; tally masters, auditors, board members,
organizers and admins get :class:`TallyWorkspace`. Geometry, dock layout and table
header layouts persist in the window-state file (apart from user settings).
Closing the window emits ``close_requested``; the application controller then stops
the core cleanly and quits.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QDockWidget,
    QFrame,
    QHeaderView,
    QMainWindow,
    QMessageBox,
    QScrollArea,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from scoring_console import paths
from scoring_console.protocol.roles import Role

from .admin import install_competition_workspace
from .announcement_banner import AnnouncementBanner
from .certification_panel import CertificationPanel
from .export_actions import install_outputs
from .icons import icon
from .judge_workspace import JudgeWorkspace
from .notifications.center import NotificationDock
from .notifications.notifier import TrayNotifier
from .notifications.sound import NotificationSound
from .notifications.toast import ToastOverlay
from .notifications.tray import SystemTray
from .relogin import Relogin
from .requests_panel import RequestsPanel
from .results_screen import ResultsScreen, open_results_screen
from .score_delegate import Confirm
from .settings import UserSettings, WindowState
from .settings_dialog import SettingsDialog
from .status_bar import ROLE_LABELS, ConnectionStatusBar
from .tally_workspace import TallyWorkspace
from .tasks import TaskSet

if TYPE_CHECKING:
    from .bridge import CoreBridge

log = logging.getLogger(__name__)

DOCK_WIDTH = 330

QuitGuard = Callable[[QWidget, int], bool]
"""``guard(window, pending) -> bool``: may the window close with ``pending`` unsent entries?"""


def ask_quit_with_pending(window: QWidget, pending: int) -> bool:
    """The default guard: say how many entries wait and that they are sent at next start."""
    entries = "1 entry is" if pending == 1 else f"{pending} entries are"
    box = QMessageBox(
        QMessageBox.Icon.Warning,
        "Unsent entries",
        f"{entries} saved on this computer but not on the server yet.",
        QMessageBox.StandardButton.NoButton,
        window,
    )
    box.setInformativeText(
        "Nothing is lost: they are sent the next time you start the console on this "
        "computer with the same user. Quit now?"
    )
    quit_button = box.addButton("&Quit", QMessageBox.ButtonRole.AcceptRole)
    keep = box.addButton("&Keep working", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(keep)
    box.exec()
    return box.clickedButton() is quit_button


def _scrollable(panel: QWidget) -> QScrollArea:
    """A side panel that may scroll rather than force a wide window."""
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidget(panel)
    return area


class MainWindow(QMainWindow):
    """The console's one main window.

    Signals:
        close_requested(): the user closed the window; the controller shuts down.
        settings_changed(UserSettings): the user saved new settings.
    """

    close_requested = Signal()
    settings_changed = Signal(object)

    def __init__(
        self,
        bridge: CoreBridge,
        settings: UserSettings,
        window_state: WindowState | None = None,
        confirm: Confirm | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.core = bridge.core
        self.quit_guard: QuitGuard | None = None
        """Asked before closing while entries are unsent (the app sets it; SIGTERM does not)."""
        self.settings = settings
        self.window_state = window_state or WindowState()
        user = self.core.state.user or self.core.user
        self.role = user.role if user is not None else Role.JUDGE
        self._set_title()
        self.setWindowIcon(icon("app"))
        self.setObjectName("mainWindow")
        self.resize(1180, 720)

        central = self._central = QWidget(self)
        self._confirm = confirm
        self.workspace = self._make_workspace(central)
        self.banner = AnnouncementBanner(
            bridge, central, dismissed_ids=self.window_state.load_ids(self._banner_key())
        )
        self.banner.dismissed.connect(self.on_banner_dismissed)
        self._column = QVBoxLayout(central)
        self._column.setContentsMargins(0, 0, 0, 0)
        self._column.setSpacing(0)
        self._column.addWidget(self.banner)
        self._column.addWidget(self.workspace, 1)
        self.setCentralWidget(central)

        self.status = ConnectionStatusBar(
            self.core.current_server, self, several=self.core.servers.several
        )
        self.setStatusBar(self.status)
        self.status.set_user(user)
        bridge.connection_changed.connect(self.status.on_connection_changed)
        bridge.pending_count_changed.connect(self.status.on_pending_count_changed)
        self.status.on_connection_changed(self.core.connection)
        self.status.on_pending_count_changed(self.core.pending_count())
        bridge.snapshot_loaded.connect(self.on_snapshot_loaded)

        self._size_docks = False
        self.results_screen: ResultsScreen | None = None
        self._build_menus()
        self._install_notifications()
        self.outputs = install_outputs(self, bridge, self.workspace.current_category_id)
        install_competition_workspace(self)  # organizers and admins only
        self.restore_layout()

    # -- notifications (widgets of the notifications package) ---------------------------

    def _install_notifications(self) -> None:
        """Dock, toasts, tray and sound from ``ui.notifications``."""
        self.notification_dock = NotificationDock(self.bridge, self)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.notification_dock)
        self.view_menu.addAction(self.notification_dock.toggleViewAction())
        self.sound = NotificationSound(enabled=self.settings.sound_enabled, parent=self)
        self.tray = SystemTray(self)
        self.notifier = TrayNotifier(
            self.bridge, self.tray, window=self, sound=self.sound, parent=self
        )
        self.notifier.tray_messages_enabled = self.settings.tray_messages
        self.toasts = ToastOverlay(self)
        self.notifier.notice_posted.connect(self.toasts.on_notice_posted)
        self.notifier.open_requested.connect(self.on_open_requested)
        self.toasts.toast_clicked.connect(self.on_toast_clicked)

        self.certification_panel = CertificationPanel(self.bridge)
        self.certification_dock = QDockWidget("Certification", self)
        self.certification_dock.setObjectName("certificationDock")
        self.certification_dock.setWidget(_scrollable(self.certification_panel))
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.certification_dock)
        self.view_menu.addAction(self.certification_dock.toggleViewAction())
        # Every role gets the requests panel: it shows only what the role may do
        # (judges: request a deduction and follow their requests; deciders: approve).
        self.requests_panel = RequestsPanel(self.bridge)
        self.requests_dock = QDockWidget("Requests", self)
        self.requests_dock.setObjectName("requestsDock")
        self.requests_dock.setWidget(_scrollable(self.requests_panel))
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.requests_dock)
        self.tabifyDockWidget(self.certification_dock, self.requests_dock)
        self.certification_dock.raise_()
        self.view_menu.addAction(self.requests_dock.toggleViewAction())
        self.workspace.category_shown.connect(self.on_workspace_category_shown)
        current = self.workspace.current_category_id()
        if current is not None:
            self.on_workspace_category_shown(current)

    def on_workspace_category_shown(self, category_id: int) -> None:
        """Keep the side panels on the category the user is looking at."""
        self.requests_panel.category_id = category_id
        try:
            self.certification_panel.set_category(category_id)
        except KeyError:
            log.debug("category %s not in the certification panel yet", category_id)

    def _banner_key(self) -> str:
        username = getattr(self.core, "username", "")  # test doubles may not carry it
        return f"banner/dismissed/{paths.profile_key(self.core.server_url, username)}"

    def on_banner_dismissed(self, _announcement_id: int) -> None:
        """Remember dismissed announcements so they do not come back at the next start."""
        self.window_state.save_ids(self._banner_key(), set(self.banner.dismissed_ids()))
        self.window_state.sync()

    def on_open_requested(self) -> None:
        """A tray message or the tray icon was clicked: bring the window up, news first."""
        self.showNormal()
        self.raise_()
        self.activateWindow()
        self.notification_dock.open()

    def on_toast_clicked(self, _notice: object) -> None:
        """A toast was clicked: show the notification center."""
        self.notification_dock.open()

    # -- menus ------------------------------------------------------------------------------

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        settings_action = QAction(icon("settings"), "&Settings…", self)
        settings_action.setShortcut(QKeySequence.StandardKey.Preferences)
        settings_action.triggered.connect(self.on_settings_triggered)
        file_menu.addAction(settings_action)
        self.relogin = Relogin(self.bridge, self, remember=self.settings.remember_me)
        self.relogin.finished.connect(lambda _ok, text: self.status.showMessage(text, 10000))
        file_menu.addAction(self.relogin.action)
        file_menu.addSeparator()
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)
        self.view_menu = self.menuBar().addMenu("&View")
        if self.role is not Role.JUDGE:  # issue 9: the MC's / projector's results screen
            self.results_action = QAction("&Results screen…", self)
            self.results_action.triggered.connect(self.on_results_screen_triggered)
            self.view_menu.addAction(self.results_action)
        help_menu = self.menuBar().addMenu("&Help")
        about = QAction("&About Scoring Console", self)
        about.triggered.connect(self.on_about_triggered)
        help_menu.addAction(about)

    def on_results_screen_triggered(self) -> None:
        """Open the results screen on the category in view (second screen if any)."""
        self.results_screen = open_results_screen(
            self.bridge, self.workspace.current_category_id(), self
        )

    def on_settings_triggered(self) -> None:
        """Open the settings dialog; apply and save on OK."""
        sound_note = ""
        if self.settings.sound_enabled and not self.sound.sound_available:
            sound_note = f"Sound is not available here: {self.sound.unavailable_reason}"
        dialog = SettingsDialog(self.settings, sound_note=sound_note, parent=self)
        dialog.setModal(True)
        dialog.accepted.connect(lambda: self.apply_settings(dialog.result_settings()))
        dialog.open()

    def apply_settings(self, settings: UserSettings) -> None:
        """Use and persist new user settings."""
        self.settings = settings
        settings.save()
        self.sound.enabled = settings.sound_enabled
        self.notifier.tray_messages_enabled = settings.tray_messages
        if isinstance(self.workspace, JudgeWorkspace):
            self.workspace.apply_settings(settings)
        self.settings_changed.emit(settings)

    def on_about_triggered(self) -> None:
        """A short about box."""
        QMessageBox.about(
            self,
            "About Scoring Console",
            "Scoring Console — judge scoring and live tallies for judged competitions.",
        )

    # -- state -------------------------------------------------------------------------------

    def on_snapshot_loaded(self) -> None:
        """A snapshot arrived: the user's name and role may be known only now, or changed.

        The side panels re-read the role on every refresh; the workspace itself is
        rebuilt when the role needs the other kind (a judge made tally master or back).
        """
        user = self.core.state.user
        self.status.set_user(user)
        if user is None or user.role is self.role:
            return
        judge_before = self.role is Role.JUDGE
        self.role = user.role
        self._set_title()
        if judge_before != (user.role is Role.JUDGE):
            self._replace_workspace()

    def _set_title(self) -> None:
        role_label = ROLE_LABELS.get(str(self.role), str(self.role))
        self.setWindowTitle(f"Scoring Console — {role_label}")

    def _make_workspace(self, parent: QWidget) -> JudgeWorkspace | TallyWorkspace:
        if self.role is Role.JUDGE:
            return JudgeWorkspace(self.bridge, self._confirm, parent, settings=self.settings)
        return TallyWorkspace(self.bridge, parent)

    def _replace_workspace(self) -> None:
        old = self.workspace
        self.workspace = self._make_workspace(self._central)
        self._column.replaceWidget(old, self.workspace)
        old.hide()
        old.deleteLater()
        self.workspace.category_shown.connect(self.on_workspace_category_shown)
        current = self.workspace.current_category_id()
        if current is not None:
            self.on_workspace_category_shown(current)

    def is_filled(self) -> bool:
        """True once the workspace shows synced data (used by ``--screenshot``)."""
        if self.core.state.user is None or not self.core.connection.connected:
            return False
        if not self.core.state.categories:
            return True  # synced, nothing set up yet: the empty workspace says so
        if isinstance(self.workspace, JudgeWorkspace):
            sheet = self.workspace.current_sheet()
            return sheet is not None and sheet.model.rowCount() > 0
        view = self.workspace.current_view()
        return view is not None and view.model.rowCount() > 0

    def task_sets(self) -> list[TaskSet]:
        """Background tasks started from this window (cancelled at shutdown)."""
        sets = [self.relogin.tasks]
        if isinstance(self.workspace, JudgeWorkspace):
            sets += [sheet.tasks for sheet in self.workspace.sheets.values()]
        return sets

    # -- layout persistence ------------------------------------------------------------------

    def _layout_key(self, name: str) -> str:
        # per user and workspace kind: one user's floated dock never crushes another's table
        username = getattr(self.core, "username", "")  # test doubles may not carry it
        profile = paths.profile_key(self.core.server_url, username)
        return f"layout/{profile}/{'judge' if self.role is Role.JUDGE else 'tally'}/{name}"

    def restore_layout(self) -> None:
        """Geometry, docks and splitters from the window-state file."""
        geometry = self.window_state.load(self._layout_key("geometry"))
        if geometry is not None:
            self.restoreGeometry(geometry)
        state = self.window_state.load(self._layout_key("state"))
        if state is not None:
            self.restoreState(state)
        else:
            self.resizeDocks([self.notification_dock], [DOCK_WIDTH], Qt.Orientation.Horizontal)
        for splitter in self.findChildren(QSplitter):
            blob = self.window_state.load(self._layout_key(f"splitter/{splitter.objectName()}"))
            if blob is not None and splitter.objectName():
                splitter.restoreState(blob)
        self._restore_headers()

    def _restore_headers(self) -> None:
        for table in self.findChildren(QTableView):
            if not table.objectName():
                continue
            blob = self.window_state.load(self._layout_key(f"header/{table.objectName()}"))
            header: QHeaderView = table.horizontalHeader()
            if blob is not None and header.count() > 0:
                header.restoreState(blob)

    def save_layout(self) -> None:
        """Write geometry, docks, splitters and header layouts."""
        store = self.window_state
        store.save(self._layout_key("geometry"), self.saveGeometry())
        store.save(self._layout_key("state"), self.saveState())
        for splitter in self.findChildren(QSplitter):
            if splitter.objectName():
                store.save(
                    self._layout_key(f"splitter/{splitter.objectName()}"), splitter.saveState()
                )
        for table in self.findChildren(QTableView):
            if table.objectName() and table.isVisible():
                blob: QByteArray = table.horizontalHeader().saveState()
                store.save(self._layout_key(f"header/{table.objectName()}"), blob)
        store.sync()

    def showEvent(self, event: QShowEvent) -> None:
        """First show without a saved layout: give the docks a modest width."""
        super().showEvent(event)
        if self._size_docks:
            self._size_docks = False
            docks = [self.notification_dock, self.certification_dock]
            self.resizeDocks(docks, [DOCK_WIDTH, DOCK_WIDTH], Qt.Orientation.Horizontal)
            self.resizeDocks(docks, [200, 400], Qt.Orientation.Vertical)

    def closeEvent(self, event: QCloseEvent) -> None:
        """Warn about unsent entries, persist the layout and ask the controller to shut down."""
        pending = self.core.pending_count()
        if pending and self.quit_guard is not None and not self.quit_guard(self, pending):
            event.ignore()
            return
        try:
            self.save_layout()
        except Exception:  # a layout that cannot be saved must not block quitting
            log.exception("could not save the window layout")
        event.accept()
        self.close_requested.emit()
