"""The :class:`ScoringService` facade: one method per client event, plus accounts and rooms.

The methods live in one mixin per area (:mod:`.accounts`, :mod:`.views`,
:mod:`.presence`, :mod:`.scores`, :mod:`.removals`, :mod:`.deductions`, :mod:`.assignments`,
:mod:`.certification`, :mod:`.admin`); this module puts them together and maps client
events to them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from scoring_console.protocol.catalog import CLIENT_EVENTS
from scoring_console.protocol.competition import CompetitionImport, ImportReport
from scoring_console.protocol.entities import Snapshot
from scoring_console.protocol.events import ClientEvent

from ..db import Database
from .accounts import AccountsMixin
from .admin import AdminMixin
from .assignments import AssignmentsMixin
from .base import utc_now
from .certification import CertificationMixin
from .deductions import DeductionsMixin
from .removals import RemovalsMixin
from .setup import AccountsAdmin, CompetitionArea, StructureArea
from .types import Actor, Invalid, Outcome

__all__ = ["ScoringService", "utc_now"]


class ScoringService(
    AccountsMixin,
    AssignmentsMixin,
    AdminMixin,
    RemovalsMixin,
    DeductionsMixin,
    CertificationMixin,
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
    ``mark_notifications_read``, ``heartbeat``; presence: ``set_online``,
    ``is_online``. :meth:`dispatch` routes a :class:`ClientEvent` to what its catalog
    ``route`` names: a method here (``core``) or one of the set-up area objects in
    :attr:`areas` (``accounts``, ``structure``, ``competition``).
    """

    def __init__(self, db: Database, *, clock: Callable[[], datetime] = utc_now) -> None:
        super().__init__(db, clock=clock)
        self.areas: dict[str, object] = {
            "core": self,
            "accounts": AccountsAdmin(self),
            "structure": StructureArea(self),
            "competition": CompetitionArea(self),
        }
        """The router's table: catalog ``route`` area → the object that handles it."""

    def sync(self, actor: Actor, payload: BaseModel) -> Outcome[Snapshot]:
        """``sync``: the :meth:`snapshot`, without effects."""
        return Outcome(self.snapshot(actor), [])

    def competition_import(self, actor: Actor, payload: CompetitionImport) -> Outcome[ImportReport]:
        """``competition:import`` (for in-process callers such as tests and tools)."""
        competition = self.areas["competition"]
        assert isinstance(competition, CompetitionArea)
        return competition.import_file(actor, payload)

    def dispatch(self, actor: Actor, event: ClientEvent, payload: BaseModel) -> Outcome[Any]:
        """Call what the catalog's ``route`` names for ``event`` with a validated payload.

        The catalog is the one place that routes an event; ``Invalid`` for an event
        whose route is not served here (``transport.*`` is the socket layer's own).
        """
        route = CLIENT_EVENTS[event].route
        area_name, _, method = route.partition(".")
        handler = getattr(self.areas.get(area_name), method, None)
        if handler is None or not callable(handler):
            raise Invalid(f"no handler for event {event.value}")
        outcome: Outcome[Any] = handler(actor, payload)
        return outcome
