"""Paper sheets typed in afterwards on a judge's behalf, confirmed by a second person.

``paper:submit`` (a tally master of the category) stores the sheet as PENDING: nothing
counts yet. ``paper:decide`` by someone else (tally master of the category, auditor,
admin) confirms it — every box becomes the judge's score, audited with who entered and
who confirmed — or rejects it. The judge's own rules still apply at both steps: the
judge is on the panel, has not signed, the contest is unlocked, the chain is open.
"""

from __future__ import annotations

import json
import uuid

from scoring_console.protocol.audit import AuditAction, AuditEntity
from scoring_console.protocol.entities import NotificationType, RequestStatus
from scoring_console.protocol.events import ServerEvent
from scoring_console.protocol.paper import (
    PaperEntry,
    PaperListRequest,
    PaperScore,
    PaperSheet,
    PaperSheetDecision,
    PaperSheetList,
    PaperSheetSubmit,
)
from scoring_console.protocol.payloads import ScoreSubmit
from scoring_console.protocol.roles import VENUE_WIDE_ROLES, Role
from scoring_console.protocol.second_person import may_decide_paper

from ..db import Connection, inserted_id
from ..db import rows as r
from . import rooms
from .base import CategoryInfo, content_hash
from .scores import ScoresArea
from .types import Actor, Broadcast, Conflict, Effect, Forbidden, Invalid, NotFound, Outcome

PAPER_ENTERED_TITLE = "Paper sheet to confirm"
PAPER_DECIDED_TITLE = "Paper sheet decided"
_DECIDERS = frozenset({Role.TALLY_MASTER, Role.AUDITOR, Role.ADMIN})


class PaperArea(ScoresArea):
    """Entering and confirming paper sheets."""

    def submit_paper(self, actor: Actor, payload: PaperSheetSubmit) -> Outcome[PaperSheet]:
        """``paper:submit``: store a judge's paper sheet for confirmation."""
        entries = [e.model_dump(mode="json") for e in payload.entries]
        digest = content_hash(
            user=actor.user_id,
            category=payload.category_id,
            judge=payload.judge_id,
            entries=entries,
            note=payload.note,
        )
        effects: list[Effect] = []
        with self.db.transaction() as conn:
            existing = self._replayed(conn, "paper_sheets", payload.client_id, digest)
            if existing is not None:
                return Outcome(self._paper(conn, existing["id"]), [])
            info = self._category(conn, payload.category_id)
            self._require_assigned(conn, actor, info.id, Role.TALLY_MASTER)
            self._check_paper(conn, info, payload.judge_id, payload.entries)
            cursor = conn.execute(
                "INSERT INTO paper_sheets (client_id, content_hash, category_id, judge_id, "
                "entered_by, entries, note, status, created_at, seq) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, 'PENDING', ?, ?) RETURNING id",
                (
                    payload.client_id,
                    digest,
                    info.id,
                    payload.judge_id,
                    actor.user_id,
                    json.dumps(entries),
                    payload.note,
                    r.to_iso(self.clock()),
                    self.db.next_seq(conn),
                ),
            )
            sheet = self._paper(conn, inserted_id(cursor))
            self._audit(
                conn,
                actor,
                AuditAction.PAPER_ENTERED,
                AuditEntity.PAPER,
                sheet.id,
                f"paper sheet of {sheet.judge_name} for {info.name}, entered by "
                f"{sheet.entered_by_name}",
                new={"status": "PENDING", "boxes": len(entries), "entries": entries},
                reason=payload.note,
                client_id=payload.client_id,
                category_id=info.id,
                contest_id=info.contest_id,
                subject_user_id=payload.judge_id,
            )
            for user_id in self._paper_confirmers(conn, info, actor.user_id):
                effects.append(
                    self._notify(
                        conn,
                        user_id,
                        type=NotificationType.INFO,
                        title=PAPER_ENTERED_TITLE,
                        message=f"{sheet.entered_by_name} entered {sheet.judge_name}'s paper "
                        f"sheet of {info.name}: a second person must confirm it",
                        category_id=info.id,
                    )
                )
        return Outcome(sheet, effects)

    def decide_paper(self, actor: Actor, payload: PaperSheetDecision) -> Outcome[PaperSheet]:
        """``paper:decide``: a second person confirms (the scores count) or rejects."""
        if actor.role not in _DECIDERS:
            raise Forbidden(f"{actor.role.value} cannot confirm paper sheets")
        effects: list[Effect] = []
        with self.db.transaction() as conn:
            row = conn.execute(
                "SELECT * FROM paper_sheets WHERE id = ?", (payload.sheet_id,)
            ).fetchone()
            if row is None:
                raise NotFound(
                    f"paper sheet {payload.sheet_id} not found", {"sheetId": payload.sheet_id}
                )
            info = self._category(conn, row["category_id"])
            if actor.role is Role.TALLY_MASTER:
                self._require_assigned(conn, actor, info.id, Role.TALLY_MASTER)
            if not may_decide_paper(row["entered_by"], actor.user_id):
                raise Forbidden(
                    "a second person must confirm a paper sheet, not the one who entered it",
                    {"sheetId": payload.sheet_id},
                )
            if row["status"] != RequestStatus.PENDING.value:
                raise Conflict(
                    f"paper sheet {payload.sheet_id} was already decided",
                    {"status": row["status"]},
                )
            sheet = self._paper(conn, payload.sheet_id)
            status = RequestStatus.APPROVED if payload.approve else RequestStatus.REJECTED
            if payload.approve:
                effects += self._apply_paper(conn, actor, info, sheet)
            conn.execute(
                "UPDATE paper_sheets SET status = ?, decided_by = ?, decision_note = ?, "
                "decided_at = ?, seq = ? WHERE id = ?",
                (
                    status.value,
                    actor.user_id,
                    payload.note,
                    r.to_iso(self.clock()),
                    self.db.next_seq(conn),
                    payload.sheet_id,
                ),
            )
            self._audit(
                conn,
                actor,
                AuditAction.PAPER_CONFIRMED if payload.approve else AuditAction.PAPER_REJECTED,
                AuditEntity.PAPER,
                sheet.id,
                f"paper sheet of {sheet.judge_name} for {info.name}, entered by "
                f"{sheet.entered_by_name}",
                old={"status": "PENDING"},
                new={"status": status.value, "note": payload.note},
                reason=payload.note,
                category_id=info.id,
                contest_id=info.contest_id,
                subject_user_id=sheet.judge_id,
            )
            verb = "confirmed: its scores now count" if payload.approve else "rejected"
            for user_id in sorted({sheet.entered_by, sheet.judge_id}):
                effects.append(
                    self._notify(
                        conn,
                        user_id,
                        type=NotificationType.INFO,
                        title=PAPER_DECIDED_TITLE,
                        message=f"The paper sheet of {sheet.judge_name} for {info.name} was {verb}",
                        category_id=info.id,
                    )
                )
            result = self._paper(conn, payload.sheet_id)
        return Outcome(result, effects)

    def list_paper(self, actor: Actor, payload: PaperListRequest) -> Outcome[PaperSheetList]:
        """``paper:list``: paper sheets of the categories the caller sees, oldest first."""
        with self.db.reading() as conn:
            ids = [
                x[0]
                for x in conn.execute("SELECT id, category_id FROM paper_sheets ORDER BY id")
                if (actor.role in VENUE_WIDE_ROLES or self._can_view(conn, actor, x[1]))
                and payload.category_id in (None, x[1])
            ]
            sheets = [self._paper(conn, i) for i in ids]
        return Outcome(PaperSheetList(sheets=sheets), [])

    # --- helpers --------------------------------------------------------------------

    def _check_paper(
        self,
        conn: Connection,
        info: CategoryInfo,
        judge_id: int,
        entries: list[PaperScore],
    ) -> None:
        if self._assigned_role(conn, judge_id, info.id) is not Role.JUDGE:
            raise Invalid(
                f"user {judge_id} is not a judge of {info.name}",
                {"judgeId": judge_id, "categoryId": info.id},
            )
        self._require_unlocked(info)
        self._require_judges_step_open(conn, info.id)
        self._require_sheet_open(conn, judge_id, info.id)
        judge = Actor(judge_id, Role.JUDGE, "")
        for entry in entries:
            probe = ScoreSubmit(
                client_id=str(uuid.uuid4()),
                category_id=info.id,
                contestant_id=entry.contestant_id,
                criterion_id=entry.criterion_id,
                score=entry.score,
                comment=entry.comment,
                reason="paper sheet",
            )
            self._check_score_write(conn, judge, info, probe)

    def _apply_paper(
        self, conn: Connection, actor: Actor, info: CategoryInfo, sheet: PaperSheet
    ) -> list[Effect]:
        """Write every box as the judge's score; the ``scores:updated`` broadcasts."""
        judge = Actor(sheet.judge_id, Role.JUDGE, "")
        reason = (
            f"paper sheet #{sheet.id} entered by {sheet.entered_by_name}, confirmed by "
            f"{self._user_name(conn, actor.user_id)}"
        )
        effects: list[Effect] = []
        for index, entry in enumerate(sheet.entries):
            payload = ScoreSubmit(
                client_id=str(uuid.uuid5(uuid.UUID(sheet.client_id), str(index))),
                category_id=info.id,
                contestant_id=entry.contestant_id,
                criterion_id=entry.criterion_id,
                score=entry.score,
                comment=entry.comment,
                reason=reason,
            )
            self._check_score_write(conn, judge, info, payload)
            score = self._upsert_score(conn, judge, payload, recorded_by=actor)
            effects.append(
                Broadcast(
                    ServerEvent.SCORES_UPDATED,
                    score,
                    rooms.category_viewers(info.id),
                    mask_score_for_judges=True,
                )
            )
        return effects

    def _paper_confirmers(self, conn: Connection, info: CategoryInfo, enterer: int) -> list[int]:
        ids = {
            x[0]
            for x in conn.execute(
                "SELECT user_id FROM assignments WHERE category_id = ? AND role = ?",
                (info.id, Role.TALLY_MASTER.value),
            )
        }
        ids |= {
            x[0]
            for x in conn.execute(
                "SELECT id FROM users WHERE role = ? AND active = 1", (Role.AUDITOR.value,)
            )
        }
        return sorted(ids - {enterer})

    def _paper(self, conn: Connection, sheet_id: int) -> PaperSheet:
        row = conn.execute("SELECT * FROM paper_sheets WHERE id = ?", (sheet_id,)).fetchone()
        return PaperSheet(
            id=row["id"],
            client_id=row["client_id"],
            category_id=row["category_id"],
            judge_id=row["judge_id"],
            judge_name=self._user_name(conn, row["judge_id"]),
            entered_by=row["entered_by"],
            entered_by_name=self._user_name(conn, row["entered_by"]),
            entries=[PaperEntry.model_validate(e) for e in json.loads(row["entries"])],
            note=row["note"],
            status=RequestStatus(row["status"]),
            decided_by=row["decided_by"],
            decision_note=row["decision_note"],
            created_at=r.from_iso(row["created_at"]),
            decided_at=r.opt_iso(row["decided_at"]),
            seq=row["seq"],
        )
