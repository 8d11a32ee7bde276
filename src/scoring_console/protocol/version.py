"""Wire protocol version shared by the server and every client."""

from typing import Final

PROTOCOL_VERSION: Final[int] = 1
"""Bumped on any incompatible change to an event name or payload shape."""

SUPPORTED_PROTOCOL_VERSIONS: Final[frozenset[int]] = frozenset({1})
"""Versions the server accepts in the handshake ``auth.protocol`` field."""
