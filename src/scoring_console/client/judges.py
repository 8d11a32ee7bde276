"""What the tally master (and whoever locks a contest) needs to know about each judge:
unsent entries with their age, refused writes, and who is offline.

The pending count comes from the judge's heartbeat (``Presence.pendingCount``) and is
only as good as its age: while the judge is online the server refreshes
``pendingAsOf`` every few seconds, so a count is *known* when the judge is online and
the stamp is younger than :data:`STALE_AFTER`; otherwise it is *unknown* ("4, as of
5 min ago" is then the last thing the judge's laptop said, not the truth now).

``now`` is always passed in: the core gives its injected clock's time, corrected by the
server's clock offset (:meth:`ClientCore.server_now`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from scoring_console.protocol.entities import Presence

from .state import StateStore

STALE_AFTER = timedelta(seconds=30)
"""A pending count older than this is unknown (the server refreshes it every ~10 s)."""


def describe_age(age: timedelta) -> str:
    """``"just now"``, ``"40 s ago"``, ``"2 min ago"``, ``"3 h ago"``."""
    seconds = max(0, int(age.total_seconds()))
    if seconds < 5:
        return "just now"
    if seconds < 60:
        return f"{seconds} s ago"
    if seconds < 3600:
        return f"{seconds // 60} min ago"
    return f"{seconds // 3600} h ago"


@dataclass(frozen=True)
class PendingStatus:
    """A judge's unsent entries as far as the server knows.

    ``count`` is the pending count when it is known (online, fresh), else ``None``.
    ``last_count`` / ``as_of`` / ``age`` are the last report whatever its age
    (``as_of`` ``None``: the judge never reported one).
    """

    user_id: int
    name: str
    online: bool
    count: int | None
    last_count: int
    as_of: datetime | None
    age: timedelta | None

    @property
    def known(self) -> bool:
        """True when :attr:`count` can be trusted now."""
        return self.count is not None

    @property
    def may_have_pending(self) -> bool:
        """True when entries may still wait on the judge's laptop (unknown, or > 0)."""
        return self.count is None or self.count > 0

    def describe(self) -> str:
        """``"4, as of 2 min ago"`` / ``"unknown (offline; last: 4, 5 min ago)"``."""
        if self.count is not None and self.age is not None:
            return f"{self.count}, as of {describe_age(self.age)}"
        why = "offline" if not self.online else "no recent heartbeat"
        if self.age is None:
            return f"unknown ({why})"
        return f"unknown ({why}; last: {self.last_count}, {describe_age(self.age)})"


def pending_status(
    presence: Presence, now: datetime, stale_after: timedelta = STALE_AFTER
) -> PendingStatus:
    """The pending status of one judge's presence at ``now`` (server time)."""
    as_of = presence.pending_as_of
    age = None if as_of is None else max(timedelta(0), now - as_of)
    fresh = presence.online and age is not None and age <= stale_after
    return PendingStatus(
        user_id=presence.user_id,
        name=presence.name,
        online=presence.online,
        count=presence.pending_count if fresh else None,
        last_count=presence.pending_count,
        as_of=as_of,
        age=age,
    )


@dataclass(frozen=True)
class JudgeConcern:
    """A judge of a contest who may still have scores that are not on the server."""

    user_id: int
    name: str
    category_names: tuple[str, ...]
    online: bool
    pending: PendingStatus | None
    """``None`` when this user sees no presence for the judge."""
    refused: int
    """Refused writes of the judge in the contest's categories."""

    def describe(self) -> str:
        """One line, e.g. ``"Judge One (Vocal): offline; pending unknown (last: 4, 2 min ago)"``."""
        parts = ["online" if self.online else "offline"]
        if self.pending is None:
            parts.append("pending unknown")
        elif self.pending.count is None or self.pending.count > 0:
            parts.append(f"pending {self.pending.describe()}")
        if self.refused:
            parts.append(f"{self.refused} refused")
        where = ", ".join(self.category_names)
        return f"{self.name} ({where}): " + "; ".join(parts)


@dataclass(frozen=True)
class LockCheck:
    """Before locking a contest: the judges to warn about (empty: nothing in the way)."""

    contest_id: int
    contest_name: str
    concerns: tuple[JudgeConcern, ...]

    @property
    def clear(self) -> bool:
        """True when every judge is online with nothing pending and nothing refused."""
        return not self.concerns

    def describe(self) -> str:
        """A warning text naming the contest and each judge, or ``""`` when clear."""
        if self.clear:
            return ""
        lines = [f"Before locking {self.contest_name}:"]
        lines += [f"- {c.describe()}" for c in self.concerns]
        return "\n".join(lines)


def lock_check(state: StateStore, contest_id: int, now: datetime) -> LockCheck:
    """Which judges of the contest are offline, may have unsent entries, or were refused."""
    contest = state.contests.get(contest_id)
    contest_name = contest.name if contest is not None else "this contest"
    categories = sorted(
        (c for c in state.categories.values() if c.contest_id == contest_id), key=lambda c: c.id
    )
    where: dict[int, list[str]] = {}
    for category in categories:
        for judge_id in state.judges_of(category.id):
            where.setdefault(judge_id, []).append(category.name)
    concerns: list[JudgeConcern] = []
    for judge_id in sorted(where):
        presence = state.presence.get(judge_id)
        status = None if presence is None else pending_status(presence, now)
        refused = sum(len(state.refused_in(c.id, judge_id)) for c in categories)
        online = bool(presence and presence.online)
        if online and status is not None and not status.may_have_pending and not refused:
            continue
        concerns.append(
            JudgeConcern(
                user_id=judge_id,
                name=_judge_name(state, judge_id),
                category_names=tuple(where[judge_id]),
                online=online,
                pending=status,
                refused=refused,
            )
        )
    return LockCheck(contest_id, contest_name, tuple(concerns))


def _judge_name(state: StateStore, judge_id: int) -> str:
    """The judge's name from presence, else from a sign-off; never a database id."""
    presence = state.presence.get(judge_id)
    if presence is not None:
        return presence.name
    for cert in state.certifications.values():
        for signoff in cert.signoffs:
            if signoff.user_id == judge_id:
                return signoff.user_name
    return "A judge you cannot see"
