"""Integrity after sign-off and locking: signed or locked scores cannot be changed by
any path (edit, removal), and each step of the chain is taken by the right people."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers.sio_client import SioClient, new_client_id
from tests.server.integration.conftest import CategoryInfo, Live
from tests.server.integration.util import submit


async def fill(judge: SioClient, category: CategoryInfo) -> list[dict[str, Any]]:
    result = await judge.ok(
        "scores:submit-batch",
        {"entries": [submit(category, cell, 5) for cell in category.cells]},
    )
    assert all(item["ok"] for item in result["results"]), result
    return [item["data"] for item in result["results"]]


async def test_signed_score_cannot_be_removed(live: Live) -> None:
    layout = await live.layout()
    cat1 = layout.cat1
    judge = await live.connect("judge1")
    tally = await live.connect("tally1")
    admin = await live.connect("admin")
    scores = await fill(judge, cat1)
    # a removal requested before the sign-off, decided after it
    early = await judge.ok(
        "score:removal-requested",
        {"clientId": new_client_id(), "scoreId": scores[0]["id"], "reason": "typo"},
    )
    signed = await judge.ok(
        "certification:sign", {"clientId": new_client_id(), "categoryId": cat1.id}
    )
    # a removal requested after the sign-off
    late = await tally.call(
        "score:removal-requested",
        {"clientId": new_client_id(), "scoreId": scores[1]["id"], "reason": "typo"},
    )
    if late["ok"]:
        err = await admin.error(
            "score:removal-decide", {"requestId": late["data"]["id"], "approve": True}
        )
        assert err["code"] == "locked", err
    else:
        assert late["error"]["code"] == "locked", late
    err = await admin.error("score:removal-decide", {"requestId": early["id"], "approve": True})
    assert err["code"] == "locked", err
    stored = {s["id"]: s for s in (await tally.sync())["scores"]}
    assert scores[0]["id"] in stored and scores[1]["id"] in stored, "a signed score was deleted"
    cert = [c for c in (await tally.sync())["certifications"] if c["categoryId"] == cat1.id]
    assert cert and cert[0]["version"] == signed["certification"]["version"]


async def test_locked_contest_refuses_removal_approval(live: Live) -> None:
    layout = await live.layout()
    cat2 = layout.cat2
    judge = await live.connect("judge2")
    admin = await live.connect("admin")
    score = await judge.ok("scores:submit", submit(cat2, cat2.cells[0], 3))
    request = await judge.ok(
        "score:removal-requested",
        {"clientId": new_client_id(), "scoreId": score["id"], "reason": "typo"},
    )
    await admin.ok("contest:lock", {"contestId": layout.contest1, "locked": True})
    err = await admin.error("score:removal-decide", {"requestId": request["id"], "approve": True})
    assert err["code"] == "locked", err
    assert score["id"] in {s["id"] for s in (await admin.sync())["scores"]}


async def test_chain_steps_need_the_right_people(live: Live) -> None:
    layout = await live.layout()
    cat1, cat3 = layout.cat1, layout.cat3
    judges = [await live.connect(f"judge{i}") for i in range(1, 6)]
    tally = await live.connect("tally1")
    board = await live.connect("board1")
    # not assigned to cat3: neither a judge nor the tally master may sign it
    for outsider in (judges[0], tally):
        err = await outsider.error(
            "certification:sign", {"clientId": new_client_id(), "categoryId": cat3.id}
        )
        assert err["code"] in {"forbidden", "not_found"}, (outsider.user, err)
    for judge in judges:
        await fill(judge, cat1)
        await judge.ok("certification:sign", {"clientId": new_client_id(), "categoryId": cat1.id})
    await tally.ok("certification:sign", {"clientId": new_client_id(), "categoryId": cat1.id})
    # the board cannot skip the auditor
    err = await board.error(
        "certification:sign", {"clientId": new_client_id(), "categoryId": cat1.id}
    )
    assert err["code"] == "precondition_failed", err
    # the tally master cannot sign twice
    again = await tally.call(
        "certification:sign", {"clientId": new_client_id(), "categoryId": cat1.id}
    )
    assert again["ok"] is False and again["error"]["code"] != "internal", again
    snap = await tally.sync()
    (cert,) = [c for c in snap["certifications"] if c["categoryId"] == cat1.id]
    assert cert["status"] == "TALLY_SIGNED"
    roles = [s["role"] for s in cert["signoffs"]]
    assert roles.count("TALLY_MASTER") == 1 and roles.count("JUDGE") == 5, roles
    assert sorted(cert["requiredJudgeIds"]) == sorted(j.user_id for j in judges)


SIGNED_STATES = {"JUDGES_SIGNED", "TALLY_SIGNED", "AUDITOR_SIGNED", "CERTIFIED"}


def chain_problems(snapshot: dict[str, Any]) -> list[str]:
    """Certifications past the judges' step with a required judge who never signed."""
    problems = []
    for cert in snapshot["certifications"]:
        if cert["status"] in SIGNED_STATES:
            signed = {s["userId"] for s in cert["signoffs"] if s["role"] == "JUDGE"}
            unsigned = set(cert["requiredJudgeIds"]) - signed
            if unsigned:
                problems.append(
                    f"category {cert['categoryId']} is {cert['status']} but judges "
                    f"{sorted(unsigned)} never signed"
                )
    return problems


@pytest.mark.parametrize("stage", ["JUDGES_SIGNED", "TALLY_SIGNED", "CERTIFIED"])
async def test_judge_assigned_after_the_judges_step_cannot_bypass_signing(
    live: Live, stage: str
) -> None:
    """A judge added late either is refused, or must sign before the chain goes on;
    a CERTIFIED, published category keeps its published totals."""
    layout = await live.layout()
    cat3 = layout.cat3
    organizer = await live.connect("organizer1")
    judge1 = await live.connect("judge1")
    judge2 = await live.connect("judge2")
    tally = await live.connect("tally1")
    auditor = await live.connect("auditor1")
    board = await live.connect("board1")
    for user in (judge1, tally):
        await organizer.ok("assignment:created", {"userId": user.user_id, "categoryId": cat3.id})
    await fill(judge1, cat3)
    signers = {"JUDGES_SIGNED": [judge1], "TALLY_SIGNED": [judge1, tally]}.get(
        stage, [judge1, tally, auditor, board]
    )
    for signer in signers:
        result = await signer.ok(
            "certification:sign", {"clientId": new_client_id(), "categoryId": cat3.id}
        )
    assert result["certification"]["status"] == stage
    published = None
    if stage == "CERTIFIED":
        published = await organizer.ok("results:publish", {"categoryId": cat3.id})

    assigned = await organizer.call(
        "assignment:created", {"userId": judge2.user_id, "categoryId": cat3.id}
    )
    if assigned["ok"]:
        late = await judge2.call(
            "scores:submit-batch", {"entries": [submit(cat3, c, 9) for c in cat3.cells]}
        )
        assert late["ok"] is True, late
        if stage == "CERTIFIED":
            refused = [item["error"]["code"] for item in late["data"]["results"] if not item["ok"]]
            assert len(refused) == len(cat3.cells) and set(refused) == {"locked"}, (
                "a judge assigned after certification scored into the CERTIFIED, "
                f"published category: {late['data']['results'][0]}"
            )
    else:
        assert assigned["error"]["code"] in {"locked", "conflict", "precondition_failed"}
    snap = await tally.sync()
    assert not chain_problems(snap), chain_problems(snap)
    if published is not None:
        totals = await tally.ok("totals:request", {"categoryId": cat3.id})
        assert totals["totals"] == published["totals"], "totals changed after publication"
