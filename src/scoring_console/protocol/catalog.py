"""The event catalog: one record per event, read by the server, the client and the docs.

``docs/protocol.md`` is rendered from this catalog (see :mod:`.docs`) and a test checks
the committed file against it, so the written reference cannot drift from the code.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import BaseModel

from . import entities as e
from . import payloads as p
from .errors import ErrorCode
from .events import ClientEvent, ServerEvent
from .roles import ALL_ROLES, Role

_COMMON_ERRORS = (ErrorCode.VALIDATION_ERROR, ErrorCode.RATE_LIMITED, ErrorCode.INTERNAL)


@dataclass(frozen=True)
class ClientEventSpec:
    """A client → server event: its payload, its ack, who may call it, what it causes."""

    name: ClientEvent
    payload: type[BaseModel]
    ack: type[BaseModel] | None
    roles: frozenset[Role]
    summary: str
    emits: tuple[ServerEvent, ...] = ()
    errors: tuple[ErrorCode, ...] = ()
    write: bool = False
    """Counts against the per-user write rate limit."""
    ack_list_of: type[BaseModel] | None = None

    @property
    def all_errors(self) -> tuple[ErrorCode, ...]:
        """Every code this event's ack may carry."""
        codes = [*self.errors, *_COMMON_ERRORS]
        if not self.write:
            codes.remove(ErrorCode.RATE_LIMITED)
        if self.roles != ALL_ROLES:
            codes.insert(0, ErrorCode.FORBIDDEN)
        return tuple(dict.fromkeys(codes))


@dataclass(frozen=True)
class ServerEventSpec:
    """A server → client event: its payload and who receives it."""

    name: ServerEvent
    payload: type[BaseModel]
    recipients: str
    summary: str
    masked: bool = False
    extra: dict[str, str] = field(default_factory=dict)


_J, _T, _A, _B, _O, _AD = (
    Role.JUDGE,
    Role.TALLY_MASTER,
    Role.AUDITOR,
    Role.BOARD,
    Role.ORGANIZER,
    Role.ADMIN,
)

CLIENT_EVENTS: dict[ClientEvent, ClientEventSpec] = {
    s.name: s
    for s in (
        ClientEventSpec(
            ClientEvent.SYNC,
            p.SyncRequest,
            e.Snapshot,
            ALL_ROLES,
            "Full snapshot of what the caller may see, as of `seq`. Called on every (re)connect "
            "and whenever a `prevSeq` gap shows a missed event.",
        ),
        ClientEventSpec(
            ClientEvent.SCORES_SUBMIT,
            p.ScoreSubmit,
            e.Score,
            frozenset({_J}),
            "Create or replace the caller's score for one cell of an assigned category. "
            "Idempotent on `clientId`: a replay with the same content returns the stored "
            "score; the same `clientId` with other content is a `conflict`. Ack means committed.",
            emits=(ServerEvent.SCORES_UPDATED, ServerEvent.SCORES_REFUSED),
            errors=(
                ErrorCode.NOT_FOUND,
                ErrorCode.CONFLICT,
                ErrorCode.LOCKED,
            ),
            write=True,
        ),
        ClientEventSpec(
            ClientEvent.SCORES_SUBMIT_BATCH,
            p.ScoreBatchSubmit,
            p.BatchResult,
            frozenset({_J}),
            "Several `scores:submit` entries in one call, each answered in `results` in order "
            "(a refused entry does not stop the others). Counts once against the rate limit.",
            emits=(ServerEvent.SCORES_UPDATED, ServerEvent.SCORES_REFUSED),
            errors=(ErrorCode.NOT_FOUND, ErrorCode.CONFLICT, ErrorCode.LOCKED),
            write=True,
        ),
        ClientEventSpec(
            ClientEvent.SCORES_REQUEST,
            p.ScoresRequest,
            p.ScoresData,
            ALL_ROLES,
            "Scores of one category the caller may see, masked for the caller; also emitted "
            "back as `scores:data`. Accepts a bare category id as in the seed.",
            emits=(ServerEvent.SCORES_DATA,),
            errors=(ErrorCode.NOT_FOUND,),
        ),
        ClientEventSpec(
            ClientEvent.TOTALS_REQUEST,
            p.TotalsRequest,
            p.TotalsData,
            frozenset({_T, _A, _B, _O, _AD}),
            "Ranked totals of a category: sum of criterion scores minus approved deductions, "
            "floored at 0; equal totals share a rank.",
            errors=(ErrorCode.NOT_FOUND,),
        ),
        ClientEventSpec(
            ClientEvent.SCORE_REMOVAL_REQUESTED,
            p.RemovalRequestCreate,
            e.RemovalRequest,
            frozenset({_J, _T}),
            "Ask for a score to be removed (a judge: own scores; a tally master: scores in an "
            "assigned category). Idempotent on `clientId`.",
            emits=(ServerEvent.SCORE_REMOVAL_PENDING,),
            errors=(ErrorCode.NOT_FOUND, ErrorCode.CONFLICT, ErrorCode.LOCKED),
            write=True,
        ),
        ClientEventSpec(
            ClientEvent.SCORE_REMOVAL_DECIDE,
            p.RemovalDecision,
            e.RemovalRequest,
            frozenset({_AD}),
            "Approve or reject a pending removal request; approval deletes the score.",
            emits=(ServerEvent.SCORE_REMOVAL_DECIDED, ServerEvent.SCORES_DELETED),
            errors=(ErrorCode.NOT_FOUND, ErrorCode.CONFLICT, ErrorCode.LOCKED),
            write=True,
        ),
        ClientEventSpec(
            ClientEvent.DEDUCTION_REQUESTED,
            p.DeductionCreate,
            e.Deduction,
            frozenset({_J, _T, _O, _AD}),
            "Propose a deduction for a contestant in a category (judges and tally masters "
            "only in assigned categories). Idempotent on `clientId`.",
            emits=(ServerEvent.DEDUCTION_PENDING,),
            errors=(ErrorCode.NOT_FOUND, ErrorCode.CONFLICT, ErrorCode.LOCKED),
            write=True,
        ),
        ClientEventSpec(
            ClientEvent.DEDUCTION_DECIDE,
            p.DeductionDecision,
            e.Deduction,
            frozenset({_T, _A, _AD}),
            "Approve or reject a pending deduction (tally masters: assigned categories).",
            emits=(ServerEvent.DEDUCTION_DECIDED,),
            errors=(ErrorCode.NOT_FOUND, ErrorCode.CONFLICT, ErrorCode.LOCKED),
            write=True,
        ),
        ClientEventSpec(
            ClientEvent.ASSIGNMENT_CREATED,
            p.AssignmentChange,
            e.Assignment,
            frozenset({_O, _AD}),
            "Assign a judge or tally master to a category; their live sockets join the "
            "category rooms at once. A judge's panel is final once the tally master signed "
            "(`locked`).",
            emits=(ServerEvent.ASSIGNMENT_NEW,),
            errors=(ErrorCode.NOT_FOUND, ErrorCode.CONFLICT, ErrorCode.LOCKED),
            write=True,
        ),
        ClientEventSpec(
            ClientEvent.ASSIGNMENT_REMOVED,
            p.AssignmentChange,
            e.Assignment,
            frozenset({_O, _AD}),
            "Remove an assignment; the user's live sockets leave the category rooms at once. "
            "A removed judge's scores stay on record but no longer count in totals.",
            emits=(ServerEvent.ASSIGNMENT_REVOKED,),
            errors=(ErrorCode.NOT_FOUND, ErrorCode.LOCKED),
            write=True,
        ),
        ClientEventSpec(
            ClientEvent.CERTIFICATION_SIGN,
            p.CertificationSign,
            p.SignResult,
            frozenset({_J, _T, _A, _B}),
            "Sign the caller's step of the chain judge → tally master → auditor → board. "
            "A judge signs only a complete sheet (every contestant × criterion) and cannot "
            "edit it afterwards. Returns a SHA-256 receipt over the signed scores. "
            "Idempotent on `clientId`.",
            emits=(ServerEvent.CERTIFICATION_UPDATED, ServerEvent.NOTIFICATION),
            errors=(
                ErrorCode.NOT_FOUND,
                ErrorCode.CONFLICT,
                ErrorCode.PRECONDITION_FAILED,
            ),
            write=True,
        ),
        ClientEventSpec(
            ClientEvent.CONTEST_LOCK,
            p.ContestLock,
            e.Contest,
            frozenset({_B, _O, _AD}),
            "Lock (or unlock) a contest: every later edit in it is refused with `locked`.",
            emits=(ServerEvent.CONTEST_LOCKED,),
            errors=(ErrorCode.NOT_FOUND,),
            write=True,
        ),
        ClientEventSpec(
            ClientEvent.RESULTS_PUBLISH,
            p.ResultsPublish,
            p.TotalsData,
            frozenset({_B, _O, _AD}),
            "Publish the ranked results of a CERTIFIED category.",
            emits=(ServerEvent.RESULTS_PUBLISHED,),
            errors=(ErrorCode.NOT_FOUND, ErrorCode.PRECONDITION_FAILED),
            write=True,
        ),
        ClientEventSpec(
            ClientEvent.SYSTEM_ANNOUNCEMENT,
            p.AnnouncementCreate,
            e.Announcement,
            frozenset({_O, _AD}),
            "Broadcast an announcement to every connected user; it is persisted and part of "
            "later snapshots.",
            emits=(ServerEvent.SYSTEM_ANNOUNCEMENT,),
            write=True,
        ),
        ClientEventSpec(
            ClientEvent.NOTIFICATION_READ,
            p.NotificationRead,
            p.NotificationReadResult,
            ALL_ROLES,
            "Mark the caller's own notifications as read (others' ids are ignored).",
            write=True,
        ),
        ClientEventSpec(
            ClientEvent.USER_ACTIVE,
            p.Heartbeat,
            p.HeartbeatResult,
            ALL_ROLES,
            "Heartbeat every few seconds with the client's pending outbox count; a missed ack "
            "tells the client its link is dead. Judges' presence goes to the tally masters "
            "of their categories (stored and broadcast when the pending count changes, else "
            "at most every 10 s).",
            emits=(ServerEvent.PRESENCE_UPDATED,),
        ),
        ClientEventSpec(
            ClientEvent.AUTH_RENEW,
            p.AuthRenew,
            p.AuthRenewed,
            ALL_ROLES,
            "Hand a new access token (from `POST /api/auth/refresh`) to the live connection, "
            "so it outlives the token it connected with without a reconnect and a `sync`. The "
            "token is verified like the handshake's and must name the connection's own user "
            "and role, and the user must still be active; the connection's token expiry then "
            "becomes the new token's `exp`. Accepted while the connection's current token is "
            f"valid and for a grace window of {p.RENEW_GRACE} s (server default) after it "
            "expired; every other call is refused with `unauthenticated` from the moment it "
            "expired. A refused renewal (bad, expired, refresh-type or another user's or "
            "role's token; inactive user; after the grace window) is `unauthenticated` and "
            "leaves the connection as it was: reconnect with a fresh token then.",
            errors=(ErrorCode.UNAUTHENTICATED,),
        ),
    )
}

SERVER_EVENTS: dict[ServerEvent, ServerEventSpec] = {
    s.name: s
    for s in (
        ServerEventSpec(
            ServerEvent.SCORES_UPDATED,
            e.Score,
            "The judge who wrote it (whole); other judges of the category (`score: null`); "
            "tally masters of the category, auditors, board, organizers, admins (whole).",
            "A score was created or changed.",
            masked=True,
        ),
        ServerEventSpec(
            ServerEvent.SCORES_DELETED,
            e.ScoreDeleted,
            "Everyone who may see the category's scores.",
            "A score was removed (approved removal request).",
        ),
        ServerEventSpec(
            ServerEvent.SCORES_DATA,
            p.ScoresData,
            "The caller of `scores:request` only.",
            "Answer to `scores:request`, masked for the caller.",
            masked=True,
        ),
        ServerEventSpec(
            ServerEvent.CERTIFICATION_UPDATED,
            e.Certification,
            "Everyone in `category:{id}` (its judges and tally masters, auditors, board, "
            "organizers, admins).",
            "A sign-off was added to a category's certification.",
        ),
        ServerEventSpec(
            ServerEvent.NOTIFICATION,
            e.Notification,
            "`user:{id}` of its owner. On certification completion, every BOARD user.",
            "A persisted notification.",
        ),
        ServerEventSpec(
            ServerEvent.SYSTEM_ANNOUNCEMENT,
            e.Announcement,
            "Every connected user.",
            "A system-wide announcement.",
        ),
        ServerEventSpec(
            ServerEvent.CONTEST_LOCKED,
            p.ContestLocked,
            "Everyone in `contest:{id}`.",
            "A contest was locked or unlocked.",
        ),
        ServerEventSpec(
            ServerEvent.RESULTS_PUBLISHED,
            p.ResultsPublished,
            "Everyone in `category:{id}`.",
            "Results of a certified category were published.",
        ),
        ServerEventSpec(
            ServerEvent.DEDUCTION_PENDING,
            e.Deduction,
            "Tally masters of the category and auditors (and the requester).",
            "A deduction awaits a decision.",
        ),
        ServerEventSpec(
            ServerEvent.DEDUCTION_DECIDED,
            e.Deduction,
            "The requester; tally masters of the category, auditors, board, organizers, admins.",
            "A deduction was approved or rejected.",
        ),
        ServerEventSpec(
            ServerEvent.ASSIGNMENT_NEW,
            e.Assignment,
            "`user:{id}` of the assigned user; organizers and admins.",
            "The user was assigned to a category.",
        ),
        ServerEventSpec(
            ServerEvent.ASSIGNMENT_REVOKED,
            p.AssignmentRevoked,
            "`user:{id}` of the user; organizers and admins.",
            "An assignment was removed.",
        ),
        ServerEventSpec(
            ServerEvent.SCORE_REMOVAL_PENDING,
            e.RemovalRequest,
            "Admins (and the requester).",
            "A score removal awaits an admin's decision.",
        ),
        ServerEventSpec(
            ServerEvent.SCORE_REMOVAL_DECIDED,
            e.RemovalRequest,
            "The requester, the judge whose score it is, tally masters of the category, admins.",
            "A removal request was approved or rejected.",
        ),
        ServerEventSpec(
            ServerEvent.PRESENCE_UPDATED,
            e.Presence,
            "Tally masters of the judge's categories; auditors, organizers, admins.",
            "A judge connected, disconnected or sent a heartbeat with a new pending count.",
        ),
        ServerEventSpec(
            ServerEvent.SCORES_REFUSED,
            e.RefusedWrite,
            "Tally masters of the category; auditors, board, organizers, admins (never "
            "other judges: the refused value is the judge's own).",
            "The server refused a judge's score write (recorded; also in `sync` as "
            "`refusedWrites` for the same recipients).",
        ),
        ServerEventSpec(
            ServerEvent.ERROR,
            p.ErrorEvent,
            "The offending connection only.",
            'Out-of-band error, e.g. `{message: "Invalid event type"}` for an unknown event.',
        ),
    )
}


def may_call(role: Role | None, event: ClientEvent) -> bool:
    """Whether a user of ``role`` may send ``event`` at all (the catalog's role list).

    The one permission rule the console shows its buttons by, and the server's first
    check before the service's own assignment checks. ``None`` (no user yet) may
    call nothing.
    """
    return role is not None and role in CLIENT_EVENTS[event].roles
