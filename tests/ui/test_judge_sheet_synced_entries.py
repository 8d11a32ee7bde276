"""A SYNCED outbox entry shows the server's value, never its own.

The outbox keeps the newest synced entry of a cell; after a restart it is applied on
top of the cached scores. When the server has since deleted the score (an approved
removal) or holds a newer value, the sheet must show that, not the old entry's value
marked "synced".
"""

from __future__ import annotations

from scoring_console.protocol.roles import Role
from scoring_console.store.outbox import EntryKind, EntryState, OutboxEntry
from scoring_console.ui.judge_sheet_model import (
    FIRST_CRITERION_COL,
    SYNC_ROLE,
    VALUE_ROLE,
    JudgeSheetModel,
)
from scoring_console.ui.sync_state import CellSync

from .judge_input import FAIL_ON_QT_WARNINGS
from .snapshots import CATEGORY_ID, make_score, make_snapshot

JUDGE_ID = 11
CONTESTANT_ID = 101
CRITERION_ID = 1

pytestmark = FAIL_ON_QT_WARNINGS


def sheet() -> JudgeSheetModel:
    snapshot = make_snapshot(user_id=JUDGE_ID, role=Role.JUDGE)
    return JudgeSheetModel(snapshot.categories[0], snapshot.contestants, judge_id=JUDGE_ID)


def entry(entry_id: int, state: EntryState, value: float) -> OutboxEntry:
    return OutboxEntry(
        id=entry_id,
        client_id=f"c{entry_id}",
        kind=EntryKind.SCORE,
        state=state,
        payload={"clientId": f"c{entry_id}", "score": value},
        category_id=CATEGORY_ID,
        contestant_id=CONTESTANT_ID,
        criterion_id=CRITERION_ID,
    )


def test_synced_entry_of_a_score_the_server_deleted_shows_an_empty_cell() -> None:
    model = sheet()  # restart: the snapshot no longer holds the score (removal approved)
    model.apply_entry(entry(7, EntryState.SYNCED, 9.0))
    index = model.index(0, FIRST_CRITERION_COL)
    assert index.data(VALUE_ROLE) is None
    assert index.data() == ""
    assert index.data(SYNC_ROLE) == CellSync.EMPTY
    assert model.filled_count() == 0
    assert model.index(0, model.total_col).data(VALUE_ROLE) is None


def test_synced_entry_shows_the_servers_newer_value() -> None:
    model = sheet()
    model.apply_score(make_score(CONTESTANT_ID, CRITERION_ID, JUDGE_ID, 8, version=3))
    model.apply_entry(entry(7, EntryState.SYNCED, 9.0))  # an older write of this cell
    index = model.index(0, FIRST_CRITERION_COL)
    assert index.data(VALUE_ROLE) == 8
    assert index.data(SYNC_ROLE) == CellSync.SYNCED


def test_live_write_still_ends_synced_with_its_value() -> None:
    model = sheet()
    assert model.setData(model.index(0, FIRST_CRITERION_COL), "6.5")
    model.apply_entry(entry(1, EntryState.PENDING, 6.5))
    index = model.index(0, FIRST_CRITERION_COL)
    assert index.data(SYNC_ROLE) == CellSync.SAVED_LOCALLY
    assert index.data(VALUE_ROLE) == 6.5
    # the ack's Score reaches the state (and the sheet) before the entry resolves
    model.apply_score(make_score(CONTESTANT_ID, CRITERION_ID, JUDGE_ID, 6.5))
    assert index.data(SYNC_ROLE) == CellSync.SAVED_LOCALLY
    model.apply_entry(entry(1, EntryState.SYNCED, 6.5))
    assert index.data(VALUE_ROLE) == 6.5
    assert index.data(SYNC_ROLE) == CellSync.SYNCED
    assert model.filled_count() == 1
