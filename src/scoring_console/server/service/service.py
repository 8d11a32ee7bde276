"""The :class:`ScoringService` facade: one method per client event, plus accounts and rooms."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from pydantic import BaseModel

from scoring_console.protocol.entities import (
    Announcement,
    Assignment,
    Contest,
    Deduction,
    RemovalRequest,
    Score,
    Snapshot,
    UserInfo,
)
from scoring_console.protocol.events import ClientEvent
from scoring_console.protocol.payloads import (
    AnnouncementCreate,
    AssignmentChange,
    BatchResult,
    CertificationSign,
    ContestLock,
    DeductionCreate,
    DeductionDecision,
    Heartbeat,
    HeartbeatResult,
    NotificationRead,
    NotificationReadResult,
    RemovalDecision,
    RemovalRequestCreate,
    ResultsPublish,
    ScoreBatchSubmit,
    ScoresData,
    ScoresRequest,
    ScoreSubmit,
    SignResult,
    TotalsData,
    TotalsRequest,
)
from scoring_console.protocol.roles import Role

from ..db import Database
from .types import Actor, Broadcast, Outcome


def utc_now() -> datetime:
    """The default clock: aware UTC now."""
    return datetime.now(UTC)


class ScoringService:
    """Domain rules over one :class:`Database`; every write commits before returning.

    Methods taking ``(actor, payload)`` correspond to client events and either return
    an :class:`Outcome` (ack data + effects) or raise a
    :class:`~scoring_console.server.service.types.ServiceError`. The service checks
    roles and assignments itself as well, so the transport's role check is a first line,
    not the only one.
    """

    def __init__(self, db: Database, *, clock: Callable[[], datetime] = utc_now) -> None:
        self.db = db
        self.clock = clock

    # --- accounts -------------------------------------------------------------------

    def create_user(self, username: str, name: str, role: Role, password: str) -> UserInfo:
        """Create an active user with a scrypt-hashed password; ``Conflict`` if taken."""
        raise NotImplementedError

    def authenticate(self, username: str, password: str) -> UserInfo | None:
        """The active user with these credentials, or ``None`` (same for every failure)."""
        raise NotImplementedError

    def get_user(self, user_id: int) -> UserInfo | None:
        """The active user with this id; ``None`` if missing or deactivated."""
        raise NotImplementedError

    def get_user_by_username(self, username: str) -> UserInfo | None:
        """The active user with this username; ``None`` if missing or deactivated."""
        raise NotImplementedError

    def set_user_active(self, user_id: int, active: bool) -> None:
        """Activate or deactivate a user; deactivation also revokes their refresh tokens."""
        raise NotImplementedError

    def store_refresh_token(self, jti: str, user_id: int, expires_at: datetime) -> None:
        """Remember an issued refresh token (by its ``jti``) for one-time use."""
        raise NotImplementedError

    def consume_refresh_token(self, jti: str, user_id: int) -> bool:
        """Use a refresh token once: ``False`` if unknown, used, revoked, expired,
        issued to another user, or the user is inactive."""
        raise NotImplementedError

    def revoke_user_tokens(self, user_id: int) -> int:
        """Revoke every unused refresh token of a user; returns how many."""
        raise NotImplementedError

    # --- views ----------------------------------------------------------------------

    def current_seq(self) -> int:
        """The last server-wide ``seq`` handed out."""
        raise NotImplementedError

    def rooms_for(self, actor: Actor) -> set[str]:
        """Every room the actor's sockets belong to: ``all``, ``user:{id}``,
        ``role:{ROLE}``, and ``event:``/``contest:``/``category:``/``category:{id}:{ROLE}``
        for each visible category."""
        raise NotImplementedError

    def visible_category_ids(self, actor: Actor) -> set[int]:
        """Categories the actor may see: assigned ones for judges and tally masters,
        all for auditors, board, organizers and admins."""
        raise NotImplementedError

    def snapshot(self, actor: Actor) -> Snapshot:
        """The ``sync`` answer: everything the actor may see, scores masked, as of ``seq``."""
        raise NotImplementedError

    def dispatch(self, actor: Actor, event: ClientEvent, payload: BaseModel) -> Outcome[object]:
        """Call the method for ``event`` (``sync`` → ``snapshot`` wrapped in an Outcome)."""
        raise NotImplementedError

    # --- scores ---------------------------------------------------------------------

    def submit_score(self, actor: Actor, payload: ScoreSubmit) -> Outcome[Score]:
        """``scores:submit``: create or replace the judge's score for one cell.

        Idempotent on ``clientId`` (same content → stored result, no effects; other
        content → ``Conflict``). ``Forbidden`` unless a judge assigned to the category;
        ``NotFound`` for an unknown category; ``Invalid`` when the contestant or
        criterion is not in the category or the value exceeds ``maxScore``; ``Locked``
        for a locked contest or a signed sheet. Effect: ``scores:updated`` (full
        payload, ``mask_score_for_judges``) to ``category:{id}`` and venue-wide roles.
        """
        raise NotImplementedError

    def submit_batch(self, actor: Actor, payload: ScoreBatchSubmit) -> Outcome[BatchResult]:
        """``scores:submit-batch``: each entry as :meth:`submit_score` in its own
        transaction; refused entries carry their error, the others still apply."""
        raise NotImplementedError

    def request_scores(self, actor: Actor, payload: ScoresRequest) -> Outcome[ScoresData]:
        """``scores:request``: the category's scores masked for the caller (no effects;
        the transport emits ``scores:data`` to the calling socket). ``NotFound`` if the
        category does not exist or is not visible to the caller."""
        raise NotImplementedError

    def totals(self, actor: Actor, payload: TotalsRequest) -> Outcome[TotalsData]:
        """``totals:request``: ranked totals (approved deductions only); not for judges."""
        raise NotImplementedError

    # --- removal requests -----------------------------------------------------------

    def request_removal(
        self, actor: Actor, payload: RemovalRequestCreate
    ) -> Outcome[RemovalRequest]:
        """``score:removal-requested``: a judge for an own score, a tally master for a
        score in an assigned category. Idempotent on ``clientId``. Effect:
        ``score:removal-pending`` to ``role:ADMIN`` and the requester."""
        raise NotImplementedError

    def decide_removal(self, actor: Actor, payload: RemovalDecision) -> Outcome[RemovalRequest]:
        """``score:removal-decide`` (admin): ``Conflict`` if already decided. Approval
        deletes the score (audited). Effects: ``score:removal-decided``; on approval
        ``scores:deleted`` to every viewer of the category."""
        raise NotImplementedError

    # --- deductions -----------------------------------------------------------------

    def request_deduction(self, actor: Actor, payload: DeductionCreate) -> Outcome[Deduction]:
        """``deduction:requested``: judges/tally masters in assigned categories,
        organizers and admins anywhere. Idempotent on ``clientId``. Effect:
        ``deduction:pending`` to ``category:{id}:TALLY_MASTER``, ``role:AUDITOR`` and the
        requester."""
        raise NotImplementedError

    def decide_deduction(self, actor: Actor, payload: DeductionDecision) -> Outcome[Deduction]:
        """``deduction:decide`` (assigned tally master, auditor, admin); ``Conflict`` if
        already decided. Effect: ``deduction:decided``."""
        raise NotImplementedError

    # --- assignments ----------------------------------------------------------------

    def create_assignment(self, actor: Actor, payload: AssignmentChange) -> Outcome[Assignment]:
        """``assignment:created`` (organizer, admin): the user must be a JUDGE or
        TALLY_MASTER; duplicate → ``Conflict``. Effects: ``assignment:new`` and a
        ``notification`` to the user, a :class:`RoomChange` joining the category rooms."""
        raise NotImplementedError

    def remove_assignment(self, actor: Actor, payload: AssignmentChange) -> Outcome[Assignment]:
        """``assignment:removed`` (organizer, admin): ``NotFound`` if there is none.
        Effects: ``assignment:revoked``, a ``notification``, a :class:`RoomChange`
        leaving the category rooms. Returns the removed assignment."""
        raise NotImplementedError

    # --- certification --------------------------------------------------------------

    def sign_certification(self, actor: Actor, payload: CertificationSign) -> Outcome[SignResult]:
        """``certification:sign``: the caller's step of judge → tally master → auditor →
        board. See :mod:`.certification` for the rules."""
        raise NotImplementedError

    # --- contest, results, announcements, notifications -----------------------------

    def lock_contest(self, actor: Actor, payload: ContestLock) -> Outcome[Contest]:
        """``contest:lock`` (board, organizer, admin). Effect: ``contest:locked`` to
        ``contest:{id}`` and venue-wide roles."""
        raise NotImplementedError

    def publish_results(self, actor: Actor, payload: ResultsPublish) -> Outcome[TotalsData]:
        """``results:publish``: only for a CERTIFIED category (``PreconditionFailed``).
        Effect: ``results:published`` to ``category:{id}``."""
        raise NotImplementedError

    def announce(self, actor: Actor, payload: AnnouncementCreate) -> Outcome[Announcement]:
        """``system:announcement`` (organizer, admin): persisted, broadcast to ``all``."""
        raise NotImplementedError

    def mark_notifications_read(
        self, actor: Actor, payload: NotificationRead
    ) -> Outcome[NotificationReadResult]:
        """``notification:read``: only the caller's own notifications change."""
        raise NotImplementedError

    # --- presence -------------------------------------------------------------------

    def heartbeat(self, actor: Actor, payload: Heartbeat) -> Outcome[HeartbeatResult]:
        """``user:active``: store ``last_seen`` and ``pending_count``; for a judge,
        ``presence:updated`` to the tally masters of their categories and venue-wide
        roles."""
        raise NotImplementedError

    def set_online(self, actor: Actor, online: bool) -> list[Broadcast]:
        """Count the actor's live connections (call on connect / disconnect); when a
        judge goes online or offline, the ``presence:updated`` broadcasts to deliver."""
        raise NotImplementedError
