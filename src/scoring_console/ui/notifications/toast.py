"""In-window toasts: small non-modal notices stacked in the window's bottom-right corner.

A :class:`ToastOverlay` is a child of the main window sized to its toasts only, so the
rest of the window keeps its mouse and keyboard. Each :class:`Toast` fades in, stays
for a while (errors longer), fades out; clicking one emits ``toast_clicked`` (the main
window opens the notification center) and closes it.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QEasingCurve,
    QEvent,
    QObject,
    QPropertyAnimation,
    Qt,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import (
    QFrame,
    QGraphicsOpacityEffect,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QVBoxLayout,
    QWidget,
)

from scoring_console.protocol.entities import NotificationType

from ..icons import icon
from .notifier import Notice
from .severity import ICON_NAMES, LABELS, severity_stylesheet

MARGIN = 12
WIDTH = 340


class Toast(QFrame):
    """One notice as a small framed card.

    Signals:
        clicked(): the user clicked the card.
        closed(): the card finished fading out and is about to be deleted.
    """

    clicked = Signal()
    closed = Signal()

    def __init__(
        self, notice: Notice, timeout_ms: int, fade_ms: int, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.notice = notice
        self._fade_ms = fade_ms
        self._closing = False
        self.setObjectName("toast")
        self.setFixedWidth(WIDTH)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setStyleSheet(severity_stylesheet(notice.severity, "QFrame#toast"))
        self.setAccessibleName(f"{LABELS[notice.severity]}: {notice.title}")
        self.setToolTip("Click to open the notification center")
        badge = QLabel()
        badge.setPixmap(icon(ICON_NAMES[notice.severity]).pixmap(20, 20))
        badge.setStyleSheet("border: none; background: transparent;")
        title = QLabel(f"<b>{_escape(notice.title)}</b>")
        body = QLabel(notice.message)
        for label in (title, body):
            label.setWordWrap(True)
            label.setStyleSheet("border: none; background: transparent;")
        text = QVBoxLayout()
        text.setSpacing(2)
        text.addWidget(title)
        text.addWidget(body)
        row = QHBoxLayout(self)
        row.setContentsMargins(10, 8, 10, 8)
        row.addWidget(badge, 0, Qt.AlignmentFlag.AlignTop)
        row.addLayout(text, 1)
        # word-wrapped labels need their height for the fixed width, or the card collapses;
        # measured once polished (style sheet and fonts applied)
        self.ensurePolished()
        row.invalidate()
        self.setFixedHeight(row.totalHeightForWidth(WIDTH))
        self._effect = QGraphicsOpacityEffect(self)
        self._effect.setOpacity(0.0 if fade_ms else 1.0)
        self.setGraphicsEffect(self._effect)
        self._animation = QPropertyAnimation(self._effect, b"opacity", self)
        self._animation.setEasingCurve(QEasingCurve.Type.InOutQuad)
        if fade_ms:
            self._fade(0.0, 1.0)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.dismiss)
        if timeout_ms > 0:
            self._timer.start(timeout_ms)

    @property
    def closing(self) -> bool:
        """True once the card started to go away."""
        return self._closing

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit()
            self.dismiss()
        super().mousePressEvent(event)

    @Slot()
    def dismiss(self) -> None:
        """Fade out and delete the card (idempotent)."""
        if self._closing:
            return
        self._closing = True
        self._timer.stop()
        if self._fade_ms:
            self._animation.finished.connect(self._finish)
            self._fade(self._effect.opacity(), 0.0)
        else:
            self._finish()

    def _fade(self, start: float, end: float) -> None:
        self._animation.stop()
        self._animation.setDuration(self._fade_ms)
        self._animation.setStartValue(start)
        self._animation.setEndValue(end)
        self._animation.start()

    def _finish(self) -> None:
        self.hide()
        self.closed.emit()
        self.deleteLater()


class ToastOverlay(QWidget):
    """A stack of toasts over the bottom-right corner of ``parent``'s content area.

    At most ``max_toasts`` are shown; a new one pushes the oldest out.

    Signals:
        toast_clicked(Notice): a toast was clicked.
    """

    toast_clicked = Signal(object)

    def __init__(
        self,
        parent: QWidget,
        timeout_ms: int = 6000,
        error_timeout_ms: int = 12000,
        fade_ms: int = 180,
        max_toasts: int = 4,
    ) -> None:
        super().__init__(parent)
        self.timeout_ms = timeout_ms
        self.error_timeout_ms = error_timeout_ms
        self.fade_ms = fade_ms
        self.max_toasts = max_toasts
        self._toasts: list[Toast] = []
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(6)
        parent.installEventFilter(self)
        self.hide()

    def toasts(self) -> list[Toast]:
        """The toasts on screen, oldest first (not counting ones fading out)."""
        return [t for t in self._toasts if not t.closing]

    @Slot(object)
    def on_notice_posted(self, notice: Notice) -> None:
        """Show ``notice`` as a new toast at the bottom of the stack."""
        timeout = (
            self.error_timeout_ms
            if notice.severity in (NotificationType.ERROR, NotificationType.WARNING)
            else self.timeout_ms
        )
        toast = Toast(notice, timeout, self.fade_ms, self)
        toast.clicked.connect(lambda: self.toast_clicked.emit(notice))
        toast.closed.connect(lambda: self._on_toast_closed(toast))
        self._toasts.append(toast)
        self._layout.addWidget(toast)
        while len(self.toasts()) > self.max_toasts:
            self.toasts()[0].dismiss()
        self._place()
        self.show()
        self.raise_()

    def dismiss_all(self) -> None:
        """Close every toast."""
        for toast in self.toasts():
            toast.dismiss()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.parent() and event.type() == QEvent.Type.Resize:
            self._place()
        return super().eventFilter(watched, event)

    def _on_toast_closed(self, toast: Toast) -> None:
        if toast in self._toasts:
            self._toasts.remove(toast)
        self._layout.removeWidget(toast)
        if not self._toasts:
            self.hide()
        else:
            self._place()

    def _place(self) -> None:
        parent = self.parentWidget()
        if parent is None:
            return
        # sized from the cards' fixed heights: the layout's own size hint lags one event
        shown = self._toasts  # fading ones too: they keep their place until gone
        height = sum(t.height() for t in shown) + self._layout.spacing() * max(0, len(shown) - 1)
        self.resize(WIDTH, max(height, 1))
        # bottom right of the content area: clear of menus, the banner and the status bar
        area = parent.rect()
        central = parent.centralWidget() if isinstance(parent, QMainWindow) else None
        if central is not None:
            area = central.geometry()
        self.move(
            max(0, area.right() - self.width() - MARGIN),
            max(0, area.bottom() - self.height() - MARGIN),
        )


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
