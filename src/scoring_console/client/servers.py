"""The list of server addresses a console or ``scoring-cli`` may use: parsed and checked once.

Several nodes of one cluster serve the same data, so a client takes a list —
``http://score1.venue:8765, http://score2.venue:8765`` — and uses whichever answers (see
:mod:`.failover`). The console's login dialog, its settings, ``--server`` of the console
and of ``scoring-cli`` all read it with :func:`parse_servers`; a bad entry raises
:class:`ServerListError` with a sentence the user can act on.

The list is written separated by commas and/or spaces; ``--server`` may also be given
several times. A single address behaves exactly as before the list existed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

_SEPARATORS = re.compile(r"[,\s]+")
_DEFAULT_PORTS = {"http": 80, "https": 443}
EXAMPLE = "http://scoring-server:8765"


class ServerListError(ValueError):
    """The server addresses the user gave cannot be used (the message says why)."""


@dataclass(frozen=True)
class ServerList:
    """One or more server addresses, in the order they are tried; never empty.

    ``primary`` (the first) names the list: the local profile (cache and outbox) and the
    stored sign-in of a user belong to the list, not to the node that happens to answer.
    """

    urls: tuple[str, ...]

    def __post_init__(self) -> None:
        if not self.urls:
            raise ServerListError(empty_message())

    @property
    def primary(self) -> str:
        """The first address."""
        return self.urls[0]

    @property
    def several(self) -> bool:
        """True for a list of more than one server (a cluster)."""
        return len(self.urls) > 1

    def text(self) -> str:
        """The list as the user writes it (``a, b``): the settings file and the form."""
        return ", ".join(self.urls)

    def __iter__(self) -> Iterator[str]:
        return iter(self.urls)

    def __len__(self) -> int:
        return len(self.urls)

    def __str__(self) -> str:
        return self.text()


def empty_message() -> str:
    """What an empty server field says."""
    return f"Enter the address of at least one server, e.g. {EXAMPLE}."


def parse_servers(values: str | Iterable[str]) -> ServerList:
    """Parse one text or several (``--server`` given more than once) into a ServerList.

    Each text may hold several addresses separated by commas or spaces. Raises
    :class:`ServerListError` for an empty list, an address that is not
    ``http(s)://host[:port]``, or an address listed twice.
    """
    texts = [values] if isinstance(values, str) else list(values)
    parts = [part for text in texts for part in _SEPARATORS.split(text) if part]
    if not parts:
        raise ServerListError(empty_message())
    urls: list[str] = []
    seen: dict[tuple[str, str, int], str] = {}
    for part in parts:
        url, identity = _check(part)
        if identity in seen:
            raise ServerListError(f"The server {url} is listed twice; list each server once.")
        seen[identity] = url
        urls.append(url)
    return ServerList(tuple(urls))


def _check(text: str) -> tuple[str, tuple[str, str, int]]:
    """The normalised address and what identifies the server (scheme, host, port)."""
    scheme, separator, rest = text.partition("://")
    scheme = scheme.lower()
    url = f"{scheme}://{rest.rstrip('/')}"
    if not separator or scheme not in _DEFAULT_PORTS:
        raise ServerListError(
            f"“{text}” is not a server address: it starts with http:// or https://, e.g. {EXAMPLE}."
        )
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        raise ServerListError(
            f"“{text}” has no valid port: after the colon comes a number up to 65535, "
            f"e.g. {EXAMPLE}."
        ) from None
    host = parts.hostname
    if not host:
        raise ServerListError(f"“{text}” names no server after {scheme}://, e.g. {EXAMPLE}.")
    if parts.username or parts.password or parts.path or parts.query or parts.fragment:
        raise ServerListError(
            f"“{text}” is not a server address: give only http(s)://, the server's name and "
            f"its port, e.g. {EXAMPLE}."
        )
    normalised = f"{scheme}://{parts.netloc}"
    return normalised, (scheme, host.lower(), port or _DEFAULT_PORTS[scheme])


def server_label(url: str) -> str:
    """How a server is named to the user: ``score2.venue:8765``."""
    return urlsplit(url).netloc or url
