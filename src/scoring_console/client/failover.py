"""Which server of the list the client talks to, and in which order it tries the others.

One :class:`ServerRing` is shared by the REST session (:mod:`.auth`: login, refresh,
logout, the reachability probe) and the socket (:mod:`.link`), so both use the same node:
when the socket finds a node dead, the next refresh goes to the node the socket moved
to, and the other way round.

The rule: a node that failed is passed over, starting with the one after it, and the
client stays on the node that answered — it does not move back when the first node
returns (that would cost every console a reconnect and a resync for nothing: all nodes
serve the same data and accept the same tokens). After a connection that was up drops,
the next node is tried first: the node that just dropped the client is the likeliest to
be dead (killed, restarting), and a dead machine costs a whole connect timeout, while
moving to a live node costs only the resync every reconnect does anyway. With one
address nothing of this changes anything.
"""

from __future__ import annotations

import logging

from .servers import ServerList, parse_servers, server_label

log = logging.getLogger(__name__)


class ServerRing:
    """The current node of a :class:`ServerList` and the order to try the others in.

    ``profile_url`` names the local profile and the stored sign-in (the list's first
    address unless the caller chose another one of the list, see
    :func:`scoring_console.client.core.profile_url`).
    """

    def __init__(self, servers: ServerList | str, profile_url: str | None = None) -> None:
        self.servers = servers if isinstance(servers, ServerList) else parse_servers(servers)
        self.profile_url = profile_url or self.servers.primary
        self._index = 0

    @property
    def current(self) -> str:
        """The node the client uses now (or tries next)."""
        return self.servers.urls[self._index]

    @property
    def several(self) -> bool:
        """True when there is another node to fail over to."""
        return self.servers.several

    def candidates(self) -> list[str]:
        """Every node once: the current one first, then the others in list order."""
        urls = self.servers.urls
        return [*urls[self._index :], *urls[: self._index]]

    def settle(self, url: str) -> None:
        """``url`` answered: use it from now on."""
        self._move(self.servers.urls.index(url))

    def skip(self, url: str) -> None:
        """``url`` failed: the next node becomes current (if ``url`` still was)."""
        if self.current == url and self.several:
            self._move((self._index + 1) % len(self.servers))

    def label(self, url: str | None = None) -> str:
        """``score2.venue:8765`` for ``url`` (default: the current node)."""
        return server_label(url or self.current)

    def describe(self) -> str:
        """The list for a message: the one URL, or ``a, b and c``."""
        urls = list(self.servers)
        if len(urls) == 1:
            return urls[0]
        return ", ".join(urls[:-1]) + " and " + urls[-1]

    def _move(self, index: int) -> None:
        if index != self._index:
            previous = self.current
            self._index = index
            log.info("server %s → %s", previous, self.current)
