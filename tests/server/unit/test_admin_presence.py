"""Locking, announcements, read marks, presence, seq ordering and the event dispatcher."""

from __future__ import annotations

import pytest

from scoring_console.protocol.entities import Presence, Snapshot
from scoring_console.protocol.events import ClientEvent, ServerEvent
from scoring_console.protocol.payloads import (
    AnnouncementCreate,
    AssignmentChange,
    ContestLock,
    ContestLocked,
    Heartbeat,
    NotificationRead,
    SyncRequest,
)
from scoring_console.server.service import Broadcast, Forbidden, NotFound

from .conftest import Demo


def test_lock_contest_roles_and_broadcast(demo: Demo) -> None:
    payload = ContestLock(contest_id=demo.cat1.contest_id, locked=True)
    for name in ("judge1", "tally1", "auditor1"):
        with pytest.raises(Forbidden):
            demo.service.lock_contest(demo.actor(name), payload)
    with pytest.raises(NotFound):
        demo.service.lock_contest(demo.actor("admin"), ContestLock(contest_id=99, locked=True))
    outcome = demo.service.lock_contest(demo.actor("organizer1"), payload)
    assert outcome.result.locked is True
    effect, *told = outcome.effects
    assert isinstance(effect, Broadcast) and effect.event is ServerEvent.CONTEST_LOCKED
    # each of the contest's five judges is told, by category and contest name
    assert [e.event for e in told if isinstance(e, Broadcast)] == [ServerEvent.NOTIFICATION] * 5
    assert isinstance(effect.payload, ContestLocked) and effect.payload.locked is True
    assert f"contest:{demo.cat1.contest_id}" in effect.rooms


def test_announcement_is_persisted_and_sent_to_all(demo: Demo) -> None:
    with pytest.raises(Forbidden):
        demo.service.announce(demo.actor("judge1"), AnnouncementCreate(message="hi"))
    outcome = demo.service.announce(
        demo.actor("organizer1"), AnnouncementCreate(message="Break: 10 minutes")
    )
    (effect,) = outcome.effects
    assert isinstance(effect, Broadcast) and effect.rooms == ("all",)
    assert "all" in demo.service.rooms_for(demo.actor("judge5"))
    snap = demo.service.snapshot(demo.actor("judge5"))
    assert [a.message for a in snap.announcements] == ["Break: 10 minutes"]


def test_notification_read_touches_only_own_notifications(demo: Demo) -> None:
    judge = demo.actor("judge2")
    demo.service.create_assignment(
        demo.actor("admin"), AssignmentChange(user_id=judge.user_id, category_id=demo.cat3.id)
    )
    (note,) = demo.service.snapshot(judge).notifications
    assert note.read is False
    other = demo.service.mark_notifications_read(
        demo.actor("judge1"), NotificationRead(ids=[note.id])
    )
    assert other.result.updated == 0
    assert demo.service.snapshot(judge).notifications[0].read is False
    mine = demo.service.mark_notifications_read(judge, NotificationRead(ids=[note.id, 999]))
    assert mine.result.updated == 1
    assert demo.service.snapshot(judge).notifications[0].read is True
    seq = demo.service.current_seq()
    again = demo.service.mark_notifications_read(judge, NotificationRead(ids=[note.id]))
    assert again.result.updated == 0
    assert demo.service.current_seq() == seq  # nothing changed, no seq spent


def test_heartbeat_reaches_tally_masters_of_the_judges_categories(demo: Demo) -> None:
    judge = demo.actor("judge1")
    outcome = demo.service.heartbeat(judge, Heartbeat(pending_count=7, user_id=99999))
    assert outcome.result.seq == demo.service.current_seq()
    (effect,) = outcome.effects
    assert isinstance(effect, Broadcast) and effect.event is ServerEvent.PRESENCE_UPDATED
    assert isinstance(effect.payload, Presence)
    assert (effect.payload.user_id, effect.payload.pending_count) == (judge.user_id, 7)
    assert effect.payload.pending_as_of == demo.clock.now  # when the count arrived
    assert set(effect.rooms) == {
        f"category:{demo.cat1.id}:TALLY_MASTER",
        f"category:{demo.cat2.id}:TALLY_MASTER",
        "role:AUDITOR",
        "role:BOARD",  # the board locks contests: it must see who is offline or pending
        "role:ORGANIZER",
        "role:ADMIN",
    }
    assert demo.service.heartbeat(demo.actor("tally1"), Heartbeat()).effects == []


def test_set_online_counts_connections(demo: Demo) -> None:
    judge = demo.actor("judge1")
    first = demo.service.set_online(judge, True)
    assert len(first) == 1 and isinstance(first[0].payload, Presence)
    assert first[0].payload.online is True
    assert demo.service.set_online(judge, True) == []  # second device: no change
    assert demo.service.set_online(judge, False) == []  # one device still connected
    assert demo.service.is_online(judge.user_id)
    last = demo.service.set_online(judge, False)
    assert isinstance(last[0].payload, Presence) and last[0].payload.online is False
    assert not demo.service.is_online(judge.user_id)
    assert demo.service.set_online(demo.actor("admin"), True) == []


def test_every_change_gets_a_fresh_seq(demo: Demo) -> None:
    judge = demo.actor("judge1")
    seqs = [
        demo.service.submit_score(judge, demo.submit(judge, demo.cat1, i)).result.seq
        for i in range(3)
    ]
    seqs.append(
        demo.service.announce(demo.actor("admin"), AnnouncementCreate(message="x")).result.seq
    )
    seqs.append(demo.service.heartbeat(judge, Heartbeat(pending_count=1)).result.seq)
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    assert seqs[-1] == demo.service.current_seq()


def test_dispatch_routes_every_client_event(demo: Demo) -> None:
    judge = demo.actor("judge1")
    sync = demo.service.dispatch(judge, ClientEvent.SYNC, SyncRequest())
    assert isinstance(sync.result, Snapshot) and sync.effects == []
    submitted = demo.service.dispatch(
        judge, ClientEvent.SCORES_SUBMIT, demo.submit(judge, demo.cat1, value=4)
    )
    assert submitted.result.score == 4
    # auth:renew concerns the connection's token, not the domain: the transport answers it
    handled = set(demo.service._handlers()) | {ClientEvent.SYNC, ClientEvent.AUTH_RENEW}
    assert handled == set(ClientEvent)


def test_unchanged_heartbeats_are_stored_at_most_every_ten_seconds(demo: Demo) -> None:
    judge = demo.actor("judge1")
    first = demo.service.heartbeat(judge, Heartbeat(pending_count=2))
    assert len(first.effects) == 1
    seq = demo.service.current_seq()
    for _ in range(50):  # a client beating in a tight loop
        quiet = demo.service.heartbeat(judge, Heartbeat(pending_count=2))
        assert quiet.effects == []
        assert quiet.result.seq == seq
    assert demo.service.current_seq() == seq
    changed = demo.service.heartbeat(judge, Heartbeat(pending_count=0))
    assert len(changed.effects) == 1  # a new pending count is news at once
    demo.clock.advance(10)
    assert len(demo.service.heartbeat(judge, Heartbeat(pending_count=0)).effects) == 1
