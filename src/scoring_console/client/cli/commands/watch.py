"""``watch``: print the server's events as JSON lines as they arrive."""

from __future__ import annotations

import asyncio

from pydantic import BaseModel

from scoring_console.protocol import ServerEvent

from ...connection import ConnectionState
from ..errors import EXIT_OK
from ..session import CliSession


async def cmd_watch(session: CliSession) -> int:
    """Print incoming events as JSON lines for ``--seconds`` (default: until Ctrl-C)."""
    await session.require_online()
    output = session.output

    def on_event(item: tuple[ServerEvent, BaseModel]) -> None:
        event, payload = item
        output.line(
            {"event": str(event), "payload": payload.model_dump(mode="json", by_alias=True)}
        )

    def on_connection(state: ConnectionState) -> None:
        output.note(f"connection: {state.describe()}")

    offs = [
        session.core.event_received.connect(on_event),
        session.core.connection_changed.connect(on_connection),
    ]
    output.note(f"watching {session.args.server} as {session.args.username}")
    try:
        if session.args.seconds is None:
            await asyncio.Event().wait()
        else:
            await asyncio.sleep(session.args.seconds)
    finally:
        for off in offs:
            off()
        await session.close()
    return EXIT_OK
