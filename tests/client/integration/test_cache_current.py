"""The cached snapshot follows the session: an offline start shows what the console
showed before it closed (acked scores, presence), after a clean stop or a crash."""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path
from typing import Any

import pytest

from scoring_console.client.core import ClientCore
from scoring_console.client.errors import ServerUnreachable
from scoring_console.client.memory_keyring import MemoryKeyring
from scoring_console.store.outbox import EntryKind, EntryState
from tests.client.integration.conftest import (
    Cell,
    judge_cells,
    online_core,
    wait_until,
)
from tests.helpers.server_process import ServerProcess
from tests.helpers.sio_client import connect_user, new_client_id


def value(index: int) -> float:
    return float(index % 9) + 0.5


def sheet_states(core: ClientCore, judge_id: int, cells: list[Cell]) -> dict[Cell, str]:
    """Each cell as the judge's sheet shows it: synced (server value), pending, empty."""
    pending = {
        (e.category_id, e.contestant_id, e.criterion_id)
        for e in core.outbox_entries()
        if e.kind is EntryKind.SCORE and e.state in (EntryState.PENDING, EntryState.SENDING)
    }
    states: dict[Cell, str] = {}
    for cell in cells:
        if cell in pending:
            states[cell] = "pending"
        elif core.state.score_for(*cell, judge_id) is not None:
            states[cell] = "synced"
        else:
            states[cell] = "empty"
    return states


async def test_offline_restart_shows_scores_acked_during_the_session(
    server_process: ServerProcess, core_factory: Any, tmp_path: Path
) -> None:
    url = server_process.url
    judge_id, cells = await judge_cells(url)
    keyring = MemoryKeyring()
    data_dir = tmp_path / "profile"
    core = await online_core(core_factory, url, keyring=keyring, data_dir=data_dir)
    online, offline = cells[:11], cells[11:15]
    for index, cell in enumerate(online):
        await core.submit_score(*cell, value(index))
    await wait_until(lambda: core.pending_count() == 0, 15, "11 scores acked")
    await asyncio.to_thread(server_process.kill)
    for cell in offline:
        await core.submit_score(*cell, 3.0)
    await core.stop(flush_timeout=0)

    again = core_factory(url, keyring=keyring, data_dir=data_dir)
    with pytest.raises(ServerUnreachable):
        await again.resume()
    assert again.open_offline()
    states = sheet_states(again, judge_id, online + offline)
    assert states == {**dict.fromkeys(online, "synced"), **dict.fromkeys(offline, "pending")}
    shown = {cell: again.state.score_for(*cell, judge_id) for cell in online}
    assert {cell: s.score for cell, s in shown.items() if s is not None} == {
        cell: value(i) for i, cell in enumerate(online)
    }
    assert again.pending_count() == 4


CHILD = """
import asyncio, sys
from pathlib import Path
from scoring_console.client.core import ClientCore
from scoring_console.client.memory_keyring import MemoryKeyring

async def main(url, data_dir, spec):
    core = ClientCore(url, "judge1", data_dir=Path(data_dir), keyring_backend=MemoryKeyring())
    await core.login("demo")
    await core.start()
    assert await core.wait_connected(15)
    cells = [tuple(int(x) for x in c.split(",")) for c in spec.split(";")]
    for index, cell in enumerate(cells):
        await core.submit_score(*cell, float(index % 9) + 0.5)
    assert await core.flush(15)
    print("acked", len(cells), flush=True)
    await asyncio.Event().wait()

asyncio.run(main(*sys.argv[1:]))
"""


async def test_acked_scores_reach_the_cache_before_a_crash_a_second_later(
    server: Any, tmp_path: Path
) -> None:
    judge_id, cells = await judge_cells(server.url)
    online = cells[:11]
    data_dir = tmp_path / "crashing"
    spec = ";".join(",".join(str(x) for x in cell) for cell in online)
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        CHILD,
        server.url,
        str(data_dir),
        spec,
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert proc.stdout is not None
        async with asyncio.timeout(40):
            line = (await proc.stdout.readline()).decode()
        assert line.startswith("acked 11"), line
        await asyncio.sleep(1.0)  # the crash comes ~1 s after the last ack
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGKILL)
        await proc.wait()

    after = ClientCore(server.url, "judge1", data_dir=data_dir, keyring_backend=MemoryKeyring())
    try:
        assert after.open_offline()
        states = sheet_states(after, judge_id, online)
        assert states == dict.fromkeys(online, "synced")
    finally:
        await after.stop(flush_timeout=0)


async def test_tally_masters_offline_start_shows_the_last_judges_panel(
    server: Any, core_factory: Any, tmp_path: Path
) -> None:
    judge_id, cells = await judge_cells(server.url)
    data_dir = tmp_path / "tally"
    tally = await online_core(core_factory, server.url, "tally1", data_dir=data_dir)
    judge = await connect_user(server.url, "judge1")
    try:
        await judge.ok(
            "scores:submit",
            {
                "clientId": new_client_id(),
                "categoryId": cells[0][0],
                "contestantId": cells[0][1],
                "criterionId": cells[0][2],
                "score": 7.5,
            },
        )
        await judge.ok("user:active", {"pendingCount": 4})
        await wait_until(
            lambda: (
                tally.state.presence.get(judge_id) is not None
                and tally.state.presence[judge_id].pending_count == 4
                and tally.state.score_for(*cells[0], judge_id) is not None
            ),
            10,
            "the tally master sees the judge's score and pending count",
        )
    finally:
        await judge.close()
    await wait_until(
        lambda: not tally.state.presence[judge_id].online, 10, "the judge shown offline"
    )
    await tally.stop(flush_timeout=0)

    again = core_factory(server.url, "tally1", data_dir=data_dir)
    assert again.open_offline()
    presence = again.state.presence[judge_id]
    assert (presence.online, presence.pending_count) == (False, 4)
    score = again.state.score_for(*cells[0], judge_id)
    assert score is not None and score.score == 7.5
