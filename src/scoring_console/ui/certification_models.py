"""Table models of the certification panel: the sign-off chain and the published ranking.

The chain of one category reads top to bottom: every required judge, then the tally
master, the auditor and the board (``protocol.roles.CERTIFICATION_CHAIN``). Both
models update row by row (``dataChanged`` / inserts / removals), never by a reset.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, TypeVar

from PySide6.QtCore import QModelIndex, QObject, Qt

from scoring_console.protocol.entities import (
    Certification,
    CertificationSignoff,
    CertificationStatus,
    Contestant,
    RankedTotal,
    UserInfo,
    next_signer_role,
)
from scoring_console.protocol.roles import Role

from .icons import icon
from .rows_model import AnyIndex, RowsTableModel

R = TypeVar("R")

ROLE_LABELS = {
    Role.JUDGE: "Judge",
    Role.TALLY_MASTER: "Tally master",
    Role.AUDITOR: "Auditor",
    Role.BOARD: "Board",
}

JUDGE_STAGE = frozenset(s for s in CertificationStatus if next_signer_role(s) is Role.JUDGE)
"""The statuses in which the judges are still signing (from the one "who signs next" rule)."""


class StepState(StrEnum):
    """Where one step of the chain stands."""

    SIGNED = "signed"
    NEXT = "next"  # may sign now
    WAITING = "waiting"  # an earlier step must sign first


@dataclass(frozen=True)
class ChainStep:
    """One row of the chain."""

    role: Role
    user_id: int | None
    who: str
    state: StepState
    signed_at: datetime | None = None
    receipt: str = ""


def chain_steps(
    cert: Certification | None, judge_ids: Sequence[int], name_of: Callable[[int], str]
) -> list[ChainStep]:
    """The chain of a category: each judge, then tally master, auditor and board.

    ``judge_ids`` is used while no certification exists yet (nobody signed).
    """
    status = cert.status if cert is not None else CertificationStatus.NOT_STARTED
    signoffs = cert.signoffs if cert is not None else []
    required = cert.required_judge_ids if cert is not None else list(judge_ids)
    by_judge = {s.user_id: s for s in signoffs if s.role is Role.JUDGE}
    steps: list[ChainStep] = []
    for judge_id in required:
        signed = by_judge.get(judge_id)
        if signed is not None:
            steps.append(_signed_step(Role.JUDGE, judge_id, signed))
        else:
            state = StepState.NEXT if status in JUDGE_STAGE else StepState.WAITING
            steps.append(ChainStep(Role.JUDGE, judge_id, name_of(judge_id), state))
    for role in (Role.TALLY_MASTER, Role.AUDITOR, Role.BOARD):
        signed = next((s for s in signoffs if s.role is role), None)
        if signed is not None:
            steps.append(_signed_step(role, signed.user_id, signed))
        else:
            state = StepState.NEXT if next_signer_role(status) is role else StepState.WAITING
            steps.append(ChainStep(role, None, "—", state))
    return steps


def _signed_step(role: Role, user_id: int, signed: CertificationSignoff) -> ChainStep:
    return ChainStep(
        role, user_id, signed.user_name, StepState.SIGNED, signed.signed_at, signed.receipt or ""
    )


def is_my_turn(cert: Certification | None, judge_ids: Sequence[int], user: UserInfo) -> bool:
    """True when ``user`` may sign the category's next step now."""
    status = cert.status if cert is not None else CertificationStatus.NOT_STARTED
    if user.role is Role.JUDGE:
        required = cert.required_judge_ids if cert is not None else list(judge_ids)
        signed = {s.user_id for s in (cert.signoffs if cert is not None else [])}
        return status in JUDGE_STAGE and user.id in required and user.id not in signed
    return next_signer_role(status) is user.role


def why_not_my_turn(
    cert: Certification | None, judge_ids: Sequence[int], user: UserInfo | None
) -> str:
    """Why ``user`` cannot sign now, in words (for the sign button's tooltip)."""
    status = cert.status if cert is not None else CertificationStatus.NOT_STARTED
    if status is CertificationStatus.CERTIFIED:
        return "The category is certified."
    if user is not None and user.role is Role.JUDGE:
        if user.id not in (cert.required_judge_ids if cert is not None else judge_ids):
            return "You are not a judge of this category."
        return "You signed this category already."
    if user is None or user.role not in ROLE_LABELS:
        return "Your role does not sign certifications."
    if status in JUDGE_STAGE:
        return "Waiting for the judges to sign."
    waiting_for = next_signer_role(status)
    label = ROLE_LABELS[waiting_for] if waiting_for is not None else ""
    return f"Waiting for the {label.lower()} to sign." if label else "Not your step."


class RowDiffModel(RowsTableModel[R]):
    """A table of immutable rows replaced as a whole list, emitted as row-level changes."""

    def rows(self) -> list[R]:
        """The rows shown, top to bottom."""
        return list(self._rows)

    def set_rows(self, rows: Sequence[R]) -> None:
        """Show ``rows``: changed rows get ``dataChanged``, extra rows are inserted/removed."""
        new = list(rows)
        common = min(len(new), len(self._rows))
        for row in range(common):
            if new[row] != self._rows[row]:
                self._rows[row] = new[row]
                self.dataChanged.emit(self.index(row, 0), self.index(row, self.columnCount() - 1))
        if len(new) > len(self._rows):
            self.beginInsertRows(QModelIndex(), common, len(new) - 1)
            self._rows.extend(new[common:])
            self.endInsertRows()
        elif len(new) < len(self._rows):
            self.beginRemoveRows(QModelIndex(), common, len(self._rows) - 1)
            del self._rows[common:]
            self.endRemoveRows()

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        return self.cell(self._rows[index.row()], index.column(), role)

    def cell(self, row: R, column: int, role: int) -> Any:
        """The data of one cell (subclasses)."""
        raise NotImplementedError


COL_STEP, COL_WHO, COL_STATE, COL_SIGNED_AT, COL_RECEIPT = range(5)

STATE_TEXT = {StepState.SIGNED: "Signed", StepState.NEXT: "Next", StepState.WAITING: "Waiting"}


class CertificationChainModel(RowDiffModel[ChainStep]):
    """The sign-off chain of one category: step, who, state, when, receipt."""

    HEADERS = ("Step", "Who", "State", "Signed at", "Receipt")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.current_user_id: int | None = None
        self.current_role: Role | None = None

    def cell(self, row: ChainStep, column: int, role: int) -> Any:
        mine = row.state is StepState.NEXT and self._is_mine(row)
        if role == Qt.ItemDataRole.DisplayRole:
            if column == COL_STEP:
                return ROLE_LABELS[row.role]
            if column == COL_WHO:
                return row.who
            if column == COL_STATE:
                return "Your turn" if mine else STATE_TEXT[row.state]
            if column == COL_SIGNED_AT:
                return row.signed_at.astimezone().strftime("%H:%M:%S") if row.signed_at else ""
            if column == COL_RECEIPT:
                return f"{row.receipt[:12]}…" if row.receipt else ""
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == COL_RECEIPT and row.receipt:
                return f"SHA-256 receipt of the signed scores:\n{row.receipt}"
            if column == COL_SIGNED_AT and row.signed_at:
                return row.signed_at.astimezone().isoformat(timespec="seconds")
        if role == Qt.ItemDataRole.DecorationRole and column == COL_STATE:
            if row.state is StepState.SIGNED:
                return icon("success")
            if mine:
                return icon("certificate")
        if role == Qt.ItemDataRole.FontRole and mine:
            from PySide6.QtGui import QFont

            font = QFont()
            font.setBold(True)
            return font
        return None

    def _is_mine(self, row: ChainStep) -> bool:
        if row.role is Role.JUDGE:
            return row.user_id is not None and row.user_id == self.current_user_id
        return row.role is self.current_role


COL_RANK, COL_NUMBER, COL_NAME, COL_SUM, COL_DEDUCTIONS, COL_TOTAL = range(6)


class ResultsTableModel(RowDiffModel[RankedTotal]):
    """A ranked results table: rank, number, contestant, sum, deductions, total."""

    HEADERS = ("Rank", "No.", "Contestant", "Scores", "Deductions", "Total")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.contestants: dict[int, Contestant] = {}

    def cell(self, row: RankedTotal, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            contestant = self.contestants.get(row.contestant_id)
            values: tuple[Any, ...] = (
                row.rank,
                contestant.number if contestant else "",
                contestant.name if contestant else f"Contestant {row.contestant_id}",
                f"{row.score_sum:g}",
                f"{row.deductions:g}" if row.deductions else "",
                f"{row.total:g}",
            )
            return values[column] if 0 <= column < len(values) else None
        if role == Qt.ItemDataRole.TextAlignmentRole and column != COL_NAME:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None
