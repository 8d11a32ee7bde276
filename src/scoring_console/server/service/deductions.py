"""Deductions: proposed by judges, tally masters, organizers or admins; decided once.

Idempotent on ``clientId`` like every write; deciding a deduction that is no longer
pending is a ``Conflict``. Only approved deductions count in totals.
"""

from __future__ import annotations

from scoring_console.protocol.audit import AuditAction, AuditEntity
from scoring_console.protocol.entities import Deduction, RequestStatus
from scoring_console.protocol.events import ServerEvent
from scoring_console.protocol.payloads import DeductionCreate, DeductionDecision
from scoring_console.protocol.roles import Role
from scoring_console.protocol.second_person import DEDUCTION_APPROVERS, may_decide_deduction

from ..db import Connection, inserted_id
from ..db import rows as r
from . import notices, rooms
from .base import ServiceBase, content_hash
from .types import Actor, Broadcast, Conflict, Forbidden, NotFound, Outcome

_DEDUCTION_WATCHERS = (rooms.role(Role.AUDITOR),)
_DEDUCTION_DECIDED_ROLES = tuple(
    rooms.role(x) for x in (Role.AUDITOR, Role.BOARD, Role.ORGANIZER, Role.ADMIN)
)


class DeductionsArea(ServiceBase):
    """Deduction requests and their decisions."""

    def request_deduction(self, actor: Actor, payload: DeductionCreate) -> Outcome[Deduction]:
        """``deduction:requested``: propose a deduction from a contestant's total.

        Judges and tally masters only in assigned categories, organizers and admins
        anywhere (``Forbidden`` otherwise). ``NotFound``/``Invalid`` for a contestant
        that does not exist / is not in the category; ``Locked`` for a locked contest.
        Effect: ``deduction:pending`` to ``category:{id}:TALLY_MASTER``, ``role:AUDITOR``
        and the requester.
        """
        digest = content_hash(
            user=actor.user_id,
            category=payload.category_id,
            contestant=payload.contestant_id,
            amount=float(payload.amount),
            reason=payload.reason,
        )
        with self.db.transaction() as conn:
            existing = self._replayed(conn, "deductions", payload.client_id, digest)
            if existing is not None:
                return Outcome(r.deduction(existing, conn), [])
            info = self._category(conn, payload.category_id)
            if actor.role in (Role.JUDGE, Role.TALLY_MASTER):
                self._require_assigned(conn, actor, info.id, actor.role)
            elif actor.role not in (Role.ORGANIZER, Role.ADMIN):
                raise Forbidden(f"{actor.role.value} cannot request deductions")
            self._require_contestant_in(conn, info.id, payload.contestant_id)
            self._require_unlocked(info)
            self._require_judges_step_open(conn, info.id)
            seq = self.db.next_seq(conn)
            cursor = conn.execute(
                "INSERT INTO deductions (client_id, content_hash, category_id, contestant_id, "
                "amount, reason, requested_by, status, created_at, seq) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, 'PENDING', ?, ?) RETURNING id",
                (
                    payload.client_id,
                    digest,
                    info.id,
                    payload.contestant_id,
                    float(payload.amount),
                    payload.reason,
                    actor.user_id,
                    r.to_iso(self.clock()),
                    seq,
                ),
            )
            deduction = self._deduction(conn, inserted_id(cursor))
            self._audit(
                conn,
                actor,
                AuditAction.DEDUCTION_REQUESTED,
                AuditEntity.DEDUCTION,
                deduction.id,
                f"deduction for {self._contestant_label(conn, payload.contestant_id)}",
                new={"amount": float(payload.amount), "status": "PENDING"},
                reason=payload.reason,
                client_id=payload.client_id,
                category_id=info.id,
                contest_id=info.contest_id,
            )
        targets = (
            rooms.category_role(info.id, Role.TALLY_MASTER),
            *_DEDUCTION_WATCHERS,
            rooms.user(actor.user_id),
        )
        return Outcome(deduction, [Broadcast(ServerEvent.DEDUCTION_PENDING, deduction, targets)])

    def decide_deduction(self, actor: Actor, payload: DeductionDecision) -> Outcome[Deduction]:
        """``deduction:decide``: approve or reject a pending deduction.

        Tally masters of the category, auditors and admins (``Forbidden`` otherwise);
        the requester may reject (withdraw) but never approve their own deduction
        (``Forbidden``: two-person rule); ``NotFound``, ``Conflict`` if already decided,
        ``Locked`` for a locked contest.
        Effect: ``deduction:decided`` to the requester, the category's tally masters,
        auditors, board, organizers and admins.
        """
        with self.db.transaction() as conn:
            row = conn.execute(
                "SELECT * FROM deductions WHERE id = ?", (payload.deduction_id,)
            ).fetchone()
            if row is None:
                raise NotFound(
                    f"deduction {payload.deduction_id} not found",
                    {"deductionId": payload.deduction_id},
                )
            info = self._category(conn, row["category_id"])
            if actor.role is Role.TALLY_MASTER:
                self._require_assigned(conn, actor, info.id, Role.TALLY_MASTER)
            elif actor.role not in (Role.AUDITOR, Role.ADMIN):
                raise Forbidden(f"{actor.role.value} cannot decide deductions")
            if row["status"] != RequestStatus.PENDING.value:
                raise Conflict(
                    f"this deduction was already {row['status'].lower()}",
                    {"status": row["status"]},
                )
            if not may_decide_deduction(row["requested_by"], actor.user_id, payload.approve):
                raise Forbidden(
                    f"you requested this deduction: {DEDUCTION_APPROVERS} must approve it",
                    {"deductionId": payload.deduction_id},
                )
            self._require_unlocked(info)
            self._require_judges_step_open(conn, info.id)
            seq = self.db.next_seq(conn)
            status = RequestStatus.APPROVED if payload.approve else RequestStatus.REJECTED
            conn.execute(
                "UPDATE deductions SET status = ?, decided_by = ?, decision_note = ?, "
                "decided_at = ?, seq = ? WHERE id = ?",
                (
                    status.value,
                    actor.user_id,
                    payload.note,
                    r.to_iso(self.clock()),
                    seq,
                    payload.deduction_id,
                ),
            )
            deduction = self._deduction(conn, payload.deduction_id)
            self._audit(
                conn,
                actor,
                AuditAction.DEDUCTION_APPROVED
                if payload.approve
                else AuditAction.DEDUCTION_REJECTED,
                AuditEntity.DEDUCTION,
                deduction.id,
                f"deduction for {self._contestant_label(conn, row['contestant_id'])}",
                old={"amount": row["amount"], "status": row["status"]},
                new={"amount": row["amount"], "status": status.value, "note": payload.note},
                reason=payload.note,
                category_id=info.id,
                contest_id=info.contest_id,
            )
            told: list[Broadcast] = []
            if deduction.requested_by != actor.user_id:
                notice = notices.deduction_decided(
                    payload.approve,
                    deduction.amount,
                    self._contestant_label(conn, deduction.contestant_id),
                    info.label,
                    payload.note,
                )
                told.append(self._tell(conn, deduction.requested_by, notice, info.id))
        targets = (
            rooms.user(deduction.requested_by),
            rooms.category_role(info.id, Role.TALLY_MASTER),
            *_DEDUCTION_DECIDED_ROLES,
        )
        decided = Broadcast(ServerEvent.DEDUCTION_DECIDED, deduction, targets)
        return Outcome(deduction, [decided, *told])

    # --- helpers --------------------------------------------------------------------

    def _deduction(self, conn: Connection, deduction_id: int) -> Deduction:
        row = conn.execute("SELECT * FROM deductions WHERE id = ?", (deduction_id,)).fetchone()
        return r.deduction(row, conn)
