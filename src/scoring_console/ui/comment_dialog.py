"""A judge's comment on one score: a small dialog, opened from the sheet (Shift+Enter).

The comment travels with the score (``Score.comment``); only the judge (and, after
certification, those who may see the judge's values) reads it. Ctrl+Enter saves.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

MAX_COMMENT = 500
"""Characters a comment may have (the protocol's limit)."""


class CommentDialog(QDialog):
    """Edit the comment on one cell; ``comment()`` after ``accepted``."""

    def __init__(self, cell_name: str, comment: str | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Comment — {cell_name}")
        self.setObjectName("commentDialog")
        self.setMinimumWidth(380)
        heading = QLabel(f"Your comment on the score for <b>{html.escape(cell_name)}</b>:", self)
        self.editor = QPlainTextEdit(comment or "", self)
        self.editor.setTabChangesFocus(True)
        self.editor.textChanged.connect(self.on_editor_text_changed)
        self.count_label = QLabel(self)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        for sequence in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(sequence), self, self.on_save_shortcut_activated)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.editor, 1)
        layout.addWidget(self.count_label)
        layout.addWidget(self.buttons)
        self.editor.setFocus(Qt.FocusReason.OtherFocusReason)
        self.on_editor_text_changed()

    @property
    def save_button(self) -> QPushButton:
        """The Save button."""
        return self.buttons.button(QDialogButtonBox.StandardButton.Save)

    def comment(self) -> str | None:
        """The comment as typed (trimmed); ``None`` when left empty."""
        return self.editor.toPlainText().strip() or None

    def on_editor_text_changed(self) -> None:
        """Count the characters; too long a comment cannot be saved (and says so)."""
        length = len(self.editor.toPlainText().strip())
        too_long = length > MAX_COMMENT
        self.save_button.setEnabled(not too_long)
        self.count_label.setText(
            f"<b>Too long: {length} characters, at most {MAX_COMMENT}.</b>"
            if too_long
            else f"{length} / {MAX_COMMENT} characters · Ctrl+Enter saves · empty removes it"
        )

    def on_save_shortcut_activated(self) -> None:
        """Ctrl+Enter: save, unless the comment is too long."""
        if self.save_button.isEnabled():
            self.accept()
