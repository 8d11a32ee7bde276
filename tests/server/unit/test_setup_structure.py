"""Set-up events through the router: structure writes, the refusals that protect scores and
signatures (named in people's words), locked contests, and what a write hands the transport."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel

from scoring_console.protocol import CLIENT_EVENTS, ClientEvent, Role, ServerEvent
from scoring_console.protocol.payloads import AssignmentChange, CertificationSign, ContestLock
from scoring_console.protocol.setup import SetupChanged
from scoring_console.server.service import (
    Actor,
    Broadcast,
    Conflict,
    Forbidden,
    Invalid,
    Locked,
    Outcome,
    RoomChange,
)
from tests.server.unit.conftest import Demo, new_client_id


def call(demo: Demo, who: str, event: ClientEvent, payload: dict[str, Any]) -> Outcome[Any]:
    model: BaseModel = CLIENT_EVENTS[event].payload.model_validate(payload)
    return demo.service.dispatch(demo.actor(who), event, model)


def criteria_payload(demo: Demo, **max_by_name: float) -> list[dict[str, Any]]:
    return [
        {"id": c.id, "name": c.name, "maxScore": max_by_name.get(c.name, c.max_score)}
        for c in demo.cat1.criteria
    ]


def test_every_setup_event_is_routed_by_the_catalog(demo: Demo) -> None:
    for event, spec in CLIENT_EVENTS.items():
        area, _, method = spec.route.partition(".")
        if area == "transport":
            continue
        target = demo.service.areas[area]
        assert callable(getattr(target, method)), f"{event}: {spec.route}"


def test_create_contest_category_and_contestant_broadcasts_setup_changed(demo: Demo) -> None:
    snap = demo.service.views.snapshot(demo.actor("admin"))
    event_id = snap.events[0].id
    contest = call(
        demo, "organizer1", ClientEvent.CONTEST_SAVE, {"eventId": event_id, "name": "Finals"}
    )
    category = call(
        demo,
        "organizer1",
        ClientEvent.CATEGORY_SAVE,
        {
            "contestId": contest.result.id,
            "name": "Ballad",
            "criteria": [{"name": "Pitch", "maxScore": 10}, {"name": "Tone", "maxScore": 5}],
        },
    )
    person = call(demo, "admin", ClientEvent.CONTESTANT_SAVE, {"number": 301, "name": "Ada Park"})
    members = call(
        demo,
        "admin",
        ClientEvent.CATEGORY_CONTESTANTS,
        {"categoryId": category.result.id, "contestantIds": [person.result.id]},
    )
    assert members.result.changes == ["contestant 301 Ada Park added to Ballad (Finals)"]
    (changed,) = [e for e in members.effects if isinstance(e, Broadcast)]
    assert changed.event is ServerEvent.SETUP_CHANGED and changed.rooms == ("all",)
    assert isinstance(changed.payload, SetupChanged) and changed.payload.seq > 0
    # venue-wide users' sockets join the new category's rooms at once
    moves = {e.user_id: e for e in category.effects if isinstance(e, RoomChange)}
    admin = demo.actor("admin").user_id
    assert f"category:{category.result.id}" in moves[admin].join
    snap = demo.service.views.snapshot(demo.actor("admin"))
    (ballad,) = [c for c in snap.categories if c.name == "Ballad"]
    assert [(c.name, c.max_score) for c in ballad.criteria] == [("Pitch", 10), ("Tone", 5)]
    assert ballad.contestant_ids == [person.result.id]


def test_saving_the_same_thing_again_changes_nothing_and_broadcasts_nothing(demo: Demo) -> None:
    payload = {
        "id": demo.cat1.id,
        "contestId": demo.cat1.contest_id,
        "name": demo.cat1.name,
        "criteria": criteria_payload(demo),
    }
    again = call(demo, "admin", ClientEvent.CATEGORY_SAVE, payload)
    assert again.result.changes == [] and again.effects == []


def test_removing_a_criterion_with_scores_is_refused_by_name(demo: Demo) -> None:
    judge = demo.actor("judge1")
    demo.service.scores.submit_score(judge, demo.submit(judge, demo.cat1, 0, 0, 7.0))
    first = demo.cat1.criteria[0]
    payload = {
        "id": demo.cat1.id,
        "contestId": demo.cat1.contest_id,
        "name": demo.cat1.name,
        "criteria": criteria_payload(demo)[1:],
    }
    with pytest.raises(Conflict) as refused:
        call(demo, "admin", ClientEvent.CATEGORY_SAVE, payload)
    assert (
        f"criterion '{first.name}' in {demo.cat1.name} (Senior Showcase) has 1 score(s)"
        in refused.value.message
    )
    assert f"category {demo.cat1.id}" not in refused.value.message


def test_max_score_below_an_entered_score_is_refused(demo: Demo) -> None:
    judge = demo.actor("judge1")
    demo.service.scores.submit_score(judge, demo.submit(judge, demo.cat1, 0, 0, 8.5))
    first = demo.cat1.criteria[0]
    payload = {
        "id": demo.cat1.id,
        "contestId": demo.cat1.contest_id,
        "name": demo.cat1.name,
        "criteria": criteria_payload(demo, **{first.name: 8}),
    }
    with pytest.raises(Conflict, match=r"already has a score of 8\.5; maxScore cannot go below it"):
        call(demo, "admin", ClientEvent.CATEGORY_SAVE, payload)
    payload["criteria"] = criteria_payload(demo, **{first.name: 9})
    assert call(demo, "admin", ClientEvent.CATEGORY_SAVE, payload).result.changes == [
        f"criterion '{first.name}' in {demo.cat1.name} (Senior Showcase): maxScore 10 → 9"
    ]


def test_renaming_and_reordering_criteria_keeps_their_scores(demo: Demo) -> None:
    judge = demo.actor("judge1")
    stored = demo.service.scores.submit_score(
        judge, demo.submit(judge, demo.cat1, 0, 0, 6.0)
    ).result
    crit = criteria_payload(demo)
    crit[0]["name"] = "Vocal Technique"
    payload = {
        "id": demo.cat1.id,
        "contestId": demo.cat1.contest_id,
        "name": demo.cat1.name,
        "criteria": [crit[1], crit[0], crit[2]],
    }
    call(demo, "admin", ClientEvent.CATEGORY_SAVE, payload)
    snap = demo.service.views.snapshot(demo.actor("admin"))
    (cat,) = [c for c in snap.categories if c.id == demo.cat1.id]
    assert [c.name for c in cat.criteria][:2] == [demo.cat1.criteria[1].name, "Vocal Technique"]
    assert any(s.id == stored.id and s.criterion_id == crit[0]["id"] for s in snap.scores)


def test_removing_a_contestant_with_scores_from_the_category_is_refused(demo: Demo) -> None:
    judge = demo.actor("judge1")
    demo.service.scores.submit_score(judge, demo.submit(judge, demo.cat1, 0, 0, 6.0))
    payload = {"categoryId": demo.cat1.id, "contestantIds": demo.cat1.contestant_ids[1:]}
    with pytest.raises(Conflict, match=r"contestant 101 Amelia Hart has 1 score\(s\) in Vocal"):
        call(demo, "admin", ClientEvent.CATEGORY_CONTESTANTS, payload)


def test_removing_a_judge_who_signed_is_refused(demo: Demo) -> None:
    judge = demo.actor("judge1")
    demo.fill_sheet(judge, demo.cat1)
    demo.service.certification.sign_certification(
        judge, CertificationSign(client_id=new_client_id(), category_id=demo.cat1.id)
    )
    with pytest.raises(Locked, match="judge Maria Alvarez has signed Vocal Performance"):
        demo.service.assignments.remove_assignment(
            demo.actor("admin"), AssignmentChange(user_id=judge.user_id, category_id=demo.cat1.id)
        )


def test_anything_in_a_locked_contest_is_refused_naming_the_contest(demo: Demo) -> None:
    demo.service.admin.lock_contest(
        demo.actor("board1"), ContestLock(contest_id=demo.cat1.contest_id)
    )
    payload = {
        "id": demo.cat1.id,
        "contestId": demo.cat1.contest_id,
        "name": "Renamed",
        "criteria": criteria_payload(demo),
    }
    with pytest.raises(Locked, match="Senior Showcase is locked"):
        call(demo, "admin", ClientEvent.CATEGORY_SAVE, payload)
    with pytest.raises(Locked, match="Senior Showcase is locked"):
        call(
            demo,
            "admin",
            ClientEvent.CATEGORY_CONTESTANTS,
            {"categoryId": demo.cat1.id, "contestantIds": demo.cat1.contestant_ids[:1]},
        )
    with pytest.raises(Locked):
        call(demo, "admin", ClientEvent.SETUP_DELETE, {"kind": "category", "id": demo.cat1.id})


def test_deleting_a_category_with_scores_is_refused_and_an_empty_one_goes(demo: Demo) -> None:
    judge = demo.actor("judge1")
    demo.service.scores.submit_score(judge, demo.submit(judge, demo.cat1, 0, 0, 6.0))
    with pytest.raises(Conflict, match=r"Vocal Performance \(Senior Showcase\) has 1 score"):
        call(demo, "admin", ClientEvent.SETUP_DELETE, {"kind": "category", "id": demo.cat1.id})
    gone = call(demo, "admin", ClientEvent.SETUP_DELETE, {"kind": "category", "id": demo.cat2.id})
    assert gone.result.changes == ["category Contemporary Dance (Senior Showcase) removed"]
    # its judges' sockets leave the category's rooms
    leaves = [
        e
        for e in gone.effects
        if isinstance(e, RoomChange) and f"category:{demo.cat2.id}" in e.leave
    ]
    assert {e.user_id for e in leaves} >= {demo.actor("judge1").user_id}


def test_judges_and_auditors_cannot_change_the_setup(demo: Demo) -> None:
    for who in ("judge1", "tally1", "auditor1", "board1"):
        with pytest.raises(Forbidden):
            call(demo, who, ClientEvent.CONTESTANT_SAVE, {"number": 999, "name": "X"})
    assert demo.actor("judge1").role is Role.JUDGE
    assert isinstance(demo.actor("admin"), Actor)


def test_announcement_to_one_contest_reaches_its_people_only(demo: Demo) -> None:
    from scoring_console.protocol.payloads import AnnouncementCreate

    contest = demo.cat3.contest_id
    sent = demo.service.admin.announce(
        demo.actor("organizer1"),
        AnnouncementCreate(message="Juniors: warm-up now", contest_id=contest),
    )
    (effect,) = sent.effects
    assert isinstance(effect, Broadcast) and effect.rooms[0] == f"contest:{contest}"
    assert "all" not in effect.rooms and sent.result.contest_id == contest
    judge5 = demo.service.views.snapshot(demo.actor("judge5"))  # judges only the senior contest
    assert all(a.contest_id is None for a in judge5.announcements)
    auditor = demo.service.views.snapshot(demo.actor("auditor1"))
    assert [a.message for a in auditor.announcements][-1] == "Juniors: warm-up now"


def test_every_setup_write_is_in_the_audit_log(demo: Demo) -> None:
    call(demo, "organizer1", ClientEvent.CONTESTANT_SAVE, {"number": 777, "name": "Audit Me"})
    call(
        demo,
        "admin",
        ClientEvent.ACCOUNT_CREATE,
        {"username": "audited", "name": "Audited Judge", "role": "JUDGE"},
    )
    with demo.service.db.reading() as conn:
        rows = conn.execute(
            "SELECT actor_username, action, label, at FROM audit_log ORDER BY id DESC LIMIT 2"
        ).fetchall()
    assert [(r["actor_username"], r["action"], r["label"]) for r in rows] == [
        ("admin", "account.create", "account audited (Audited Judge, JUDGE) created"),
        ("organizer1", "contestant.create", "contestant 777 'Audit Me' created"),
    ]
    assert rows[0]["at"].startswith("2026-06-13T18:00")


def test_a_category_with_refused_writes_on_record_is_kept(demo: Demo) -> None:
    judge = demo.actor("judge1")
    demo.service.lock_contest(demo.actor("board1"), ContestLock(contest_id=demo.cat2.contest_id))
    with pytest.raises(Locked):
        demo.service.scores.submit_score(judge, demo.submit(judge, demo.cat2, 0, 0, 5.0))
    demo.service.lock_contest(
        demo.actor("board1"), ContestLock(contest_id=demo.cat2.contest_id, locked=False)
    )
    with pytest.raises(Conflict, match="refused score write"):
        call(demo, "admin", ClientEvent.SETUP_DELETE, {"kind": "category", "id": demo.cat2.id})


def test_two_criteria_with_one_name_are_refused_as_invalid(demo: Demo) -> None:
    payload = {
        "contestId": demo.cat1.contest_id,
        "name": "Twins",
        "criteria": [{"name": "Poise", "maxScore": 5.0}, {"name": "Poise", "maxScore": 10.0}],
    }
    with pytest.raises(Invalid) as refused:
        call(demo, "admin", ClientEvent.CATEGORY_SAVE, payload)
    assert "two criteria named 'Poise'" in refused.value.message
    assert refused.value.details == {"names": ["Poise"]}
