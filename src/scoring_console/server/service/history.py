"""Reading the audit trail (``audit:history``), limited to what the caller may see."""

from __future__ import annotations

from scoring_console.protocol.audit import AuditPage, AuditQuery
from scoring_console.protocol.roles import VENUE_WIDE_ROLES, Role

from . import audit
from .base import ServiceBase
from .types import Actor, Outcome


class HistoryArea(ServiceBase):
    """The audit trail's read side."""

    def audit_history(self, actor: Actor, payload: AuditQuery) -> Outcome[AuditPage]:
        """``audit:history``: entries matching the query, oldest first.

        A judge gets only entries they wrote or that concern them; a tally master only
        entries of their assigned categories; venue-wide roles everything. Filters the
        caller may not use simply match nothing (no existence leak).
        """
        with self.db.reading() as conn:
            if actor.role is Role.JUDGE:
                page = audit.query(conn, payload, only_user_id=actor.user_id)
            elif actor.role in VENUE_WIDE_ROLES:
                page = audit.query(conn, payload)
            else:
                visible = self._visible_ids(conn, actor)
                page = audit.query(conn, payload, category_ids=visible)
        return Outcome(page, [])
