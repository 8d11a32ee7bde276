"""The Competition workspace through a real server: an admin logs in, adds a contestant with
real key clicks, and a connected judge's core has it at once; refusals and validation show
inline in the admin's words; judges get no such workspace."""

from __future__ import annotations

import asyncio
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from scoring_console.client.admin import AdminClient
from scoring_console.ui.admin import CompetitionWorkspace
from tests.helpers.server_process import ServerProcess

from .consoles import Console, open_console
from .helpers import eventually, run


def _workspace(console: Console) -> CompetitionWorkspace:
    workspace = getattr(console.window, "competition", None)
    assert isinstance(workspace, CompetitionWorkspace)
    return workspace


def _click(widget: QWidget) -> None:
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton)


def _type(widget: QWidget, text: str) -> None:
    _click(widget)
    QTest.keyClicks(widget, text)


def _click_tree(workspace: CompetitionWorkspace, label: str) -> None:
    tree = workspace.structure.tree
    (item,) = tree.findItems(label, Qt.MatchFlag.MatchExactly | Qt.MatchFlag.MatchRecursive)
    tree.scrollToItem(item)
    QTest.mouseClick(
        tree.viewport(), Qt.MouseButton.LeftButton, pos=tree.visualItemRect(item).center()
    )


def test_admin_adds_a_contestant_and_the_judge_sees_it_live(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, server_process: ServerProcess, tmp_path: Path
) -> None:
    async def scenario() -> None:
        admin = await open_console(server_process.url, "admin", tmp_path)
        judge = await open_console(server_process.url, "judge1", tmp_path)
        try:
            assert getattr(judge.window, "competition", None) is None
            workspace = _workspace(admin)
            admin.window.competition_dock.show()  # type: ignore[attr-defined]
            workspace.setCurrentWidget(workspace.structure)
            _click_tree(workspace, "Vocal Performance")
            editor = workspace.structure.category
            assert workspace.structure.editors.currentWidget() is editor
            vocal = editor.category_id
            assert vocal is not None
            _type(editor.number, "150")
            _type(editor.person, "Priya Nair")
            _click(editor.add_contestant)
            await eventually(
                lambda: any(
                    p.number == 150 and p.name == "Priya Nair"
                    for p in judge.core.state.contestants_in(vocal)
                ),
                15,
                "the new contestant in the judge's core",
            )
            await eventually(
                lambda: (
                    "contestant 150 Priya Nair added to Vocal Performance" in editor.message.text()
                ),
                what="the admin's confirmation",
            )
            await eventually(lambda: editor.contestants.rowCount() == 7, what="admin's list")
        finally:
            await judge.close()
            await admin.close()

    run(qloop, scenario())


def test_refusals_and_validation_show_inline(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, server_process: ServerProcess, tmp_path: Path
) -> None:
    async def scenario() -> None:
        admin = await open_console(server_process.url, "admin", tmp_path)
        judge = await open_console(server_process.url, "judge1", tmp_path)
        try:
            workspace = _workspace(admin)
            admin.window.competition_dock.show()  # type: ignore[attr-defined]
            _click_tree(workspace, "Vocal Performance")
            editor = workspace.structure.category
            vocal = judge.core.state.categories[editor.category_id]
            await judge.core.submit_score(
                vocal.id, vocal.contestant_ids[0], vocal.criteria[0].id, 7
            )
            await eventually(lambda: judge.core.pending_count() == 0, what="score synced")
            # client-side validation: the same model the server uses
            editor.criteria.setCurrentCell(1, 1)
            editor.criteria.item(1, 1).setText("0")
            _click(editor.save)
            assert editor.message.is_error
            assert editor.message.text() == "Not sent: criteria[1].maxScore: must be > 0"
            editor.criteria.item(1, 1).setText("10")
            # the server's refusal, in names
            editor.criteria.setCurrentCell(0, 0)
            _click(editor.remove_criterion)
            _click(editor.save)
            await eventually(
                lambda: (
                    "riterion 'Technique' in Vocal Performance (Senior Showcase) has 1 "
                    "score(s)" in editor.message.text()
                ),
                what="the refusal in names",
            )
            assert editor.message.is_error
            # the server's sentence says what blocks it: no error code, no generic hint
            # (it used to end "(conflict). It changed elsewhere meanwhile; …")
            assert editor.message.text() == (
                "Saving Vocal Performance refused: Criterion 'Technique' in Vocal Performance "
                "(Senior Showcase) has 1 score(s); it cannot be removed (ask for the scores' "
                "removal first)."
            )
            # announcement composer: one contest only
            composer = workspace.announcements
            workspace.setCurrentWidget(composer)
            _type(composer.text, "Seniors: judges' meeting at 18:00")
            composer.target.setCurrentIndex(composer.target.findText("Senior Showcase only"))
            _click(composer.send)
            await eventually(
                lambda: any(
                    a.message == "Seniors: judges' meeting at 18:00"
                    for a in judge.core.state.announcements.values()
                ),
                what="the announcement at the judge",
            )
        finally:
            await judge.close()
            await admin.close()

    run(qloop, scenario())


def test_assignment_pick_list_moves_a_judge_live(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, server_process: ServerProcess, tmp_path: Path
) -> None:
    async def scenario() -> None:
        admin = await open_console(server_process.url, "organizer1", tmp_path)
        judge = await open_console(server_process.url, "judge5", tmp_path)
        try:
            workspace = _workspace(admin)
            admin.window.competition_dock.show()  # type: ignore[attr-defined]
            page = workspace.assignments
            workspace.setCurrentWidget(page)
            page.category.setCurrentIndex(
                page.category.findText("Variety Talent (Junior Showcase)")
            )
            junior = page.category.currentData()
            assert junior not in judge.core.state.categories
            notices: list[str] = []
            post = judge.window.notifier.post
            judge.window.notifier.post = lambda n: (notices.append(n.message), post(n))[1]  # type: ignore[method-assign]
            await eventually(lambda: page.available.count() > 0, what="judges listed")
            (item,) = page.available.findItems("Sofia Rossi (judge5)", Qt.MatchFlag.MatchExactly)
            page.available.setCurrentItem(item)
            _click(page.assign)
            await eventually(
                lambda: junior in judge.core.state.categories, 15, "the judge's new category"
            )
            await eventually(
                lambda: page.assigned.findItems("Sofia Rossi (judge5)", Qt.MatchFlag.MatchExactly),
                what="the pick list updated",
            )
            # the judge is told by name (the toast said "Category 3" before the sync)
            await eventually(
                lambda: "You are assigned to Variety Talent as judge." in notices,
                what="the judge's notice",
            )
            assert not any("Category " in text for text in notices), notices
            # the office is told it was done (it used to stay at "Assigning …" for good)
            await eventually(
                lambda: (
                    page.message.text()
                    == "Sofia Rossi (judge5) assigned to Variety Talent (Junior Showcase)."
                ),
                what="the confirmation",
            )
        finally:
            await judge.close()
            await admin.close()

    run(qloop, scenario())


def test_new_category_rename_account_and_delete(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, server_process: ServerProcess, tmp_path: Path
) -> None:
    async def scenario() -> None:
        admin = await open_console(server_process.url, "admin", tmp_path)
        try:
            workspace = _workspace(admin)
            admin.window.competition_dock.show()  # type: ignore[attr-defined]
            structure = workspace.structure
            _click_tree(workspace, "Junior Showcase")
            nodes = structure.nodes
            _type(nodes.child_name, "Magic")
            _click(nodes.add_child)  # opens the editor of a new category
            editor = structure.category
            assert structure.editors.currentWidget() is editor and editor.name.text() == "Magic"
            editor.criteria.item(0, 0).setText("Illusion")
            _click(editor.save)
            await eventually(
                lambda: any(c.name == "Magic" for c in admin.core.state.categories.values()),
                what="the new category",
            )
            await eventually(lambda: editor.category_id is not None, what="its id")
            _click(editor.delete)
            await eventually(
                lambda: all(c.name != "Magic" for c in admin.core.state.categories.values()),
                what="the category deleted",
            )
            # the tally loses the deleted category's tab (it used to stay)
            tabs = admin.window.workspace.tabs  # type: ignore[union-attr]
            await eventually(
                lambda: "Magic" not in [tabs.tabText(i) for i in range(tabs.count())],
                what="the tab of the deleted category gone",
            )
            # accounts: select judge2, rename in the form, save
            accounts = workspace.accounts
            workspace.setCurrentWidget(accounts)
            await eventually(lambda: accounts.table.rowCount() == 10, what="accounts listed")
            row = next(i for i, a in enumerate(accounts.accounts) if a.username == "judge2")
            accounts.table.setCurrentCell(row, 0)
            assert accounts.name.text() == "Kenji Watanabe"
            accounts.name.clear()
            _type(accounts.name, "Kenji W.")
            _click(accounts.update_button)
            await eventually(
                lambda: accounts.message.text() == "judge2: Kenji W., Judge.",
                what="the rename confirmed",
            )
            # deleting a contest that still has categories is refused inline
            _click_tree(workspace, "Junior Showcase")
            workspace.setCurrentWidget(structure)
            _click(nodes.delete)
            await eventually(lambda: nodes.message.is_error, what="the refusal")
            assert nodes.message.text() == (
                "Deleting Junior Showcase refused: Contest 'Junior Showcase' still has "
                "categories; remove them first."
            )
        finally:
            await admin.close()

    run(qloop, scenario())


def test_a_new_category_never_takes_over_an_existing_one(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, server_process: ServerProcess, tmp_path: Path
) -> None:
    """The server matches a save without id by name (for the competition file): a "new"
    category named like an existing one used to replace that category's criteria."""

    async def scenario() -> None:
        admin = await open_console(server_process.url, "admin", tmp_path)
        try:
            workspace = _workspace(admin)
            admin.window.competition_dock.show()  # type: ignore[attr-defined]
            structure, state = workspace.structure, admin.core.state
            vocal = next(c for c in state.categories.values() if c.name == "Vocal Performance")
            criteria_before = [c.name for c in vocal.criteria]
            _click_tree(workspace, "Senior Showcase")
            _type(structure.nodes.child_name, "Vocal Performance")
            _click(structure.nodes.add_child)
            editor = structure.category
            editor.criteria.item(0, 0).setText("Illusion")
            _click(editor.save)
            assert editor.message.is_error
            assert editor.message.text() == (
                "Not sent: Senior Showcase already has a category 'Vocal Performance'; "
                "select it in the tree to change it."
            )
            # a contest named like its sibling is refused the same way, in names
            (event,) = state.events.values()
            _click_tree(workspace, event.name)
            _type(structure.nodes.child_name, "senior showcase")
            _click(structure.nodes.add_child)
            assert structure.nodes.message.text() == (
                f"Not sent: {event.name} already has a contest 'Senior Showcase'; "
                "select it in the tree to change it."
            )
            # a really new category is saved, and the tree and editor stay on it
            _click_tree(workspace, "Senior Showcase")
            _type(structure.nodes.child_name, "Ballads")
            _click(structure.nodes.add_child)
            editor.criteria.item(0, 0).setText("Phrasing")
            _click(editor.save)
            await eventually(
                lambda: any(c.name == "Ballads" for c in state.categories.values()),
                what="the new category",
            )
            await eventually(
                lambda: (
                    structure.selected() == ("category", editor.category_id)
                    and structure.editors.currentWidget() is editor
                ),
                what="the new category selected and shown",
            )
            assert editor.name.text() == "Ballads"
            await admin.core.sync_now()
            vocal = state.categories[vocal.id]
            assert [c.name for c in vocal.criteria] == criteria_before
        finally:
            await admin.close()

    run(qloop, scenario())


def test_adding_a_taken_number_renames_nobody_and_a_rename_is_explicit(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, server_process: ServerProcess, tmp_path: Path
) -> None:
    """Adding bib 101 with another name used to rename contestant 101 everywhere; now it is
    refused, and a name is corrected by editing it in the table (live at a judge)."""

    async def scenario() -> None:
        admin = await open_console(server_process.url, "admin", tmp_path)
        judge = await open_console(server_process.url, "judge1", tmp_path)
        try:
            workspace = _workspace(admin)
            admin.window.competition_dock.show()  # type: ignore[attr-defined]
            _click_tree(workspace, "Contemporary Dance")
            editor = workspace.structure.category
            state = admin.core.state
            amelia = next(p for p in state.contestants.values() if p.number == 101)
            _type(editor.number, "101")
            _type(editor.person, "Bob Typo")
            _click(editor.add_contestant)
            assert editor.message.is_error
            assert editor.message.text().startswith(
                f"Not sent: number 101 is already {amelia.name} (in "
            )
            await admin.core.sync_now()
            assert state.contestants[amelia.id].name == amelia.name
            # correcting the name: double-click it, type, Enter
            row = next(
                r
                for r in range(editor.contestants.rowCount())
                if editor.contestants.item(r, 0).text() == "101"
            )
            cell = editor.contestants.item(row, 1)
            view = editor.contestants
            view.scrollToItem(cell)
            rect = view.visualItemRect(cell)
            QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
            QTest.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
            await eventually(
                lambda: view.viewport().findChild(QLineEdit) is not None, what="the cell editor"
            )
            field = view.viewport().findChild(QLineEdit)
            QTest.keyClick(field, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
            QTest.keyClicks(field, "Amelia Hart-Jones")
            QTest.keyClick(field, Qt.Key.Key_Return)
            await eventually(
                lambda: judge.core.state.contestants[amelia.id].name == "Amelia Hart-Jones",
                15,
                "the corrected name at the judge",
            )
            assert judge.core.state.contestants[amelia.id].number == 101
            await eventually(
                lambda: (
                    "contestant 101 'Amelia Hart' → 101 'Amelia Hart-Jones'"
                    in editor.message.text()
                ),
                what="the admin's confirmation",
            )
        finally:
            await judge.close()
            await admin.close()

    run(qloop, scenario())


def test_competition_dock_leaves_the_tally_most_of_a_small_window(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, server_process: ServerProcess, tmp_path: Path
) -> None:
    """At 1320x780 the Competition dock used to take the lower half (its pages were laid
    out in one tall column); now it is wide and low, and still shows its editors."""

    async def scenario() -> None:
        admin = await open_console(server_process.url, "admin", tmp_path)
        try:
            window = admin.window
            window.resize(1320, 780)
            dock = window.competition_dock  # type: ignore[attr-defined]
            dock.show()
            await eventually(lambda: window.height() == 780, what="the window size")
            await asyncio.sleep(0.2)
            assert dock.height() <= 0.34 * window.height(), dock.height()
            assert window.centralWidget().height() >= 0.6 * window.height()
            editor = _workspace(admin).structure.category
            _click_tree(_workspace(admin), "Vocal Performance")
            assert editor.criteria.isVisible() and editor.contestants.isVisible()
            assert editor.criteria.viewport().height() >= 2 * editor.criteria.rowHeight(0)
        finally:
            await admin.close()

    run(qloop, scenario())


def test_a_sync_keeps_what_the_office_has_typed_and_not_saved(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, server_process: ServerProcess, tmp_path: Path
) -> None:
    """Adding a contestant (or anyone's set-up change) resyncs and used to refill the
    editor, throwing away a renamed category and edited criteria not saved yet."""

    async def scenario() -> None:
        admin = await open_console(server_process.url, "admin", tmp_path)
        try:
            workspace = _workspace(admin)
            admin.window.competition_dock.show()  # type: ignore[attr-defined]
            _click_tree(workspace, "Vocal Performance")
            editor = workspace.structure.category
            vocal = editor.category_id
            assert vocal is not None
            _click(editor.name)
            QTest.keyClick(editor.name, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
            QTest.keyClicks(editor.name, "Vocals")
            editor.criteria.item(0, 2).setText("3")
            _type(editor.number, "151")
            _type(editor.person, "Ada Park")
            _click(editor.add_contestant)
            await eventually(
                lambda: any(
                    editor.contestants.item(r, 0).text() == "151"
                    for r in range(editor.contestants.rowCount())
                ),
                what="the contestant listed after the sync",
            )
            assert editor.name.text() == "Vocals"
            assert editor.criteria.item(0, 2).text() == "3"
            _click(editor.save)
            await eventually(
                lambda: admin.core.state.categories[vocal].name == "Vocals",
                what="the rename saved",
            )
            assert admin.core.state.categories[vocal].criteria[0].weight == 3
            # the tally's tab and heading follow the rename
            tally = admin.window.workspace  # the admin's tally workspace
            view = tally.views[vocal]  # type: ignore[union-attr]
            await eventually(
                lambda: tally.tabs.tabText(tally.tabs.indexOf(view)) == "Vocals",  # type: ignore[union-attr]
                what="the renamed tab",
            )
            assert "Vocals" in view.title.text()
            # clicking the tree shows the server's version again (edits can be dropped)
            editor.criteria.item(1, 2).setText("9")
            _click_tree(workspace, "Senior Showcase")
            _click_tree(workspace, "Vocals")
            assert editor.criteria.item(1, 2).text() == "1"
        finally:
            await admin.close()

    run(qloop, scenario())


def test_set_up_changes_reach_the_judges_open_sheet(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, server_process: ServerProcess, tmp_path: Path
) -> None:
    """A criterion added, a contestant renamed and the category renamed in the office show
    on the sheet the judge has open, without a restart (the sheet kept its first columns)."""

    async def scenario() -> None:
        admin = await open_console(server_process.url, "admin", tmp_path)
        judge = await open_console(server_process.url, "judge1", tmp_path)
        try:
            workspace = _workspace(admin)
            admin.window.competition_dock.show()  # type: ignore[attr-defined]
            _click_tree(workspace, "Vocal Performance")
            editor = workspace.structure.category
            vocal = editor.category_id
            assert judge.window.workspace.show_category(vocal) is judge.sheet()  # type: ignore[union-attr]
            _click(editor.name)
            QTest.keyClick(editor.name, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
            QTest.keyClicks(editor.name, "Vocals")
            _click(editor.add_criterion)
            row = editor.criteria.rowCount() - 1
            editor.criteria.item(row, 0).setText("Diction")
            editor.criteria.item(row, 1).setText("5")
            _click(editor.save)

            def headers() -> list[str]:
                model = judge.sheet().model
                horizontal = Qt.Orientation.Horizontal
                return [str(model.headerData(i, horizontal)) for i in range(model.columnCount())]

            await eventually(lambda: "Diction (/5)" in headers(), 15, "the new column")
            assert judge.sheet().category_id == vocal
            assert judge.sheet().model.cell_count() == 4 * judge.sheet().model.rowCount()
            # a name corrected in the office reaches the judge's row
            amelia = next(p for p in admin.core.state.contestants.values() if p.number == 101)
            await AdminClient(admin.core).save_contestant(101, "Amelia Hart-Jones", id=amelia.id)

            def names() -> list[str]:
                model = judge.sheet().model
                return [str(model.data(model.index(r, 1))) for r in range(model.rowCount())]

            await eventually(lambda: "Amelia Hart-Jones" in names(), 15, "the corrected name")
            # the judge scores the new criterion on the rebuilt sheet (the old sheet's
            # connections are gone with it)
            diction = admin.core.state.categories[vocal].criteria[-1]
            await judge.core.submit_score(vocal, amelia.id, diction.id, 4)
            await eventually(lambda: judge.core.pending_count() == 0, what="the score synced")
            await eventually(
                lambda: judge.sheet().model.filled_count() == 1, what="the score on the sheet"
            )
        finally:
            await judge.close()
            await admin.close()

    run(qloop, scenario())
