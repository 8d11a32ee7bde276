"""Account administration through the router: the organizer rule, one-time passwords that
must be changed, deactivation, role changes, and the transport effects they cause."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel

from scoring_console.protocol import CLIENT_EVENTS, ClientEvent
from scoring_console.server.service import Broadcast, Conflict, Forbidden, Outcome, RoomChange
from tests.server.unit.conftest import Demo


def call(demo: Demo, who: str, event: ClientEvent, payload: dict[str, Any]) -> Outcome[Any]:
    model: BaseModel = CLIENT_EVENTS[event].payload.model_validate(payload)
    return demo.service.dispatch(demo.actor(who), event, model)


def test_created_account_gets_a_one_time_password_that_must_be_changed(demo: Demo) -> None:
    created = call(
        demo,
        "organizer1",
        ClientEvent.ACCOUNT_CREATE,
        {"username": "newjudge", "name": "New Judge", "role": "JUDGE"},
    )
    secret = created.result
    assert secret.password is not None and len(secret.password) == 12
    assert secret.account.must_change_password and secret.account.active
    assert demo.service.accounts.authenticate("newjudge", secret.password) is not None
    assert demo.service.accounts.must_change_password(secret.account.id)
    demo.service.accounts.change_password(secret.account.id, "my-own-password")
    assert not demo.service.accounts.must_change_password(secret.account.id)
    assert any(isinstance(e, Broadcast) and e.event == "setup:changed" for e in created.effects)


def test_given_password_is_not_shown_back_and_need_not_be_changed(demo: Demo) -> None:
    secret = call(
        demo,
        "admin",
        ClientEvent.ACCOUNT_CREATE,
        {
            "username": "aud2",
            "name": "Second Auditor",
            "role": "AUDITOR",
            "password": "long-enough",
        },
    ).result
    assert secret.password is None and not secret.account.must_change_password


def test_organizers_manage_judges_and_tally_masters_only(demo: Demo) -> None:
    with pytest.raises(Forbidden, match="organizers manage judges and tally masters only"):
        call(
            demo,
            "organizer1",
            ClientEvent.ACCOUNT_CREATE,
            {"username": "boss", "name": "Boss", "role": "ADMIN"},
        )
    auditor = demo.actor("auditor1").user_id
    with pytest.raises(Forbidden):
        call(
            demo, "organizer1", ClientEvent.ACCOUNT_SET_ACTIVE, {"userId": auditor, "active": False}
        )
    with pytest.raises(Forbidden):
        call(
            demo,
            "organizer1",
            ClientEvent.ACCOUNT_UPDATE,
            {"userId": demo.actor("judge5").user_id, "role": "BOARD"},
        )
    # but an admin may
    call(demo, "admin", ClientEvent.ACCOUNT_SET_ACTIVE, {"userId": auditor, "active": False})
    assert demo.service.accounts.get_user(auditor) is None


def test_reset_password_revokes_tokens_and_must_be_changed(demo: Demo) -> None:
    judge = demo.actor("judge2").user_id
    reset = call(demo, "organizer1", ClientEvent.ACCOUNT_RESET_PASSWORD, {"userId": judge}).result
    assert reset.password and reset.account.must_change_password
    assert demo.service.accounts.authenticate("judge2", "demo") is None
    assert demo.service.accounts.authenticate("judge2", reset.password) is not None
    with pytest.raises(Forbidden):
        call(
            demo,
            "organizer1",
            ClientEvent.ACCOUNT_RESET_PASSWORD,
            {"userId": demo.actor("admin").user_id},
        )


def test_deactivate_and_reactivate(demo: Demo) -> None:
    judge = demo.actor("judge3").user_id
    off = call(
        demo, "organizer1", ClientEvent.ACCOUNT_SET_ACTIVE, {"userId": judge, "active": False}
    )
    assert off.result.account.active is False
    assert demo.service.accounts.authenticate("judge3", "demo") is None
    on = call(demo, "organizer1", ClientEvent.ACCOUNT_SET_ACTIVE, {"userId": judge, "active": True})
    assert (
        on.result.account.active
        and demo.service.accounts.authenticate("judge3", "demo") is not None
    )
    same = call(
        demo, "organizer1", ClientEvent.ACCOUNT_SET_ACTIVE, {"userId": judge, "active": True}
    )
    assert same.effects == []


def test_nobody_deactivates_or_demotes_themselves(demo: Demo) -> None:
    me = demo.actor("admin").user_id
    with pytest.raises(Forbidden, match="your own account"):
        call(demo, "admin", ClientEvent.ACCOUNT_SET_ACTIVE, {"userId": me, "active": False})
    with pytest.raises(Forbidden, match="your own role"):
        call(demo, "admin", ClientEvent.ACCOUNT_UPDATE, {"userId": me, "role": "JUDGE"})


def test_rename_and_role_change_of_an_unassigned_user(demo: Demo) -> None:
    created = call(
        demo,
        "admin",
        ClientEvent.ACCOUNT_CREATE,
        {"username": "flex", "name": "Flex Person", "role": "JUDGE", "password": "flex-password"},
    ).result.account
    changed = call(
        demo,
        "organizer1",
        ClientEvent.ACCOUNT_UPDATE,
        {"userId": created.id, "name": "Flex P.", "role": "TALLY_MASTER"},
    )
    assert (
        changed.result.account.name == "Flex P." and changed.result.account.role == "TALLY_MASTER"
    )
    assert changed.result.account.username == "flex"


def test_role_change_is_refused_while_assigned(demo: Demo) -> None:
    with pytest.raises(Conflict, match="Maria Alvarez is assigned to 2 categories"):
        call(
            demo,
            "admin",
            ClientEvent.ACCOUNT_UPDATE,
            {"userId": demo.actor("judge1").user_id, "role": "TALLY_MASTER"},
        )


def test_taken_username_is_a_conflict_and_list_shows_inactive_accounts(demo: Demo) -> None:
    with pytest.raises(Conflict, match="'judge1' is taken"):
        call(
            demo,
            "admin",
            ClientEvent.ACCOUNT_CREATE,
            {"username": "judge1", "name": "Again", "role": "JUDGE"},
        )
    call(
        demo,
        "admin",
        ClientEvent.ACCOUNT_SET_ACTIVE,
        {"userId": demo.actor("judge4").user_id, "active": False},
    )
    accounts = call(demo, "organizer1", ClientEvent.ACCOUNT_LIST, {}).result.accounts
    judge4 = next(a for a in accounts if a.username == "judge4")
    assert judge4.active is False and len(accounts) == 10


def test_assignment_through_the_router_moves_rooms(demo: Demo) -> None:
    judge5 = demo.actor("judge5").user_id
    outcome = call(
        demo,
        "organizer1",
        ClientEvent.ASSIGNMENT_CREATED,
        {"userId": judge5, "categoryId": demo.cat3.id},
    )
    (move,) = [e for e in outcome.effects if isinstance(e, RoomChange)]
    assert move.user_id == judge5 and f"category:{demo.cat3.id}" in move.join


def test_deactivation_reset_and_role_change_end_the_users_sessions(demo: Demo) -> None:
    from scoring_console.server.service.types import CloseSessions

    judge = demo.actor("judge4").user_id
    flexible = call(
        demo,
        "admin",
        ClientEvent.ACCOUNT_CREATE,
        {"username": "flex2", "name": "Flex Two", "role": "JUDGE", "password": "flex-password"},
    ).result.account.id
    for event, payload in (
        (ClientEvent.ACCOUNT_SET_ACTIVE, {"userId": judge, "active": False}),
        (ClientEvent.ACCOUNT_RESET_PASSWORD, {"userId": demo.actor("judge2").user_id}),
        (ClientEvent.ACCOUNT_UPDATE, {"userId": flexible, "role": "TALLY_MASTER"}),
    ):
        outcome = call(demo, "admin", event, payload)
        closes = [e for e in outcome.effects if isinstance(e, CloseSessions)]
        assert [c.user_id for c in closes] == [payload["userId"]], event
    renamed = call(demo, "admin", ClientEvent.ACCOUNT_UPDATE, {"userId": judge, "name": "Liam O."})
    assert not any(isinstance(e, CloseSessions) for e in renamed.effects)
