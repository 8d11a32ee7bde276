"""Event names: the only place a Socket.IO event name is spelled out.

Names follow the seed's event table; flows the seed leaves implicit (approvals,
locking, publishing, sign-off) get names in the same ``noun:verb`` style.
"""

from enum import StrEnum


class ClientEvent(StrEnum):
    """Events a client emits (always with an acknowledgement callback)."""

    SYNC = "sync"
    SCORES_SUBMIT = "scores:submit"
    SCORES_SUBMIT_BATCH = "scores:submit-batch"
    SCORES_REQUEST = "scores:request"
    TOTALS_REQUEST = "totals:request"
    SCORE_REMOVAL_REQUESTED = "score:removal-requested"
    SCORE_REMOVAL_DECIDE = "score:removal-decide"
    DEDUCTION_REQUESTED = "deduction:requested"
    DEDUCTION_DECIDE = "deduction:decide"
    ASSIGNMENT_CREATED = "assignment:created"
    ASSIGNMENT_REMOVED = "assignment:removed"
    CERTIFICATION_SIGN = "certification:sign"
    CONTEST_LOCK = "contest:lock"
    RESULTS_PUBLISH = "results:publish"
    SYSTEM_ANNOUNCEMENT = "system:announcement"
    NOTIFICATION_READ = "notification:read"
    USER_ACTIVE = "user:active"
    AUTH_RENEW = "auth:renew"


class ServerEvent(StrEnum):
    """Events the server emits; every payload carries ``seq`` (``error`` excepted)."""

    SCORES_UPDATED = "scores:updated"
    SCORES_DELETED = "scores:deleted"
    SCORES_DATA = "scores:data"
    CERTIFICATION_UPDATED = "certification:updated"
    NOTIFICATION = "notification"
    SYSTEM_ANNOUNCEMENT = "system:announcement"
    CONTEST_LOCKED = "contest:locked"
    RESULTS_PUBLISHED = "results:published"
    DEDUCTION_PENDING = "deduction:pending"
    DEDUCTION_DECIDED = "deduction:decided"
    ASSIGNMENT_NEW = "assignment:new"
    ASSIGNMENT_REVOKED = "assignment:revoked"
    SCORE_REMOVAL_PENDING = "score:removal-pending"
    SCORE_REMOVAL_DECIDED = "score:removal-decided"
    PRESENCE_UPDATED = "presence:updated"
    SCORES_REFUSED = "scores:refused"
    ERROR = "error"
