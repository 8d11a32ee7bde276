"""Who is connected: live sockets by sid and by user, with each socket's delivery state.

Room membership itself lives in python-socketio's manager; this index adds what the
transport needs on top: the :class:`Actor` behind a sid, when its token expires, and
the ``seq`` last delivered to it (the next event's ``prevSeq``).
"""

from __future__ import annotations

from dataclasses import dataclass

from .service.types import Actor


@dataclass
class Connection:
    """One live Socket.IO connection."""

    sid: str
    actor: Actor
    token_expires_at: int
    last_seq: int = 0


class ConnectionIndex:
    """Live connections by sid and by user id."""

    def __init__(self) -> None:
        self._by_sid: dict[str, Connection] = {}
        self._by_user: dict[int, set[str]] = {}

    def add(self, connection: Connection) -> None:
        """Register a connection that passed the handshake."""
        self._by_sid[connection.sid] = connection
        self._by_user.setdefault(connection.actor.user_id, set()).add(connection.sid)

    def remove(self, sid: str) -> Connection | None:
        """Forget a connection; returns it, or ``None`` if it was unknown."""
        connection = self._by_sid.pop(sid, None)
        if connection is not None:
            sids = self._by_user.get(connection.actor.user_id)
            if sids is not None:
                sids.discard(sid)
                if not sids:
                    del self._by_user[connection.actor.user_id]
        return connection

    def get(self, sid: str) -> Connection | None:
        """The connection behind ``sid``, if it is live."""
        return self._by_sid.get(sid)

    def sids_of(self, user_id: int) -> tuple[str, ...]:
        """Every live sid of one user (a user may be connected from several devices)."""
        return tuple(sorted(self._by_user.get(user_id, ())))

    def connections(self) -> list[Connection]:
        """Every live connection (a copy: callers may close them while iterating)."""
        return list(self._by_sid.values())

    def count_of(self, user_id: int) -> int:
        """How many live connections one user has."""
        return len(self._by_user.get(user_id, ()))

    def is_online(self, user_id: int) -> bool:
        """True while the user has at least one live connection."""
        return bool(self._by_user.get(user_id))

    def __len__(self) -> int:
        return len(self._by_sid)

    def __contains__(self, sid: object) -> bool:
        return sid in self._by_sid
