"""Scores: idempotent submission (single and batch), audited, masked reads, ranked totals."""

from __future__ import annotations

import json

from scoring_console.protocol.audit import AuditAction, AuditEntity
from scoring_console.protocol.entities import Score
from scoring_console.protocol.events import ServerEvent
from scoring_console.protocol.payloads import (
    AckErrorBody,
    BatchItemResult,
    BatchResult,
    ScoreBatchSubmit,
    ScoresData,
    ScoresRequest,
    ScoreSubmit,
    TotalsData,
    TotalsRequest,
)
from scoring_console.protocol.roles import Role

from ..db import Connection, inserted_id
from ..db import rows as r
from . import rooms, standings
from .base import CategoryInfo, content_hash
from .masking import scores_for
from .refusals import RefusalsMixin
from .types import (
    Actor,
    Broadcast,
    Conflict,
    Effect,
    Forbidden,
    Invalid,
    NotFound,
    Outcome,
    ServiceError,
)


class ScoresArea(RefusalsMixin):
    """Score submission, score reads and totals."""

    def submit_score(self, actor: Actor, payload: ScoreSubmit) -> Outcome[Score]:
        """``scores:submit``: create or replace the judge's score for one cell.

        Idempotent on ``clientId``: a replay with the same content returns the stored
        result without effects; other content is a ``Conflict``. ``NotFound`` for an
        unknown category, contestant or criterion; ``Forbidden`` unless the caller is a
        judge assigned to the category; ``Invalid`` when the contestant or criterion is
        not part of the category or the value exceeds ``maxScore``; ``Locked`` for a
        locked contest or a sheet the judge already signed. Effect: ``scores:updated``
        (full payload, ``mask_score_for_judges``) to everyone who sees the category.
        """
        try:
            with self.db.transaction() as conn:
                score, effects = self._submit_in(conn, actor, payload)
        except ServiceError as exc:
            self._refused(actor, payload, exc)
            raise
        return Outcome(score, effects)

    def submit_batch(self, actor: Actor, payload: ScoreBatchSubmit) -> Outcome[BatchResult]:
        """``scores:submit-batch``: each entry as :meth:`submit_score`, in order.

        The whole batch commits in one transaction (one fsync instead of one per entry:
        an outbox drained after an outage arrives as batches), and each entry runs in
        its own savepoint, so a refused entry is rolled back alone and carries its
        error while the others apply. The ack still means committed.
        """
        results: list[BatchItemResult] = []
        effects: list[Effect] = []
        with self.db.transaction() as conn:
            for entry in payload.entries:
                conn.execute("SAVEPOINT batch_entry")
                try:
                    score, entry_effects = self._submit_in(conn, actor, entry)
                except ServiceError as exc:
                    conn.execute("ROLLBACK TO batch_entry")
                    conn.execute("RELEASE batch_entry")
                    refusal = self._record_refusal(conn, actor, entry, exc)
                    if refusal is not None:
                        effects.append(refusal)
                    error = AckErrorBody(
                        code=exc.code, message=exc.message, details=exc.details or None
                    )
                    results.append(
                        BatchItemResult(client_id=entry.client_id, ok=False, error=error)
                    )
                    continue
                conn.execute("RELEASE batch_entry")
                results.append(BatchItemResult(client_id=entry.client_id, ok=True, data=score))
                effects.extend(entry_effects)
        return Outcome(BatchResult(results=results), effects)

    def _submit_in(
        self, conn: Connection, actor: Actor, payload: ScoreSubmit
    ) -> tuple[Score, list[Effect]]:
        """Apply one submission inside the caller's transaction; a replay has no effects."""
        digest = content_hash(
            judge=actor.user_id,
            category=payload.category_id,
            contestant=payload.contestant_id,
            criterion=payload.criterion_id,
            score=float(payload.score),
            comment=payload.comment,
            # absent from the hash when absent, so replays of older writes still match
            **({} if payload.reason is None else {"reason": payload.reason}),
        )
        stored = self._replayed_score(conn, payload.client_id, digest)
        if stored is not None:
            return stored, []
        info = self._category(conn, payload.category_id)
        self._check_score_write(conn, actor, info, payload)
        score = self._upsert_score(conn, actor, payload)
        conn.execute(
            "INSERT INTO score_writes (client_id, judge_id, content_hash, result, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (
                payload.client_id,
                actor.user_id,
                digest,
                score.model_dump_json(by_alias=True),
                r.to_iso(self.clock()),
            ),
        )
        effect = Broadcast(
            ServerEvent.SCORES_UPDATED,
            score,
            rooms.category_viewers(score.category_id),
            mask_score_for_judges=True,
        )
        return score, [effect]

    def request_scores(self, actor: Actor, payload: ScoresRequest) -> Outcome[ScoresData]:
        """``scores:request``: the category's scores masked for the caller.

        No effects: the transport emits the result as ``scores:data`` to the calling
        socket only. ``NotFound`` if the category does not exist or is not visible.
        """
        with self.db.reading() as conn:
            self._visible_category(conn, actor, payload.category_id)
            seq = self.db.current_seq()
            rows = conn.execute(
                "SELECT * FROM scores WHERE category_id = ? ORDER BY id", (payload.category_id,)
            ).fetchall()
        scores = scores_for((r.score(row) for row in rows), actor.user_id, actor.role)
        return Outcome(ScoresData(category_id=payload.category_id, scores=scores, seq=seq), [])

    def totals(self, actor: Actor, payload: TotalsRequest) -> Outcome[TotalsData]:
        """``totals:request``: ranked totals with approved deductions only.

        ``Forbidden`` for judges and for tally masters not assigned to the category.
        """
        with self.db.reading() as conn:
            info = self._category(conn, payload.category_id)
            if actor.role is Role.JUDGE:
                raise Forbidden("judges cannot see totals", {"categoryId": payload.category_id})
            if not self._can_view(conn, actor, payload.category_id):
                raise Forbidden(
                    f"you are not assigned to {info.label}",
                    {"categoryId": payload.category_id},
                )
            data = self._totals(conn, payload.category_id)
        return Outcome(data, [])

    # --- helpers --------------------------------------------------------------------

    def _totals(self, conn: Connection, category_id: int) -> TotalsData:
        """Ranked totals by the category's scoring rules (see ``protocol.scoring``)."""
        result = standings.category_result(conn, category_id)
        return TotalsData(category_id=category_id, totals=result.ranked_totals())

    def _replayed_score(self, conn: Connection, client_id: str, digest: str) -> Score | None:
        row = conn.execute(
            "SELECT content_hash, result FROM score_writes WHERE client_id = ?", (client_id,)
        ).fetchone()
        if row is None:
            return None
        if row["content_hash"] != digest:
            raise Conflict(
                f"clientId {client_id} was already used for a different score",
                {"clientId": client_id},
            )
        return Score.model_validate(json.loads(row["result"]))

    def _check_score_write(
        self, conn: Connection, actor: Actor, info: CategoryInfo, payload: ScoreSubmit
    ) -> None:
        self._require_assigned(conn, actor, info.id, Role.JUDGE)
        self._require_contestant_in(conn, info.id, payload.contestant_id)
        criterion = conn.execute(
            "SELECT category_id, name, max_score FROM criteria WHERE id = ?",
            (payload.criterion_id,),
        ).fetchone()
        if criterion is None:
            raise NotFound(
                f"criterion {payload.criterion_id} not found",
                {"criterionId": payload.criterion_id},
            )
        if criterion["category_id"] != info.id:
            raise Invalid(
                f"criterion {criterion['name']} is not in {info.label}",
                {"criterionId": payload.criterion_id, "categoryId": info.id},
            )
        if payload.score > criterion["max_score"]:
            raise Invalid(
                f"score {payload.score} exceeds the maximum {criterion['max_score']}",
                {"maxScore": criterion["max_score"], "criterionId": payload.criterion_id},
            )
        self._require_unlocked(info)
        self._require_sheet_open(conn, actor.user_id, info.id)
        if payload.reason is None and self._reason_required(conn, actor.user_id, info.id):
            raise Invalid(
                f"your signed sheet of {info.name} was reopened: every change needs a reason",
                {"categoryId": info.id, "reasonRequired": True},
            )

    def _upsert_score(
        self,
        conn: Connection,
        actor: Actor,
        payload: ScoreSubmit,
        *,
        recorded_by: Actor | None = None,
    ) -> Score:
        """Create or replace ``actor``'s score of one cell (``actor`` is the judge).

        ``recorded_by``: who made the change when it is not the judge themself (a paper
        sheet confirmed on the judge's behalf); the audit names them.
        """
        writer = recorded_by or actor
        now = r.to_iso(self.clock())
        seq = self.db.next_seq(conn)
        old = conn.execute(
            "SELECT * FROM scores WHERE judge_id = ? AND category_id = ? AND contestant_id = ? "
            "AND criterion_id = ?",
            (actor.user_id, payload.category_id, payload.contestant_id, payload.criterion_id),
        ).fetchone()
        if old is None:
            cursor = conn.execute(
                "INSERT INTO scores (client_id, category_id, contestant_id, criterion_id, "
                "judge_id, score, comment, version, updated_at, seq) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?) RETURNING id",
                (
                    payload.client_id,
                    payload.category_id,
                    payload.contestant_id,
                    payload.criterion_id,
                    actor.user_id,
                    float(payload.score),
                    payload.comment,
                    now,
                    seq,
                ),
            )
            score_id = inserted_id(cursor)
        else:
            score_id = old["id"]
            conn.execute(
                "UPDATE scores SET client_id = ?, score = ?, comment = ?, version = version + 1, "
                "updated_at = ?, seq = ? WHERE id = ?",
                (payload.client_id, float(payload.score), payload.comment, now, seq, score_id),
            )
        conn.execute(
            "INSERT INTO score_audit (score_id, action, category_id, contestant_id, "
            "criterion_id, judge_id, old_score, new_score, old_comment, new_comment, "
            "changed_by, changed_at, client_id, seq) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                score_id,
                "create" if old is None else "update",
                payload.category_id,
                payload.contestant_id,
                payload.criterion_id,
                actor.user_id,
                None if old is None else old["score"],
                float(payload.score),
                None if old is None else old["comment"],
                payload.comment,
                writer.user_id,
                now,
                payload.client_id,
                seq,
            ),
        )
        self._audit(
            conn,
            writer,
            AuditAction.SCORE_CREATED if old is None else AuditAction.SCORE_UPDATED,
            AuditEntity.SCORE,
            score_id,
            self._score_label(conn, payload.contestant_id, payload.criterion_id, actor.user_id),
            old=None if old is None else {"score": old["score"], "comment": old["comment"]},
            new={"score": float(payload.score), "comment": payload.comment},
            reason=payload.reason,
            client_id=payload.client_id,
            category_id=payload.category_id,
            contest_id=self._category(conn, payload.category_id).contest_id,
            subject_user_id=actor.user_id,
        )
        row = conn.execute("SELECT * FROM scores WHERE id = ?", (score_id,)).fetchone()
        return r.score(row)
