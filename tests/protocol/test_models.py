"""Payload models: strict validation at the edge, camelCase on the wire."""

from __future__ import annotations

import math
import uuid
from typing import Any

import pytest
from pydantic import ValidationError

from scoring_console.protocol import AckFailed, ErrorCode, PayloadError, ack_error, ack_ok
from scoring_console.protocol.ack import parse_ack
from scoring_console.protocol.entities import Score
from scoring_console.protocol.payloads import Heartbeat, ScoresRequest, ScoreSubmit


def submit(**over: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "clientId": str(uuid.uuid4()),
        "categoryId": 1,
        "contestantId": 2,
        "criterionId": 3,
        "score": 7.5,
    }
    base.update(over)
    return base


def test_score_submit_round_trips_camel_case() -> None:
    model = ScoreSubmit.model_validate(submit(comment="clean lines"))
    wire = model.to_wire()
    assert wire["categoryId"] == 1 and wire["comment"] == "clean lines"
    assert "category_id" not in wire


@pytest.mark.parametrize(
    "override",
    [
        {"score": "7"},
        {"score": math.nan},
        {"score": math.inf},
        {"score": -1},
        {"categoryId": True},
        {"categoryId": 0},
        {"categoryId": "1"},
        {"clientId": "not-a-uuid"},
        {"comment": "x" * 501},
        {"unexpected": 1},
    ],
)
def test_score_submit_refuses_bad_fields(override: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        ScoreSubmit.model_validate(submit(**override))


def test_integer_scores_are_accepted_as_numbers() -> None:
    assert ScoreSubmit.model_validate(submit(score=9)).score == 9.0


def test_scores_request_accepts_the_seeds_bare_id() -> None:
    assert ScoresRequest.model_validate(4).category_id == 4
    with pytest.raises(ValidationError):
        ScoresRequest.model_validate(True)


def test_heartbeat_accepts_the_seeds_user_id_field() -> None:
    assert Heartbeat.model_validate({"userId": 3}).pending_count == 0


def test_parse_ack_unwraps_data_and_raises_typed_errors() -> None:
    score = Score.model_validate(
        {
            "id": 1, "clientId": str(uuid.uuid4()), "categoryId": 1, "contestantId": 1,
            "criterionId": 1, "judgeId": 2, "score": None, "version": 1,
            "updatedAt": "2026-11-25T10:00:00Z", "seq": 5,
        }
    )  # fmt: skip
    assert parse_ack("scores:submit", ack_ok(score), Score) == score
    with pytest.raises(AckFailed) as info:
        parse_ack("x", ack_error(ErrorCode.RATE_LIMITED, "slow", {"retryAfter": 1.5}), Score)
    assert info.value.code is ErrorCode.RATE_LIMITED and info.value.retry_after == 1.5
    with pytest.raises(PayloadError):
        parse_ack("x", {"data": 1}, Score)
    with pytest.raises(PayloadError):
        parse_ack("x", {"ok": True, "data": {"id": "nope"}}, Score)
