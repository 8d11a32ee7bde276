"""Set-up changes reach connected consoles live: an admin's client core adds a contestant,
renames a category, adds a criterion and assigns a judge; a connected judge's core sees each
change without a restart (``setup:changed`` → ``sync``; rooms moved on assignment)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from scoring_console.client.admin import AdminClient
from scoring_console.protocol.errors import AckFailed
from scoring_console.protocol.setup import CriterionInput
from tests.client.integration.conftest import online_core, wait_until


async def test_setup_changes_reach_a_connected_judge(
    server_factory: Callable[..., Awaitable[Any]], core_factory: Callable[..., Any], tmp_path: Any
) -> None:
    server = await server_factory()
    admin_core = await online_core(core_factory, server.url, "admin", data_dir=tmp_path / "a")
    judge = await online_core(core_factory, server.url, "judge1", data_dir=tmp_path / "j")
    judge5 = await online_core(core_factory, server.url, "judge5", data_dir=tmp_path / "j5")
    admin = AdminClient(admin_core)
    state = judge.state
    vocal = next(c for c in state.categories.values() if c.name == "Vocal Performance")

    saved = await admin.save_contestant(150, "Priya Nair")
    await admin.set_contestants(vocal.id, [*vocal.contestant_ids, saved.id])
    await wait_until(
        lambda: saved.id in judge.state.categories[vocal.id].contestant_ids,
        message="the new contestant on the judge's sheet",
    )
    assert judge.state.contestants[saved.id].name == "Priya Nair"

    criteria = [CriterionInput(id=c.id, name=c.name, max_score=c.max_score) for c in vocal.criteria]
    await admin.save_category(
        vocal.contest_id,
        "Vocals",
        [*criteria, CriterionInput(name="Diction", max_score=5)],
        id=vocal.id,
    )
    await wait_until(
        lambda: (
            judge.state.categories[vocal.id].name == "Vocals"
            and [c.name for c in judge.state.categories[vocal.id].criteria][-1] == "Diction"
        ),
        message="renamed category with its new criterion",
    )

    junior = next(c for c in admin_core.state.categories.values() if c.name == "Variety Talent")
    assert junior.id not in judge5.state.categories
    await admin.assign(judge5.user.id, junior.id)
    await wait_until(lambda: junior.id in judge5.state.categories, message="assigned category")
    # the judge can score the new category at once
    entry = await judge5.submit_score(junior.id, junior.contestant_ids[0], junior.criteria[0].id, 6)
    await wait_until(
        lambda: all(e.state == "synced" for e in judge5.outbox_entries() if e.id == entry.id),
        message="the score in the new category synced",
    )

    kept = [CriterionInput(id=c.id, name=c.name, max_score=c.max_score) for c in junior.criteria]
    with pytest.raises(AckFailed) as refused:
        await admin.save_category(junior.contest_id, junior.name, kept[1:], id=junior.id)
    assert refused.value.code == "conflict", refused.value
    assert refused.value.message.startswith(
        f"criterion '{junior.criteria[0].name}' in Variety Talent (Junior Showcase) has 1 score(s)"
    )
