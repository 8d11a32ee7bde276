"""Authorization: every role × every client event, plus assignment-based refusals."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
import pytest_asyncio

from scoring_console.protocol import CLIENT_EVENTS, ClientEvent, Role
from tests.helpers.sio_client import SioClient, new_client_id
from tests.server.integration.conftest import DEMO_USERS, Layout, Live
from tests.server.integration.payloads import Refs, valid_payload

pytestmark = pytest.mark.asyncio(loop_scope="module")


@dataclass
class Matrix:
    """Connected clients of every role, the layout and existing object ids."""

    clients: dict[Role, SioClient]
    layout: Layout
    refs: Refs


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def matrix(shared_live: Live) -> AsyncIterator[Matrix]:
    layout = await shared_live.layout()
    clients = {Role(role): await shared_live.connect(name) for role, name in DEMO_USERS.items()}
    judge = clients[Role.JUDGE]
    contestant, criterion = layout.cat1.cells[-1]
    score = await judge.ok(
        "scores:submit",
        {
            "clientId": new_client_id(),
            "categoryId": layout.cat1.id,
            "contestantId": contestant,
            "criterionId": criterion,
            "score": 7,
        },
    )
    removal = await judge.ok(
        "score:removal-requested",
        {"clientId": new_client_id(), "scoreId": score["id"], "reason": "typo"},
    )
    deduction = await judge.ok(
        "deduction:requested",
        {
            "clientId": new_client_id(),
            "categoryId": layout.cat1.id,
            "contestantId": contestant,
            "amount": 1,
            "reason": "late",
        },
    )
    yield Matrix(
        clients, layout, Refs(score["id"], removal["id"], deduction["id"], notification_id=1)
    )


CASES = [(event, role) for event in CLIENT_EVENTS for role in Role]


@pytest.mark.parametrize(("event", "role"), CASES, ids=[f"{e.value}-{r.value}" for e, r in CASES])
async def test_role_matrix(matrix: Matrix, event: ClientEvent, role: Role) -> None:
    spec = CLIENT_EVENTS[event]
    payload = valid_payload(event, matrix.layout, matrix.refs)
    ack = await matrix.clients[role].call(event.value, payload)
    assert isinstance(ack.get("ok"), bool), ack
    code = None if ack["ok"] else ack["error"]["code"]
    if role in spec.roles:
        assert code != "forbidden", f"{role} may call {event} but got {ack}"
        # the payload is valid and the server is healthy: neither of these is acceptable
        assert code not in {"validation_error", "internal", "invalid_event"}, ack
        if ack["ok"] and spec.ack is not None:
            spec.ack.model_validate(ack["data"])
    else:
        assert code == "forbidden", f"{role} must not call {event}: {ack}"
        assert isinstance(ack["error"].get("message"), str)


async def test_judge_cannot_submit_into_unassigned_category(matrix: Matrix) -> None:
    cat3 = matrix.layout.cat3
    contestant, criterion = cat3.cells[0]
    payload = {
        "clientId": new_client_id(),
        "categoryId": cat3.id,
        "contestantId": contestant,
        "criterionId": criterion,
        "score": 3,
    }
    judge = matrix.clients[Role.JUDGE]
    err = await judge.error("scores:submit", payload)
    assert err["code"] == "forbidden", err
    batch = await judge.call("scores:submit-batch", {"entries": [payload]})
    # the batch call may be refused as a whole, or entry by entry
    if batch["ok"]:
        (item,) = batch["data"]["results"]
        assert item["ok"] is False and item["error"]["code"] == "forbidden", batch
    else:
        assert batch["error"]["code"] == "forbidden", batch


async def test_judge_cannot_request_deduction_in_unassigned_category(matrix: Matrix) -> None:
    cat3 = matrix.layout.cat3
    err = await matrix.clients[Role.JUDGE].error(
        "deduction:requested",
        {
            "clientId": new_client_id(),
            "categoryId": cat3.id,
            "contestantId": cat3.contestant_ids[0],
            "amount": 1,
            "reason": "x",
        },
    )
    assert err["code"] == "forbidden", err


async def test_tally_cannot_decide_deduction_in_unassigned_category(matrix: Matrix) -> None:
    cat3 = matrix.layout.cat3
    deduction = await matrix.clients[Role.ORGANIZER].ok(
        "deduction:requested",
        {
            "clientId": new_client_id(),
            "categoryId": cat3.id,
            "contestantId": cat3.contestant_ids[0],
            "amount": 1,
            "reason": "organizer",
        },
    )
    err = await matrix.clients[Role.TALLY_MASTER].error(
        "deduction:decide", {"deductionId": deduction["id"], "approve": True}
    )
    assert err["code"] in {"forbidden", "not_found"}, err


async def test_judge_cannot_read_unassigned_category_scores(matrix: Matrix) -> None:
    err = await matrix.clients[Role.JUDGE].error(
        "scores:request", {"categoryId": matrix.layout.cat3.id}
    )
    assert err["code"] in {"forbidden", "not_found"}, err


async def test_judge_cannot_request_removal_of_another_judges_score(
    matrix: Matrix, shared_live: Live
) -> None:
    cat1 = matrix.layout.cat1
    judge2 = await shared_live.connect("judge2")
    contestant, criterion = cat1.cells[1]
    other = await judge2.ok(
        "scores:submit",
        {
            "clientId": new_client_id(),
            "categoryId": cat1.id,
            "contestantId": contestant,
            "criterionId": criterion,
            "score": 4,
        },
    )
    err = await matrix.clients[Role.JUDGE].error(
        "score:removal-requested",
        {"clientId": new_client_id(), "scoreId": other["id"], "reason": "not mine"},
    )
    assert err["code"] in {"forbidden", "not_found"}, err
