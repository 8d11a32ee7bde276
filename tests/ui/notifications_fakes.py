"""Test seams for the notification, certification and requests widgets.

* :class:`FakeCore` — a real :class:`StateStore` and the documented observables of
  ``ClientCore``, with the async calls the widgets make recorded (and optionally
  failing), so widgets run behind a real :class:`CoreBridge` without a network.
* :func:`competition` — a protocol ``Snapshot`` with every role of the sign-off chain.
* :func:`start_core` / :func:`stop_cores` — real ``ClientCore`` sessions (demo accounts)
  for the end-to-end tests against the ``server_process`` fixture.
* :func:`run_until` — run the qasync loop (``qloop`` fixture of ``conftest.py``) until a
  condition holds, so ``asyncSlot`` handlers run.
"""

from __future__ import annotations

import asyncio
import dataclasses
import tempfile
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from scoring_console.client.connection import ConnectionState, ConnectionStatus
from scoring_console.client.core import ClientCore
from scoring_console.client.judges import LockCheck, lock_check
from scoring_console.client.memory_keyring import MemoryKeyring
from scoring_console.client.observable import Observable
from scoring_console.client.state import StateStore
from scoring_console.protocol.entities import (
    Announcement,
    Assignment,
    Category,
    Certification,
    CertificationSignoff,
    CertificationStatus,
    Contest,
    Contestant,
    Criterion,
    Deduction,
    Event,
    Notification,
    NotificationType,
    RankedTotal,
    RemovalRequest,
    RequestStatus,
    Score,
    Snapshot,
    UserInfo,
)
from scoring_console.protocol.payloads import TotalsData
from scoring_console.protocol.roles import Role
from scoring_console.store.outbox import EntryKind, EntryState, OutboxEntry

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
CATEGORY_ID = 1
OTHER_CATEGORY_ID = 2
CONTEST_ID = 1
JUDGES = (11, 12)
TALLY, AUDITOR, BOARD, ORGANIZER, ADMIN = 21, 31, 41, 51, 61
USERS: dict[int, tuple[str, str, Role]] = {
    11: ("judge1", "Judge One", Role.JUDGE),
    12: ("judge2", "Judge Two", Role.JUDGE),
    21: ("tally1", "Tally One", Role.TALLY_MASTER),
    31: ("auditor1", "Auditor One", Role.AUDITOR),
    41: ("board1", "Board One", Role.BOARD),
    51: ("organizer1", "Organizer One", Role.ORGANIZER),
    61: ("admin", "Admin", Role.ADMIN),
}
CONTESTANTS = (
    Contestant(id=101, number=1, name="Ada"),
    Contestant(id=102, number=2, name="Ben"),
    Contestant(id=103, number=3, name="Cleo"),
)
RECEIPT = "ab" * 32


def user(user_id: int) -> UserInfo:
    """The :class:`UserInfo` of one of :data:`USERS`."""
    username, name, role = USERS[user_id]
    return UserInfo(id=user_id, username=username, name=name, role=role)


def notification(note_id: int, minutes: int = 0, read: bool = False, **kw: Any) -> Notification:
    """A notification created ``minutes`` after :data:`NOW`."""
    fields: dict[str, Any] = {
        "id": note_id,
        "user_id": kw.pop("user_id", 11),
        "type": kw.pop("type", NotificationType.INFO),
        "title": kw.pop("title", f"Note {note_id}"),
        "message": kw.pop("message", f"Message {note_id}"),
        "read": read,
        "created_at": NOW + timedelta(minutes=minutes),
    }
    fields.update(kw)
    return Notification(**fields)


def announcement(
    item_id: int, message: str, kind: NotificationType, minutes: int = 0
) -> Announcement:
    """An announcement made ``minutes`` after :data:`NOW`."""
    return Announcement(
        id=item_id, message=message, type=kind, timestamp=NOW + timedelta(minutes=minutes)
    )


def signoff(user_id: int) -> CertificationSignoff:
    """A signature by one of :data:`USERS`."""
    _, name, role = USERS[user_id]
    return CertificationSignoff(
        role=role, user_id=user_id, user_name=name, signed_at=NOW, receipt=RECEIPT
    )


def certification(
    status: CertificationStatus, signers: tuple[int, ...] = (), version: int = 1, seq: int = 0
) -> Certification:
    """The certification of :data:`CATEGORY_ID` signed by ``signers``."""
    return Certification(
        category_id=CATEGORY_ID,
        status=status,
        required_judge_ids=list(JUDGES),
        signoffs=[signoff(s) for s in signers],
        version=version,
        seq=seq,
    )


def deduction(deduction_id: int, status: RequestStatus = RequestStatus.PENDING) -> Deduction:
    """A deduction of 2 points from contestant 101, requested by judge 11."""
    return Deduction(
        id=deduction_id,
        client_id=str(uuid.uuid4()),
        category_id=CATEGORY_ID,
        contestant_id=101,
        amount=2.0,
        reason="Costume malfunction",
        requested_by=11,
        status=status,
        created_at=NOW,
    )


def removal(request_id: int, status: RequestStatus = RequestStatus.PENDING) -> RemovalRequest:
    """A request by judge 11 to remove one of their scores."""
    return RemovalRequest(
        id=request_id,
        client_id=str(uuid.uuid4()),
        score_id=500 + request_id,
        category_id=CATEGORY_ID,
        contestant_id=102,
        criterion_id=1,
        judge_id=11,
        judge_name="Ines Moreau",
        requested_by=11,
        requested_by_name="Ines Moreau",
        reason="Typed into the wrong row",
        status=status,
        created_at=NOW,
    )


def full_sheet(judge_id: int) -> list[Score]:
    """Every cell of the category scored by one judge (a sheet ready to sign)."""
    return [
        Score(
            seq=1,
            id=judge_id * 100 + n,
            client_id=str(uuid.uuid4()),
            category_id=CATEGORY_ID,
            contestant_id=contestant.id,
            criterion_id=1,
            judge_id=judge_id,
            score=7.0,
            version=1,
            updated_at=NOW,
        )
        for n, contestant in enumerate(CONTESTANTS)
    ]


def competition(user_id: int = 11, **lists: Any) -> Snapshot:
    """One contest, two categories, three contestants, every role; extra lists by name."""
    category = Category(
        id=CATEGORY_ID,
        contest_id=CONTEST_ID,
        name="Evening Gown",
        criteria=[Criterion(id=1, name="Poise", max_score=10)],
        contestant_ids=[c.id for c in CONTESTANTS],
    )
    other = category.model_copy(update={"id": OTHER_CATEGORY_ID, "name": "Talent"})
    fields: dict[str, Any] = {
        "seq": 1,
        "server_time": NOW,
        "user": user(user_id),
        "events": [Event(id=1, name="Gala")],
        "contests": [Contest(id=CONTEST_ID, event_id=1, name="Finals")],
        "categories": [category, other],
        "contestants": list(CONTESTANTS),
        "assignments": [
            Assignment(id=n, user_id=u, category_id=CATEGORY_ID, role=USERS[u][2])
            for n, u in enumerate((*JUDGES, TALLY), start=1)
        ],
        "scores": [],
        "certifications": [],
        "deductions": [],
        "removal_requests": [],
        "notifications": [],
        "announcements": [],
        "presence": [],
    }
    fields.update(lists)
    return Snapshot(**fields)


class FakeCore:
    """The parts of ``ClientCore`` the widgets use, with a real :class:`StateStore`.

    Every async call is recorded in ``calls`` as ``(name, args)``; ``failures[name]``
    makes that call raise; ``answers[name]`` is what it returns.
    """

    def lock_check(self, contest_id: int) -> LockCheck:
        """As the core: judges to warn about before locking, at the fixed "now"."""
        return lock_check(self.state, contest_id, self.clock())

    def __init__(self, snapshot: Snapshot | None = None) -> None:
        self.state = StateStore()
        self.clock = lambda: NOW  # a fixed "now": tests run on any date
        self.server_now = self.clock
        self.profile_dir = Path(tempfile.mkdtemp(prefix="fake-profile-"))
        self.connection_changed: Observable[ConnectionState] = Observable("connection")
        self.outbox_changed: Observable[Any] = Observable("outbox")
        self.outbox_removed: Observable[int] = Observable("outbox_removed")
        self.event_received: Observable[Any] = Observable("events")
        self.connection = ConnectionState(ConnectionStatus.CONNECTED)
        self.calls: list[tuple[str, tuple[Any, ...]]] = []
        self.failures: dict[str, BaseException] = {}
        self.answers: dict[str, Any] = {}
        self.pending: dict[int, int] = {}
        self.entries: list[OutboxEntry] = []
        if snapshot is not None:
            self.state.apply_snapshot(snapshot)

    @property
    def user(self) -> UserInfo | None:
        return self.state.user

    sheet_not_ready = ClientCore.sheet_not_ready  # the real rule, over this state

    def pending_count(self, category_id: int | None = None) -> int:
        if category_id is None:
            return sum(self.pending.values())
        return self.pending.get(category_id, 0)

    def set_connection(self, status: ConnectionStatus) -> None:
        self.connection = ConnectionState(status)
        self.connection_changed.emit(self.connection)

    async def _call(self, name: str, *args: Any) -> Any:
        self.calls.append((name, args))
        await asyncio.sleep(0)
        failure = self.failures.get(name)
        if failure is not None:
            raise failure
        return self.answers.get(name)

    async def mark_read(self, ids: list[int]) -> int:
        await self._call("mark_read", list(ids))
        return self.state.mark_read(list(ids))

    async def sign_certification(self, category_id: int) -> OutboxEntry:
        await self._call("sign_certification", category_id)
        return self._enqueue(EntryKind.SIGNOFF, category_id)

    def _enqueue(self, kind: EntryKind, category_id: int, **payload: Any) -> OutboxEntry:
        entry = OutboxEntry(
            id=len(self.entries) + 1,
            client_id=str(uuid.uuid4()),
            kind=kind,
            state=EntryState.PENDING,
            payload={"categoryId": category_id, **payload},
            category_id=category_id,
        )
        self.entries.append(entry)
        self.outbox_changed.emit(entry)
        return entry

    def update_entry(self, entry_id: int, **changes: Any) -> OutboxEntry:
        """Move an outbox entry on (as the sender would) and tell the listeners."""
        index = next(i for i, e in enumerate(self.entries) if e.id == entry_id)
        entry = dataclasses.replace(self.entries[index], **changes)
        self.entries[index] = entry
        self.outbox_changed.emit(entry)
        return entry

    def outbox_entries(self) -> list[OutboxEntry]:
        return list(self.entries)

    async def decide_deduction(
        self, deduction_id: int, approve: bool, note: str | None = None
    ) -> Any:
        return await self._call("decide_deduction", deduction_id, approve, note)

    async def decide_removal(self, request_id: int, approve: bool, note: str | None = None) -> Any:
        return await self._call("decide_removal", request_id, approve, note)

    async def request_deduction(
        self, category_id: int, contestant_id: int, amount: float, reason: str
    ) -> OutboxEntry:
        await self._call("request_deduction", category_id, contestant_id, amount, reason)
        return self._enqueue(
            EntryKind.DEDUCTION, category_id, contestantId=contestant_id, amount=amount
        )

    async def lock_contest(self, contest_id: int, locked: bool = True) -> Any:
        return await self._call("lock_contest", contest_id, locked)

    async def publish_results(self, category_id: int) -> Any:
        answer = await self._call("publish_results", category_id)
        if answer is None:
            totals = [
                RankedTotal(
                    contestant_id=c.id,
                    score_sum=9 - i,
                    deductions=0,
                    total=9 - i,
                    rank=i + 1,
                    score_count=2,
                )
                for i, c in enumerate(CONTESTANTS)
            ]
            answer = TotalsData(category_id=category_id, totals=totals)
        return answer


def run_until(
    loop: asyncio.AbstractEventLoop, predicate: Callable[[], object], timeout: float = 5.0
) -> None:
    """Run the loop until ``predicate()`` is true; fail the test after ``timeout`` s."""

    async def poll() -> None:
        # a condition on widgets has no event to await: polling is the honest way
        while not predicate():  # noqa: ASYNC110
            await asyncio.sleep(0.01)

    try:
        loop.run_until_complete(asyncio.wait_for(poll(), timeout))
    except TimeoutError:
        pytest.fail(f"condition not met within {timeout} s: {predicate}")


# --- live sessions against a real server ---------------------------------------------


async def start_core(url: str, username: str, base: Path) -> ClientCore:
    """Log ``username`` in (password ``demo``), connect, and wait for the first snapshot."""
    core = ClientCore(
        url,
        username,
        data_dir=base / username,
        keyring_backend=MemoryKeyring(),
        heartbeat_interval=1.0,
        backoff_min=0.1,
        backoff_max=0.5,
        request_timeout=5.0,
    )
    await core.login("demo")
    await core.start()
    assert await core.wait_connected(15), f"{username} did not connect"
    deadline = asyncio.get_running_loop().time() + 10
    while core.state.user is None:
        assert asyncio.get_running_loop().time() < deadline, f"{username} got no snapshot"
        await asyncio.sleep(0.02)
    return core


async def stop_cores(*cores: ClientCore) -> None:
    """Stop cores started by :func:`start_core` (in parallel, errors ignored)."""
    await asyncio.gather(*(c.stop(flush_timeout=1.0) for c in cores), return_exceptions=True)
