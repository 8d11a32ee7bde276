"""The tally master's scoring decisions: manual tie orders and outlier reviews.

Both are append-only and idempotent on ``clientId``; both stop once the tally master's
step is signed (they change what the signatures stand on).
"""

from __future__ import annotations

import json

from scoring_console.protocol.entities import (
    NotificationType,
    OutlierAction,
    OutlierReview,
    TieDecision,
)
from scoring_console.protocol.events import ServerEvent
from scoring_console.protocol.payloads import OutlierReviewCreate, TieDecisionCreate
from scoring_console.protocol.roles import Role
from scoring_console.protocol.scoring import MANUAL

from ..db import Connection, Row, inserted_id
from ..db import rows as r
from . import rooms, standings
from .base import ServiceBase, content_hash
from .types import Actor, Broadcast, Effect, NotFound, Outcome, PreconditionFailed

_REVIEW_WATCHERS = tuple(
    rooms.role(x) for x in (Role.AUDITOR, Role.BOARD, Role.ORGANIZER, Role.ADMIN)
)


class ScoringReviewsArea(ServiceBase):
    """``ties:decide`` and ``outliers:review``."""

    def decide_tie(self, actor: Actor, payload: TieDecisionCreate) -> Outcome[TieDecision]:
        """``ties:decide``: record a manual order for contestants with equal totals.

        Tally masters of the category (``Forbidden``); ``PreconditionFailed`` when the
        category's tie-break list has no ``manual`` entry or the named contestants'
        totals differ; ``Locked`` for a locked contest or past the tally step.
        Effect: ``ties:decided`` to the category's tally masters and venue roles.
        """
        digest = content_hash(
            user=actor.user_id,
            category=payload.category_id,
            order=payload.contestant_ids,
            reason=payload.reason,
        )
        with self.db.transaction() as conn:
            existing = self._replayed(conn, "tie_decisions", payload.client_id, digest)
            if existing is not None:
                return Outcome(r.tie_decision(existing), [])
            info = self._category(conn, payload.category_id)
            self._require_assigned(conn, actor, info.id, Role.TALLY_MASTER)
            for cid in payload.contestant_ids:
                self._require_contestant_in(conn, info.id, cid)
            self._require_unlocked(info)
            self._require_judges_step_open(conn, info.id)
            result = standings.category_result(conn, info.id)
            if MANUAL not in result.rules.tie_break:
                raise PreconditionFailed(
                    f"the scoring rules of {info.name} have no manual tie-break",
                    {"categoryId": info.id, "tieBreak": result.rules.tie_break},
                )
            totals = {
                row.total for row in result.rows if row.contestant_id in payload.contestant_ids
            }
            if len(totals) > 1:
                raise PreconditionFailed(
                    f"the named contestants of {info.name} do not have equal totals",
                    {"categoryId": info.id, "contestantIds": payload.contestant_ids},
                )
            seq = self.db.next_seq(conn)
            cursor = conn.execute(
                "INSERT INTO tie_decisions (client_id, content_hash, category_id, "
                "contestant_ids, reason, decided_by, decided_at, seq) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (
                    payload.client_id,
                    digest,
                    info.id,
                    json.dumps(payload.contestant_ids),
                    payload.reason,
                    actor.user_id,
                    r.to_iso(self.clock()),
                    seq,
                ),
            )
            row = conn.execute(
                "SELECT * FROM tie_decisions WHERE id = ?", (inserted_id(cursor),)
            ).fetchone()
            decision = r.tie_decision(row)
        targets = (rooms.category_role(info.id, Role.TALLY_MASTER), *_REVIEW_WATCHERS)
        return Outcome(decision, [Broadcast(ServerEvent.TIES_DECIDED, decision, targets)])

    def review_outlier(self, actor: Actor, payload: OutlierReviewCreate) -> Outcome[OutlierReview]:
        """``outliers:review``: clear a flagged score or ask its judge to check it.

        Tally masters of the category; ``NotFound`` when the judge has no score in that
        cell; ``Locked`` past the tally step. Effects: ``outliers:reviewed`` to the
        category's tally masters and venue roles; for ``ask_judge`` a persisted
        ``notification`` to the judge.
        """
        digest = content_hash(
            user=actor.user_id,
            category=payload.category_id,
            cell=[payload.contestant_id, payload.criterion_id, payload.judge_id],
            action=payload.action.value,
            note=payload.note,
        )
        effects: list[Effect] = []
        with self.db.transaction() as conn:
            existing = self._replayed(conn, "outlier_reviews", payload.client_id, digest)
            if existing is not None:
                return Outcome(r.outlier_review(existing), [])
            info = self._category(conn, payload.category_id)
            self._require_assigned(conn, actor, info.id, Role.TALLY_MASTER)
            score = self._scored_cell(conn, payload)
            self._require_judges_step_open(conn, info.id)
            seq = self.db.next_seq(conn)
            cursor = conn.execute(
                "INSERT INTO outlier_reviews (client_id, content_hash, category_id, "
                "contestant_id, criterion_id, judge_id, score_version, action, note, "
                "reviewed_by, reviewed_at, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "RETURNING id",
                (
                    payload.client_id,
                    digest,
                    info.id,
                    payload.contestant_id,
                    payload.criterion_id,
                    payload.judge_id,
                    score["version"],
                    payload.action.value,
                    payload.note,
                    actor.user_id,
                    r.to_iso(self.clock()),
                    seq,
                ),
            )
            row = conn.execute(
                "SELECT * FROM outlier_reviews WHERE id = ?", (inserted_id(cursor),)
            ).fetchone()
            review = r.outlier_review(row)
            if payload.action is OutlierAction.ASK_JUDGE:
                effects.append(self._ask_judge(conn, info.name, score, payload))
        targets = (rooms.category_role(info.id, Role.TALLY_MASTER), *_REVIEW_WATCHERS)
        effects.insert(0, Broadcast(ServerEvent.OUTLIERS_REVIEWED, review, targets))
        return Outcome(review, effects)

    # --- helpers --------------------------------------------------------------------

    def _scored_cell(self, conn: Connection, payload: OutlierReviewCreate) -> Row:
        row: Row | None = conn.execute(
            "SELECT s.version, s.score, t.name AS contestant, t.number, k.name AS criterion "
            "FROM scores s JOIN contestants t ON t.id = s.contestant_id "
            "JOIN criteria k ON k.id = s.criterion_id "
            "WHERE s.category_id = ? AND s.contestant_id = ? AND s.criterion_id = ? "
            "AND s.judge_id = ?",
            (payload.category_id, payload.contestant_id, payload.criterion_id, payload.judge_id),
        ).fetchone()
        if row is None:
            raise NotFound(
                "that judge has no score for this contestant and criterion",
                {
                    "categoryId": payload.category_id,
                    "contestantId": payload.contestant_id,
                    "criterionId": payload.criterion_id,
                    "judgeId": payload.judge_id,
                },
            )
        return row

    def _ask_judge(
        self,
        conn: Connection,
        category_name: str,
        score: Row,
        payload: OutlierReviewCreate,
    ) -> Broadcast:
        return self._notify(
            conn,
            payload.judge_id,
            type=NotificationType.WARNING,
            title="Please check a score",
            message=(
                f"{category_name}: your {score['criterion']} score {score['score']:g} for "
                f"#{score['number']} {score['contestant']} is far from the rest of the "
                f"panel. Tally master: {payload.note}"
            ),
            category_id=payload.category_id,
        )
