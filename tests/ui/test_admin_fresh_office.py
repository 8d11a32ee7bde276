"""A competition office sets up a fresh server from the console alone: ``scoring-server
init``, then the chief logs in to an empty console and builds event → contest → category
(weighted criteria) → contestant → accounts → assignments with real clicks and typing;
every step is confirmed in the office's words and the editor follows what was created."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from scoring_console.client.core import ClientCore
from scoring_console.client.memory_keyring import MemoryKeyring
from scoring_console.protocol.roles import Role
from scoring_console.ui.admin import CompetitionWorkspace
from scoring_console.ui.bridge import CoreBridge
from scoring_console.ui.main_window import MainWindow
from scoring_console.ui.settings import UserSettings, WindowState
from tests.helpers import postgres
from tests.helpers.server_process import ServerProcess

from .helpers import eventually, run
from .test_admin_workspace import _click, _click_tree, _type

CHIEF_PASSWORD = "chief-secret-1"
ADMIN = ("--admin", "chief", "--name", "Chief Scorer")


@pytest.fixture
def fresh_server(tmp_path: Path) -> Iterator[ServerProcess]:
    """A server on a data dir made by ``scoring-server init`` (one admin, nothing else)."""
    data = tmp_path / "server"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "scoring_console.server",
            "init",
            "--data-dir",
            str(data),
            *ADMIN,
            *postgres.server_args(data),
        ],
        capture_output=True,
        timeout=60,
        check=True,
        env={**os.environ, "SCORING_PASSWORD": CHIEF_PASSWORD},
    )
    proc = ServerProcess(data_dir=data, demo=False)
    proc.start()
    try:
        yield proc
    finally:
        proc.stop()


def test_office_sets_up_a_fresh_competition_from_the_console(
    qtbot: QtBot,
    qloop: asyncio.AbstractEventLoop,
    fresh_server: ServerProcess,
    tmp_path: Path,
) -> None:
    async def scenario() -> None:
        core = ClientCore(
            fresh_server.url,
            "chief",
            data_dir=tmp_path / "chief",
            keyring_backend=MemoryKeyring(),
            connect_timeout=10.0,
            request_timeout=5.0,
        )
        await core.login(CHIEF_PASSWORD)
        bridge = CoreBridge(core)
        settings = UserSettings(server_url=fresh_server.url, username="chief", sound_enabled=False)
        window = MainWindow(bridge, settings, WindowState())
        window.resize(1320, 780)
        window.show()
        await core.start()
        assert await core.wait_connected(15)
        try:
            workspace = getattr(window, "competition", None)
            assert isinstance(workspace, CompetitionWorkspace)
            structure, state = workspace.structure, core.state
            nodes = structure.nodes
            await eventually(lambda: nodes.title.text() == "<b>New event</b>", what="empty")
            # nothing set up yet, but synced: the window counts as filled (--screenshot
            # used to wait forever on a fresh server)
            await eventually(window.is_filled, what="an empty but synced window")
            _type(nodes.name, "Spring Festival 2027")
            _click(nodes.save)
            await eventually(
                lambda: (
                    structure.selected() is not None
                    and structure.selected()[0] == "event"  # type: ignore[index]
                    and nodes.title.text() == "<b>Event</b>"
                ),
                what="the editor on the new event (it used to stay on 'New event')",
            )
            assert nodes.message.text() == "Saved: event 'Spring Festival 2027' created"
            _type(nodes.child_name, "Senior Showcase")
            _click(nodes.add_child)
            await eventually(lambda: len(state.contests) == 1, what="the contest")
            _click_tree(workspace, "Senior Showcase")
            _type(nodes.child_name, "Vocal Performance")
            _click(nodes.add_child)
            editor = structure.category
            editor.criteria.item(0, 0).setText("Technique")
            editor.criteria.item(0, 2).setText("2")
            _click(editor.add_criterion)
            editor.criteria.item(1, 0).setText("Interpretation")
            _click(editor.save)
            await eventually(lambda: editor.category_id is not None, what="the category")
            await eventually(
                lambda: structure.selected() == ("category", editor.category_id),
                what="the tree on the new category",
            )
            vocal = state.categories[editor.category_id]  # type: ignore[index]
            assert [(c.name, c.weight) for c in vocal.criteria] == [
                ("Technique", 2),
                ("Interpretation", 1),
            ]
            _type(editor.number, "101")
            _type(editor.person, "Amelia Hart")
            _click(editor.add_contestant)
            await eventually(lambda: editor.contestants.rowCount() == 1, what="the contestant")
            # accounts, then the pick lists have them at once
            accounts = workspace.accounts
            workspace.setCurrentWidget(accounts)
            for username, name, role in (
                ("jdoe", "Jane Doe", "Judge"),
                ("tally", "Tara Ally", "Tally master"),
            ):
                _type(accounts.username, username)
                _type(accounts.name, name)
                accounts.role.setCurrentIndex(accounts.role.findText(role))
                _click(accounts.create_button)
                await eventually(
                    lambda u=username: accounts.message.text().startswith(  # type: ignore[misc]
                        f"Account {u} created. One-time password (shown only now): "
                    ),
                    what=f"{username} created",
                )
            page = workspace.assignments
            workspace.setCurrentWidget(page)
            for role_label, person in (
                ("Judges", "Jane Doe (jdoe)"),
                ("Tally masters", "Tara Ally (tally)"),
            ):
                page.role.setCurrentIndex(page.role.findText(role_label))
                await eventually(
                    lambda p=person: page.available.findItems(p, Qt.MatchFlag.MatchExactly),
                    what=person,
                )  # type: ignore[misc]
                (item,) = page.available.findItems(person, Qt.MatchFlag.MatchExactly)
                page.available.setCurrentItem(item)
                _click(page.assign)
                await eventually(
                    lambda p=person: (
                        page.message.text()  # type: ignore[misc]
                        == f"{p} assigned to Vocal Performance (Senior Showcase)."
                    ),
                    what=f"{person} assigned",
                )
            roles = {a.role for a in state.assignments.values() if a.category_id == vocal.id}
            assert roles == {Role.JUDGE, Role.TALLY_MASTER}
        finally:
            window.close()
            for tasks in window.task_sets():
                await tasks.finish(5.0)
            await core.stop(flush_timeout=1.0)
            bridge.close()
            window.deleteLater()

    run(qloop, scenario(), 120)
