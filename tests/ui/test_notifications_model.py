"""NotificationListModel against a real StateStore: order, incremental rows, unread count."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from scoring_console.client.state import StateStore
from scoring_console.protocol import ServerEvent
from scoring_console.ui.bridge import CoreBridge
from scoring_console.ui.notifications import NotificationListModel, NotificationRole

from .notifications_fakes import FakeCore, competition, notification


class Rows:
    """Records row inserts, removals, changes and resets of a model."""

    def __init__(self, model: NotificationListModel) -> None:
        self.inserted: list[int] = []
        self.removed: list[int] = []
        self.changed: list[int] = []
        self.resets = 0
        model.rowsInserted.connect(lambda _p, first, _last: self.inserted.append(first))
        model.rowsRemoved.connect(lambda _p, first, _last: self.removed.append(first))
        model.dataChanged.connect(lambda top, _bottom, *_: self.changed.append(top.row()))
        model.modelReset.connect(self._on_reset)

    def _on_reset(self) -> None:
        self.resets += 1


def bound_model(state: StateStore) -> NotificationListModel:
    model = NotificationListModel()
    model.merge(state.notifications.values())
    state.on_change.connect(model.on_state_changed)
    return model


def titles(model: NotificationListModel) -> list[str]:
    return [model.notification_at(r).title for r in range(model.rowCount())]


def test_model_passes_modeltester(qtmodeltester: ModelTester) -> None:
    state = StateStore()
    state.apply_snapshot(competition(notifications=[notification(1), notification(2, 5)]))
    model = bound_model(state)
    qtmodeltester.check(model)
    state.apply(ServerEvent.NOTIFICATION, notification(3, 1))
    state.mark_read([2])
    qtmodeltester.check(model)
    assert model.rowCount() == 3


def test_newest_first_and_live_notifications_insert_rows_in_place() -> None:
    state = StateStore()
    state.apply_snapshot(competition(notifications=[notification(1, 0), notification(2, 10)]))
    model = bound_model(state)
    rows = Rows(model)
    assert titles(model) == ["Note 2", "Note 1"]

    state.apply(ServerEvent.NOTIFICATION, notification(3, 20))  # newest: top
    state.apply(ServerEvent.NOTIFICATION, notification(4, 5))  # late arrival: middle
    state.apply(ServerEvent.NOTIFICATION, notification(4, 5))  # duplicate: nothing

    assert titles(model) == ["Note 3", "Note 2", "Note 4", "Note 1"]
    assert rows.inserted == [0, 2]
    assert rows.resets == 0


def test_unread_count_follows_new_and_read_notifications(qtbot: QtBot) -> None:
    state = StateStore()
    state.apply_snapshot(
        competition(notifications=[notification(1), notification(2, 1, read=True)])
    )
    model = bound_model(state)
    rows = Rows(model)
    assert model.unread_count == 1

    with qtbot.waitSignal(model.unread_count_changed) as blocker:
        state.apply(ServerEvent.NOTIFICATION, notification(3, 2))
    assert blocker.args == [2]

    with qtbot.waitSignal(model.unread_count_changed) as blocker:
        state.mark_read([1])
    assert blocker.args == [1]
    row = model.row_of(1)
    assert rows.changed == [row]
    index = model.index(row, 0)
    assert model.data(index, NotificationRole.UNREAD) is False
    assert model.data(index, Qt.ItemDataRole.FontRole).bold() is False
    assert model.data(model.index(model.row_of(3), 0), Qt.ItemDataRole.FontRole).bold() is True
    assert model.unread_ids() == [3]


def test_snapshot_merges_rows_without_reset() -> None:
    state = StateStore()
    state.apply_snapshot(
        competition(notifications=[notification(1), notification(2, 1), notification(3, 2)])
    )
    model = bound_model(state)
    rows = Rows(model)

    # after a reconnect: 2 is gone, 3 was read elsewhere, 4 arrived while offline
    state.apply_snapshot(
        competition(
            notifications=[notification(1), notification(3, 2, read=True), notification(4, 3)]
        )
    )

    assert titles(model) == ["Note 4", "Note 3", "Note 1"]
    assert rows.resets == 0
    assert rows.removed == [1]
    assert rows.inserted == [0]
    assert model.unread_count == 2


def test_roles_expose_the_notification() -> None:
    model = NotificationListModel()
    note = notification(7, title="Scores missing", message="Judge 2 has 3 blanks")
    model.upsert(note)
    index = model.index(0, 0)
    assert model.data(index, NotificationRole.NOTIFICATION) == note
    assert model.data(index, NotificationRole.ID) == 7
    assert model.data(index, NotificationRole.SEVERITY) == "info"
    assert "Judge 2 has 3 blanks" in model.data(index, Qt.ItemDataRole.DisplayRole)
    assert "unread" in model.data(index, Qt.ItemDataRole.ToolTipRole)
    assert not model.data(index, Qt.ItemDataRole.DecorationRole).isNull()
    assert model.data(QModelIndex(), Qt.ItemDataRole.DisplayRole) is None


def test_center_model_follows_the_bridge(qtbot: QtBot) -> None:
    from scoring_console.ui.notifications import NotificationCenter

    core = FakeCore(competition(notifications=[notification(1)]))
    bridge = CoreBridge(core)  # type: ignore[arg-type]
    center = NotificationCenter(bridge)
    qtbot.addWidget(center)
    with qtbot.waitSignal(center.unread_count_changed) as blocker:
        core.state.apply(ServerEvent.NOTIFICATION, notification(2, 1))
    assert blocker.args == [2]
    assert center.model.rowCount() == 2
    assert "2 unread of 2" in center.summary_label.text()
    bridge.close()


def test_a_redated_notification_moves_to_its_place(qtmodeltester: ModelTester) -> None:
    model = NotificationListModel()
    for n in (1, 2, 3):
        model.upsert(notification(n, n))
    model.upsert(notification(1, 10))  # the server corrected its time: now the newest
    assert titles(model) == ["Note 1", "Note 3", "Note 2"]
    assert model.rowCount() == 3
    qtmodeltester.check(model)


def test_many_notifications_stay_sorted_and_unique() -> None:
    model = NotificationListModel()
    for n in [*range(200, 0, -1), *range(1, 201, 7)]:
        model.upsert(notification(n, n % 50))
    ids = [model.notification_at(r).id for r in range(model.rowCount())]
    assert sorted(ids) == list(range(1, 201))
    keys = [(model.notification_at(r).created_at, model.notification_at(r).id) for r in range(200)]
    assert keys == sorted(keys, reverse=True)
