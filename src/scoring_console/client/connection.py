"""Connection state the UI shows: offline, connecting, connected, reconnecting, auth failed.

The socket itself is driven by :class:`scoring_console.client.link.Link`; this module
holds the small value types every layer above reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .servers import server_label


class ConnectionStatus(StrEnum):
    """The coarse state of the link to the server."""

    OFFLINE = "offline"
    CONNECTING = "connecting"
    CONNECTED = "connected"
    RECONNECTING = "reconnecting"
    AUTH_FAILED = "auth_failed"


@dataclass(frozen=True)
class ConnectionState:
    """A connection status with its details.

    ``attempt`` counts failed attempts since the link was last up (``RECONNECTING``),
    ``retry_in`` is the delay in seconds before the next attempt, ``reason`` says why
    the link is down or why the server refused us (``AUTH_FAILED``). ``server`` is the
    address of the node the link is connected to (``CONNECTED``): with several servers
    it is the one that answered.
    """

    status: ConnectionStatus = ConnectionStatus.OFFLINE
    attempt: int = 0
    retry_in: float | None = None
    reason: str | None = None
    server: str | None = None

    @property
    def connected(self) -> bool:
        """True when events flow and acknowledged calls can be made."""
        return self.status is ConnectionStatus.CONNECTED

    def describe(self) -> str:
        """A one-line human description, e.g. ``reconnecting (attempt 3, next in 4.0 s)``
        or ``connected to score2.venue:8765``."""
        if self.status is ConnectionStatus.CONNECTED and self.server:
            return f"connected to {server_label(self.server)}"
        if self.status is ConnectionStatus.RECONNECTING:
            detail = f"attempt {self.attempt}"
            if self.retry_in is not None:
                detail += f", next in {self.retry_in:.1f} s"
            return f"reconnecting ({detail})"
        if self.reason and self.status in (ConnectionStatus.AUTH_FAILED, ConnectionStatus.OFFLINE):
            return f"{self.status}: {self.reason}"
        return str(self.status)


OFFLINE = ConnectionState()
