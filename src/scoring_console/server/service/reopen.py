"""Corrections after sign-off: reopen requests and their decisions.

A judge who signed asks, with a reason; a tally master of the category or an admin
decides. Approval supersedes the judge's sign-off (the row moves to
``superseded_signoffs``; its receipt stays in the audit trail) and every sign-off after
the judges' step, and unpublishes the category. Once CERTIFIED only an admin approves,
with a recorded reason. While an approved reopen stands, each score change of that judge
in that category needs a reason (:meth:`ServiceBase._reason_required`).
"""

from __future__ import annotations

from scoring_console.protocol.audit import AuditAction, AuditEntity
from scoring_console.protocol.entities import (
    CertificationStatus,
    NotificationType,
    RequestStatus,
)
from scoring_console.protocol.events import ServerEvent
from scoring_console.protocol.reopen import (
    REOPEN_APPROVED_TITLE,
    REOPEN_REJECTED_TITLE,
    REOPEN_REQUESTED_TITLE,
    ReopenDecision,
    ReopenList,
    ReopenListRequest,
    ReopenRequest,
    ReopenRequestCreate,
)
from scoring_console.protocol.roles import VENUE_WIDE_ROLES, Role

from ..db import Connection, Row, inserted_id
from ..db import rows as r
from . import certstate, rooms
from .base import CategoryInfo, ServiceBase, content_hash
from .types import (
    Actor,
    Broadcast,
    Conflict,
    Effect,
    Forbidden,
    Invalid,
    Locked,
    NotFound,
    Outcome,
    PreconditionFailed,
)


class ReopenArea(ServiceBase):
    """Reopen requests of signed judge sheets."""

    def request_reopen(self, actor: Actor, payload: ReopenRequestCreate) -> Outcome[ReopenRequest]:
        """``sheet:reopen-request``: the judge asks to reopen their signed sheet."""
        digest = content_hash(
            user=actor.user_id, category=payload.category_id, reason=payload.reason
        )
        effects: list[Effect] = []
        with self.db.transaction() as conn:
            existing = self._replayed(conn, "reopen_requests", payload.client_id, digest)
            if existing is not None:
                return Outcome(self._reopen(conn, existing["id"]), [])
            info = self._category(conn, payload.category_id)
            self._require_assigned(conn, actor, info.id, Role.JUDGE)
            if not self._judge_signed(conn, actor.user_id, info.id):
                raise PreconditionFailed(
                    f"you have not signed {info.name}: the sheet is still open",
                    {"categoryId": info.id},
                )
            pending = conn.execute(
                "SELECT id FROM reopen_requests WHERE category_id = ? AND judge_id = ? "
                "AND status = 'PENDING'",
                (info.id, actor.user_id),
            ).fetchone()
            if pending is not None:
                raise Conflict(
                    f"a reopen request for {info.name} is already pending",
                    {"requestId": pending["id"]},
                )
            cursor = conn.execute(
                "INSERT INTO reopen_requests (client_id, content_hash, category_id, judge_id, "
                "reason, status, created_at, seq) VALUES (?, ?, ?, ?, ?, 'PENDING', ?, ?) "
                "RETURNING id",
                (
                    payload.client_id,
                    digest,
                    info.id,
                    actor.user_id,
                    payload.reason,
                    r.to_iso(self.clock()),
                    self.db.next_seq(conn),
                ),
            )
            request = self._reopen(conn, inserted_id(cursor))
            self._audit(
                conn,
                actor,
                AuditAction.REOPEN_REQUESTED,
                AuditEntity.REOPEN,
                request.id,
                f"reopen of {request.judge_name}'s sheet of {info.name}",
                new={"status": "PENDING"},
                reason=payload.reason,
                client_id=payload.client_id,
                category_id=info.id,
                contest_id=info.contest_id,
                subject_user_id=actor.user_id,
            )
            message = f"{request.judge_name} asks to reopen their sheet of {info.name}: "
            for user_id in self._reopen_deciders(conn, info):
                effects.append(
                    self._notify(
                        conn,
                        user_id,
                        type=NotificationType.WARNING,
                        title=REOPEN_REQUESTED_TITLE,
                        message=message + payload.reason,
                        category_id=info.id,
                    )
                )
        return Outcome(request, effects)

    def decide_reopen(self, actor: Actor, payload: ReopenDecision) -> Outcome[ReopenRequest]:
        """``sheet:reopen-decide``: approve or reject (tally master of the category, admin)."""
        effects: list[Effect] = []
        with self.db.transaction() as conn:
            row = conn.execute(
                "SELECT * FROM reopen_requests WHERE id = ?", (payload.request_id,)
            ).fetchone()
            if row is None:
                raise NotFound(
                    f"reopen request {payload.request_id} not found",
                    {"requestId": payload.request_id},
                )
            info = self._category(conn, row["category_id"])
            if actor.role is Role.TALLY_MASTER:
                self._require_assigned(conn, actor, info.id, Role.TALLY_MASTER)
            elif actor.role is not Role.ADMIN:
                raise Forbidden(f"{actor.role.value} cannot decide reopen requests")
            if row["status"] != RequestStatus.PENDING.value:
                raise Conflict(
                    f"reopen request {payload.request_id} was already decided",
                    {"status": row["status"]},
                )
            judge_name = self._user_name(conn, row["judge_id"])
            label = f"reopen of {judge_name}'s sheet of {info.name}"
            now = r.to_iso(self.clock())
            status = RequestStatus.APPROVED if payload.approve else RequestStatus.REJECTED
            receipt = None
            if payload.approve:
                receipt, certification = self._reopen_sheet(conn, actor, info, row, payload)
                effects.append(certification)
            conn.execute(
                "UPDATE reopen_requests SET status = ?, decided_by = ?, decision_note = ?, "
                "decided_at = ?, superseded_receipt = ?, seq = ? WHERE id = ?",
                (
                    status.value,
                    actor.user_id,
                    payload.note,
                    now,
                    receipt,
                    self.db.next_seq(conn),
                    payload.request_id,
                ),
            )
            self._audit(
                conn,
                actor,
                AuditAction.REOPEN_APPROVED if payload.approve else AuditAction.REOPEN_REJECTED,
                AuditEntity.REOPEN,
                payload.request_id,
                label,
                old={"status": "PENDING"},
                new={"status": status.value, "note": payload.note},
                reason=payload.note,
                category_id=info.id,
                contest_id=info.contest_id,
                subject_user_id=row["judge_id"],
            )
            decision = "reopened: correct it and sign again" if payload.approve else "refused"
            note = f" ({payload.note})" if payload.note else ""
            effects.append(
                self._notify(
                    conn,
                    row["judge_id"],
                    type=NotificationType.INFO if payload.approve else NotificationType.WARNING,
                    title=REOPEN_APPROVED_TITLE if payload.approve else REOPEN_REJECTED_TITLE,
                    message=f"Your sheet of {info.name} was {decision}{note}",
                    category_id=info.id,
                )
            )
            request = self._reopen(conn, payload.request_id)
        return Outcome(request, effects)

    def list_reopens(self, actor: Actor, payload: ReopenListRequest) -> Outcome[ReopenList]:
        """``sheet:reopen-list``: the requests the caller may see, oldest first."""
        with self.db.reading() as conn:
            rows = conn.execute("SELECT id, category_id, judge_id FROM reopen_requests").fetchall()
            if actor.role is Role.JUDGE:
                rows = [x for x in rows if x["judge_id"] == actor.user_id]
            elif actor.role not in VENUE_WIDE_ROLES:
                visible = self._visible_ids(conn, actor)
                rows = [x for x in rows if x["category_id"] in visible]
            if payload.category_id is not None:
                rows = [x for x in rows if x["category_id"] == payload.category_id]
            requests = [self._reopen(conn, x["id"]) for x in sorted(rows, key=lambda x: x["id"])]
        return Outcome(ReopenList(requests=requests), [])

    # --- helpers --------------------------------------------------------------------

    def _reopen_sheet(
        self,
        conn: Connection,
        actor: Actor,
        info: CategoryInfo,
        row: Row,
        payload: ReopenDecision,
    ) -> tuple[str | None, Broadcast]:
        """Supersede the judge's sign-off and every later step; the old receipt."""
        status = certstate.certification(conn, info.id).status
        if status is CertificationStatus.CERTIFIED or info.published:
            if actor.role is not Role.ADMIN:
                raise Locked(
                    f"{info.name} is certified: only an admin can reopen it",
                    {"categoryId": info.id, "status": status.value},
                )
            if not payload.note or not payload.note.strip():
                raise Invalid(
                    "reopening a certified category needs a reason (note)",
                    {"categoryId": info.id},
                )
            self._audit(
                conn,
                actor,
                AuditAction.CATEGORY_REOPENED,
                AuditEntity.CATEGORY,
                info.id,
                f"certified results of {info.name}",
                old={"status": status.value, "published": info.published},
                new={"status": "reopened", "published": False},
                reason=payload.note,
                category_id=info.id,
                contest_id=info.contest_id,
            )
        signoffs = conn.execute(
            "SELECT * FROM signoffs WHERE category_id = ? AND (user_id = ? OR role != ?) "
            "ORDER BY id",
            (info.id, row["judge_id"], Role.JUDGE.value),
        ).fetchall()
        now = self.clock()
        receipt: str | None = None
        for signoff in signoffs:
            if signoff["role"] == Role.JUDGE.value:
                receipt = signoff["receipt"]
            conn.execute(
                "INSERT INTO superseded_signoffs (category_id, role, user_id, signed_at, "
                "receipt, signed_score_count, client_id, superseded_at, reopen_request_id) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    info.id,
                    signoff["role"],
                    signoff["user_id"],
                    signoff["signed_at"],
                    signoff["receipt"],
                    signoff["signed_score_count"],
                    signoff["client_id"],
                    r.to_iso(now),
                    row["id"],
                ),
            )
            conn.execute("DELETE FROM signoffs WHERE id = ?", (signoff["id"],))
            self._audit(
                conn,
                actor,
                AuditAction.SIGNOFF_SUPERSEDED,
                AuditEntity.SIGNOFF,
                signoff["id"],
                f"{signoff['role'].replace('_', ' ').lower()} sign-off of {info.name} by "
                f"{self._user_name(conn, signoff['user_id'])}",
                old={
                    "role": signoff["role"],
                    "receipt": signoff["receipt"],
                    "signedAt": signoff["signed_at"],
                },
                reason=row["reason"],
                client_id=signoff["client_id"],
                category_id=info.id,
                contest_id=info.contest_id,
                subject_user_id=signoff["user_id"],
            )
        if info.published:
            conn.execute(
                "UPDATE categories SET published = 0, seq = ? WHERE id = ?",
                (self.db.next_seq(conn), info.id),
            )
        after = certstate.touch(conn, info.id, self.db.next_seq(conn), now)
        broadcast = Broadcast(
            ServerEvent.CERTIFICATION_UPDATED, after, rooms.category_viewers(info.id)
        )
        return receipt, broadcast

    def _reopen_deciders(self, conn: Connection, info: CategoryInfo) -> list[int]:
        """Who is told of a new request: the category's tally masters; admins too once
        the category is certified (only they can approve then)."""
        ids = [
            x[0]
            for x in conn.execute(
                "SELECT user_id FROM assignments WHERE category_id = ? AND role = ?",
                (info.id, Role.TALLY_MASTER.value),
            )
        ]
        status = certstate.certification(conn, info.id).status
        if status is CertificationStatus.CERTIFIED or info.published:
            ids += [
                x[0]
                for x in conn.execute(
                    "SELECT id FROM users WHERE role = ? AND active = 1", (Role.ADMIN.value,)
                )
            ]
        return sorted(set(ids))

    def _reopen(self, conn: Connection, request_id: int) -> ReopenRequest:
        row = conn.execute(
            "SELECT q.*, u.name AS judge_name FROM reopen_requests q "
            "JOIN users u ON u.id = q.judge_id WHERE q.id = ?",
            (request_id,),
        ).fetchone()
        return ReopenRequest(
            id=row["id"],
            client_id=row["client_id"],
            category_id=row["category_id"],
            judge_id=row["judge_id"],
            judge_name=row["judge_name"],
            reason=row["reason"],
            status=RequestStatus(row["status"]),
            superseded_receipt=row["superseded_receipt"],
            decided_by=row["decided_by"],
            decision_note=row["decision_note"],
            created_at=r.from_iso(row["created_at"]),
            decided_at=r.opt_iso(row["decided_at"]),
            seq=row["seq"],
        )
