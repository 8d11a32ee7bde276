"""The event catalog: one record per event, read by the server, the client and the docs.

``docs/protocol.md`` is rendered from this catalog (see :mod:`.docs`) and a test checks
the committed file against it, so the written reference cannot drift from the code.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import BaseModel

from . import audit as au
from . import competition as cf
from . import entities as e
from . import paper as pp
from . import payloads as p
from . import reopen as ro
from . import setup as su
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
    """Counts against the per-user write rate limit (other calls: the read limit)."""
    ack_list_of: type[BaseModel] | None = None
    route: str = ""
    """``area.method``: the one place that says what handles the event. The server's
    router resolves ``area`` to one of its area objects (``core`` is the router itself,
    ``transport`` the socket layer) and calls ``method(actor, payload)``."""
    echo: ServerEvent | None = None
    """Also send the ack data to the caller as this server event (``scores:data``)."""

    @property
    def rate_limited(self) -> bool:
        """Every call but ``auth:renew`` counts against a rate limit (writes or reads):
        refusing a renewal would end the session it keeps alive."""
        return self.name is not ClientEvent.AUTH_RENEW

    @property
    def all_errors(self) -> tuple[ErrorCode, ...]:
        """Every code this event's ack may carry."""
        codes = [*self.errors, *_COMMON_ERRORS]
        if not self.rate_limited:
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

_MANAGERS = frozenset({_O, _AD})
_SETUP_ERRORS = (ErrorCode.NOT_FOUND, ErrorCode.CONFLICT, ErrorCode.LOCKED)
_ACCOUNT_RULE = (
    " Admins manage every account; organizers only judges and tally masters (and may only "
    "give those two roles). Nobody deactivates, demotes or resets their own account here."
)


def _setup(
    name: ClientEvent,
    payload: type[BaseModel],
    ack: type[BaseModel],
    route: str,
    summary: str,
    *,
    write: bool = True,
    errors: tuple[ErrorCode, ...] = _SETUP_ERRORS,
) -> ClientEventSpec:
    return ClientEventSpec(
        name,
        payload,
        ack,
        _MANAGERS,
        summary,
        emits=(ServerEvent.SETUP_CHANGED,) if write else (),
        errors=errors,
        write=write,
        route=route,
    )


SETUP_EVENTS: tuple[ClientEventSpec, ...] = (
    _setup(
        ClientEvent.ACCOUNT_CREATE,
        su.AccountCreate,
        su.AccountSecret,
        "account_admin.create",
        "Create an active account. Without `password` the server generates a one-time "
        "password, returns it once in the ack, and the user must change it at the first "
        "login." + _ACCOUNT_RULE,
        errors=(ErrorCode.CONFLICT,),
    ),
    _setup(
        ClientEvent.ACCOUNT_UPDATE,
        su.AccountUpdate,
        su.AccountSecret,
        "account_admin.update",
        "Rename an account and/or change its role (refused while the user holds "
        "assignments; the user's refresh tokens are revoked)." + _ACCOUNT_RULE,
        errors=(ErrorCode.NOT_FOUND, ErrorCode.CONFLICT),
    ),
    _setup(
        ClientEvent.ACCOUNT_RESET_PASSWORD,
        su.PasswordReset,
        su.AccountSecret,
        "account_admin.reset_password",
        "Set a new password (generated and returned once when `password` is omitted); the "
        "user must change it at the next login (`POST /api/auth/login` with `newPassword`). "
        "Refresh tokens are revoked." + _ACCOUNT_RULE,
        errors=(ErrorCode.NOT_FOUND,),
    ),
    _setup(
        ClientEvent.ACCOUNT_SET_ACTIVE,
        su.AccountActive,
        su.AccountSecret,
        "account_admin.set_active",
        "Deactivate (refresh tokens revoked, logins refused) or reactivate an account."
        + _ACCOUNT_RULE,
        errors=(ErrorCode.NOT_FOUND,),
    ),
    _setup(
        ClientEvent.ACCOUNT_LIST,
        su.AccountListRequest,
        su.AccountList,
        "account_admin.list_accounts",
        "Every account, inactive ones included, without passwords.",
        write=False,
        errors=(),
    ),
    _setup(
        ClientEvent.EVENT_SAVE,
        su.EventSave,
        su.SetupSaved,
        "structure.save_event",
        "Create an event (no `id`) or rename / re-date one. Names are unique.",
    ),
    _setup(
        ClientEvent.CONTEST_SAVE,
        su.ContestSave,
        su.SetupSaved,
        "structure.save_contest",
        "Create a contest in an event (no `id`) or rename one (not while it is locked).",
    ),
    _setup(
        ClientEvent.CATEGORY_SAVE,
        su.CategorySave,
        su.SetupSaved,
        "structure.save_category",
        "Create or change a category with its whole ordered list of criteria (`maxScore`). "
        "Refused (naming what blocks it): removing a criterion that has scores, a `maxScore` "
        "below an entered score, adding or removing criteria once the tally master signed, "
        "anything in a locked contest.",
    ),
    _setup(
        ClientEvent.CONTESTANT_SAVE,
        su.ContestantSave,
        su.SetupSaved,
        "structure.save_contestant",
        "Create a contestant (bib `number` unique) or change number / name.",
    ),
    _setup(
        ClientEvent.CATEGORY_CONTESTANTS,
        su.CategoryContestants,
        su.SetupSaved,
        "structure.set_contestants",
        "Set the whole list of contestants of a category; removing one who has scores "
        "there is refused.",
    ),
    _setup(
        ClientEvent.SETUP_DELETE,
        su.SetupDelete,
        su.SetupSaved,
        "structure.delete",
        "Remove an event or contest without children, a category without scores, "
        "signatures or requests, or a contestant without scores.",
    ),
    _setup(
        ClientEvent.COMPETITION_IMPORT,
        cf.CompetitionImport,
        cf.ImportReport,
        "competition.import_file",
        "Apply a whole competition file in one transaction, matched by names, bib numbers "
        "and usernames (idempotent: the same file twice changes nothing). Any problem "
        "refuses the whole file with its JSON path (`contests[0].categories[1].criteria[2]"
        ".maxScore: must be > 0`); `dryRun` reports the changes without applying them. New "
        "accounts without a password get a one-time password, returned once.",
        errors=(*_SETUP_ERRORS, ErrorCode.FORBIDDEN),
    ),
    _setup(
        ClientEvent.COMPETITION_EXPORT,
        cf.CompetitionExportRequest,
        cf.CompetitionExport,
        "competition.export_file",
        "The competition file of an event (accounts without passwords).",
        write=False,
        errors=(ErrorCode.NOT_FOUND,),
    ),
)
"""Competition set-up and account administration (organizers and admins)."""


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
            route="core.sync",
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
            route="scores.submit_score",
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
            route="scores.submit_batch",
        ),
        ClientEventSpec(
            ClientEvent.SCORES_REQUEST,
            p.ScoresRequest,
            p.ScoresData,
            ALL_ROLES,
            "Scores of one category the caller may see (a judge: only their own); also emitted "
            "back as `scores:data`. Accepts a bare category id as in the seed.",
            emits=(ServerEvent.SCORES_DATA,),
            errors=(ErrorCode.NOT_FOUND,),
            echo=ServerEvent.SCORES_DATA,
            route="scores.request_scores",
        ),
        ClientEventSpec(
            ClientEvent.TOTALS_REQUEST,
            p.TotalsRequest,
            p.TotalsData,
            frozenset({_T, _A, _B, _O, _AD}),
            "Ranked totals of a category: sum of criterion scores minus approved deductions, "
            "floored at 0; equal totals share a rank.",
            errors=(ErrorCode.NOT_FOUND,),
            route="scores.totals",
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
            route="removals.request_removal",
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
            route="removals.decide_removal",
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
            route="deductions.request_deduction",
        ),
        ClientEventSpec(
            ClientEvent.DEDUCTION_DECIDE,
            p.DeductionDecision,
            e.Deduction,
            frozenset({_T, _A, _AD}),
            "Approve or reject a pending deduction (tally masters: assigned categories). "
            "Two-person rule: the requester may reject (withdraw) their own deduction but "
            "not approve it (`forbidden`).",
            emits=(ServerEvent.DEDUCTION_DECIDED,),
            errors=(ErrorCode.NOT_FOUND, ErrorCode.CONFLICT, ErrorCode.LOCKED),
            write=True,
            route="deductions.decide_deduction",
        ),
        ClientEventSpec(
            ClientEvent.ASSIGNMENT_CREATED,
            p.AssignmentChange,
            e.Assignment,
            frozenset({_O, _AD}),
            "Assign a judge or tally master to a category; their live sockets join the "
            "category rooms at once. Refused with `locked` while the contest is locked, and "
            "for a judge once the tally master signed (the panel is final).",
            emits=(ServerEvent.ASSIGNMENT_NEW,),
            errors=(ErrorCode.NOT_FOUND, ErrorCode.CONFLICT, ErrorCode.LOCKED),
            write=True,
            route="assignments.create_assignment",
        ),
        ClientEventSpec(
            ClientEvent.ASSIGNMENT_REMOVED,
            p.AssignmentChange,
            e.Assignment,
            frozenset({_O, _AD}),
            "Remove an assignment; the user's live sockets leave the category rooms at once. "
            "A removed judge's scores stay on record but no longer count in totals. Refused "
            "with `locked` while the contest is locked.",
            emits=(ServerEvent.ASSIGNMENT_REVOKED,),
            errors=(ErrorCode.NOT_FOUND, ErrorCode.LOCKED),
            write=True,
            route="assignments.remove_assignment",
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
            route="certification.sign_certification",
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
            route="admin.lock_contest",
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
            route="admin.publish_results",
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
            route="admin.announce",
        ),
        ClientEventSpec(
            ClientEvent.NOTIFICATION_READ,
            p.NotificationRead,
            p.NotificationReadResult,
            ALL_ROLES,
            "Mark the caller's own notifications as read (others' ids are ignored).",
            write=True,
            route="admin.mark_notifications_read",
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
            route="presence.heartbeat",
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
            route="transport.renew",
        ),
        ClientEventSpec(
            ClientEvent.ACCOUNT_UNLOCK,
            p.AccountUnlock,
            p.AccountUnlocked,
            frozenset({Role.ADMIN}),
            "Clear an account's failed-login lockout and failure count (logged on the "
            "server). After `lockout_threshold` consecutive failed logins an account "
            "refuses every login, even the right password, for a delay that doubles with "
            "each further failure; this ends it at once. Unknown usernames are accepted "
            "and answered `wasLocked: false`.",
            write=True,
            route="transport.unlock",
        ),
        ClientEventSpec(
            ClientEvent.TIES_DECIDE,
            p.TieDecisionCreate,
            e.TieDecision,
            frozenset({_T}),
            "Record the order (best first) of contestants whose totals stay equal, with a "
            "reason; the `manual` tie-break uses the newest decision naming every member of a "
            "tied group. Tally masters of the category; only where the rules list `manual` "
            "and the named contestants' totals are equal (`precondition_failed` otherwise). "
            "Idempotent on `clientId`.",
            emits=(ServerEvent.TIES_DECIDED,),
            errors=(
                ErrorCode.NOT_FOUND,
                ErrorCode.CONFLICT,
                ErrorCode.LOCKED,
                ErrorCode.PRECONDITION_FAILED,
            ),
            write=True,
            route="scoring_reviews.decide_tie",
        ),
        ClientEventSpec(
            ClientEvent.OUTLIERS_REVIEW,
            p.OutlierReviewCreate,
            e.OutlierReview,
            frozenset({_T}),
            "Review a flagged score: `clear` it with a note (the flag closes for this version "
            "of the score) or `ask_judge` (the judge gets a notification; the flag stays "
            "open). Tally masters of the category. A tally master cannot sign while flags "
            "are open. Idempotent on `clientId`.",
            emits=(ServerEvent.OUTLIERS_REVIEWED, ServerEvent.NOTIFICATION),
            errors=(
                ErrorCode.NOT_FOUND,
                ErrorCode.CONFLICT,
                ErrorCode.LOCKED,
            ),
            write=True,
            route="scoring_reviews.review_outlier",
        ),
        ClientEventSpec(
            ClientEvent.AUDIT_HISTORY,
            au.AuditQuery,
            au.AuditPage,
            ALL_ROLES,
            "The audit trail: every recorded write (who, when, action, entity, old → new, "
            "reason, the write's `clientId`), oldest first, filtered by category, contest, "
            "user (who wrote it or whom it concerns), entity (one score's history) or action. "
            "Judges get only their own entries; tally masters only those of their "
            "categories; auditors, board, organizers and admins everything. `more` says "
            "older entries remain (page with `beforeId`).",
            route="history.audit_history",
        ),
        ClientEventSpec(
            ClientEvent.SHEET_REOPEN_REQUEST,
            ro.ReopenRequestCreate,
            ro.ReopenRequest,
            frozenset({_J}),
            "A judge who signed asks to reopen their sheet of a category, with a reason. "
            "Idempotent on `clientId`. The category's tally masters (and admins once it is "
            "certified) get a `notification`. `precondition_failed` if the caller has not "
            "signed; `conflict` if a request is already pending.",
            emits=(ServerEvent.NOTIFICATION,),
            errors=(ErrorCode.NOT_FOUND, ErrorCode.CONFLICT, ErrorCode.PRECONDITION_FAILED),
            write=True,
            route="reopen.request_reopen",
        ),
        ClientEventSpec(
            ClientEvent.SHEET_REOPEN_DECIDE,
            ro.ReopenDecision,
            ro.ReopenRequest,
            frozenset({_T, _AD}),
            "Approve or reject a pending reopen request (tally master of the category, or an "
            "admin); the judge gets a `notification`. Approval removes the judge's sign-off "
            "(its receipt is superseded, kept in the audit trail) and every sign-off after "
            "the judges' step, unpublishes the results, and emits `certification:updated`; "
            "from then on each score change of that judge in the category needs a `reason`. "
            "Once the category is CERTIFIED only an admin may approve (`locked` for a tally "
            "master), with `note` as the recorded reason (`validation_error` without it).",
            emits=(ServerEvent.CERTIFICATION_UPDATED, ServerEvent.NOTIFICATION),
            errors=(ErrorCode.NOT_FOUND, ErrorCode.CONFLICT, ErrorCode.LOCKED),
            write=True,
            route="reopen.decide_reopen",
        ),
        ClientEventSpec(
            ClientEvent.SHEET_REOPEN_LIST,
            ro.ReopenListRequest,
            ro.ReopenList,
            ALL_ROLES,
            "Reopen requests the caller may see (a judge: their own; a tally master: their "
            "categories'; venue-wide roles: all), oldest first.",
            route="reopen.list_reopens",
        ),
        ClientEventSpec(
            ClientEvent.PAPER_SUBMIT,
            pp.PaperSheetSubmit,
            pp.PaperSheet,
            frozenset({_T}),
            "A tally master of the category types in a judge's paper sheet (the judge must be "
            "on the panel and not have signed). Stored as PENDING and recorded in the audit "
            "trail as entered from paper; it counts only once a second person confirms it. "
            "Idempotent on `clientId`. Tally masters of the category and auditors get a "
            "`notification`.",
            emits=(ServerEvent.NOTIFICATION,),
            errors=(ErrorCode.NOT_FOUND, ErrorCode.CONFLICT, ErrorCode.LOCKED),
            write=True,
            route="paper.submit_paper",
        ),
        ClientEventSpec(
            ClientEvent.PAPER_DECIDE,
            pp.PaperSheetDecision,
            pp.PaperSheet,
            frozenset({_T, _A, _AD}),
            "Confirm or reject a pending paper sheet: a tally master of the category, an "
            "auditor or an admin, never the person who entered it (`forbidden`). "
            "Confirmation writes every box as the judge's score (audited with who entered and "
            "who confirmed) and emits `scores:updated`; the enterer and the judge get a "
            "`notification`.",
            emits=(ServerEvent.SCORES_UPDATED, ServerEvent.NOTIFICATION),
            errors=(ErrorCode.NOT_FOUND, ErrorCode.CONFLICT, ErrorCode.LOCKED),
            write=True,
            route="paper.decide_paper",
        ),
        ClientEventSpec(
            ClientEvent.PAPER_LIST,
            pp.PaperListRequest,
            pp.PaperSheetList,
            frozenset({_T, _A, _B, _O, _AD}),
            "Paper sheets the caller may see (tally masters: their categories'), oldest first.",
            route="paper.list_paper",
        ),
        *SETUP_EVENTS,
    )
}

SERVER_EVENTS: dict[ServerEvent, ServerEventSpec] = {
    s.name: s
    for s in (
        ServerEventSpec(
            ServerEvent.SCORES_UPDATED,
            e.Score,
            "The judge who wrote it (whole; other judges get nothing); "
            "tally masters of the category, auditors, board, organizers, admins (whole).",
            "A score was created or changed.",
            masked=True,
        ),
        ServerEventSpec(
            ServerEvent.SCORES_DELETED,
            e.ScoreDeleted,
            "Everyone who may see the category's scores (a judge: only of their own scores).",
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
            ServerEvent.TIES_DECIDED,
            e.TieDecision,
            "Tally masters of the category, auditors, board, organizers, admins.",
            "A manual tie-break order was recorded.",
        ),
        ServerEventSpec(
            ServerEvent.OUTLIERS_REVIEWED,
            e.OutlierReview,
            "Tally masters of the category, auditors, board, organizers, admins.",
            "A flagged score was cleared or its judge was asked to check it.",
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
            ServerEvent.SETUP_CHANGED,
            su.SetupChanged,
            "Everyone (`all`).",
            "The competition set-up, an account or an assignment changed; `changes` says what "
            "in words. Clients call `sync` to get the new state (the user's rooms were already "
            "moved).",
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
