"""Signing is never one click: what is about to be signed, and the receipt afterwards.

:func:`signoff_question` words the confirmation a signer sees before a sign-off is
queued — the category and contest by name, how many scores the signature covers and
the totals it fixes — and :class:`ReceiptDialog` shows the server's receipt in a form a
person can keep: selectable, copyable, and saved to a text file beside the sheet.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from scoring_console.client.state import StateStore
from scoring_console.protocol.roles import Role

log = logging.getLogger(__name__)

STEP_NAMES = {
    Role.JUDGE: "your score sheet",
    Role.TALLY_MASTER: "the tally master's step",
    Role.AUDITOR: "the auditor's step",
    Role.BOARD: "the board's step",
}

MAX_TOTAL_LINES = 12
"""Longer rankings are cut in the question (the full list is on screen behind it)."""


@dataclass(frozen=True)
class SignoffSummary:
    """What one sign-off covers, in the user's words."""

    category: str
    contest: str
    step: str
    score_count: int
    expected_count: int
    totals: list[tuple[int, str, float]]
    """``(contestant number, name, total)`` in sheet or rank order."""

    @property
    def title(self) -> str:
        """ "Vocal Performance (Senior Showcase)"."""
        return f"{self.category} ({self.contest})" if self.contest else self.category


def summarize_signoff(state: StateStore, category_id: int) -> SignoffSummary:
    """The summary of the current user's sign-off of ``category_id`` from the state.

    A judge signs their own sheet: their own scores and their own totals per contestant.
    Every later step signs the panel's scores and the category's ranked totals.
    """
    user = state.user
    category = state.categories.get(category_id)
    contest = state.contests.get(category.contest_id) if category is not None else None
    role = user.role if user is not None else Role.JUDGE
    contestants = {c.id: c for c in state.contestants_in(category_id)}
    criteria = len(category.criteria) if category is not None else 0
    totals: list[tuple[int, str, float]] = []
    if role is Role.JUDGE and user is not None:
        mine = [s for s in state.scores_in(category_id) if s.judge_id == user.id]
        count = len(mine)
        expected = criteria * len(contestants)
        per: dict[int, float] = {}
        for score in mine:
            if score.score is not None:
                per[score.contestant_id] = per.get(score.contestant_id, 0.0) + score.score
        for contestant in contestants.values():
            totals.append((contestant.number, contestant.name, per.get(contestant.id, 0.0)))
    else:
        panel = set(state.judges_of(category_id))
        count = sum(1 for s in state.scores_in(category_id) if s.judge_id in panel)
        expected = criteria * len(contestants) * len(panel)
        for ranked in state.totals(category_id):
            found = contestants.get(ranked.contestant_id)
            if found is not None:
                totals.append((found.number, found.name, ranked.total))
    return SignoffSummary(
        category=category.name if category is not None else "this category",
        contest=contest.name if contest is not None else "",
        step=STEP_NAMES.get(role, "your step"),
        score_count=count,
        expected_count=expected,
        totals=totals,
    )


def signoff_question(summary: SignoffSummary) -> str:
    """The confirmation text: what is signed, and that it cannot be changed afterwards."""
    lines = [
        f"Sign {summary.step} for {summary.title}?",
        "",
        f"The signature covers {summary.score_count} of {summary.expected_count} scores.",
    ]
    if summary.totals:
        lines.append("Totals:")
        for number, name, total in summary.totals[:MAX_TOTAL_LINES]:
            lines.append(f"  #{number} {name}: {total:g}")
        if len(summary.totals) > MAX_TOTAL_LINES:
            lines.append(f"  … and {len(summary.totals) - MAX_TOTAL_LINES} more")
    lines += [
        "",
        "Once signed, these scores can no longer be changed without a reopened sheet.",
    ]
    return "\n".join(lines)


class ReceiptDialog(QDialog):
    """The receipt of a sign-off: selectable, copyable and savable as a text file."""

    def __init__(
        self,
        summary_title: str,
        receipt: str,
        signed_by: str,
        signed_at: datetime,
        save_dir: Path | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Sign-off receipt")
        self.receipt = receipt
        self.text = receipt_text(summary_title, receipt, signed_by, signed_at)
        self._save_dir = save_dir
        self.saved_path: Path | None = None
        intro = QLabel(
            f"<b>{summary_title}</b> signed by {signed_by} at "
            f"{signed_at.astimezone().strftime('%Y-%m-%d %H:%M')}.<br>Keep this receipt: "
            "it proves what was signed and can be checked against the server later."
        )
        intro.setWordWrap(True)
        self.receipt_edit = QLineEdit(receipt)
        self.receipt_edit.setReadOnly(True)
        self.receipt_edit.setAccessibleName("Receipt")
        self.receipt_edit.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.receipt_edit.setMinimumWidth(
            self.receipt_edit.fontMetrics().horizontalAdvance(receipt + "MM")
        )
        self.copy_button = QPushButton("&Copy")
        self.copy_button.clicked.connect(self.on_copy_clicked)
        self.save_button = QPushButton("&Save…")
        self.save_button.clicked.connect(self.on_save_clicked)
        self.feedback = QLabel()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.receipt_edit)
        layout.addWidget(self.feedback)
        layout.addWidget(buttons)

    def on_copy_clicked(self) -> None:
        """Put the receipt text on the clipboard."""
        QGuiApplication.clipboard().setText(self.text)
        self.feedback.setText("Receipt copied.")

    def on_save_clicked(self) -> None:
        """Ask where, then write the receipt as a small text file."""
        start = str(self._save_dir / "receipt.txt") if self._save_dir else "receipt.txt"
        path, _ = QFileDialog.getSaveFileName(self, "Save receipt", start, "Text (*.txt)")
        if path:
            self.save_to(Path(path))

    def save_to(self, path: Path) -> bool:
        """Write the receipt to ``path``; say in the dialog what happened."""
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(self.text, encoding="utf-8")
        except OSError as exc:
            self.feedback.setText(f"Could not save the receipt to {path}: {exc.strerror}.")
            return False
        self.saved_path = path
        self.feedback.setText(f"Saved to {path}.")
        return True


def receipt_text(title: str, receipt: str, signed_by: str, signed_at: datetime) -> str:
    """The receipt as a person keeps it (copied or saved)."""
    return (
        f"Scoring Console sign-off receipt\n"
        f"Category: {title}\n"
        f"Signed by: {signed_by}\n"
        f"Signed at: {signed_at.isoformat(timespec='seconds')}\n"
        f"Receipt (SHA-256): {receipt}\n"
    )
