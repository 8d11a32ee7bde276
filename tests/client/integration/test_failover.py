"""Several server URLs: the client core and ``scoring-cli`` move to the node that answers.

Two real ``scoring-server`` processes on loopback serve the same data (see
``tests/helpers/server_pair.py``). Node 1 is killed with SIGKILL while the judge
scores: the core reconnects to node 2 by itself, its pending scores reach the database
exactly once, the session stays logged in, and a restarted node 1 takes the client back
when node 2 dies in turn.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scoring_console.client.connection import ConnectionState, ConnectionStatus
from scoring_console.client.memory_keyring import MemoryKeyring
from scoring_console.client.vault import SERVICE, keyring_key
from tests.client.integration.conftest import (
    DEMO_PASSWORD,
    Cell,
    OutboxWatch,
    judge_cells,
    judge_scores,
    online_core,
    wait_until,
)
from tests.client.integration.test_cli import Cli, cell_args
from tests.helpers.server_pair import dead_url, server_pair
from tests.helpers.server_process import ServerProcess


@pytest.fixture
def nodes(tmp_path: Path) -> Iterator[list[ServerProcess]]:
    """Two server processes on one database and one signing secret."""
    with server_pair(tmp_path / "cluster") as pair:
        yield pair


def value_for(index: int) -> float:
    return float(index % 9) + 0.5


async def test_node_killed_mid_burst_client_moves_on_and_nothing_is_doubled(
    nodes: list[ServerProcess], core_factory: Any
) -> None:
    node1, node2 = nodes
    judge_id, cells = await judge_cells(node1.url)
    keyring = MemoryKeyring()
    core = await online_core(core_factory, [node1.url, node2.url], keyring=keyring)
    assert core.current_server == node1.url
    assert core.connection.server == node1.url
    states: list[ConnectionState] = []
    core.connection_changed.connect(states.append)
    watch = OutboxWatch(core)
    synced, rejected = watch.synced, watch.rejected
    killed = asyncio.Event()
    plan: list[tuple[Cell, float]] = [(cell, value_for(i)) for i, cell in enumerate(cells)]

    async def burst() -> None:
        for n, ((category, contestant, criterion), value) in enumerate(plan):
            if n == len(plan) // 2:
                await killed.wait()  # the crash hits mid-burst, however slow the machine
            await core.submit_score(category, contestant, criterion, value)
            await asyncio.sleep(0.02)

    task = asyncio.create_task(burst())
    await wait_until(lambda: len(synced) >= 4, 15, "first scores synced on node 1")
    await asyncio.to_thread(node1.kill)
    killed.set()
    await task
    await wait_until(lambda: core.pending_count() == 0, 30, "outbox drained on node 2")

    assert core.current_server == node2.url
    assert core.connection.connected and core.connection.server == node2.url
    assert core.connection.describe() == f"connected to 127.0.0.1:{node2.port}"
    assert not any(s.status is ConnectionStatus.AUTH_FAILED for s in states)
    assert core.login_required is None, "the failover did not log the judge out"
    assert rejected == []
    scores = await judge_scores(node2.url, judge_id)
    by_cell = {(s.category_id, s.contestant_id, s.criterion_id): s for s in scores}
    assert len(scores) == len(cells)
    for index, cell in enumerate(cells):
        assert by_cell[cell].score == value_for(index), cell
        assert by_cell[cell].version == 1, (cell, "applied twice")

    # the stored sign-in is one keyring entry for the whole list, under the first URL
    assert list(keyring.passwords) == [(SERVICE, keyring_key(node1.url, "judge1"))]
    await core.session.refresh()  # REST goes to the node that answers too
    assert core.session.access_token is not None

    # node 1 restarts and rejoins; node 2 dies: the client goes back to node 1
    await asyncio.to_thread(node1.restart)
    await asyncio.to_thread(node2.kill)
    await wait_until(lambda: core.connection.server == node1.url, 30, "back on node 1")
    category, contestant, criterion = cells[0]
    await core.submit_score(category, contestant, criterion, 9.75)
    await wait_until(lambda: core.pending_count() == 0, 15, "the new score sent to node 1")
    after = {
        (s.category_id, s.contestant_id, s.criterion_id): s
        for s in await judge_scores(node1.url, judge_id)
    }
    assert after[cells[0]].score == 9.75 and after[cells[0]].version == 2


async def test_first_url_dead_login_and_connection_use_the_second(
    nodes: list[ServerProcess], core_factory: Any
) -> None:
    _, node2 = nodes
    nowhere = dead_url()
    core = core_factory([nowhere, node2.url], "judge2")
    user = await core.login(DEMO_PASSWORD)
    assert user.username == "judge2"
    assert core.current_server == node2.url
    await core.start()
    assert await core.wait_connected(15)
    assert core.connection.server == node2.url


async def test_list_finds_the_sign_in_and_outbox_of_a_single_url_profile(
    nodes: list[ServerProcess], core_factory: Any, tmp_path: Path
) -> None:
    node1, node2 = nodes
    keyring = MemoryKeyring()
    data = tmp_path / "profiles"
    single = await online_core(core_factory, node2.url, "judge3", data_dir=data, keyring=keyring)
    await single.stop()
    # one URL as before: the keyring entry under that URL, found again as before
    assert (SERVICE, keyring_key(node2.url, "judge3")) in keyring.passwords

    # later the venue lists both nodes, the old one second: same profile, same sign-in
    listed = core_factory([node1.url, node2.url], "judge3", data_dir=data, keyring=keyring)
    assert listed.server_url == node2.url
    assert listed.profile_dir == single.profile_dir
    assert await listed.resume() is not None, "signed in silently with the stored token"
    await listed.start()
    assert await listed.wait_connected(15)


async def test_whole_cluster_down_backs_off_per_round_and_a_restarted_node_takes_the_client(
    nodes: list[ServerProcess], core_factory: Any
) -> None:
    node1, node2 = nodes
    core = await online_core(core_factory, [node1.url, node2.url], "judge4")
    waits: list[tuple[int, int]] = []  # (the state's attempt, sockets tried so far)

    def on_state(state: ConnectionState) -> None:
        if state.retry_in is not None:
            waits.append((state.attempt, core.link.connect_count))

    core.connection_changed.connect(on_state)
    await asyncio.to_thread(node2.kill)  # the idle node first: the client cannot land there
    await asyncio.to_thread(node1.kill)
    await wait_until(lambda: len(waits) >= 4, 20, "several backoff waits")
    # one wait after the drop, then one per round in which both nodes were tried: the
    # backoff grows per round, and the second node of a round is tried without a wait
    attempts = [attempt for attempt, _ in waits[:4]]
    tried = [count - waits[0][1] for _, count in waits[:4]]
    assert (attempts, tried) == ([1, 2, 3, 4], [0, 2, 4, 6]), waits
    await asyncio.to_thread(node2.restart)
    await wait_until(lambda: core.connection.connected, 20, "reconnected")
    assert core.connection.server == node2.url
    assert core.login_required is None


@pytest.fixture
def cluster_cli(nodes: list[ServerProcess], tmp_path: Path) -> Cli:
    import os

    env = dict(os.environ)
    env.update(SCORING_CONSOLE_KEYRING="memory", SCORING_PASSWORD="demo")
    env.pop("SCORING_SERVER", None)
    env.pop("SCORING_USERNAME", None)
    return Cli(f"{nodes[0].url},{nodes[1].url}", tmp_path / "cli-data", env)


async def test_cli_with_the_first_server_dead_succeeds_on_the_second(
    nodes: list[ServerProcess], cluster_cli: Cli
) -> None:
    node1, node2 = nodes
    judge_id, cells = await judge_cells(node2.url)
    await asyncio.to_thread(node1.kill)

    status = await cluster_cli.run("--json", "status")
    assert status.code == 0, status.err
    data = status.json()
    assert data["server"] == node2.url
    assert data["servers"] == [node1.url, node2.url]
    assert data["connection"]["description"] == f"connected to 127.0.0.1:{node2.port}"

    submitted = await cluster_cli.run(*cell_args(cells[0], 6.5))
    assert (submitted.code, submitted.out.strip()) == (0, "synced"), submitted.err
    scores = await judge_scores(node2.url, judge_id)
    assert [(s.score, s.version) for s in scores] == [(6.5, 1)]

    # --server given twice is the same list
    cluster_cli.server = node1.url
    repeated = await cluster_cli.run("--server", node2.url, "status")
    assert repeated.code == 0, repeated.err
    assert f"server:     {node2.url} (of {node1.url}, {node2.url})" in repeated.out


@pytest.mark.parametrize(
    ("servers", "said"),
    [
        ("", "Enter the address of at least one server"),
        ("score1.venue:8765", "“score1.venue:8765” is not a server address"),
        ("http://a:1,http://A:1/", "The server http://A:1 is listed twice"),
    ],
)
async def test_cli_refuses_a_bad_server_list_with_a_clear_message(
    tmp_path: Path, servers: str, said: str
) -> None:
    import os

    env = {k: v for k, v in os.environ.items() if k not in ("SCORING_SERVER", "SCORING_USERNAME")}
    cli = Cli(servers, tmp_path / "cli-data", env)
    result = await cli.run("status")
    assert result.code == 2
    assert "--server: " + said in result.err, result.err
