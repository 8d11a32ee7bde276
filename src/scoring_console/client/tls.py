"""Which certificates an ``https://`` server must present: the system's CAs, or a pin.

By default every connection (REST login/refresh, Socket.IO polling and websocket)
verifies the server certificate against the system's CA store, as aiohttp does. A venue
that runs the server with its own self-signed certificate pins it: set
``SCORING_CONSOLE_CAFILE`` to the certificate's PEM file (``scoring-console --cafile`` and
``scoring-cli --cafile`` do that), and only certificates that chain to it are accepted —
the host name is still checked. The variable is read when a connection is made.
"""

from __future__ import annotations

import os
import ssl
from collections.abc import Callable

import aiohttp

CAFILE_ENV = "SCORING_CONSOLE_CAFILE"


class TlsConfigError(ValueError):
    """The pinned certificate file cannot be read or is not a PEM certificate."""


def pinned_cafile() -> str | None:
    """The pinned certificate file, or ``None`` (verify against the system's CAs)."""
    return os.environ.get(CAFILE_ENV) or None


def ssl_context() -> ssl.SSLContext | bool:
    """What aiohttp's ``ssl=`` gets: a context trusting only the pin, or ``True``."""
    cafile = pinned_cafile()
    if cafile is None:
        return True
    try:
        return ssl.create_default_context(cafile=cafile)
    except (OSError, ssl.SSLError) as exc:
        raise TlsConfigError(
            f"{CAFILE_ENV}={cafile}: not a readable PEM certificate ({exc})"
        ) from None


def http_session(timeout: aiohttp.ClientTimeout | None = None) -> aiohttp.ClientSession:
    """An aiohttp session that verifies servers as configured here."""
    connector = aiohttp.TCPConnector(ssl=ssl_context())
    if timeout is None:
        return aiohttp.ClientSession(connector=connector)
    return aiohttp.ClientSession(connector=connector, timeout=timeout)


def engineio_session_factory() -> Callable[[], aiohttp.ClientSession] | None:
    """For ``socketio.AsyncClient(http_session=...)``: a factory when a pin is set.

    Engine.IO calls the factory for each connection and closes the session itself;
    ``None`` keeps its default (the system's CAs).
    """
    return http_session if pinned_cafile() is not None else None
