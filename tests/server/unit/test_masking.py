"""The masking rule, defined once and applied to every path a score takes."""

from __future__ import annotations

from datetime import UTC, datetime

from scoring_console.protocol.entities import Announcement, NotificationType, Score, ScoreDeleted
from scoring_console.protocol.events import ServerEvent
from scoring_console.protocol.roles import Role
from scoring_console.server.service import Broadcast, mask_score, view_for
from scoring_console.server.service.masking import mask_for, scores_for

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


def test_view_for_sends_a_judge_only_their_own_scores() -> None:
    broadcast = Broadcast(ServerEvent.SCORES_UPDATED, SCORE, ("category:2",), True)
    assert view_for(broadcast, 11, Role.JUDGE) is None  # another judge gets nothing
    assert view_for(broadcast, 10, Role.JUDGE) == SCORE
    for role in (Role.TALLY_MASTER, Role.AUDITOR, Role.BOARD, Role.ORGANIZER, Role.ADMIN):
        assert view_for(broadcast, 11, role) == SCORE
    deleted = ScoreDeleted(id=1, category_id=2, contestant_id=3, criterion_id=4, judge_id=10, seq=8)
    gone = Broadcast(ServerEvent.SCORES_DELETED, deleted, ("category:2",))
    assert view_for(gone, 11, Role.JUDGE) is None
    assert view_for(gone, 10, Role.JUDGE) == deleted
    note = Announcement(
        id=1, message="hi", type=NotificationType.INFO, timestamp=datetime.now(UTC), seq=1
    )
    plain = Broadcast(ServerEvent.SYSTEM_ANNOUNCEMENT, note, ("all",), True)
    assert view_for(plain, 11, Role.JUDGE) is note


def test_scores_for_a_judge_are_their_own_only() -> None:
    other = SCORE.model_copy(update={"id": 2, "judge_id": 11})
    assert scores_for([SCORE, other], 10, Role.JUDGE) == [SCORE]
    assert scores_for([SCORE, other], 10, Role.TALLY_MASTER) == [SCORE, other]
