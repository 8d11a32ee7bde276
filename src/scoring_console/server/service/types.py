"""What the service layer hands back to the transport: actors, effects, outcomes, errors.

The service never talks to sockets. A call returns an :class:`Outcome` — the ack data
plus a list of effects (:class:`Broadcast` to rooms, :class:`RoomChange` for live
sockets) — or raises a :class:`ServiceError` the transport turns into a failed ack.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from scoring_console.protocol.base import ServerMessage
from scoring_console.protocol.errors import ErrorCode
from scoring_console.protocol.events import ServerEvent
from scoring_console.protocol.roles import Role

T = TypeVar("T")


@dataclass(frozen=True)
class Actor:
    """Who calls, taken from the verified access token."""

    user_id: int
    role: Role
    username: str


@dataclass(frozen=True)
class Broadcast:
    """One logical server → client event, sent to the union of ``rooms``.

    ``payload`` is the full (unmasked) payload with its ``seq`` set. When
    ``mask_score_for_judges`` is true, every JUDGE recipient other than the score's
    author (``payload.judge_id``) must get :func:`mask_score` of it instead.
    Users in ``exclude_user_ids`` get nothing.
    """

    event: ServerEvent
    payload: ServerMessage
    rooms: tuple[str, ...]
    mask_score_for_judges: bool = False
    exclude_user_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class RoomChange:
    """The live sockets of ``user_id`` must join / leave these rooms now."""

    user_id: int
    join: tuple[str, ...] = ()
    leave: tuple[str, ...] = ()


Effect = Broadcast | RoomChange
"""Anything the transport must do after a successful call."""


@dataclass
class Outcome(Generic[T]):
    """The result of a service call: the ack ``data`` model and the effects to deliver."""

    result: T
    effects: list[Effect] = field(default_factory=list)


class ServiceError(Exception):
    """A refused call; the transport answers ``{ok: false, error: {code, message, details}}``."""

    code: ErrorCode = ErrorCode.INTERNAL

    def __init__(self, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details: dict[str, Any] = details or {}
        self.effects: list[Effect] = []
        """Effects of a refusal that did commit (e.g. the record of a refused write),
        delivered by the transport along with the failed ack."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, {self.details!r})"


class NotFound(ServiceError):
    """The named entity does not exist or the caller may not see it."""

    code = ErrorCode.NOT_FOUND


class Forbidden(ServiceError):
    """The caller's role or assignments do not allow this call."""

    code = ErrorCode.FORBIDDEN


class Conflict(ServiceError):
    """The call clashes with stored state (a reused clientId, a decided request, a duplicate)."""

    code = ErrorCode.CONFLICT


class Locked(ServiceError):
    """The contest is locked, or the judge's sheet is signed."""

    code = ErrorCode.LOCKED


class PreconditionFailed(ServiceError):
    """The call is valid but not yet allowed (incomplete sheet, chain order, not certified)."""

    code = ErrorCode.PRECONDITION_FAILED


class Invalid(ServiceError):
    """A well-formed payload breaking a domain rule (above maxScore, wrong category)."""

    code = ErrorCode.VALIDATION_ERROR
