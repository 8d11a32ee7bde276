"""Sessions end with their credentials: closing sockets whose token or account ended.

A socket's access token is checked when the client calls (see :mod:`.handlers`), but a
socket that only listens would keep receiving events forever. :class:`SessionCloser`
closes such sockets:

* at delivery time — :class:`~scoring_console.server.delivery.Deliverer` asks
  :meth:`SessionCloser.expired` before planning a send and closes instead of sending;
* periodically — :meth:`SessionCloser.run` sweeps every live connection;
* on demand — a :class:`~scoring_console.server.service.types.CloseSessions` effect
  (deactivation, role change, password reset) closes every socket of that user.

Closing sends Socket.IO's DISCONNECT (a python-socketio client does not reconnect on
it) and then closes the Engine.IO session, whose transport
:mod:`.transport` aborts shortly after so a peer that ignores the close cannot hold it.
"""

from __future__ import annotations

import asyncio
import logging

import socketio

from .rooms import Connection, ConnectionIndex
from .tokens import TokenIssuer

log = logging.getLogger(__name__)

NAMESPACE = "/"


class SessionCloser:
    """Decides when a live connection's credentials ended and closes it."""

    def __init__(
        self,
        sio: socketio.AsyncServer,
        index: ConnectionIndex,
        tokens: TokenIssuer,
        renew_grace: int,
    ) -> None:
        self._sio = sio
        self._index = index
        self._tokens = tokens
        self._grace = renew_grace

    def expired(self, connection: Connection) -> bool:
        """True once the connection's token expired longer ago than the renew grace."""
        return self._tokens.is_expired(connection.token_expires_at + self._grace)

    async def close_user(self, user_id: int, reason: str) -> int:
        """Close every live socket of ``user_id``; returns how many."""
        sids = self._index.sids_of(user_id)
        for sid in sids:
            await self.close_sid(sid, reason)
        return len(sids)

    async def close_sid(self, sid: str, reason: str) -> None:
        """Close one socket now: DISCONNECT, then its Engine.IO session and transport."""
        connection = self._index.get(sid)
        who = connection.actor.username if connection is not None else "?"
        log.info("closing sid %s of %s: %s", sid, who, reason)
        eio_sid = self._sio.manager.eio_sid_from_sid(sid, NAMESPACE)
        try:
            await self._sio.disconnect(sid, namespace=NAMESPACE)
        except Exception:
            log.exception("disconnecting sid %s failed", sid)
        # If the disconnect handler did not run (already half-gone), forget it anyway.
        self._index.remove(sid)
        socket = self._sio.eio.sockets.get(eio_sid) if eio_sid is not None else None
        if socket is not None:
            try:
                await socket.close(wait=False, reason=self._sio.eio.reason.SERVER_DISCONNECT)
            except Exception:
                log.exception("closing the transport of sid %s failed", sid)

    async def sweep(self) -> int:
        """Close every connection past its token's grace; returns how many."""
        stale = [c.sid for c in self._index.connections() if self.expired(c)]
        for sid in stale:
            await self.close_sid(sid, "access token expired past the renew grace")
        return len(stale)

    async def run(self, interval: float) -> None:
        """Sweep every ``interval`` seconds until cancelled."""
        while True:
            await asyncio.sleep(interval)
            try:
                await self.sweep()
            except Exception:
                log.exception("session sweep failed")
