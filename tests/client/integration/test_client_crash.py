"""A client process killed with a non-empty outbox: the next process sends it all."""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path
from typing import Any

from scoring_console.store.outbox import EntryState
from tests.client.integration.conftest import (
    Cell,
    judge_cells,
    judge_scores,
    online_core,
    wait_until,
)
from tests.helpers.server_process import ServerProcess
from tests.helpers.tcp_proxy import TcpProxy

CHILD = """
import asyncio, sys
from pathlib import Path
from scoring_console.client.core import ClientCore
from scoring_console.client.memory_keyring import MemoryKeyring

async def main(url, data_dir, mode, spec):
    core = ClientCore(url, "judge1", data_dir=Path(data_dir), keyring_backend=MemoryKeyring())
    cells = [tuple(int(x) for x in c.split(",")) for c in spec.split(";")]
    if mode == "online":
        await core.login("demo")
        await core.start()
        ok = await core.wait_connected(15)
        print("connected" if ok else "not-connected", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    for index, cell in enumerate(cells):
        await core.submit_score(*cell, float(index % 9) + 0.5)
    print("queued", len(cells), flush=True)
    await asyncio.Event().wait()

asyncio.run(main(*sys.argv[1:]))
"""


def value(index: int) -> float:
    return float(index % 9) + 0.5


class Child:
    """The child client process."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc

    async def expect(self, prefix: str, within: float = 20.0) -> str:
        assert self.proc.stdout is not None
        async with asyncio.timeout(within):
            while True:
                raw = await self.proc.stdout.readline()
                if not raw:
                    raise AssertionError(f"child exited before printing {prefix!r}")
                line = raw.decode().strip()
                if line.startswith(prefix):
                    return line

    async def send(self, line: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(line.encode() + b"\n")
        await self.proc.stdin.drain()

    async def kill(self) -> None:
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGKILL)
        assert await self.proc.wait() == -signal.SIGKILL


async def spawn(url: str, data_dir: Path, mode: str, cells: list[Cell]) -> Child:
    spec = ";".join(",".join(str(x) for x in cell) for cell in cells)
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        CHILD,
        url,
        str(data_dir),
        mode,
        spec,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    return Child(proc)


async def test_killed_offline_client_outbox_is_sent_by_the_next_process(
    server_process: ServerProcess, core_factory: Any, tmp_path: Path
) -> None:
    url = server_process.url
    judge_id, all_cells = await judge_cells(url)
    cells = all_cells[:12]
    data_dir = tmp_path / "shared-profile"
    await asyncio.to_thread(server_process.kill)

    child = await spawn(url, data_dir, "offline", cells)
    try:
        assert await child.expect("queued") == f"queued {len(cells)}"
    finally:
        await child.kill()

    core = core_factory(url, data_dir=data_dir)
    # the committed entries survived the SIGKILL
    assert core.pending_count() == len(cells)
    await asyncio.to_thread(server_process.restart)
    await core.login("demo")
    await core.start()
    await wait_until(lambda: core.pending_count() == 0, 20, "the dead client's outbox drained")
    scores = await judge_scores(url, judge_id)
    got = {(s.category_id, s.contestant_id, s.criterion_id): (s.score, s.version) for s in scores}
    assert got == {cell: (value(i), 1) for i, cell in enumerate(cells)}


async def test_killed_client_with_entries_in_flight_is_resent_exactly_once(
    server: Any, core_factory: Any, tmp_path: Path
) -> None:
    proxy = TcpProxy(server.port)
    await proxy.start()
    try:
        judge_id, all_cells = await judge_cells(server.url)
        cells = all_cells[:10]
        data_dir = tmp_path / "shared-profile"
        child = await spawn(proxy.url, data_dir, "online", cells)
        try:
            assert await child.expect("connected") == "connected"
            proxy.blackhole()  # the batch goes out but no ack can come back
            await child.send("go")
            await child.expect("queued")
            observer = core_factory(proxy.url, data_dir=data_dir)
            await wait_until(
                lambda: any(e.state is EntryState.SENDING for e in observer.outbox_entries()),
                10,
                "the child has a batch in flight",
            )
        finally:
            await child.kill()
        proxy.heal()

        core = await online_core(core_factory, proxy.url, data_dir=data_dir)
        await wait_until(lambda: core.pending_count() == 0, 20, "in-flight entries resent")
        assert all(e.state is EntryState.SYNCED for e in core.outbox_entries())
        scores = await judge_scores(server.url, judge_id)
        got = {
            (s.category_id, s.contestant_id, s.criterion_id): (s.score, s.version) for s in scores
        }
        assert got == {cell: (value(i), 1) for i, cell in enumerate(cells)}
    finally:
        await proxy.aclose()
