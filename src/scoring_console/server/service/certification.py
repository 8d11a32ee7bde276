"""The certification chain: every assigned judge, then a tally master, auditor, board.

* A judge signs only a complete sheet (every contestant × criterion of the category)
  and cannot change it afterwards.
* A tally master (assigned to the category) signs once every assigned judge has.
* An auditor signs after the tally master, the board after the auditor: CERTIFIED.
* Each signature returns a SHA-256 receipt over the signed scores (a judge: their own
  scores in the category; later steps: every score of the category).
* Idempotent on ``clientId``; a second, different signature of a done step is a
  ``Conflict``; a step out of order is ``PreconditionFailed``.
"""

from __future__ import annotations

import json

from scoring_console.protocol.audit import AuditAction, AuditEntity
from scoring_console.protocol.entities import (
    Certification,
    CertificationStatus,
    Score,
    next_signer_role,
)
from scoring_console.protocol.events import ServerEvent
from scoring_console.protocol.payloads import CertificationSign, SignResult
from scoring_console.protocol.receipt import compute_receipt
from scoring_console.protocol.roles import CERTIFICATION_CHAIN, Role

from ..db import Connection, inserted_id
from ..db import rows as r
from . import certstate, notices, rooms, standings
from .base import CategoryInfo, ServiceBase, role_label
from .masking import certification_for
from .types import Actor, Broadcast, Conflict, Effect, Forbidden, Outcome, PreconditionFailed

_FLAGS_NAMED = 5
"""How many open outlier flags a refusal names (all are in ``details.openFlags``)."""


class CertificationArea(ServiceBase):
    """Signing a step of a category's certification."""

    def sign_certification(self, actor: Actor, payload: CertificationSign) -> Outcome[SignResult]:
        """``certification:sign``: sign the caller's step of the chain.

        ``Forbidden`` for roles outside the chain and for judges / tally masters not
        assigned to the category; ``NotFound`` for an unknown category;
        ``PreconditionFailed`` for an incomplete judge sheet
        (``details.missing``) or a step out of order; ``Conflict`` when the step is
        already signed under another ``clientId``. Effects: ``certification:updated``
        to everyone who sees the category; on CERTIFIED a persisted ``notification``
        to every board member.
        """
        if actor.role not in CERTIFICATION_CHAIN:
            raise Forbidden(f"{actor.role.value} has no step in the certification chain")
        effects: list[Effect] = []
        with self.db.transaction() as conn:
            stored = self._replayed_signoff(conn, actor, payload)
            if stored is not None:
                return Outcome(stored, [])
            info = self._category(conn, payload.category_id)
            if actor.role in (Role.JUDGE, Role.TALLY_MASTER):
                self._require_assigned(conn, actor, info.id, actor.role)
            # A locked contest still certifies: locking freezes the scores, and signing
            # them is what usually follows a lock. Signing edits nothing.
            before = certstate.certification(conn, info.id)
            self._check_order(conn, actor, info, before)
            signed = self._signed_scores(conn, actor, info.id)
            receipt = compute_receipt(info.id, actor.user_id, actor.role.value, signed)
            now = self.clock()
            cursor = conn.execute(
                "INSERT INTO signoffs (category_id, role, user_id, signed_at, receipt, "
                "signed_score_count, client_id, result) VALUES (?, ?, ?, ?, ?, ?, ?, '') "
                "RETURNING id",
                (
                    info.id,
                    actor.role.value,
                    actor.user_id,
                    r.to_iso(now),
                    receipt,
                    len(signed),
                    payload.client_id,
                ),
            )
            signoff_id = inserted_id(cursor)
            after = certstate.touch(conn, info.id, self.db.next_seq(conn), now)
            result = SignResult(
                certification=certification_for(after, actor.user_id, actor.role),
                receipt=receipt,
                signed_score_count=len(signed),
            )
            conn.execute(
                "UPDATE signoffs SET result = ? WHERE id = ?",
                (result.model_dump_json(by_alias=True), signoff_id),
            )
            self._audit(
                conn,
                actor,
                AuditAction.SIGNOFF_SIGNED,
                AuditEntity.SIGNOFF,
                signoff_id,
                f"{actor.role.value.replace('_', ' ').lower()} sign-off of {info.name} "
                f"by {self._user_name(conn, actor.user_id)}",
                old={"status": before.status.value},
                new={
                    "status": after.status.value,
                    "role": actor.role.value,
                    "receipt": receipt,
                    "signedScoreCount": len(signed),
                },
                client_id=payload.client_id,
                category_id=info.id,
                contest_id=info.contest_id,
                subject_user_id=actor.user_id,
            )
            effects.append(
                Broadcast(ServerEvent.CERTIFICATION_UPDATED, after, rooms.category_viewers(info.id))
            )
            if after.status is not before.status:
                effects.extend(self._notify_next_signers(conn, info, after.status))
        return Outcome(result, effects)

    # --- helpers --------------------------------------------------------------------

    def _replayed_signoff(
        self, conn: Connection, actor: Actor, payload: CertificationSign
    ) -> SignResult | None:
        row = conn.execute(
            "SELECT category_id, user_id, result FROM signoffs WHERE client_id = ?",
            (payload.client_id,),
        ).fetchone()
        if row is None:
            superseded = conn.execute(
                "SELECT 1 FROM superseded_signoffs WHERE client_id = ?", (payload.client_id,)
            ).fetchone()
            if superseded is not None:
                raise Conflict(
                    f"the sign-off {payload.client_id} was superseded when the sheet was "
                    "reopened; sign again",
                    {"clientId": payload.client_id},
                )
            return None
        if row["user_id"] != actor.user_id or row["category_id"] != payload.category_id:
            raise Conflict(
                f"clientId {payload.client_id} was already used for a different sign-off",
                {"clientId": payload.client_id},
            )
        return SignResult.model_validate(json.loads(row["result"]))

    def _check_order(
        self, conn: Connection, actor: Actor, info: CategoryInfo, state: Certification
    ) -> None:
        signed_roles = {s.role for s in state.signoffs}
        if actor.role is Role.JUDGE:
            if any(s.role is Role.JUDGE and s.user_id == actor.user_id for s in state.signoffs):
                raise Conflict(f"you already signed {info.label}", {"categoryId": info.id})
            if Role.TALLY_MASTER in signed_roles:
                raise Conflict(
                    f"{info.label} is past the judges' step", {"status": state.status.value}
                )
            missing = self._missing_cells(conn, actor.user_id, info.id)
            if missing:
                raise PreconditionFailed(
                    f"{missing} score(s) missing: a judge signs only a complete sheet",
                    {"categoryId": info.id, "missing": missing},
                )
            return
        if actor.role in signed_roles:
            raise Conflict(
                f"the {role_label(actor.role)} step of {info.label} is already signed",
                {"categoryId": info.id, "status": state.status.value},
            )
        previous = CERTIFICATION_CHAIN[CERTIFICATION_CHAIN.index(actor.role) - 1]
        if previous is Role.JUDGE and not state.required_judge_ids:
            raise PreconditionFailed(
                f"no judges are assigned to {info.label}", {"categoryId": info.id}
            )
        if next_signer_role(state.status) is not actor.role:
            raise PreconditionFailed(
                f"the {role_label(previous)} step of {info.label} is not signed yet",
                {"categoryId": info.id, "status": state.status.value, "waitingFor": previous.value},
            )
        if actor.role is Role.TALLY_MASTER:
            self._require_no_open_flags(conn, info)

    def _require_no_open_flags(self, conn: Connection, info: CategoryInfo) -> None:
        """A tally master signs only when every outlier flag is cleared."""
        flags = standings.open_outlier_flags(conn, info.id)
        if not flags:
            return
        described = []
        for flag in flags[:_FLAGS_NAMED]:
            row = conn.execute(
                "SELECT t.number, t.name AS contestant, k.name AS criterion, u.name AS judge "
                "FROM contestants t, criteria k, users u "
                "WHERE t.id = ? AND k.id = ? AND u.id = ?",
                flag.cell,
            ).fetchone()
            described.append(
                f"#{row['number']} {row['contestant']}, {row['criterion']} ({row['judge']})"
            )
        if len(flags) > _FLAGS_NAMED:
            described.append(f"and {len(flags) - _FLAGS_NAMED} more")
        raise PreconditionFailed(
            f"{len(flags)} outlier flag(s) open in {info.name}; clear them or ask the judges "
            "to check: " + "; ".join(described),
            {
                "categoryId": info.id,
                "openFlags": [
                    {
                        "contestantId": f.contestant_id,
                        "criterionId": f.criterion_id,
                        "judgeId": f.judge_id,
                    }
                    for f in flags
                ],
            },
        )

    def _missing_cells(self, conn: Connection, judge_id: int, category_id: int) -> int:
        row = conn.execute(
            "SELECT "
            "(SELECT COUNT(*) FROM category_contestants WHERE category_id = ?) * "
            "(SELECT COUNT(*) FROM criteria WHERE category_id = ?) - "
            "(SELECT COUNT(*) FROM scores s JOIN category_contestants cc "
            " ON cc.category_id = s.category_id AND cc.contestant_id = s.contestant_id "
            " WHERE s.category_id = ? AND s.judge_id = ?)",
            (category_id, category_id, category_id, judge_id),
        ).fetchone()
        return max(0, int(row[0]))

    def _signed_scores(self, conn: Connection, actor: Actor, category_id: int) -> list[Score]:
        if actor.role is Role.JUDGE:
            rows = conn.execute(
                "SELECT * FROM scores WHERE category_id = ? AND judge_id = ?",
                (category_id, actor.user_id),
            ).fetchall()
        else:
            rows = conn.execute(certstate.PANEL_SCORES_SQL, (category_id,)).fetchall()
        return [r.score(row) for row in rows]

    def _notify_next_signers(
        self, conn: Connection, info: CategoryInfo, status: CertificationStatus
    ) -> list[Broadcast]:
        """Tell whoever signs next (tally masters after the last judge, auditors after
        the tally master, the board after the auditor); the board again when certified."""
        if status is CertificationStatus.CERTIFIED:
            role, notice = Role.BOARD, notices.certified(info.label)
        else:
            next_role = next_signer_role(status)
            if next_role is None or next_role is Role.JUDGE:
                return []  # judges are still signing: nobody new to tell
            role, notice = next_role, notices.your_turn_to_sign(next_role, info.label)
        return [
            self._tell(conn, user_id, notice, category_id=info.id)
            for user_id in certstate.signers(conn, info.id, role)
        ]
