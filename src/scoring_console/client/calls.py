"""Online-only calls of :class:`~scoring_console.client.core.ClientCore`.

Decisions, locking, publishing, announcements, assignments and reads are not queued:
they need the server now, so they raise :class:`~scoring_console.client.errors.NotConnected`
(or :class:`~scoring_console.client.errors.CallTimeout`) when it cannot be asked and
:class:`~scoring_console.protocol.AckFailed` when it refuses. A result is applied to the
state at once, so the UI does not wait for the broadcast.
"""

from __future__ import annotations

import uuid
from typing import TypeVar

from pydantic import BaseModel

from scoring_console.protocol import ClientEvent, ServerEvent, parse_ack
from scoring_console.protocol.audit import AuditPage, AuditQuery
from scoring_console.protocol.entities import (
    Announcement,
    Assignment,
    Contest,
    Deduction,
    NotificationType,
    OutlierAction,
    OutlierReview,
    RemovalRequest,
    Snapshot,
    TieDecision,
)
from scoring_console.protocol.errors import AckFailed
from scoring_console.protocol.paper import (
    PaperListRequest,
    PaperScore,
    PaperSheet,
    PaperSheetDecision,
    PaperSheetList,
    PaperSheetSubmit,
)
from scoring_console.protocol.payloads import (
    AnnouncementCreate,
    AssignmentChange,
    AssignmentRevoked,
    ContestLock,
    DeductionDecision,
    NotificationRead,
    NotificationReadResult,
    OutlierReviewCreate,
    RemovalDecision,
    ResultsPublish,
    ScoresData,
    ScoresRequest,
    TieDecisionCreate,
    TotalsData,
    TotalsRequest,
)
from scoring_console.protocol.reopen import (
    ReopenDecision,
    ReopenList,
    ReopenListRequest,
    ReopenRequest,
    ReopenRequestCreate,
)

from .link import Link
from .state import StateStore
from .sync import Synchronizer

M = TypeVar("M", bound=BaseModel)


class OnlineCalls:
    """Acknowledged calls that need a live connection (mixed into ClientCore)."""

    link: Link
    state: StateStore
    sync: Synchronizer

    async def _request(self, event: ClientEvent, payload: BaseModel, ack: type[M]) -> M:
        raw = await self.link.call(event, payload.model_dump(mode="json", by_alias=True))
        try:
            result: M = parse_ack(str(event), raw, ack)
        except AckFailed as exc:
            self.link.on_ack_failed(exc)
            raise
        return result

    async def call(self, event: ClientEvent, payload: BaseModel, ack: type[M]) -> M:
        """Any acknowledged call by its catalog event (set-up and account events use it)."""
        return await self._request(event, payload, ack)

    async def sync_now(self) -> Snapshot:
        """Fetch and apply a fresh snapshot now (raises NotConnected when offline)."""
        return await self.sync.sync()

    async def decide_deduction(
        self, deduction_id: int, approve: bool, note: str | None = None
    ) -> Deduction:
        """Approve or reject a deduction."""
        payload = DeductionDecision(deduction_id=deduction_id, approve=approve, note=note)
        result = await self._request(ClientEvent.DEDUCTION_DECIDE, payload, Deduction)
        self.state.apply(ServerEvent.DEDUCTION_DECIDED, result)
        return result

    async def decide_removal(
        self, request_id: int, approve: bool, note: str | None = None
    ) -> RemovalRequest:
        """Approve or reject a score removal request."""
        payload = RemovalDecision(request_id=request_id, approve=approve, note=note)
        result = await self._request(ClientEvent.SCORE_REMOVAL_DECIDE, payload, RemovalRequest)
        self.state.apply(ServerEvent.SCORE_REMOVAL_DECIDED, result)
        return result

    async def decide_tie(
        self, category_id: int, contestant_ids: list[int], reason: str
    ) -> TieDecision:
        """Record the tally master's order (best first) for contestants with equal totals."""
        payload = TieDecisionCreate(
            client_id=str(uuid.uuid4()),
            category_id=category_id,
            contestant_ids=list(contestant_ids),
            reason=reason,
        )
        result = await self._request(ClientEvent.TIES_DECIDE, payload, TieDecision)
        self.state.apply(ServerEvent.TIES_DECIDED, result)
        return result

    async def review_outlier(
        self,
        category_id: int,
        cell: tuple[int, int, int],
        action: OutlierAction,
        note: str,
    ) -> OutlierReview:
        """Clear a flagged score or ask its judge to check it (``cell``: contestant,
        criterion, judge)."""
        contestant_id, criterion_id, judge_id = cell
        payload = OutlierReviewCreate(
            client_id=str(uuid.uuid4()),
            category_id=category_id,
            contestant_id=contestant_id,
            criterion_id=criterion_id,
            judge_id=judge_id,
            action=action,
            note=note,
        )
        result = await self._request(ClientEvent.OUTLIERS_REVIEW, payload, OutlierReview)
        self.state.apply(ServerEvent.OUTLIERS_REVIEWED, result)
        return result

    async def lock_contest(self, contest_id: int, locked: bool = True) -> Contest:
        """Lock (or unlock) a contest."""
        payload = ContestLock(contest_id=contest_id, locked=locked)
        result = await self._request(ClientEvent.CONTEST_LOCK, payload, Contest)
        self.state.apply_contest(result)
        return result

    async def publish_results(self, category_id: int) -> TotalsData:
        """Publish a certified category's results."""
        payload = ResultsPublish(category_id=category_id)
        return await self._request(ClientEvent.RESULTS_PUBLISH, payload, TotalsData)

    async def request_totals(self, category_id: int) -> TotalsData:
        """The server's ranked totals of a category."""
        payload = TotalsRequest(category_id=category_id)
        return await self._request(ClientEvent.TOTALS_REQUEST, payload, TotalsData)

    async def request_scores(self, category_id: int) -> ScoresData:
        """The category's scores as the server shows them to us (applied to the state)."""
        payload = ScoresRequest(category_id=category_id)
        result = await self._request(ClientEvent.SCORES_REQUEST, payload, ScoresData)
        self.state.apply(ServerEvent.SCORES_DATA, result)
        return result

    async def announce(
        self, message: str, type: NotificationType = NotificationType.INFO
    ) -> Announcement:
        """Broadcast a system announcement."""
        payload = AnnouncementCreate(message=message, type=type)
        result = await self._request(ClientEvent.SYSTEM_ANNOUNCEMENT, payload, Announcement)
        self.state.apply(ServerEvent.SYSTEM_ANNOUNCEMENT, result)
        return result

    async def mark_read(self, ids: list[int]) -> int:
        """Mark notifications read; returns how many the server changed."""
        payload = NotificationRead(ids=list(ids))
        result = await self._request(ClientEvent.NOTIFICATION_READ, payload, NotificationReadResult)
        self.state.mark_read(list(ids))
        return result.updated

    async def assign(self, user_id: int, category_id: int) -> Assignment:
        """Assign a judge or tally master to a category."""
        payload = AssignmentChange(user_id=user_id, category_id=category_id)
        result = await self._request(ClientEvent.ASSIGNMENT_CREATED, payload, Assignment)
        self.state.apply(ServerEvent.ASSIGNMENT_NEW, result)
        return result

    async def unassign(self, user_id: int, category_id: int) -> Assignment:
        """Remove an assignment."""
        payload = AssignmentChange(user_id=user_id, category_id=category_id)
        result = await self._request(ClientEvent.ASSIGNMENT_REMOVED, payload, Assignment)
        revoked = AssignmentRevoked(
            user_id=result.user_id, category_id=result.category_id, role=str(result.role)
        )
        self.state.apply(ServerEvent.ASSIGNMENT_REVOKED, revoked)
        return result

    async def audit_history(self, query: AuditQuery | None = None) -> AuditPage:
        """A page of the audit trail as the server lets us see it (oldest first)."""
        return await self._request(ClientEvent.AUDIT_HISTORY, query or AuditQuery(), AuditPage)

    async def request_reopen(self, category_id: int, reason: str) -> ReopenRequest:
        """Ask to reopen our signed sheet of a category (judges)."""
        payload = ReopenRequestCreate(
            client_id=str(uuid.uuid4()), category_id=category_id, reason=reason
        )
        return await self._request(ClientEvent.SHEET_REOPEN_REQUEST, payload, ReopenRequest)

    async def decide_reopen(
        self, request_id: int, approve: bool, note: str | None = None
    ) -> ReopenRequest:
        """Approve or reject a reopen request (tally master of the category, admin)."""
        payload = ReopenDecision(request_id=request_id, approve=approve, note=note)
        return await self._request(ClientEvent.SHEET_REOPEN_DECIDE, payload, ReopenRequest)

    async def list_reopens(self, category_id: int | None = None) -> list[ReopenRequest]:
        """Reopen requests we may see, oldest first."""
        payload = ReopenListRequest(category_id=category_id)
        result = await self._request(ClientEvent.SHEET_REOPEN_LIST, payload, ReopenList)
        return result.requests

    async def submit_paper(
        self, category_id: int, judge_id: int, entries: list[PaperScore], note: str | None = None
    ) -> PaperSheet:
        """Enter a judge's paper sheet (tally masters); it counts once someone confirms it."""
        payload = PaperSheetSubmit(
            client_id=str(uuid.uuid4()),
            category_id=category_id,
            judge_id=judge_id,
            entries=entries,
            note=note,
        )
        return await self._request(ClientEvent.PAPER_SUBMIT, payload, PaperSheet)

    async def decide_paper(
        self, sheet_id: int, approve: bool, note: str | None = None
    ) -> PaperSheet:
        """Confirm or reject a paper sheet somebody else entered."""
        payload = PaperSheetDecision(sheet_id=sheet_id, approve=approve, note=note)
        return await self._request(ClientEvent.PAPER_DECIDE, payload, PaperSheet)

    async def list_paper(self, category_id: int | None = None) -> list[PaperSheet]:
        """Paper sheets we may see, oldest first."""
        payload = PaperListRequest(category_id=category_id)
        result = await self._request(ClientEvent.PAPER_LIST, payload, PaperSheetList)
        return result.sheets
