"""The masking rule, defined once and applied to every path a score takes."""

from __future__ import annotations

from datetime import UTC, datetime

from scoring_console.protocol.entities import Announcement, NotificationType, Score
from scoring_console.protocol.events import ServerEvent
from scoring_console.protocol.roles import Role
from scoring_console.server.service import Broadcast, mask_score, view_for
from scoring_console.server.service.masking import mask_for

SCORE = Score(
    id=1,
    client_id="0b7c1e6e-3f43-4b0e-9d1c-1f0a4c2b6d11",
    category_id=2,
    contestant_id=3,
    criterion_id=4,
    judge_id=10,
    score=8.5,
    comment="clean",
    version=2,
    updated_at=datetime(2026, 6, 13, tzinfo=UTC),
    seq=7,
)


def test_mask_score_hides_the_value_and_the_comment_only() -> None:
    masked = mask_score(SCORE)
    assert masked.score is None
    assert masked.comment is None  # free text such as "8.5, clean" would give it away
    hidden = {"score", "comment"}
    assert masked.model_dump(exclude=hidden) == SCORE.model_dump(exclude=hidden)
    assert SCORE.score == 8.5  # the original is untouched
    assert mask_score(masked) == masked


def test_mask_for_each_role() -> None:
    assert mask_for(SCORE, 10, Role.JUDGE).score == 8.5  # the author
    assert mask_for(SCORE, 11, Role.JUDGE).score is None  # another judge
    for role in (Role.TALLY_MASTER, Role.AUDITOR, Role.BOARD, Role.ORGANIZER, Role.ADMIN):
        assert mask_for(SCORE, 11, role).score == 8.5


def test_view_for_masks_only_when_the_broadcast_asks() -> None:
    masked = Broadcast(ServerEvent.SCORES_UPDATED, SCORE, ("category:2",), True)
    unmasked = Broadcast(ServerEvent.SCORES_UPDATED, SCORE, ("category:2",), False)
    other_judge = view_for(masked, 11, Role.JUDGE)
    assert isinstance(other_judge, Score) and other_judge.score is None
    assert view_for(masked, 10, Role.JUDGE) == SCORE
    assert view_for(masked, 11, Role.TALLY_MASTER) == SCORE
    assert view_for(unmasked, 11, Role.JUDGE) == SCORE
    note = Announcement(
        id=1, message="hi", type=NotificationType.INFO, timestamp=datetime.now(UTC), seq=1
    )
    plain = Broadcast(ServerEvent.SYSTEM_ANNOUNCEMENT, note, ("all",), True)
    assert view_for(plain, 11, Role.JUDGE) is note
