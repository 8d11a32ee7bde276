"""A valid payload for every client event, built against the demo layout.

"Valid" means it passes the event's payload model; whether the server then accepts it
depends on the caller and the state (the authorization matrix only needs the model to
pass so the role check is what decides).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from scoring_console.protocol import CLIENT_EVENTS, ClientEvent
from tests.helpers.sio_client import new_client_id
from tests.server.integration.conftest import Layout

UNKNOWN_ID = 10**6
"""An id no demo object has."""


@dataclass
class Refs:
    """Ids of existing objects that some payloads refer to."""

    score_id: int = 1
    removal_id: int = 1
    deduction_id: int = 1
    notification_id: int = 1


def valid_payload(event: ClientEvent, layout: Layout, refs: Refs) -> Any:
    """A payload of ``event`` that its model accepts."""
    cat1 = layout.cat1
    contestant, criterion = cat1.cells[0]
    score = {
        "clientId": new_client_id(),
        "categoryId": cat1.id,
        "contestantId": contestant,
        "criterionId": criterion,
        "score": 5.0,
    }
    payloads: dict[ClientEvent, Any] = {
        ClientEvent.SYNC: {},
        ClientEvent.SCORES_SUBMIT: score,
        ClientEvent.SCORES_SUBMIT_BATCH: {"entries": [dict(score, clientId=new_client_id())]},
        ClientEvent.SCORES_REQUEST: {"categoryId": cat1.id},
        ClientEvent.TOTALS_REQUEST: {"categoryId": cat1.id},
        ClientEvent.SCORE_REMOVAL_REQUESTED: {
            "clientId": new_client_id(),
            "scoreId": refs.score_id,
            "reason": "matrix",
        },
        ClientEvent.SCORE_REMOVAL_DECIDE: {
            "requestId": refs.removal_id,
            "approve": False,
            "note": "matrix",
        },
        ClientEvent.DEDUCTION_REQUESTED: {
            "clientId": new_client_id(),
            "categoryId": cat1.id,
            "contestantId": contestant,
            "amount": 0.5,
            "reason": "matrix",
        },
        ClientEvent.DEDUCTION_DECIDE: {"deductionId": refs.deduction_id, "approve": False},
        ClientEvent.ASSIGNMENT_CREATED: {
            "userId": layout.user_ids["judge5"],
            "categoryId": layout.cat3.id,
        },
        ClientEvent.ASSIGNMENT_REMOVED: {
            "userId": layout.user_ids["judge5"],
            "categoryId": layout.cat3.id,
        },
        ClientEvent.CERTIFICATION_SIGN: {"clientId": new_client_id(), "categoryId": cat1.id},
        ClientEvent.CONTEST_LOCK: {"contestId": layout.contest2, "locked": False},
        ClientEvent.RESULTS_PUBLISH: {"categoryId": cat1.id},
        ClientEvent.SYSTEM_ANNOUNCEMENT: {"message": "matrix announcement", "type": "info"},
        ClientEvent.NOTIFICATION_READ: {"ids": [refs.notification_id]},
        ClientEvent.USER_ACTIVE: {"pendingCount": 0},
        ClientEvent.TIES_DECIDE: {
            "clientId": new_client_id(),
            "categoryId": cat1.id,
            "contestantIds": cat1.contestant_ids[:2],
            "reason": "matrix",
        },
        ClientEvent.OUTLIERS_REVIEW: {
            "clientId": new_client_id(),
            "categoryId": cat1.id,
            "contestantId": contestant,
            "criterionId": criterion,
            "judgeId": layout.user_ids["judge1"],
            "action": "clear",
            "note": "matrix",
        },
        # well-formed but not a token of the caller: refused (unauthenticated), session kept
        ClientEvent.AUTH_RENEW: {"token": "not.a.token"},
        ClientEvent.ACCOUNT_UNLOCK: {"username": "judge5"},
        ClientEvent.AUDIT_HISTORY: {"categoryId": cat1.id},
        ClientEvent.SHEET_REOPEN_REQUEST: {
            "clientId": new_client_id(),
            "categoryId": cat1.id,
            "reason": "matrix",
        },
        ClientEvent.SHEET_REOPEN_DECIDE: {"requestId": 1, "approve": False},
        ClientEvent.SHEET_REOPEN_LIST: {},
        ClientEvent.PAPER_SUBMIT: {
            "clientId": new_client_id(),
            "categoryId": cat1.id,
            "judgeId": layout.user_ids["judge1"],
            "entries": [{"contestantId": contestant, "criterionId": criterion, "score": 5.0}],
        },
        # a sheet nobody entered: the enterer may not decide their own (forbidden by rule)
        ClientEvent.PAPER_DECIDE: {"sheetId": 999, "approve": False},
        ClientEvent.PAPER_LIST: {},
        # set-up events: harmless for the other tests sharing the server (no-ops, new
        # objects, or unknown ids answered with not_found)
        ClientEvent.ACCOUNT_CREATE: {
            "username": f"matrix-{new_client_id()[:8]}",
            "name": "Matrix Judge",
            "role": "JUDGE",
        },
        ClientEvent.ACCOUNT_UPDATE: {"userId": layout.user_ids["judge5"], "name": "Sofia Rossi"},
        ClientEvent.ACCOUNT_RESET_PASSWORD: {"userId": UNKNOWN_ID},
        ClientEvent.ACCOUNT_SET_ACTIVE: {"userId": layout.user_ids["judge5"], "active": True},
        ClientEvent.ACCOUNT_LIST: {},
        ClientEvent.EVENT_SAVE: {"name": "Riverside Performing Arts Festival 2026"},
        ClientEvent.CONTEST_SAVE: {"id": layout.contest2, "eventId": UNKNOWN_ID, "name": "X"},
        ClientEvent.CATEGORY_SAVE: {
            "contestId": UNKNOWN_ID,
            "name": "Matrix",
            "criteria": [{"name": "Skill", "maxScore": 10}],
        },
        ClientEvent.CONTESTANT_SAVE: {"number": 9001, "name": "Matrix Contestant"},
        ClientEvent.CATEGORY_CONTESTANTS: {
            "categoryId": layout.cat3.id,
            "contestantIds": layout.cat3.contestant_ids,
        },
        ClientEvent.SETUP_DELETE: {"kind": "contestant", "id": UNKNOWN_ID},
        ClientEvent.COMPETITION_IMPORT: {
            "file": {"event": {"name": "Matrix Event"}},
            "dryRun": True,
        },
        ClientEvent.COMPETITION_EXPORT: {"eventName": "Riverside Performing Arts Festival 2026"},
    }
    payload = payloads[event]
    # the builder is only useful if its payloads really are valid
    CLIENT_EVENTS[event].payload.model_validate_json(json.dumps(payload))
    return payload
