"""TaskSet at shutdown: durable writes complete (bounded in time), the rest is cancelled."""

from __future__ import annotations

import asyncio

from scoring_console.ui.tasks import TaskSet


def test_finish_runs_a_durable_task_that_has_not_started_yet() -> None:
    async def scenario() -> None:
        tasks = TaskSet()
        written: list[str] = []

        async def write() -> None:
            written.append("score")

        async def forever() -> None:
            await asyncio.Event().wait()

        durable = tasks.spawn(write(), "write", durable=True)
        other = tasks.spawn(forever(), "other")
        assert await tasks.finish(5.0)
        assert written == ["score"] and durable.done() and not durable.cancelled()
        assert other.cancelled()
        assert len(tasks) == 0 and tasks.durable_pending == 0

    asyncio.run(scenario())


def test_finish_gives_up_on_a_stuck_durable_task_after_the_deadline() -> None:
    async def scenario() -> None:
        tasks = TaskSet()

        async def stuck() -> None:
            await asyncio.Event().wait()

        task = tasks.spawn(stuck(), "stuck", durable=True)
        assert not await tasks.finish(0.05)
        assert task.cancelled() and len(tasks) == 0

    asyncio.run(scenario())
