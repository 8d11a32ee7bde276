"""``status`` and ``sync``: what the server and the session say."""

from __future__ import annotations

from ..errors import EXIT_OK, EXIT_UNREACHABLE
from ..output import connection_json, snapshot_json
from ..session import CliSession


async def cmd_status(session: CliSession) -> int:
    """Connection state, user, role, pending/rejected counts."""
    core = session.core
    online = await session.go_online(session.args.timeout)
    user = core.user or core.state.user
    pending, rejected = (len(entries) for entries in session.unfinished_entries())
    state = core.connection
    data = {
        "server": core.current_server,
        "servers": list(core.servers.servers),
        "connection": connection_json(state),
        "online": online,
        "offlineReason": None if online else session.offline_reason,
        "user": user.to_wire() if user else None,
        "pending": pending,
        "rejected": rejected,
        "keyringAvailable": core.keyring_available,
        "seq": core.state.seq,
    }
    who = f"{user.username} ({user.name}, {user.role})" if user else session.args.username
    connection = state.describe() if online else "offline: " + (session.offline_reason or "?")
    lines = [
        f"server:     {core.current_server}"
        + (f" (of {session.args.server})" if core.servers.several else ""),
        f"connection: {connection}",
        f"user:       {who}",
        f"outbox:     {pending} pending, {rejected} rejected",
        "keyring:    "
        + ("available" if core.keyring_available else "unavailable (token in memory only)"),
    ]
    session.output.result(lines, data)
    await session.close()
    return EXIT_OK if online else EXIT_UNREACHABLE


async def cmd_sync(session: CliSession) -> int:
    """Fetch the snapshot and print a summary (``--json``: the snapshot)."""
    await session.require_online()
    state = session.core.state
    lines = [f"synced at seq {state.seq} as {state.user.username if state.user else '?'}"]
    for category in sorted(state.categories.values(), key=lambda c: c.id):
        scores = state.scores_in(category.id)
        cells = len(category.contestant_ids) * len(category.criteria)
        criteria = ", ".join(f"{c.id}={c.name}" for c in category.criteria)
        lines.append(
            f"  category {category.id} {category.name!r}: {len(category.contestant_ids)} "
            f"contestants {category.contestant_ids}, criteria [{criteria}], "
            f"{len(scores)} scores visible ({cells} cells per judge)"
        )
    lines.append(
        f"  {len(state.contests)} contests, {len(state.contestants)} contestants, "
        f"{len(state.scores)} scores, {len(state.assignments)} assignments, "
        f"{len(state.notifications)} notifications, {len(state.announcements)} announcements"
    )
    session.output.result(lines, snapshot_json(state))
    await session.close(flush_timeout=1.0)
    return EXIT_OK
