"""How a cluster node runs a service call: grouped, its effects sealed into the commit.

:class:`ClusterRoute` stands in for the single-process path (run the call, then
``Deliverer.deliver`` its effects): the call's effects are taken out of its result —
so the caller's own ``deliver`` has nothing left to do — and put in the
:class:`~.ledger.EffectLedger`, which publishes them with the committed ``seq`` range
and hands them to the node's ordered gate. The route returns once the gate delivered
them on this node, so the transport's "caller's events before its ack" still holds.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from ..db.errors import DatabaseError
from ..db.group import GroupCommit
from ..delivery import Deliverer
from ..service.types import Broadcast, CloseSessions, Effect, Outcome, RoomChange, ServiceError
from .ledger import EffectLedger, Ticket

T = TypeVar("T")

_EFFECT_TYPES = (Broadcast, RoomChange, CloseSessions)


def take_effects(value: Any) -> list[Effect]:
    """Move the effects out of a call's result (an :class:`Outcome` or a list of effects)."""
    if isinstance(value, Outcome):
        effects = list(value.effects)
        value.effects = []
        return effects
    if isinstance(value, list) and value and all(isinstance(e, _EFFECT_TYPES) for e in value):
        effects = list(value)
        value.clear()
        return effects
    return []


class ClusterRoute:
    """Runs calls through the group committer; effects go through ledger and gate."""

    def __init__(self, group: GroupCommit, ledger: EffectLedger, deliverer: Deliverer) -> None:
        self._group = group
        self._ledger = ledger
        self._deliverer = deliverer

    async def run(self, call: Callable[[], T]) -> T:
        """Run ``call`` grouped; return (or raise) once its effects reached local sockets."""
        tickets: list[Ticket] = []

        def grouped() -> T:
            try:
                value = call()
            except ServiceError as exc:  # a refusal whose record committed
                ticket = self._ledger.add(exc.effects)
                exc.effects = []
                if ticket is not None:
                    tickets.append(ticket)
                raise
            ticket = self._ledger.add(take_effects(value))
            if ticket is not None:
                tickets.append(ticket)
            return value

        try:
            value = await self._group.run(grouped)
        except DatabaseError:
            for ticket in tickets:  # the batch rolled back: its effects never happened
                self._ledger.take_unsealed(ticket)
            raise
        except ServiceError:
            for ticket in tickets:
                await self._settle(ticket)
            raise
        for ticket in tickets:
            await self._settle(ticket)
        return value

    async def _settle(self, ticket: Ticket) -> None:
        unsealed = self._ledger.take_unsealed(ticket)
        if unsealed:  # nothing committed (no seq consumed): deliver on this node at once
            await self._deliverer.deliver(unsealed)
            return
        await ticket.delivered
