"""The :class:`ScoringService` facade: one method per client event, plus accounts and rooms.

The methods live in one mixin per area (:mod:`.accounts`, :mod:`.views`,
:mod:`.presence`, :mod:`.scores`, :mod:`.removals`, :mod:`.deductions`, :mod:`.assignments`,
:mod:`.certification`, :mod:`.admin`); this module puts them together and maps client
events to them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel

from scoring_console.protocol.events import ClientEvent

from .accounts import AccountsMixin
from .admin import AdminMixin
from .assignments import AssignmentsMixin
from .base import utc_now
from .certification import CertificationMixin
from .deductions import DeductionsMixin
from .history import HistoryMixin
from .paper import PaperMixin
from .removals import RemovalsMixin
from .reopen import ReopenMixin
from .scoring_reviews import ScoringReviewsMixin
from .types import Actor, Invalid, Outcome

__all__ = ["ScoringService", "utc_now"]


class ScoringService(
    AccountsMixin,
    AssignmentsMixin,
    AdminMixin,
    RemovalsMixin,
    DeductionsMixin,
    CertificationMixin,
    ScoringReviewsMixin,
    ReopenMixin,
    HistoryMixin,
    PaperMixin,
):
    """Domain rules over one :class:`~scoring_console.server.db.Database`.

    ``ScoringService(db, *, clock=utc_now)``. Methods taking ``(actor, payload)``
    correspond to client events and return an :class:`Outcome` (ack data + effects)
    or raise a :class:`~scoring_console.server.service.types.ServiceError`. Every
    write commits (with its ``seq`` bump) before the method returns. The service
    checks roles and assignments itself, so the transport's role check is a first
    line, not the only one.

    Accounts: ``create_user``, ``authenticate``, ``get_user``, ``get_user_by_username``,
    ``list_users``, ``set_user_active``, ``store_refresh_token``,
    ``consume_refresh_token``, ``revoke_user_tokens``.
    Views: ``current_seq``, ``visible_category_ids``, ``rooms_for``, ``snapshot``.
    Events: ``submit_score``, ``submit_batch``, ``request_scores``, ``totals``,
    ``request_removal``, ``decide_removal``, ``request_deduction``,
    ``decide_deduction``, ``create_assignment``, ``remove_assignment``,
    ``sign_certification``, ``lock_contest``, ``publish_results``, ``announce``,
    ``mark_notifications_read``, ``heartbeat``, ``decide_tie``,
    ``review_outlier``, ``audit_history``, ``request_reopen``,
    ``decide_reopen``, ``list_reopens``, ``submit_paper``, ``decide_paper``,
    ``list_paper``; presence: ``set_online``,
    ``is_online``. :meth:`dispatch` routes a :class:`ClientEvent` to the right one.
    """

    def dispatch(self, actor: Actor, event: ClientEvent, payload: BaseModel) -> Outcome[Any]:
        """Call the method for ``event`` with an already validated payload model.

        ``sync`` returns the :meth:`snapshot` without effects. A payload of the wrong
        model type is ``Invalid``.
        """
        if event is ClientEvent.SYNC:
            return Outcome(self.snapshot(actor), [])
        handler = self._handlers().get(event)
        if handler is None:
            raise Invalid(f"no handler for event {event.value}")
        return handler(actor, payload)

    def _handlers(self) -> dict[ClientEvent, Callable[[Actor, Any], Outcome[Any]]]:
        return {
            ClientEvent.SCORES_SUBMIT: self.submit_score,
            ClientEvent.SCORES_SUBMIT_BATCH: self.submit_batch,
            ClientEvent.SCORES_REQUEST: self.request_scores,
            ClientEvent.TOTALS_REQUEST: self.totals,
            ClientEvent.SCORE_REMOVAL_REQUESTED: self.request_removal,
            ClientEvent.SCORE_REMOVAL_DECIDE: self.decide_removal,
            ClientEvent.DEDUCTION_REQUESTED: self.request_deduction,
            ClientEvent.DEDUCTION_DECIDE: self.decide_deduction,
            ClientEvent.ASSIGNMENT_CREATED: self.create_assignment,
            ClientEvent.ASSIGNMENT_REMOVED: self.remove_assignment,
            ClientEvent.CERTIFICATION_SIGN: self.sign_certification,
            ClientEvent.CONTEST_LOCK: self.lock_contest,
            ClientEvent.RESULTS_PUBLISH: self.publish_results,
            ClientEvent.SYSTEM_ANNOUNCEMENT: self.announce,
            ClientEvent.NOTIFICATION_READ: self.mark_notifications_read,
            ClientEvent.USER_ACTIVE: self.heartbeat,
            ClientEvent.TIES_DECIDE: self.decide_tie,
            ClientEvent.OUTLIERS_REVIEW: self.review_outlier,
            ClientEvent.AUDIT_HISTORY: self.audit_history,
            ClientEvent.SHEET_REOPEN_REQUEST: self.request_reopen,
            ClientEvent.SHEET_REOPEN_DECIDE: self.decide_reopen,
            ClientEvent.SHEET_REOPEN_LIST: self.list_reopens,
            ClientEvent.PAPER_SUBMIT: self.submit_paper,
            ClientEvent.PAPER_DECIDE: self.decide_paper,
            ClientEvent.PAPER_LIST: self.list_paper,
        }
