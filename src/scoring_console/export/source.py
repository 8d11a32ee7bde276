"""What an export reads: the client's view of the competition, frozen at one moment.

Built from the client's :class:`~scoring_console.client.state.StateStore` (the console's
live state, or the CLI's freshly synced one) and, for the audit report, the entries the
server let us read. Names come from the snapshot (our own user, presence, sign-offs)
so a report never shows a bare database id when a name is known.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from scoring_console.client.receipts import ReceiptCheck, check_category
from scoring_console.client.state import StateStore
from scoring_console.protocol.audit import AuditEntry
from scoring_console.protocol.entities import (
    Category,
    Certification,
    Contest,
    Contestant,
    Deduction,
    Event,
    RemovalRequest,
    RequestStatus,
    Score,
)
from scoring_console.protocol.roles import Role
from scoring_console.protocol.scoring import manual_orders

from .errors import ExportError


@dataclass(frozen=True)
class ExportSource:
    """An immutable copy of everything the reports need."""

    generated_at: datetime
    generated_by: str
    viewer_id: int
    viewer_role: Role
    events: dict[int, Event]
    contests: dict[int, Contest]
    categories: dict[int, Category]
    contestants: dict[int, Contestant]
    scores: list[Score]
    certifications: dict[int, Certification]
    deductions: list[Deduction]
    names: dict[int, str]
    panel: dict[int, list[int]]
    """category id → judge ids whose sheets count (the certification's required judges)."""
    receipt_checks: dict[int, list[ReceiptCheck]]
    audit: list[AuditEntry] = field(default_factory=list)
    manual_orders: dict[int, list[list[int]]] = field(default_factory=dict)
    """category id → the tally master's recorded tie orders, oldest first."""

    @classmethod
    def from_state(
        cls, state: StateStore, at: datetime, audit: list[AuditEntry] | None = None
    ) -> ExportSource:
        """Copy what the state holds now; ``at`` is the clock reading printed on reports."""
        if state.user is None:
            raise ExportError("nothing to export: not synced with a server yet")
        names = {p.user_id: p.name for p in state.presence.values()}
        names.update({a.user_id: a.user_name for a in state.assignments.values() if a.user_name})
        for cert in state.certifications.values():
            names.update({s.user_id: s.user_name for s in cert.signoffs})
        requests: list[Deduction | RemovalRequest] = [
            *state.deductions.values(),
            *state.removal_requests.values(),
        ]
        for request in requests:
            if request.requested_by_name:
                names[request.requested_by] = request.requested_by_name
            if request.decided_by is not None and request.decided_by_name:
                names[request.decided_by] = request.decided_by_name
        names[state.user.id] = state.user.name
        panel = {
            cid: sorted(state.certifications[cid].required_judge_ids)
            if cid in state.certifications
            else sorted(
                a.user_id
                for a in state.assignments.values()
                if a.category_id == cid and a.role is Role.JUDGE
            )
            for cid in state.categories
        }
        return cls(
            generated_at=at,
            generated_by=f"{state.user.name} ({state.user.username})",
            viewer_id=state.user.id,
            viewer_role=state.user.role,
            events=dict(state.events),
            contests=dict(state.contests),
            categories=dict(state.categories),
            contestants=dict(state.contestants),
            scores=[s for cid in state.categories for s in state.scores_in(cid)],
            certifications=dict(state.certifications),
            deductions=list(state.deductions.values()),
            names=names,
            panel=panel,
            receipt_checks={cid: check_category(state, cid) for cid in state.categories},
            audit=list(audit or []),
            manual_orders={
                cid: manual_orders(state.tie_decisions.values(), cid) for cid in state.categories
            },
        )

    # --- lookups used by the builders ---------------------------------------------

    def category(self, category_id: int) -> Category:
        """The category, or an :class:`ExportError` naming the id the user typed."""
        try:
            return self.categories[category_id]
        except KeyError:
            raise ExportError(f"category {category_id} is not one this account can see") from None

    def categories_of(self, contest_id: int) -> list[Category]:
        """A contest's categories (that we see), by id; ExportError if none."""
        found = sorted(
            (c for c in self.categories.values() if c.contest_id == contest_id),
            key=lambda c: c.id,
        )
        if contest_id not in self.contests or not found:
            raise ExportError(f"contest {contest_id} is not one this account can see")
        return found

    def contest_name(self, category: Category) -> str:
        contest = self.contests.get(category.contest_id)
        return contest.name if contest is not None else "contest"

    def event_name(self, category: Category) -> str:
        contest = self.contests.get(category.contest_id)
        event = self.events.get(contest.event_id) if contest is not None else None
        return event.name if event is not None else ""

    def name(self, user_id: int | None) -> str:
        if user_id is None:
            return "system"
        return self.names.get(user_id, f"user #{user_id}")

    def contestants_in(self, category: Category) -> list[Contestant]:
        """The category's contestants in sheet order (by number)."""
        found = [self.contestants[i] for i in category.contestant_ids if i in self.contestants]
        return sorted(found, key=lambda c: (c.number, c.id))

    def scores_in(self, category_id: int, judge_id: int | None = None) -> list[Score]:
        return [
            s
            for s in self.scores
            if s.category_id == category_id and (judge_id is None or s.judge_id == judge_id)
        ]

    def approved_deductions(self, category_id: int) -> list[Deduction]:
        return [
            d
            for d in self.deductions
            if d.category_id == category_id and d.status is RequestStatus.APPROVED
        ]

    def judges_for_sheets(self, category_id: int) -> list[int]:
        """Whose sheets this account may print: a judge only their own."""
        if self.viewer_role is Role.JUDGE:
            return [self.viewer_id]
        judges = set(self.panel.get(category_id, []))
        judges.update(s.judge_id for s in self.scores_in(category_id))
        return sorted(judges, key=lambda j: (self.name(j), j))
