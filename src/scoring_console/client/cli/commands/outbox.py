"""``submit``, ``flush`` and ``outbox``: queue a score, send the queue, list it."""

from __future__ import annotations

import asyncio
import time

from pydantic import ValidationError

from scoring_console.store.outbox import EntryState, OutboxEntry

from ..errors import EXIT_FAILED, EXIT_INVALID, EXIT_OK, CliError
from ..output import entry_json, entry_line
from ..session import CliSession
from ..validation import check_cell


async def cmd_submit(session: CliSession) -> int:
    """Commit a score to the outbox, try to send it, print the entry's state."""
    args, core = session.args, session.core
    online = await session.go_online(args.timeout)
    check_cell(core.state, args.category, args.contestant, args.criterion, args.score)
    try:
        entry = await core.submit_score(
            args.category, args.contestant, args.criterion, args.score, args.comment
        )
    except ValidationError as exc:
        errors = "; ".join(str(err["msg"]) for err in exc.errors(include_url=False))
        raise CliError(EXIT_INVALID, f"invalid score: {errors}") from None
    latest: dict[int, OutboxEntry] = {entry.id: entry}

    def track(changed: OutboxEntry) -> None:
        if changed.id == entry.id:
            latest[entry.id] = changed

    def current() -> OutboxEntry:
        # read the file too: another process on this profile (the desktop app) may be
        # the one that sends it, and its outcome is not announced in this process
        stored = next((e for e in core.outbox_entries() if e.id == entry.id), None)
        if stored is not None:
            latest[entry.id] = stored
        return latest[entry.id]

    unsubscribe = core.outbox_changed.connect(track)
    if online:
        await session.wait_until(lambda: not current().is_pending, args.wait)
    unsubscribe()
    final = current()
    if not online:
        session.output.note(
            f"server unreachable ({session.offline_reason}); the score is saved locally "
            "and will be sent by a later run (e.g. `scoring-cli flush`) or the console"
        )
    session.output.result(final.describe(), entry_json(final))
    await session.close(flush_timeout=1.0 if online else 0.0)
    return EXIT_FAILED if final.state is EntryState.REJECTED else EXIT_OK


async def cmd_flush(session: CliSession) -> int:
    """Send what is pending; exit 0 only when nothing is pending or rejected."""
    timeout: float = session.args.timeout
    deadline = time.monotonic() + timeout

    def left() -> float:
        return max(0.0, deadline - time.monotonic())

    online = await session.authenticate()
    while not online and not session.resumable and left() > 0:
        # the server may be on its way back: keep trying to log in until the deadline
        await asyncio.sleep(min(1.0, left()))
        online = await session.authenticate()
    connected = False
    if online or session.resumable:
        # with a stored token the core reconnects by itself until the deadline
        connected = (await session.connect(max(0.1, left()))).connected
        if connected:
            await session.core.flush(left())
    pending, rejected = session.unfinished_entries()
    data = {
        "online": connected,
        "pending": len(pending),
        "rejected": len(rejected),
        "entries": [entry_json(e) for e in pending + rejected],
    }
    lines = [f"{len(pending)} pending, {len(rejected)} rejected"]
    lines += [entry_line(e) for e in pending + rejected]
    session.output.result(lines, data)
    await session.close()
    if not connected and pending:
        raise session.unreachable()
    return EXIT_OK if not pending and not rejected else EXIT_FAILED


async def cmd_outbox(session: CliSession) -> int:
    """List the outbox entries with their states (local only, no network)."""
    session.core.open_offline()
    entries = session.core.outbox_entries()
    data = {"entries": [entry_json(e) for e in entries]}
    lines = [entry_line(e) for e in entries] or ["outbox is empty"]
    session.output.result(lines, data)
    await session.close()
    return EXIT_OK
