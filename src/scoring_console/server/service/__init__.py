"""The server's domain layer: persistence-backed business rules, no networking.

The transport builds one :class:`ScoringService` over an open
:class:`~scoring_console.server.db.Database` and calls one method per client event
with the caller's :class:`Actor` and the validated payload model. Each method returns
an :class:`Outcome` (ack data + effects to deliver) or raises a :class:`ServiceError`.
"""

from . import audit
from .masking import mask_score, view_for
from .service import ScoringService
from .types import (
    Actor,
    Broadcast,
    CloseSessions,
    Conflict,
    Effect,
    Forbidden,
    Invalid,
    Locked,
    NotFound,
    Outcome,
    PreconditionFailed,
    RoomChange,
    ServiceError,
)

__all__ = [
    "Actor",
    "Broadcast",
    "CloseSessions",
    "Conflict",
    "Effect",
    "Forbidden",
    "Invalid",
    "Locked",
    "NotFound",
    "Outcome",
    "PreconditionFailed",
    "RoomChange",
    "ScoringService",
    "ServiceError",
    "audit",
    "mask_score",
    "view_for",
]
