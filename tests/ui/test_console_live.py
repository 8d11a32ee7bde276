"""Real consoles against a real bundled server (a subprocess), on qasync's loop.

A judge fills a sheet from the keyboard; the tally master's live table shows every
score; another judge never sees the values; the sheet survives a server outage; a
write refused because the contest was locked meanwhile is shown with its reason.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from pytestqt.qtbot import QtBot

from scoring_console.client.core import ClientCore
from scoring_console.client.memory_keyring import MemoryKeyring
from scoring_console.ui.judge_sheet_model import FIRST_CRITERION_COL, SYNC_ROLE
from scoring_console.ui.plausibility import format_score
from scoring_console.ui.sync_state import CellSync
from scoring_console.ui.tally_table_model import FIRST_JUDGE_COL
from tests.helpers.server_process import ServerProcess
from tests.helpers.tcp_proxy import TcpProxy

from .consoles import Console, focus, open_console, type_keys
from .helpers import eventually, run


def sheet_values(rows: int, criteria: int) -> list[list[float]]:
    """Ordinary values (5..8.5): no plausibility warning interrupts the typing."""
    return [[5 + (r + c) % 4 + 0.5 * (c % 2) for c in range(criteria)] for r in range(rows)]


def cell_states(console: Console) -> set[str]:
    sheet = console.sheet()
    model = sheet.model
    return {
        str(model.index(r, c).data(SYNC_ROLE))
        for r in range(model.rowCount())
        for c in range(FIRST_CRITERION_COL, model.total_col)
    }


async def enter_rows(console: Console, values: list[list[float]], first_row: int = 0) -> None:
    sheet = console.sheet()
    sheet.table.setCurrentIndex(sheet.model.index(first_row, FIRST_CRITERION_COL))
    await focus(sheet.table)
    for row in values:
        type_keys("".join(f"{format_score(v)}\n" for v in row))
        await asyncio.sleep(0)


def tally_column_texts(tally: Console, judge_id: int) -> list[str]:
    view = tally.tally()
    model = view.model
    model.flush_now()
    column = FIRST_JUDGE_COL + model.judges.index(judge_id)
    return [str(model.index(r, column).data()) for r in range(model.rowCount())]


def expected_sums(values: list[list[float]]) -> list[str]:
    return [format_score(sum(row)) for row in values]


def test_judge_sheet_reaches_tally_and_stays_hidden(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, server_process: ServerProcess, tmp_path: Path
) -> None:
    async def scenario() -> None:
        judge = await open_console(server_process.url, "judge1", tmp_path)
        other = await open_console(server_process.url, "judge2", tmp_path)
        tally = await open_console(server_process.url, "tally1", tmp_path)
        try:
            sheet = judge.sheet()
            assert tally.tally().category_id == sheet.category_id
            values = sheet_values(sheet.model.rowCount(), sheet.model.total_col - 2)
            await enter_rows(judge, values)
            await eventually(
                lambda: cell_states(judge) == {str(CellSync.SYNCED)}, 20, "every cell synced"
            )
            assert judge.core.user is not None
            judge_id = judge.core.user.id
            await eventually(
                lambda: tally_column_texts(tally, judge_id) == expected_sums(values),
                10,
                "the tally to show judge1's sums",
            )
            # the other judge: nothing of judge1's values, on screen or in memory
            other_sheet = other.sheet()
            assert other_sheet.category_id == sheet.category_id
            # (the server sends a judge nothing of another judge's scores, not even masked
            # rows; the tally above has them all, so they were delivered by now)
            assert not [
                s for s in other.core.state.scores_in(sheet.category_id) if s.judge_id == judge_id
            ]
            model = other_sheet.model
            assert all(
                model.index(r, c).data() == ""
                for r in range(model.rowCount())
                for c in range(FIRST_CRITERION_COL, model.columnCount())
            )
            # certify: enabled once complete and synced; the receipt is the server's
            await eventually(lambda: sheet.certify_button.isEnabled(), 10, "certify enabled")
            sheet.certify_button.click()
            await eventually(lambda: sheet.receipt is not None, 15, "the receipt")
            assert sheet.receipt is not None
            assert re.fullmatch(r"[0-9a-f]{64}", sheet.receipt)
            assert sheet.receipt in sheet.receipt_label.text()
            assert not sheet.certify_button.isEnabled()
            await eventually(
                lambda: any(
                    s.receipt == sheet.receipt
                    for s in getattr(
                        tally.core.state.certifications.get(sheet.category_id), "signoffs", []
                    )
                ),
                10,
                "the tally master to see the signature",
            )
        finally:
            for console in (judge, other, tally):
                await console.close()

    run(qloop, scenario(), timeout=90)


def test_offline_entries_sync_when_the_server_returns(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, server_process: ServerProcess, tmp_path: Path
) -> None:
    async def scenario() -> None:
        judge = await open_console(server_process.url, "judge1", tmp_path)
        tally = await open_console(server_process.url, "tally1", tmp_path)
        try:
            sheet = judge.sheet()
            criteria = sheet.model.total_col - 2
            values = sheet_values(sheet.model.rowCount(), criteria)
            await enter_rows(judge, values[:2])
            await eventually(lambda: judge.core.pending_count() == 0, 15, "first rows synced")

            server_process.kill()
            await eventually(lambda: not judge.core.connection.connected, 15, "judge offline")
            await enter_rows(judge, values[2:], first_row=2)
            offline_cells = (len(values) - 2) * criteria
            await eventually(
                lambda: judge.core.pending_count() == offline_cells, 10, "entries saved locally"
            )
            model = sheet.model
            assert model.index(3, FIRST_CRITERION_COL).data(SYNC_ROLE) == CellSync.SAVED_LOCALLY
            assert model.index(0, FIRST_CRITERION_COL).data(SYNC_ROLE) == CellSync.SYNCED
            assert f"{offline_cells} pending" in judge.window.status.text
            assert "Connected" not in judge.window.status.text

            server_process.start()
            await eventually(lambda: judge.core.pending_count() == 0, 30, "outbox drained")
            await eventually(
                lambda: cell_states(judge) == {str(CellSync.SYNCED)}, 10, "every cell synced"
            )
            await eventually(lambda: judge.window.status.text == "Connected", 10, "status")
            assert judge.core.user is not None
            judge_id = judge.core.user.id
            await eventually(
                lambda: tally_column_texts(tally, judge_id) == expected_sums(values),
                20,
                "the tally to match after the outage",
            )
        finally:
            await judge.close()
            await tally.close()

    run(qloop, scenario(), timeout=100)


def test_entry_refused_because_the_contest_was_locked(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, server_process: ServerProcess, tmp_path: Path
) -> None:
    proxy = TcpProxy(server_process.port)
    proxy.start_in_thread()

    async def scenario() -> None:
        judge = await open_console(proxy.url, "judge1", tmp_path, connect_timeout=2.0)
        organizer = ClientCore(
            server_process.url,
            "organizer1",
            data_dir=tmp_path / "organizer1",
            keyring_backend=MemoryKeyring(),
        )
        try:
            sheet = judge.sheet()
            await enter_rows(judge, [[6.5]])
            await eventually(lambda: judge.core.pending_count() == 0, 15, "first score synced")

            proxy.blackhole()
            proxy.sever()
            await eventually(lambda: not judge.core.connection.connected, 15, "judge cut off")
            await enter_rows(judge, [[7.5]], first_row=1)
            await eventually(lambda: judge.core.pending_count() == 1, 10, "saved locally")

            await organizer.login("demo")
            await organizer.start()
            assert await organizer.wait_connected(15)
            category = judge.core.state.categories[sheet.category_id]
            await organizer.lock_contest(category.contest_id, True)

            proxy.heal()
            index = sheet.model.index(1, FIRST_CRITERION_COL)
            await eventually(lambda: index.data(SYNC_ROLE) == CellSync.REJECTED, 30, "the refusal")
            tooltip = str(index.data(3))
            assert "lock" in tooltip.lower()
            assert index.data() == "7.5"  # still visible
            assert "lock" in sheet.message_label.text().lower()
            await eventually(lambda: sheet.model.locked, 10, "the sheet locked")
            assert sheet.lock_label.isVisibleTo(sheet)
            await asyncio.sleep(0.5)  # later syncs and events do not wipe the refusal
            assert index.data(SYNC_ROLE) == CellSync.REJECTED
            assert sheet.model.index(0, FIRST_CRITERION_COL).data(SYNC_ROLE) == CellSync.SYNCED
        finally:
            await judge.close()
            await organizer.stop()

    try:
        run(qloop, scenario(), timeout=90)
    finally:
        proxy.stop_thread()


def test_login_needed_after_a_server_reset_and_log_in_again(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, server_process: ServerProcess, tmp_path: Path
) -> None:
    from scoring_console.client.connection import ConnectionStatus

    async def scenario() -> None:
        judge = await open_console(server_process.url, "judge4", tmp_path)
        try:
            relogin = judge.window.relogin
            assert not relogin.action.isEnabled()
            server_process.kill()  # a reset server: new secret, the session is unknown
            server_process.data_dir = tmp_path / "fresh-server"
            server_process.start()
            await eventually(
                lambda: judge.core.connection.status is ConnectionStatus.AUTH_FAILED,
                30,
                "login needed",
            )
            assert judge.window.status.text.startswith("Login needed")
            assert relogin.action.isEnabled()
            assert not await relogin.relogin("not-the-password")
            assert await relogin.relogin("demo")
            await eventually(lambda: judge.core.connection.connected, 20, "reconnected")
            assert judge.window.status.text == "Connected"
            assert not relogin.action.isEnabled()
        finally:
            await judge.close()

    run(qloop, scenario(), timeout=80)
