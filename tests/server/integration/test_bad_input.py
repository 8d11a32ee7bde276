"""Hypothesis-generated payloads for every client event, over one live connection.

Arbitrary JSON (None, huge and negative numbers, NaN/Infinity — Python's ``json``
writes them and the server's ``json`` reads them —, strings, nested containers with
random keys) and mutations of valid payloads. The server must answer each with a typed
ack — ``{ok: true, data}`` valid against the event's ack model, or ``{ok: false,
error: {code ∈ ErrorCode}}`` — never crash, never drop the connection.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
import pytest_asyncio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoring_console.protocol import CLIENT_EVENTS, ClientEvent, ErrorCode, Role
from scoring_console.protocol.entities import Category, Score, TieDecision
from scoring_console.protocol.scoring import compute_category, manual_orders
from tests.helpers.sio_client import SioClient
from tests.server.integration.conftest import DEMO_USERS, Layout, Live
from tests.server.integration.payloads import Refs, valid_payload

pytestmark = pytest.mark.asyncio(loop_scope="module")

CODES = {c.value for c in ErrorCode}

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([0, -1, 1, 2**53, 2**53 + 1, 2**63, -(2**63) - 1, 10**30]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([math.nan, math.inf, -math.inf, 1e308, -0.0, 5e-324]),
    st.text(max_size=40),
    st.binary(max_size=16),  # python-socketio sends bytes as a binary attachment
    st.sampled_from(["", " ", "1", "null", "NaN", "x" * 5000, "\x00", "category:1", "🎉"]),
)
json_values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=5),
        st.dictionaries(st.text(max_size=12), children, max_size=5),
    ),
    max_leaves=20,
)


@dataclass
class Fuzz:
    """One live connection per role (the event's first allowed role is used)."""

    clients: dict[Role, SioClient]
    layout: Layout
    refs: Refs


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def fuzz(shared_live: Live) -> AsyncIterator[Fuzz]:
    layout = await shared_live.layout()
    clients = {Role(role): await shared_live.connect(name) for role, name in DEMO_USERS.items()}
    yield Fuzz(clients, layout, Refs())


def _caller(event: ClientEvent) -> Role:
    roles = CLIENT_EVENTS[event].roles
    for role in (Role.JUDGE, Role.TALLY_MASTER, Role.ADMIN, Role.ORGANIZER, Role.BOARD):
        if role in roles:
            return role
    return next(iter(roles))


@st.composite
def mutated(draw: st.DrawFn, base: dict[str, Any]) -> Any:
    """A valid payload with one field replaced, removed, or an unknown field added."""
    payload = dict(base)
    keys = sorted(payload)
    action = draw(st.sampled_from(["replace", "drop", "add", "wrap", "nested"]))
    if action == "replace" and keys:
        payload[draw(st.sampled_from(keys))] = draw(json_values)
    elif action == "drop" and keys:
        payload.pop(draw(st.sampled_from(keys)))
    elif action == "add":
        payload[draw(st.text(min_size=1, max_size=12))] = draw(json_values)
    elif action == "wrap":
        return draw(st.sampled_from([[payload], {"data": payload}, (payload, payload)]))
    elif action == "nested" and keys:
        key = draw(st.sampled_from(keys))
        payload[key] = {"value": payload[key], "$gt": draw(json_values)}
    return payload


def _check_ack(event: ClientEvent, payload: Any, ack: Any) -> None:
    assert isinstance(ack, dict) and isinstance(ack.get("ok"), bool), (event, payload, ack)
    if ack["ok"]:
        spec = CLIENT_EVENTS[event]
        if spec.ack is not None:
            spec.ack.model_validate(ack["data"])
    else:
        error = ack.get("error")
        assert isinstance(error, dict), ack
        assert error.get("code") in CODES, (event, payload, ack)
        assert isinstance(error.get("message"), str), ack
        assert error["code"] != "internal", f"server fault on {event} {payload!r}: {ack}"


@pytest.mark.parametrize("event", list(CLIENT_EVENTS), ids=[e.value for e in CLIENT_EVENTS])
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)
@given(data=st.data())
async def test_arbitrary_payloads_get_a_typed_ack(
    fuzz: Fuzz, event: ClientEvent, data: st.DataObject
) -> None:
    client = fuzz.clients[_caller(event)]
    base = valid_payload(event, fuzz.layout, fuzz.refs)
    strategy: st.SearchStrategy[Any] = json_values
    if isinstance(base, dict) and base:
        strategy = st.one_of(json_values, mutated(base))
    payload = data.draw(strategy, label="payload")
    ack = await client.call(event.value, payload, timeout=10)
    _check_ack(event, payload, ack)


# --- well-formed payloads with random references: exercise the service rules ---------

ids = st.integers(min_value=1, max_value=14)
CLIENT_ID_POOL = [f"00000000-0000-4000-8000-{i:012d}" for i in range(6)]
client_ids = st.one_of(st.sampled_from(CLIENT_ID_POOL), st.uuids().map(str))
reasons = st.text(min_size=1, max_size=30).filter(lambda t: t.strip() != "")
unknown_ids = st.integers(min_value=10_000, max_value=10_010)


def _entry() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {
            "clientId": client_ids,
            "categoryId": ids,
            "contestantId": ids,
            "criterionId": ids,
            "score": st.floats(min_value=0, max_value=12, allow_nan=False),
        },
        optional={"comment": st.one_of(st.none(), st.text(max_size=20))},
    )


WELL_FORMED: dict[ClientEvent, st.SearchStrategy[Any]] = {
    ClientEvent.SYNC: st.sampled_from([None, {}]),
    ClientEvent.SCORES_SUBMIT: _entry(),
    ClientEvent.SCORES_SUBMIT_BATCH: st.fixed_dictionaries(
        {"entries": st.lists(_entry(), min_size=1, max_size=6)}
    ),
    ClientEvent.SCORES_REQUEST: st.one_of(ids, st.fixed_dictionaries({"categoryId": ids})),
    ClientEvent.TOTALS_REQUEST: st.fixed_dictionaries({"categoryId": ids}),
    ClientEvent.SCORE_REMOVAL_REQUESTED: st.fixed_dictionaries(
        {"clientId": client_ids, "scoreId": ids, "reason": reasons}
    ),
    ClientEvent.SCORE_REMOVAL_DECIDE: st.fixed_dictionaries(
        {"requestId": ids, "approve": st.booleans()}
    ),
    ClientEvent.DEDUCTION_REQUESTED: st.fixed_dictionaries(
        {
            "clientId": client_ids,
            "categoryId": ids,
            "contestantId": ids,
            "amount": st.floats(min_value=0.01, max_value=50, allow_nan=False),
            "reason": reasons,
        }
    ),
    ClientEvent.DEDUCTION_DECIDE: st.fixed_dictionaries(
        {"deductionId": ids, "approve": st.booleans()}
    ),
    ClientEvent.ASSIGNMENT_CREATED: st.fixed_dictionaries({"userId": ids, "categoryId": ids}),
    ClientEvent.ASSIGNMENT_REMOVED: st.fixed_dictionaries({"userId": ids, "categoryId": ids}),
    ClientEvent.CERTIFICATION_SIGN: st.fixed_dictionaries(
        {"clientId": client_ids, "categoryId": ids}
    ),
    ClientEvent.CONTEST_LOCK: st.fixed_dictionaries({"contestId": ids, "locked": st.booleans()}),
    ClientEvent.RESULTS_PUBLISH: st.fixed_dictionaries({"categoryId": ids}),
    ClientEvent.SYSTEM_ANNOUNCEMENT: st.fixed_dictionaries(
        {"message": reasons, "type": st.sampled_from(["info", "success", "warning", "error"])},
        optional={"contestId": ids},
    ),
    ClientEvent.NOTIFICATION_READ: st.fixed_dictionaries(
        {"ids": st.lists(ids, min_size=1, max_size=5)}
    ),
    ClientEvent.USER_ACTIVE: st.fixed_dictionaries(
        {"pendingCount": st.integers(min_value=0, max_value=1000)}
    ),
    ClientEvent.AUTH_RENEW: st.fixed_dictionaries({"token": st.text(min_size=1, max_size=200)}),
    # set-up: accounts by unknown ids only (the module's demo users must stay usable)
    ClientEvent.ACCOUNT_CREATE: st.fixed_dictionaries(
        {
            "username": st.from_regex(r"[a-z][a-z0-9_.@-]{0,20}", fullmatch=True),
            "name": reasons,
            "role": st.sampled_from([r.value for r in Role]),
        },
        optional={"password": st.text(min_size=8, max_size=20)},
    ),
    ClientEvent.ACCOUNT_UPDATE: st.fixed_dictionaries(
        {"userId": unknown_ids},
        optional={"name": reasons, "role": st.sampled_from([r.value for r in Role])},
    ),
    ClientEvent.ACCOUNT_RESET_PASSWORD: st.fixed_dictionaries({"userId": unknown_ids}),
    ClientEvent.ACCOUNT_SET_ACTIVE: st.fixed_dictionaries(
        {"userId": unknown_ids, "active": st.booleans()}
    ),
    ClientEvent.ACCOUNT_LIST: st.just({}),
    ClientEvent.EVENT_SAVE: st.fixed_dictionaries(
        {"name": reasons}, optional={"id": ids, "date": st.text(max_size=10)}
    ),
    ClientEvent.CONTEST_SAVE: st.fixed_dictionaries(
        {"eventId": ids, "name": reasons}, optional={"id": ids}
    ),
    ClientEvent.CATEGORY_SAVE: st.fixed_dictionaries(
        {
            "contestId": ids,
            "name": reasons,
            "criteria": st.lists(
                st.fixed_dictionaries(
                    {"name": reasons, "maxScore": st.floats(min_value=0.5, max_value=20)},
                    optional={"id": ids},
                ),
                min_size=1,
                max_size=4,
            ),
        },
        optional={"id": ids},
    ),
    ClientEvent.CONTESTANT_SAVE: st.fixed_dictionaries(
        {"number": st.integers(min_value=0, max_value=400), "name": reasons},
        optional={"id": ids},
    ),
    ClientEvent.CATEGORY_CONTESTANTS: st.fixed_dictionaries(
        {"categoryId": ids, "contestantIds": st.lists(ids, max_size=8)}
    ),
    ClientEvent.SETUP_DELETE: st.fixed_dictionaries(
        {
            "kind": st.sampled_from(["event", "contest", "category", "contestant"]),
            "id": st.one_of(ids, unknown_ids),
        }
    ),
    ClientEvent.COMPETITION_IMPORT: st.fixed_dictionaries(
        {
            "file": st.fixed_dictionaries(
                {
                    "event": st.fixed_dictionaries({"name": reasons}),
                    "contests": st.lists(st.fixed_dictionaries({"name": reasons}), max_size=2),
                }
            ),
            "dryRun": st.booleans(),
        }
    ),
    ClientEvent.COMPETITION_EXPORT: st.fixed_dictionaries({}, optional={"eventName": reasons}),
    ClientEvent.ACCOUNT_UNLOCK: st.fixed_dictionaries(
        {"username": st.text(min_size=1, max_size=200)}
    ),
    ClientEvent.TIES_DECIDE: st.fixed_dictionaries(
        {
            "clientId": client_ids,
            "categoryId": ids,
            "contestantIds": st.lists(ids, min_size=2, max_size=4, unique=True),
            "reason": reasons,
        }
    ),
    ClientEvent.OUTLIERS_REVIEW: st.fixed_dictionaries(
        {
            "clientId": client_ids,
            "categoryId": ids,
            "contestantId": ids,
            "criterionId": ids,
            "judgeId": ids,
            "action": st.sampled_from(["clear", "ask_judge"]),
            "note": reasons,
        }
    ),
    ClientEvent.AUDIT_HISTORY: st.fixed_dictionaries(
        {},
        optional={
            "categoryId": ids,
            "userId": ids,
            "entityKind": st.sampled_from(["score", "contest", "x"]),
            "entityId": st.text(max_size=10),
            "beforeId": ids,
            "limit": st.integers(min_value=1, max_value=50),
        },
    ),
    ClientEvent.SHEET_REOPEN_REQUEST: st.fixed_dictionaries(
        {"clientId": client_ids, "categoryId": ids, "reason": reasons}
    ),
    ClientEvent.SHEET_REOPEN_DECIDE: st.fixed_dictionaries(
        {"requestId": ids, "approve": st.booleans()}
    ),
    ClientEvent.SHEET_REOPEN_LIST: st.fixed_dictionaries({}, optional={"categoryId": ids}),
    ClientEvent.PAPER_SUBMIT: st.fixed_dictionaries(
        {
            "clientId": client_ids,
            "categoryId": ids,
            "judgeId": ids,
            "entries": st.lists(
                st.fixed_dictionaries(
                    {
                        "contestantId": ids,
                        "criterionId": ids,
                        "score": st.floats(min_value=0, max_value=20, allow_nan=False),
                    }
                ),
                min_size=1,
                max_size=4,
            ),
        }
    ),
    ClientEvent.PAPER_DECIDE: st.fixed_dictionaries({"sheetId": ids, "approve": st.booleans()}),
    ClientEvent.PAPER_LIST: st.fixed_dictionaries({}, optional={"categoryId": ids}),
}

ALLOWED = [
    (event, role) for event, spec in CLIENT_EVENTS.items() for role in Role if role in spec.roles
]


@pytest.mark.parametrize(
    ("event", "role"), ALLOWED, ids=[f"{e.value}-{r.value}" for e, r in ALLOWED]
)
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)
@given(data=st.data())
async def test_well_formed_payloads_with_random_references_never_fault(
    fuzz: Fuzz, event: ClientEvent, role: Role, data: st.DataObject
) -> None:
    payload = data.draw(WELL_FORMED[event], label="payload")
    ack = await fuzz.clients[role].call(event.value, payload, timeout=10)
    _check_ack(event, payload, ack)
    if not ack["ok"]:
        assert ack["error"]["code"] != "forbidden" or event in {
            ClientEvent.SCORES_SUBMIT,
            ClientEvent.SCORES_SUBMIT_BATCH,
            ClientEvent.SCORE_REMOVAL_REQUESTED,
            ClientEvent.DEDUCTION_REQUESTED,
            ClientEvent.DEDUCTION_DECIDE,
            ClientEvent.CERTIFICATION_SIGN,
            ClientEvent.SCORES_REQUEST,
            ClientEvent.TOTALS_REQUEST,
            ClientEvent.TIES_DECIDE,
            ClientEvent.OUTLIERS_REVIEW,
            ClientEvent.SHEET_REOPEN_REQUEST,
            ClientEvent.SHEET_REOPEN_DECIDE,
            ClientEvent.PAPER_SUBMIT,
            ClientEvent.PAPER_DECIDE,
            ClientEvent.ACCOUNT_CREATE,  # the organizer rule: judges and tally masters only
        }, f"{role} refused by role for {event}: {ack}"


# --- after all the fuzzing ---------------------------------------------------------


@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
async def test_connections_survive_the_fuzzing(fuzz: Fuzz, role: Role) -> None:
    client = fuzz.clients[role]
    assert client.connected
    snap = await client.sync()
    assert snap["user"]["role"] == role.value


async def test_oversized_payload_is_refused_without_killing_the_server(
    fuzz: Fuzz, shared_live: Live
) -> None:
    """A payload above the size limit may drop that connection, but the server lives."""
    victim = await shared_live.connect("judge2")
    payload = {"message": "x" * (200 * 1024)}
    call = asyncio.ensure_future(victim.call("system:announcement", payload, timeout=10))
    dropped = asyncio.ensure_future(victim.disconnected.wait())
    done, _ = await asyncio.wait({call, dropped}, return_when=asyncio.FIRST_COMPLETED)
    ack = call.result() if call in done else None
    for task in (call, dropped):
        task.cancel()
    assert ack is not None or not victim.connected
    if ack is not None:
        _check_ack(ClientEvent.SYSTEM_ANNOUNCEMENT, "<200 KiB>", ack)
        assert ack["ok"] is False
    other = fuzz.clients[Role.TALLY_MASTER]
    assert (await other.sync())["user"]["role"] == "TALLY_MASTER"
    fresh = await shared_live.connect("judge3", fresh_login=True)
    assert (await fresh.sync())["user"]["username"] == "judge3"


async def test_totals_still_follow_the_ranking_rule_after_fuzzing(fuzz: Fuzz) -> None:
    """Whatever the fuzzing did, totals follow the category's rules over panel scores.

    The panel is the category's current JUDGE assignments: scores of a judge the
    fuzzing took off the panel stay on record but do not count.
    """
    admin = fuzz.clients[Role.ADMIN]
    snap = await admin.sync()
    assert snap["scores"], "the well-formed fuzzing stored no score at all"
    for category in snap["categories"]:
        cid = category["id"]
        data = await admin.ok("totals:request", {"categoryId": cid})
        panel = {
            a["userId"]
            for a in snap["assignments"]
            if a["categoryId"] == cid and a["role"] == "JUDGE"
        }
        expected = compute_category(
            Category.model_validate(category),
            panel,
            [Score.model_validate(s) for s in snap["scores"] if s["categoryId"] == cid],
            [
                (d["contestantId"], d["amount"])
                for d in snap["deductions"]
                if d["categoryId"] == cid and d["status"] == "APPROVED"
            ],
            manual_orders([TieDecision.model_validate(d) for d in snap["tieDecisions"]], cid),
        ).ranked_totals()
        assert data["totals"] == [t.to_wire() for t in expected], cid
