"""The table models against a real StateStore: qtmodeltester and incremental updates."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from scoring_console.client.state import StateStore
from scoring_console.protocol import ServerEvent
from scoring_console.protocol.entities import Deduction, RefusedWrite, RequestStatus
from scoring_console.protocol.errors import ErrorCode
from scoring_console.protocol.roles import Role
from scoring_console.store.outbox import EntryKind, EntryState, OutboxEntry
from scoring_console.ui.judge_sheet_model import (
    FIRST_CRITERION_COL,
    SYNC_ROLE,
    VALUE_ROLE,
    JudgeSheetModel,
)
from scoring_console.ui.judges_model import (
    COL_PENDING,
    COL_REFUSED,
    COL_SCORES,
    COL_STATUS,
    JudgesModel,
)
from scoring_console.ui.sync_state import CellSync
from scoring_console.ui.tally_table_model import FIRST_JUDGE_COL, FLASH_ROLE, TallyTableModel

from .snapshots import CATEGORY_ID, CONTESTANTS, CRITERIA, JUDGES, NOW, make_score, make_snapshot


@pytest.fixture
def state() -> StateStore:
    store = StateStore()
    store.apply_snapshot(make_snapshot())
    return store


class ChangeRecorder:
    """Records dataChanged / rowsInserted / modelReset of a model."""

    def __init__(self, model: Any) -> None:
        self.cells: list[tuple[int, int]] = []
        self.resets = 0
        self.inserted_rows: list[tuple[int, int]] = []
        model.dataChanged.connect(self.on_data_changed)
        model.modelReset.connect(self.on_reset)
        model.rowsInserted.connect(lambda _p, a, b: self.inserted_rows.append((a, b)))

    def on_data_changed(self, top: QModelIndex, bottom: QModelIndex, *_: object) -> None:
        for row in range(top.row(), bottom.row() + 1):
            for col in range(top.column(), bottom.column() + 1):
                self.cells.append((row, col))

    def on_reset(self) -> None:
        self.resets += 1


def test_tally_model_passes_modeltester(qtmodeltester: ModelTester, state: StateStore) -> None:
    state.apply(ServerEvent.SCORES_UPDATED, make_score(101, 1, 11, 7.5))
    model = TallyTableModel(state, CATEGORY_ID)
    qtmodeltester.check(model, force_py=True)
    assert model.rowCount() == len(CONTESTANTS)
    assert model.columnCount() == 2 + len(JUDGES) + 3
    assert model.index(0, FIRST_JUDGE_COL).data() == "7.5"


def test_tally_model_updates_only_changed_cells(
    qtbot: QtBot, qtmodeltester: ModelTester, state: StateStore
) -> None:
    model = TallyTableModel(state, CATEGORY_ID)
    qtmodeltester.check(model, force_py=True)
    recorder = ChangeRecorder(model)
    state.apply(ServerEvent.SCORES_UPDATED, make_score(102, 1, 12, 8))
    model.mark_score(102)
    state.apply(ServerEvent.SCORES_UPDATED, make_score(102, 2, 12, 15))
    model.mark_score(102)
    with qtbot.waitSignal(model.flushed, timeout=1000):
        pass
    row = model.row_of(102)
    assert row == 1
    judge_col = FIRST_JUDGE_COL + JUDGES.index(12)
    assert model.index(row, judge_col).data() == "23"
    # one complete judge total of three, scaled to the panel: provisional, not bold
    assert model.index(row, model.total_col).data() == "69.00"
    assert model.index(row, model.rank_col).data() == "1 · 2 of 6"
    assert model.index(row, model.rank_col).data(Qt.ItemDataRole.FontRole).bold() is False
    assert recorder.resets == 0
    assert (row, judge_col) in recorder.cells
    # nothing in other contestants' judge columns was touched
    assert all(r == row or c >= model.deductions_col for r, c in recorder.cells)
    assert model.index(row, judge_col).data(FLASH_ROLE) is True
    qtbot.waitUntil(lambda: model.index(row, judge_col).data(FLASH_ROLE) is False, timeout=3000)
    assert model.progress == (2, len(CONTESTANTS) * len(JUDGES) * len(CRITERIA))


def test_tally_model_coalesces_bursts(qtbot: QtBot, state: StateStore) -> None:
    model = TallyTableModel(state, CATEGORY_ID)
    flushes: list[int] = []
    model.flushed.connect(flushes.append)
    for n, contestant in enumerate(CONTESTANTS):
        for judge in JUDGES:
            for criterion in CRITERIA:
                score = make_score(contestant.id, criterion.id, judge, n + 1)
                state.apply(ServerEvent.SCORES_UPDATED, score)
                model.mark_score(contestant.id)
    qtbot.waitUntil(lambda: len(flushes) >= 1, timeout=1000)
    qtbot.wait(50)
    assert len(flushes) == 1
    ranks = [model.index(r, model.rank_col).data() for r in range(model.rowCount())]
    assert ranks == ["4", "3", "2", "1"]


def test_tally_model_deductions_and_new_judge(
    qtbot: QtBot, qtmodeltester: ModelTester, state: StateStore
) -> None:
    state.apply(ServerEvent.SCORES_UPDATED, make_score(101, 1, 11, 9))
    model = TallyTableModel(state, CATEGORY_ID)
    qtmodeltester.check(
        model, force_py=True
    )  # the tester stays attached and checks the changes below
    recorder = ChangeRecorder(model)
    deduction = Deduction(
        id=1,
        client_id="00000000-0000-0000-0000-000000000001",
        category_id=CATEGORY_ID,
        contestant_id=101,
        amount=2,
        reason="late",
        requested_by=99,
        status=RequestStatus.APPROVED,
        created_at=NOW,
        seq=5,
    )
    state.apply(ServerEvent.DEDUCTION_DECIDED, deduction)
    state.apply(ServerEvent.SCORES_UPDATED, make_score(103, 2, 14, 4))  # unknown judge 14
    inserted: list[tuple[int, int]] = []
    model.columnsInserted.connect(lambda _p, a, b: inserted.append((a, b)))
    model.mark_all()
    model.flush_now()
    assert inserted == [(FIRST_JUDGE_COL + 3, FIRST_JUDGE_COL + 3)]
    assert recorder.resets == 0
    assert model.index(0, model.deductions_col).data() == "−2.00"
    # judge 11's one score of two criteria: an incomplete total does not count yet, so
    # there is no total to show (not a "0.00" that reads as a result)
    assert model.index(0, model.total_col).data() == "–"
    assert model.index(0, model.rank_col).data().startswith("– · 1 of ")
    assert model.index(0, FIRST_JUDGE_COL).data(Qt.ItemDataRole.FontRole).italic() is True
    # judge 14 is not on the panel: shown, never counted
    assert model.index(2, FIRST_JUDGE_COL + 3).data() == "4"
    assert "Not on the panel" in model.index(2, FIRST_JUDGE_COL + 3).data(
        Qt.ItemDataRole.ToolTipRole
    )


def test_judge_sheet_model_sync_states(qtmodeltester: ModelTester) -> None:
    snapshot = make_snapshot(user_id=11, role=Role.JUDGE)
    model = JudgeSheetModel(snapshot.categories[0], snapshot.contestants, judge_id=11)
    qtmodeltester.check(model, force_py=True)
    model.apply_score(make_score(101, 1, 11, 6))
    model.apply_score(make_score(101, 2, 12, None))  # another judge's masked score: ignored
    cell = model.index(0, FIRST_CRITERION_COL)
    assert cell.data() == "6"
    assert cell.data(SYNC_ROLE) == CellSync.SYNCED
    assert model.index(0, FIRST_CRITERION_COL + 1).data(SYNC_ROLE) == CellSync.EMPTY

    entered: list[tuple[int, int, float]] = []
    model.score_entered.connect(lambda a, b, c: entered.append((a, b, c)))
    assert model.setData(model.index(1, FIRST_CRITERION_COL + 1), "25") is False  # > max 20
    assert model.setData(model.index(1, FIRST_CRITERION_COL + 1), "12.5") is True
    assert entered == [(102, 2, 12.5)]
    assert model.index(1, FIRST_CRITERION_COL + 1).data(SYNC_ROLE) == CellSync.SAVING

    def entry(entry_id: int, state: EntryState, value: float, **kw: Any) -> OutboxEntry:
        return OutboxEntry(
            id=entry_id,
            client_id=f"c{entry_id}",
            kind=EntryKind.SCORE,
            state=state,
            payload={"score": value},
            category_id=CATEGORY_ID,
            contestant_id=102,
            criterion_id=2,
            **kw,
        )

    model.apply_entry(entry(1, EntryState.PENDING, 12.5))
    assert model.index(1, FIRST_CRITERION_COL + 1).data(SYNC_ROLE) == CellSync.SAVED_LOCALLY
    model.apply_entry(
        entry(1, EntryState.REJECTED, 12.5, error_code="locked", error_message="Contest is locked")
    )
    index = model.index(1, FIRST_CRITERION_COL + 1)
    assert index.data(SYNC_ROLE) == CellSync.REJECTED
    assert "Contest is locked" in index.data(3)  # ToolTipRole
    assert index.data() == "12.5"  # stays visible
    assert model.index(1, model.total_col).data(VALUE_ROLE) is None  # not counted
    assert not model.is_complete()
    model.dismiss_rejection(102, 2)
    assert model.index(1, FIRST_CRITERION_COL + 1).data(SYNC_ROLE) == CellSync.EMPTY
    qtmodeltester.check(model, force_py=True)


def test_judges_model(qtmodeltester: ModelTester, qtbot: QtBot, state: StateStore) -> None:
    for judge_id in (12, 13):  # judge 12 reported 1 pending entry, judge 13 (offline) 2
        stamped = state.presence[judge_id].model_copy(
            update={"pending_as_of": NOW, "seq": judge_id - 5}
        )
        state.apply(ServerEvent.PRESENCE_UPDATED, stamped)
    now = NOW + timedelta(seconds=20)
    model = JudgesModel(state, CATEGORY_ID, clock=lambda: now)
    qtmodeltester.check(model, force_py=True)
    assert model.rowCount() == len(JUDGES)
    assert model.index(2, COL_STATUS).data() == "Offline"
    assert model.index(1, COL_PENDING).data() == "1, as of 20 s ago"
    assert model.index(2, COL_PENDING).data() == "unknown (offline; last: 2, 20 s ago)"
    now = NOW + timedelta(minutes=3)  # no heartbeat for 3 minutes: the count is stale
    model.refresh()
    assert model.index(1, COL_PENDING).data() == "unknown (no recent heartbeat; last: 1, 3 min ago)"
    assert model.index(1, COL_REFUSED).data() == "–"
    refused = RefusedWrite(
        id=1,
        client_id=str(uuid.uuid4()),
        judge_id=12,
        judge_name="Judge 2",
        category_id=CATEGORY_ID,
        contestant_id=CONTESTANTS[0].id,
        criterion_id=CRITERIA[0].id,
        score=7.0,
        code=ErrorCode.LOCKED,
        reason="The contest is locked",
        refused_at=NOW,
        seq=20,
    )
    state.apply(ServerEvent.SCORES_REFUSED, refused)
    model.refresh()
    assert model.index(1, COL_REFUSED).data() == "1"
    tip = model.index(1, COL_REFUSED).data(Qt.ItemDataRole.ToolTipRole)
    assert "#1 Contestant 1, Poise = 7: The contest is locked" in tip
    state.apply(ServerEvent.SCORES_UPDATED, make_score(101, 1, 12, 5))
    presence = state.presence[13].model_copy(update={"online": True, "seq": 9})
    state.apply(ServerEvent.PRESENCE_UPDATED, presence)
    recorder = ChangeRecorder(model)
    model.mark_changed()
    qtbot.waitUntil(lambda: model.index(2, COL_STATUS).data() == "Online", timeout=1000)
    assert model.index(1, COL_SCORES).data() == f"1 / {len(CONTESTANTS) * len(CRITERIA)}"
    assert {r for r, _ in recorder.cells} == {1, 2}
    assert recorder.resets == 0


def test_tally_model_inserts_rows_for_new_contestants(
    qtbot: QtBot, qtmodeltester: ModelTester, state: StateStore
) -> None:
    from scoring_console.protocol.entities import Contestant

    model = TallyTableModel(state, CATEGORY_ID)
    qtmodeltester.check(model, force_py=True)
    recorder = ChangeRecorder(model)
    snapshot = make_snapshot(seq=2)
    newcomer = Contestant(id=105, number=5, name="Contestant 5")
    category = snapshot.categories[0].model_copy(
        update={"contestant_ids": [*snapshot.categories[0].contestant_ids, newcomer.id]}
    )
    state.apply_snapshot(
        snapshot.model_copy(
            update={"categories": [category], "contestants": [*snapshot.contestants, newcomer]}
        )
    )
    model.mark_all()
    model.flush_now()
    assert recorder.inserted_rows == [(len(CONTESTANTS), len(CONTESTANTS))]
    assert recorder.resets == 0
    assert model.index(len(CONTESTANTS), 1).data() == "Contestant 5"


@pytest.mark.qt_log_level_fail("WARNING")
def test_models_pass_the_cpp_model_tester_through_live_changes(
    qtmodeltester: ModelTester, pytestconfig: pytest.Config, state: StateStore
) -> None:
    """Qt's own QAbstractItemModelTester reports through qWarning: made fatal here."""
    tally = TallyTableModel(state, CATEGORY_ID)
    judges = JudgesModel(state, CATEGORY_ID)
    snapshot = make_snapshot(user_id=11, role=Role.JUDGE)
    sheet = JudgeSheetModel(snapshot.categories[0], snapshot.contestants, judge_id=11)
    testers = [ModelTester(pytestconfig) for _ in range(2)]
    qtmodeltester.check(tally)
    testers[0].check(judges)
    testers[1].check(sheet)
    for n, contestant in enumerate(CONTESTANTS):
        score = make_score(contestant.id, 1, JUDGES[n % 3], n + 2.5)
        state.apply(ServerEvent.SCORES_UPDATED, score)
        tally.mark_score(contestant.id)
        sheet.apply_score(make_score(contestant.id, 2, 11, n + 1))
    state.apply(ServerEvent.SCORES_UPDATED, make_score(101, 2, 14, 3))  # a new judge column
    tally.mark_all()
    judges.mark_changed()
    tally.flush_now()
    judges.refresh()
    assert tally.columnCount() == 2 + 4 + 3
    assert judges.rowCount() == 4
    for tester in testers:
        tester._cleanup()


def test_judge_headers_break_long_names_into_short_lines() -> None:
    from scoring_console.ui.tally_table_model import header_lines

    assert header_lines("Maria Alvarez") == "Maria\nAlvarez"
    assert header_lines("Bot Judge 1 (simulated)") == "Bot Judge 1\n(simulated)"
    assert header_lines("Anna") == "Anna"
    # never more than three lines: the rest stays on the last one
    assert header_lines("Ana Maria de la Cruz Fernandez y Lopez").count("\n") == 2
