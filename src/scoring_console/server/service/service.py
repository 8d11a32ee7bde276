"""The :class:`ScoringService` router: one small area object per part of the domain, and
one dispatcher that routes a client event to what its catalog ``route`` names.

Areas (each a module with its own tests): :mod:`.accounts` (credentials, refresh
tokens), :mod:`.presence`, :mod:`.views` (visibility, rooms, snapshots), :mod:`.scores`,
:mod:`.removals`, :mod:`.deductions`, :mod:`.assignments`, :mod:`.certification`,
:mod:`.admin` (locks, results, announcements, read marks), :mod:`.scoring_reviews`
(tie decisions, outlier reviews), :mod:`.reopen` (corrections after sign-off),
:mod:`.history` (the audit trail), :mod:`.paper` (paper sheets) and the set-up areas of
:mod:`.setup` (account administration, structure, the competition file).
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
from .accounts import AccountsArea
from .admin import AdminArea
from .assignments import AssignmentsArea
from .base import ServiceBase, utc_now
from .certification import CertificationArea
from .deductions import DeductionsArea
from .history import HistoryArea
from .paper import PaperArea
from .presence import PresenceArea
from .removals import RemovalsArea
from .reopen import ReopenArea
from .scores import ScoresArea
from .scoring_reviews import ScoringReviewsArea
from .setup import AccountsAdmin, CompetitionArea, StructureArea
from .types import Actor, Invalid, Outcome
from .views import ViewsArea

__all__ = ["ScoringService", "utc_now"]


class ScoringService:
    """The domain over one :class:`~scoring_console.server.db.Database`, as area objects.

    ``ScoringService(db, *, clock=utc_now)``. Area methods taking ``(actor, payload)``
    correspond to client events and return an :class:`Outcome` (ack data + effects) or
    raise a :class:`~scoring_console.server.service.types.ServiceError`. Every write
    commits (with its ``seq`` bump) before the method returns. The areas check roles and
    assignments themselves, so the transport's role check is a first line, not the only
    one. :meth:`dispatch` is the router: the catalog's ``route`` (``area.method``) is the
    one place that says which area handles an event.

    For callers written against the former single class (the transport, the simulator,
    tests), an attribute the router lacks is looked up on the areas (:meth:`__getattr__`):
    ``service.submit_score`` is ``service.scores.submit_score``. New code names the area.
    """

    def __init__(self, db: Database, *, clock: Callable[[], datetime] = utc_now) -> None:
        self.db = db
        self.clock = clock
        self.shared = ServiceBase(db, clock=clock)
        """Lookups and writes every area shares (categories, notifications, audit)."""
        self.accounts = AccountsArea(db, clock=clock)
        self.presence = PresenceArea(db, clock=clock)
        self.views = ViewsArea(db, self.presence, clock=clock)
        self.scores = ScoresArea(db, clock=clock)
        self.removals = RemovalsArea(db, clock=clock)
        self.deductions = DeductionsArea(db, clock=clock)
        self.assignments = AssignmentsArea(db, self.views, clock=clock)
        self.certification = CertificationArea(db, clock=clock)
        self.admin = AdminArea(db, self.scores, clock=clock)
        self.scoring_reviews = ScoringReviewsArea(db, clock=clock)
        self.reopen = ReopenArea(db, clock=clock)
        self.history = HistoryArea(db, clock=clock)
        self.paper = PaperArea(db, clock=clock)
        self.account_admin = AccountsAdmin(self)
        self.structure = StructureArea(self)
        self.competition = CompetitionArea(self)
        self.areas: dict[str, object] = {
            "core": self,
            "accounts": self.accounts,
            "presence": self.presence,
            "views": self.views,
            "scores": self.scores,
            "removals": self.removals,
            "deductions": self.deductions,
            "assignments": self.assignments,
            "certification": self.certification,
            "admin": self.admin,
            "scoring_reviews": self.scoring_reviews,
            "reopen": self.reopen,
            "history": self.history,
            "paper": self.paper,
            "account_admin": self.account_admin,
            "structure": self.structure,
            "competition": self.competition,
        }
        """The router's table: catalog ``route`` area → the object that handles it."""

    @property
    def clock(self) -> Callable[[], datetime]:
        """The service's clock; setting it sets every area's (tests move time this way)."""
        return self._clock

    @clock.setter
    def clock(self, value: Callable[[], datetime]) -> None:
        self._clock = value
        for area in [self.__dict__.get("shared"), *self.__dict__.get("areas", {}).values()]:
            if isinstance(area, ServiceBase):
                area.clock = value

    def __getattr__(self, name: str) -> Any:
        """The first area that has ``name`` (see the class docstring)."""
        areas = self.__dict__.get("areas")
        if areas is not None:
            for key, area in areas.items():
                if key != "core" and hasattr(type(area), name):
                    return getattr(area, name)
        raise AttributeError(f"{type(self).__name__} has no area with {name!r}")

    def sync(self, actor: Actor, payload: BaseModel) -> Outcome[Snapshot]:
        """``sync``: the snapshot, without effects."""
        return Outcome(self.views.snapshot(actor), [])

    def competition_import(self, actor: Actor, payload: CompetitionImport) -> Outcome[ImportReport]:
        """``competition:import`` (for in-process callers such as tests and tools)."""
        return self.competition.import_file(actor, payload)

    def dispatch(self, actor: Actor, event: ClientEvent, payload: BaseModel) -> Outcome[Any]:
        """Call what the catalog's ``route`` names for ``event`` with a validated payload.

        ``Invalid`` for an event whose route is not served here (``transport.*`` is the
        socket layer's own).
        """
        route = CLIENT_EVENTS[event].route
        area_name, _, method = route.partition(".")
        handler = getattr(self.areas.get(area_name), method, None)
        if handler is None or not callable(handler):
            raise Invalid(f"no handler for event {event.value}")
        outcome: Outcome[Any] = handler(actor, payload)
        return outcome
