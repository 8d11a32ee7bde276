"""``scoring-cli`` as a black box: a subprocess against a real server process."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import socketio

from scoring_console.protocol import PROTOCOL_VERSION, ClientEvent
from tests.client.integration.conftest import (
    judge_cells,
    judge_scores,
    login_tokens,
    online_core,
    server_snapshot,
    wait_until,
)
from tests.helpers.server_process import ServerProcess


@dataclass
class Result:
    """One finished CLI run."""

    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


@dataclass
class Cli:
    """Runs ``python -m scoring_console.client.cli`` with a server, user and data dir."""

    server: str
    data_dir: Path
    env: dict[str, str]

    def argv(self, username: str, *args: str) -> list[str]:
        return [
            sys.executable,
            "-m",
            "scoring_console.client.cli",
            "--server",
            self.server,
            "--username",
            username,
            "--data-dir",
            str(self.data_dir),
            *args,
        ]

    async def run(
        self, *args: str, user: str = "judge1", env: dict[str, str] | None = None
    ) -> Result:
        proc = await asyncio.create_subprocess_exec(
            *self.argv(user, *args),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env={**self.env, **(env or {})},
        )
        async with asyncio.timeout(60):
            out, err = await proc.communicate()
        assert proc.returncode is not None
        return Result(proc.returncode, out.decode(), err.decode())


@pytest.fixture
def cli(server_process: ServerProcess, tmp_path: Path) -> Cli:
    env = dict(os.environ)
    env.update(SCORING_CONSOLE_KEYRING="memory", SCORING_PASSWORD="demo")
    env.pop("SCORING_SERVER", None)
    env.pop("SCORING_USERNAME", None)
    return Cli(server_process.url, tmp_path / "cli-data", env)


def cell_args(cell: tuple[int, int, int], score: float) -> list[str]:
    category, contestant, criterion = cell
    return [
        "submit",
        "--category",
        str(category),
        "--contestant",
        str(contestant),
        "--criterion",
        str(criterion),
        "--score",
        str(score),
    ]


async def test_status_sync_submit_outbox(cli: Cli) -> None:
    judge_id, cells = await judge_cells(cli.server)

    status = await cli.run("--json", "status")
    assert status.code == 0, status.err
    data = status.json()
    assert data["connection"]["status"] == "connected"
    assert data["user"]["username"] == "judge1" and data["user"]["role"] == "JUDGE"
    assert (data["pending"], data["rejected"]) == (0, 0)

    human = await cli.run("status")
    assert human.code == 0 and "connected" in human.out and "judge1" in human.out

    synced = await cli.run("--json", "sync")
    assert synced.code == 0, synced.err
    snapshot = synced.json()
    assert {c["id"] for c in snapshot["categories"]} >= {cells[0][0]}
    assert snapshot["user"]["username"] == "judge1" and snapshot["seq"] >= 0
    summary = await cli.run("sync")
    assert summary.code == 0 and "category" in summary.out

    first = await cli.run(*cell_args(cells[0], 7.5))
    assert (first.code, first.out.strip()) == (0, "synced"), first.err
    second = await cli.run("--json", *cell_args(cells[1], 6.0), "--comment", "clean")
    assert second.code == 0, second.err
    entry = second.json()
    assert entry["state"] == "synced" and entry["payload"]["comment"] == "clean"

    outbox = await cli.run("--json", "outbox")
    assert outbox.code == 0
    assert [e["state"] for e in outbox.json()["entries"]] == ["synced", "synced"]

    scores = await judge_scores(cli.server, judge_id)
    got = {(s.category_id, s.contestant_id, s.criterion_id): s.score for s in scores}
    assert got == {cells[0]: 7.5, cells[1]: 6.0}


async def test_friendly_errors_and_exit_codes(cli: Cli) -> None:
    _, cells = await judge_cells(cli.server)
    category, contestant, _ = cells[0]

    unknown = await cli.run(
        "submit", "--category", str(category), "--contestant", str(contestant),
        "--criterion", "9999", "--score", "5",
    )  # fmt: skip
    assert unknown.code == 5 and "criterion 9999" in unknown.err
    too_high = await cli.run(*cell_args(cells[0], 10.5))
    assert too_high.code == 5 and "maximum" in too_high.err
    assert (await cli.run("--json", "outbox")).json()["entries"] == []

    unreachable = Cli("http://127.0.0.1:9", cli.data_dir, cli.env)
    # independent runs: in parallel to keep the suite fast
    wrong, no_password, bad_keyring, down, usage, no_keyring = await asyncio.gather(
        cli.run("status", env={"SCORING_PASSWORD": "not-the-password"}),
        cli.run("status", env={"SCORING_PASSWORD": ""}),
        cli.run("status", env={"SCORING_CONSOLE_KEYRING": "floppy"}),
        unreachable.run("--json", "sync"),
        cli.run("submit", "--category", "1"),
        cli.run("--json", "status", env={"SCORING_CONSOLE_KEYRING": "none"}),
    )
    assert wrong.code == 4 and "login refused" in wrong.err
    assert no_password.code == 2 and "SCORING_PASSWORD" in no_password.err
    assert bad_keyring.code == 2 and "SCORING_CONSOLE_KEYRING" in bad_keyring.err
    assert down.code == 3 and "unreachable" in down.err
    assert down.json()["exitCode"] == 3
    assert usage.code == 2
    # no keyring: still works with the password, and says the token is in memory only
    assert no_keyring.code == 0, no_keyring.err
    assert no_keyring.json()["keyringAvailable"] is False

    helped = await cli.run("--help")
    assert helped.code == 0
    assert "exit codes" in helped.out and "SCORING_CONSOLE_KEYRING" in helped.out


async def _lock_contest(url: str, contest_id: int) -> None:
    tokens = await login_tokens(url, "admin")
    sio = socketio.AsyncClient(reconnection=False)
    await sio.connect(
        url, auth={"token": tokens.access_token, "protocol": PROTOCOL_VERSION}, wait_timeout=10
    )
    try:
        ack = await sio.call(
            str(ClientEvent.CONTEST_LOCK), {"contestId": contest_id, "locked": True}, timeout=10
        )
    finally:
        await sio.disconnect()
    assert ack["ok"], ack


async def test_rejected_submit_exits_1_and_stays_in_the_outbox(cli: Cli) -> None:
    _, cells = await judge_cells(cli.server)
    snapshot = await server_snapshot(cli.server, "judge1")
    category = next(c for c in snapshot.categories if c.id == cells[0][0])
    await _lock_contest(cli.server, category.contest_id)

    refused = await cli.run(*cell_args(cells[0], 5.0))
    assert refused.code == 1, refused.err
    assert refused.out.startswith("rejected: ")

    outbox = (await cli.run("--json", "outbox")).json()["entries"]
    assert [(e["state"], e["errorCode"]) for e in outbox] == [("rejected", "locked")]
    flushed = await cli.run("flush", "--timeout", "5")
    assert flushed.code == 1 and "1 rejected" in flushed.out


async def test_entries_queued_while_the_server_is_down_are_sent_by_a_later_flush(
    cli: Cli, server_process: ServerProcess
) -> None:
    judge_id, cells = await judge_cells(cli.server)
    assert (await cli.run("status")).code == 0  # caches the snapshot for offline checks
    await asyncio.to_thread(server_process.kill)

    for index, cell in enumerate(cells[:3]):
        queued = await cli.run(*cell_args(cell, 2.0 + index))
        assert (queued.code, queued.out.strip()) == (0, "pending"), queued.err
        assert "saved locally" in queued.err
    # the offline cache still validates ids
    assert (await cli.run(*cell_args((cells[0][0], cells[0][1], 9999), 1.0))).code == 5

    outbox = (await cli.run("--json", "outbox")).json()["entries"]
    assert [e["state"] for e in outbox] == ["pending"] * 3
    status = await cli.run("--json", "status")
    assert status.code == 3 and status.json()["pending"] == 3
    early = await cli.run("flush", "--timeout", "1")
    assert early.code == 3 and "3 pending" in early.out

    await asyncio.to_thread(server_process.restart)
    flushed = await cli.run("--json", "flush", "--timeout", "20")
    assert flushed.code == 0, flushed.err
    assert (flushed.json()["pending"], flushed.json()["rejected"]) == (0, 0)

    scores = await judge_scores(cli.server, judge_id)
    got = {(s.category_id, s.contestant_id, s.criterion_id): s.score for s in scores}
    assert got == {cell: 2.0 + i for i, cell in enumerate(cells[:3])}


async def test_watch_prints_incoming_events_as_json_lines(cli: Cli) -> None:
    _, cells = await judge_cells(cli.server)
    watcher = await asyncio.create_subprocess_exec(
        *cli.argv("tally1", "watch", "--seconds", "6"),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=cli.env,
    )
    assert watcher.stderr is not None and watcher.stdout is not None
    try:
        async with asyncio.timeout(20):
            while b"watching" not in await watcher.stderr.readline():
                pass
        submitted = await cli.run(*cell_args(cells[0], 4.5))
        assert submitted.code == 0, submitted.err
        async with asyncio.timeout(20):
            out, _ = await watcher.communicate()
    finally:
        if watcher.returncode is None:
            watcher.kill()
            await watcher.wait()
    assert watcher.returncode == 0
    events = [json.loads(line) for line in out.decode().splitlines() if line.strip()]
    updates = [e for e in events if e["event"] == "scores:updated"]
    assert any(
        u["payload"]["score"] == 4.5 and u["payload"]["criterionId"] == cells[0][2] for u in updates
    ), events


async def test_entries_queued_by_the_cli_are_sent_by_the_console_core(
    cli: Cli, server_process: ServerProcess, core_factory: Any
) -> None:
    judge_id, cells = await judge_cells(cli.server)
    await asyncio.to_thread(server_process.kill)
    queued = await cli.run(*cell_args(cells[0], 3.5))
    assert (queued.code, queued.out.strip()) == (0, "pending"), queued.err
    await asyncio.to_thread(server_process.restart)

    # the desktop console's core on the same data dir finds and sends the CLI's entry
    core = await online_core(core_factory, cli.server, data_dir=cli.data_dir)
    await wait_until(lambda: core.pending_count() == 0, 20, "the CLI's entry sent by the core")
    scores = await judge_scores(cli.server, judge_id)
    assert [(s.criterion_id, s.score) for s in scores] == [(cells[0][2], 3.5)]
