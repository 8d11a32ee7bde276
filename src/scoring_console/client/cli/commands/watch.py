"""``watch``: print the server's events as JSON lines as they arrive."""

from __future__ import annotations

import asyncio
import contextlib

from pydantic import BaseModel

from scoring_console.protocol import ServerEvent

from ...connection import ConnectionState
from ..errors import EXIT_OK
from ..session import CliSession


async def cmd_watch(session: CliSession) -> int:
    """Print incoming events as JSON lines for ``--seconds`` (default: until Ctrl-C)."""
    await session.require_online()
    output = session.output
    reader_gone = asyncio.Event()  # stdout's reader closed the pipe (`watch | head`)

    def on_event(item: tuple[ServerEvent, BaseModel]) -> None:
        event, payload = item
        if reader_gone.is_set():
            return
        try:
            output.line(
                {"event": str(event), "payload": payload.model_dump(mode="json", by_alias=True)}
            )
        except BrokenPipeError:
            reader_gone.set()

    def on_connection(state: ConnectionState) -> None:
        output.note(f"connection: {state.describe()}")

    offs = [
        session.core.event_received.connect(on_event),
        session.core.connection_changed.connect(on_connection),
    ]
    output.note(f"watching {session.args.server} as {session.args.username}")
    try:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(reader_gone.wait(), session.args.seconds)
    finally:
        for off in offs:
            off()
        await session.close()
    if reader_gone.is_set():
        raise BrokenPipeError("stdout was closed by its reader")  # app.main ends quietly
    return EXIT_OK
