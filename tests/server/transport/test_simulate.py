"""The demo simulator: bot judges fill their sheets, then revise, through the real path."""

from __future__ import annotations

import asyncio
from pathlib import Path

from scoring_console.server.app import RunningServer, start_server
from scoring_console.server.config import ServerConfig
from scoring_console.server.service import Actor
from scoring_console.server.simulate import Simulator
from tests.helpers.sio_client import connect_user


async def test_bots_fill_every_cell_then_revise(server: RunningServer) -> None:
    simulator = Simulator(server.service, server.parts.deliverer, rate=100)
    simulator.load()
    assert [b.actor.username for b in simulator.bots] == [f"bot-judge{i}" for i in range(1, 6)]
    bot = simulator.bots[0]
    cells = len(bot.unfilled)
    assert cells > 0 and not bot.filled
    for _ in range(cells):
        await simulator.step(bot)
    assert not bot.unfilled and len(bot.filled) == cells
    await simulator.step(bot)
    assert simulator.submitted == cells + 1
    snapshot = server.service.snapshot(bot.actor)
    mine = [s for s in snapshot.scores if s.judge_id == bot.actor.user_id]
    assert len(mine) == cells
    assert max(s.version for s in mine) == 2


async def test_simulated_traffic_reaches_a_tally_console(tmp_path: Path) -> None:
    running = await start_server(
        ServerConfig(port=0, data_dir=tmp_path / "srv", demo=True, simulate=True, simulate_rate=200)
    )
    tally = await connect_user(running.url, "tally1")
    try:
        await tally.sync()
        updates = await tally.events.wait_count("scores:updated", 20)
        assert len({u["judgeId"] for u in updates}) >= 3
        assert all(u["score"] is not None for u in updates)
    finally:
        await tally.close()
        await running.stop()


async def test_bots_are_online_while_simulating(server: RunningServer) -> None:
    simulator = Simulator(server.service, server.parts.deliverer, rate=50)
    tally = server.service.get_user_by_username("tally1")
    assert tally is not None
    viewer = Actor(tally.id, tally.role, tally.username)

    def online() -> set[str]:
        return {p.username for p in server.service.snapshot(viewer).presence if p.online}

    assert online() == set()
    simulator.start()
    try:
        for _ in range(100):
            if simulator.submitted >= 5:
                break
            await asyncio.sleep(0.02)
        assert online() == {f"bot-judge{i}" for i in range(1, 6)}
        seen = {p.username: p.last_seen for p in server.service.snapshot(viewer).presence}
        assert seen["bot-judge1"] is not None
    finally:
        await simulator.stop()
    assert online() == set()


async def test_bots_leave_the_readme_judges_alone(server: RunningServer) -> None:
    simulator = Simulator(server.service, server.parts.deliverer, rate=100)
    simulator.load()
    simulator.load()  # a restart: the bot accounts are added once
    assert len(simulator.bots) == 5
    for bot in simulator.bots:
        for _ in range(3):
            await simulator.step(bot)
    assert simulator.submitted == 15
    tally = server.service.get_user_by_username("tally1")
    assert tally is not None
    snapshot = server.service.snapshot(Actor(tally.id, tally.role, tally.username))
    bot_ids = {bot.actor.user_id for bot in simulator.bots}
    judged_by = {score.judge_id for score in snapshot.scores}
    assert judged_by == bot_ids, "every score comes from a bot; judge1..judge5 stay empty"
