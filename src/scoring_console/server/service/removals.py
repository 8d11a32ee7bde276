"""Score removal requests: a judge or tally master asks, an admin decides.

Idempotent on ``clientId``: a replay with the same content returns the stored request
as it stands now; other content under the same ``clientId`` is a ``Conflict``.
Deciding a request that is no longer pending is a ``Conflict`` too. An approved
request deletes the score, with an audit row.
"""

from __future__ import annotations

from scoring_console.protocol.audit import AuditAction, AuditEntity
from scoring_console.protocol.entities import RemovalRequest, RequestStatus, ScoreDeleted
from scoring_console.protocol.events import ServerEvent
from scoring_console.protocol.payloads import RemovalDecision, RemovalRequestCreate
from scoring_console.protocol.roles import Role

from ..db import Connection, inserted_id
from ..db import rows as r
from . import notices, rooms
from .base import ServiceBase, content_hash
from .types import Actor, Broadcast, Conflict, Effect, Forbidden, NotFound, Outcome


class RemovalsArea(ServiceBase):
    """Score removal requests and their decisions."""

    def request_removal(
        self, actor: Actor, payload: RemovalRequestCreate
    ) -> Outcome[RemovalRequest]:
        """``score:removal-requested``: ask an admin to remove a score.

        A judge may ask for their own scores, a tally master for scores of an assigned
        category (``Forbidden`` otherwise). ``NotFound`` for an unknown score;
        ``Locked`` for a locked contest or a signed sheet; ``Conflict`` if the score
        already has a pending request. Effect: ``score:removal-pending`` to
        ``role:ADMIN`` and the requester.
        """
        digest = content_hash(user=actor.user_id, score=payload.score_id, reason=payload.reason)
        with self.db.transaction() as conn:
            existing = self._replayed(conn, "removal_requests", payload.client_id, digest)
            if existing is not None:
                return Outcome(r.removal_request(existing, conn), [])
            score = conn.execute(
                "SELECT * FROM scores WHERE id = ?", (payload.score_id,)
            ).fetchone()
            if score is None:
                raise NotFound(f"score {payload.score_id} not found", {"scoreId": payload.score_id})
            category_id = score["category_id"]
            if actor.role is Role.JUDGE:
                if score["judge_id"] != actor.user_id:
                    raise Forbidden("judges may only ask to remove their own scores")
            elif actor.role is Role.TALLY_MASTER:
                self._require_assigned(conn, actor, category_id, Role.TALLY_MASTER)
            else:
                raise Forbidden(f"{actor.role.value} cannot request score removals")
            info = self._category(conn, category_id)
            self._require_unlocked(info)
            self._require_judges_step_open(conn, info.id)
            self._require_sheet_open(conn, score["judge_id"], category_id)
            pending = conn.execute(
                "SELECT id FROM removal_requests WHERE score_id = ? AND status = 'PENDING'",
                (payload.score_id,),
            ).fetchone()
            if pending is not None:
                raise Conflict(
                    "this score already has a pending removal request",
                    {"requestId": pending["id"]},
                )
            seq = self.db.next_seq(conn)
            cursor = conn.execute(
                "INSERT INTO removal_requests (client_id, content_hash, score_id, category_id, "
                "contestant_id, criterion_id, judge_id, requested_by, reason, status, "
                "created_at, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'PENDING', ?, ?) RETURNING id",
                (
                    payload.client_id,
                    digest,
                    payload.score_id,
                    category_id,
                    score["contestant_id"],
                    score["criterion_id"],
                    score["judge_id"],
                    actor.user_id,
                    payload.reason,
                    r.to_iso(self.clock()),
                    seq,
                ),
            )
            request = self._removal(conn, inserted_id(cursor))
            self._audit(
                conn,
                actor,
                AuditAction.REMOVAL_REQUESTED,
                AuditEntity.REMOVAL,
                request.id,
                "removal of "
                + self._score_label(
                    conn, score["contestant_id"], score["criterion_id"], score["judge_id"]
                ),
                new={"scoreId": payload.score_id, "score": score["score"], "status": "PENDING"},
                reason=payload.reason,
                client_id=payload.client_id,
                category_id=category_id,
                contest_id=info.contest_id,
                subject_user_id=score["judge_id"],
            )
        targets = (rooms.role(Role.ADMIN), rooms.user(actor.user_id))
        return Outcome(request, [Broadcast(ServerEvent.SCORE_REMOVAL_PENDING, request, targets)])

    def decide_removal(self, actor: Actor, payload: RemovalDecision) -> Outcome[RemovalRequest]:
        """``score:removal-decide`` (admins): approve or reject a pending request.

        ``NotFound`` for an unknown request, ``Conflict`` if already decided,
        ``Locked`` for a locked contest or a signed sheet. Approval deletes the score
        (audited). Effects: ``score:removal-decided`` to the requester, the judge, the
        category's tally masters and admins; on approval ``scores:deleted`` to everyone
        who sees the category.
        """
        if actor.role is not Role.ADMIN:
            raise Forbidden("only admins decide score removals")
        effects: list[Effect] = []
        with self.db.transaction() as conn:
            row = conn.execute(
                "SELECT * FROM removal_requests WHERE id = ?", (payload.request_id,)
            ).fetchone()
            if row is None:
                raise NotFound(
                    f"removal request {payload.request_id} not found",
                    {"requestId": payload.request_id},
                )
            if row["status"] != RequestStatus.PENDING.value:
                raise Conflict(
                    f"this removal request was already {row['status'].lower()}",
                    {"status": row["status"]},
                )
            info = self._category(conn, row["category_id"])
            self._require_unlocked(info)
            self._require_judges_step_open(conn, info.id)
            self._require_sheet_open(conn, row["judge_id"], info.id)
            now = r.to_iso(self.clock())
            seq = self.db.next_seq(conn)
            status = RequestStatus.APPROVED if payload.approve else RequestStatus.REJECTED
            conn.execute(
                "UPDATE removal_requests SET status = ?, decided_by = ?, decision_note = ?, "
                "decided_at = ?, seq = ? WHERE id = ?",
                (status.value, actor.user_id, payload.note, now, seq, payload.request_id),
            )
            self._audit(
                conn,
                actor,
                AuditAction.REMOVAL_APPROVED if payload.approve else AuditAction.REMOVAL_REJECTED,
                AuditEntity.REMOVAL,
                payload.request_id,
                "removal of "
                + self._score_label(
                    conn, row["contestant_id"], row["criterion_id"], row["judge_id"]
                ),
                old={"status": row["status"]},
                new={"status": status.value, "note": payload.note},
                reason=payload.note,
                category_id=info.id,
                contest_id=info.contest_id,
                subject_user_id=row["judge_id"],
            )
            if payload.approve:
                deleted = self._delete_score(conn, actor, row["score_id"], now, row["reason"])
                if deleted is not None:
                    effects.append(
                        Broadcast(
                            ServerEvent.SCORES_DELETED, deleted, rooms.category_viewers(info.id)
                        )
                    )
            request = self._removal(conn, payload.request_id)
            told = None
            if request.requested_by != actor.user_id:
                criterion = conn.execute(
                    "SELECT name FROM criteria WHERE id = ?", (request.criterion_id,)
                ).fetchone()
                notice = notices.removal_decided(
                    payload.approve,
                    criterion["name"] if criterion is not None else "requested",
                    self._contestant_label(conn, request.contestant_id),
                    info.label,
                    payload.note,
                )
                told = self._tell(conn, request.requested_by, notice, category_id=info.id)
        targets = (
            rooms.user(request.requested_by),
            rooms.user(request.judge_id),
            rooms.category_role(info.id, Role.TALLY_MASTER),
            rooms.role(Role.ADMIN),
        )
        effects.insert(0, Broadcast(ServerEvent.SCORE_REMOVAL_DECIDED, request, targets))
        if told is not None:
            effects.append(told)
        return Outcome(request, effects)

    # --- helpers --------------------------------------------------------------------

    def _removal(self, conn: Connection, request_id: int) -> RemovalRequest:
        row = conn.execute("SELECT * FROM removal_requests WHERE id = ?", (request_id,)).fetchone()
        return r.removal_request(row, conn)

    def _delete_score(
        self, conn: Connection, actor: Actor, score_id: int, now: str, reason: str
    ) -> ScoreDeleted | None:
        """Delete a score with an audit row; ``None`` if it is already gone."""
        row = conn.execute("SELECT * FROM scores WHERE id = ?", (score_id,)).fetchone()
        if row is None:
            return None
        self._audit(
            conn,
            actor,
            AuditAction.SCORE_DELETED,
            AuditEntity.SCORE,
            score_id,
            self._score_label(conn, row["contestant_id"], row["criterion_id"], row["judge_id"]),
            old={"score": row["score"], "comment": row["comment"]},
            reason=reason,
            category_id=row["category_id"],
            contest_id=self._category(conn, row["category_id"]).contest_id,
            subject_user_id=row["judge_id"],
        )
        seq = self.db.next_seq(conn)
        conn.execute(
            "INSERT INTO score_audit (score_id, action, category_id, contestant_id, "
            "criterion_id, judge_id, old_score, new_score, old_comment, new_comment, "
            "changed_by, changed_at, client_id, seq) "
            "VALUES (?, 'delete', ?, ?, ?, ?, ?, NULL, ?, NULL, ?, ?, ?, ?)",
            (
                score_id,
                row["category_id"],
                row["contestant_id"],
                row["criterion_id"],
                row["judge_id"],
                row["score"],
                row["comment"],
                actor.user_id,
                now,
                row["client_id"],
                seq,
            ),
        )
        conn.execute("DELETE FROM scores WHERE id = ?", (score_id,))
        return ScoreDeleted(
            id=score_id,
            category_id=row["category_id"],
            contestant_id=row["contestant_id"],
            criterion_id=row["criterion_id"],
            judge_id=row["judge_id"],
            seq=seq,
        )
