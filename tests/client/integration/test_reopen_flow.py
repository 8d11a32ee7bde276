"""Corrections after sign-off and the audit trail, end to end through a real server."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from scoring_console.protocol.audit import AuditQuery
from scoring_console.protocol.entities import RequestStatus
from scoring_console.protocol.errors import AckFailed, ErrorCode
from scoring_console.store.outbox import EntryState
from tests.client.integration.conftest import judge_cells, online_core, wait_until


async def test_reopen_request_approval_reason_and_history(
    server: Any, core_factory: Callable[..., Any]
) -> None:
    judge_id, cells = await judge_cells(server.url, "judge1")
    category_id = cells[0][0]
    judge = await online_core(core_factory, server.url, "judge1")
    tally = await online_core(core_factory, server.url, "tally1")
    for _, contestant, criterion in (c for c in cells if c[0] == category_id):
        await judge.submit_score(category_id, contestant, criterion, 6.0)
    assert await judge.flush(15)
    await judge.sign_certification(category_id)
    assert await judge.flush(15)

    with pytest.raises(AckFailed) as early:
        await tally.decide_reopen(999, approve=True)
    assert early.value.code is ErrorCode.NOT_FOUND

    request = await judge.request_reopen(category_id, "entered row 1 in the wrong column")
    (pending,) = await tally.list_reopens(category_id)
    assert (pending.id, pending.judge_id, pending.status) == (
        request.id,
        judge_id,
        RequestStatus.PENDING,
    )
    decided = await tally.decide_reopen(request.id, approve=True)
    assert decided.superseded_receipt is not None
    await wait_until(
        lambda: any(n.title == "Sheet reopened" for n in judge.state.notifications.values()),
        message="the judge was told",
    )

    _, contestant, criterion = cells[0]
    no_reason = await judge.submit_score(category_id, contestant, criterion, 7.0)
    await wait_until(
        lambda: _state(judge, no_reason.id) is EntryState.REJECTED,
        message="a change without a reason is refused",
    )
    fixed = await judge.submit_score(category_id, contestant, criterion, 7.0, reason="wrong row")
    await wait_until(
        lambda: _state(judge, fixed.id) is EntryState.SYNCED,
        message="a change with a reason is accepted",
    )

    page = await tally.audit_history(AuditQuery(category_id=category_id))
    actions = [e.action for e in page.entries]
    for action in (
        "score.created",
        "signoff.signed",
        "reopen.requested",
        "reopen.approved",
        "signoff.superseded",
        "score.updated",
    ):
        assert action in actions
    (updated,) = [e for e in page.entries if e.action == "score.updated"]
    assert (updated.reason, updated.old, updated.new) == (
        "wrong row",
        {"score": 6.0, "comment": None},
        {"score": 7.0, "comment": None},
    )
    assert updated.client_id == fixed.client_id
    mine = await judge.audit_history(AuditQuery())
    assert mine.entries and {e.subject_user_id for e in mine.entries} == {judge_id}


def _state(core: Any, entry_id: int) -> EntryState | None:
    entry = core.store.outbox.get(entry_id)
    return None if entry is None else entry.state
