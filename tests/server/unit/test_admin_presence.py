"""Locking, announcements, read marks, presence, seq ordering and the event dispatcher."""

from __future__ import annotations

import pytest

from scoring_console.protocol.catalog import CLIENT_EVENTS
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
            demo.service.admin.lock_contest(demo.actor(name), payload)
    with pytest.raises(NotFound):
        demo.service.admin.lock_contest(
            demo.actor("admin"), ContestLock(contest_id=99, locked=True)
        )
    outcome = demo.service.admin.lock_contest(demo.actor("organizer1"), payload)
    assert outcome.result.locked is True
    effect, *told = outcome.effects
    assert isinstance(effect, Broadcast) and effect.event is ServerEvent.CONTEST_LOCKED
    # each of the contest's five judges is told, by category and contest name
    assert [e.event for e in told if isinstance(e, Broadcast)] == [ServerEvent.NOTIFICATION] * 5
    assert isinstance(effect.payload, ContestLocked) and effect.payload.locked is True
    assert f"contest:{demo.cat1.contest_id}" in effect.rooms


def test_announcement_is_persisted_and_sent_to_all(demo: Demo) -> None:
    with pytest.raises(Forbidden):
        demo.service.admin.announce(demo.actor("judge1"), AnnouncementCreate(message="hi"))
    outcome = demo.service.admin.announce(
        demo.actor("organizer1"), AnnouncementCreate(message="Break: 10 minutes")
    )
    (effect,) = outcome.effects
    assert isinstance(effect, Broadcast) and effect.rooms == ("all",)
    assert "all" in demo.service.views.rooms_for(demo.actor("judge5"))
    snap = demo.service.views.snapshot(demo.actor("judge5"))
    assert [a.message for a in snap.announcements] == ["Break: 10 minutes"]


def test_notification_read_touches_only_own_notifications(demo: Demo) -> None:
    judge = demo.actor("judge2")
    demo.service.assignments.create_assignment(
        demo.actor("admin"), AssignmentChange(user_id=judge.user_id, category_id=demo.cat3.id)
    )
    (note,) = demo.service.views.snapshot(judge).notifications
    assert note.read is False
    other = demo.service.admin.mark_notifications_read(
        demo.actor("judge1"), NotificationRead(ids=[note.id])
    )
    assert other.result.updated == 0
    assert demo.service.views.snapshot(judge).notifications[0].read is False
    mine = demo.service.admin.mark_notifications_read(judge, NotificationRead(ids=[note.id, 999]))
    assert mine.result.updated == 1
    assert demo.service.views.snapshot(judge).notifications[0].read is True
    seq = demo.service.views.current_seq()
    again = demo.service.admin.mark_notifications_read(judge, NotificationRead(ids=[note.id]))
    assert again.result.updated == 0
    assert demo.service.views.current_seq() == seq  # nothing changed, no seq spent


def test_heartbeat_reaches_tally_masters_of_the_judges_categories(demo: Demo) -> None:
    judge = demo.actor("judge1")
    outcome = demo.service.presence.heartbeat(judge, Heartbeat(pending_count=7, user_id=99999))
    assert outcome.result.seq == demo.service.views.current_seq()
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
    assert demo.service.presence.heartbeat(demo.actor("tally1"), Heartbeat()).effects == []


def test_set_online_counts_connections(demo: Demo) -> None:
    judge = demo.actor("judge1")
    first = demo.service.presence.set_online(judge, True)
    assert len(first) == 1 and isinstance(first[0].payload, Presence)
    assert first[0].payload.online is True
    assert demo.service.presence.set_online(judge, True) == []  # second device: no change
    assert demo.service.presence.set_online(judge, False) == []  # one device still connected
    assert demo.service.presence.is_online(judge.user_id)
    last = demo.service.presence.set_online(judge, False)
    assert isinstance(last[0].payload, Presence) and last[0].payload.online is False
    assert not demo.service.presence.is_online(judge.user_id)
    assert demo.service.presence.set_online(demo.actor("admin"), True) == []


def test_every_change_gets_a_fresh_seq(demo: Demo) -> None:
    judge = demo.actor("judge1")
    seqs = [
        demo.service.scores.submit_score(judge, demo.submit(judge, demo.cat1, i)).result.seq
        for i in range(3)
    ]
    seqs.append(
        demo.service.admin.announce(demo.actor("admin"), AnnouncementCreate(message="x")).result.seq
    )
    seqs.append(demo.service.presence.heartbeat(judge, Heartbeat(pending_count=1)).result.seq)
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    assert seqs[-1] == demo.service.views.current_seq()


def test_dispatch_routes_every_client_event(demo: Demo) -> None:
    judge = demo.actor("judge1")
    sync = demo.service.dispatch(judge, ClientEvent.SYNC, SyncRequest())
    assert isinstance(sync.result, Snapshot) and sync.effects == []
    submitted = demo.service.dispatch(
        judge, ClientEvent.SCORES_SUBMIT, demo.submit(judge, demo.cat1, value=4)
    )
    assert submitted.result.score == 4
    # every event's catalog route names a callable of the router's areas; auth:renew
    # (the connection's token) and account:unlock (the login guard) are the transport's
    for event, spec in CLIENT_EVENTS.items():
        area, _, method = spec.route.partition(".")
        if area == "transport":
            assert event in (ClientEvent.AUTH_RENEW, ClientEvent.ACCOUNT_UNLOCK)
            continue
        assert callable(getattr(demo.service.areas[area], method, None)), spec.route
    assert set(CLIENT_EVENTS) == set(ClientEvent)


def test_unchanged_heartbeats_are_stored_at_most_every_ten_seconds(demo: Demo) -> None:
    judge = demo.actor("judge1")
    first = demo.service.presence.heartbeat(judge, Heartbeat(pending_count=2))
    assert len(first.effects) == 1
    seq = demo.service.views.current_seq()
    for _ in range(50):  # a client beating in a tight loop
        quiet = demo.service.presence.heartbeat(judge, Heartbeat(pending_count=2))
        assert quiet.effects == []
        assert quiet.result.seq == seq
    assert demo.service.current_seq() == seq
    demo.clock.advance(demo.service.beat_interval.total_seconds())
    changed = demo.service.heartbeat(judge, Heartbeat(pending_count=0))
    assert len(changed.effects) == 1  # a new pending count is news at the next slot
    demo.clock.advance(10)
    assert len(demo.service.heartbeat(judge, Heartbeat(pending_count=0)).effects) == 1


def test_beats_inside_the_interval_are_stored_later_latest_value_wins(demo: Demo) -> None:
    judge = demo.actor("judge1")
    assert len(demo.service.heartbeat(judge, Heartbeat(pending_count=0)).effects) == 1
    seq = demo.service.current_seq()
    for i in range(100):  # alternating counts used to be a write each
        assert demo.service.heartbeat(judge, Heartbeat(pending_count=i % 2)).effects == []
    demo.service.heartbeat(judge, Heartbeat(pending_count=5))
    assert demo.service.flush_beats() == []  # not yet: the slot has not come
    assert demo.service.current_seq() == seq
    demo.clock.advance(demo.service.beat_interval.total_seconds())
    (flushed,) = demo.service.flush_beats()
    assert flushed.payload.pending_count == 5  # type: ignore[attr-defined]
    assert demo.service.flush_beats() == []
    assert demo.service.current_seq() == seq + 1
