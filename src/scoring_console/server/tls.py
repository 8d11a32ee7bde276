"""TLS for the bundled server: ``scoring-server --certfile CERT --keyfile KEY``.

The server then listens on ``https://`` (Socket.IO over ``wss://``). Clients verify the
certificate against the system's CAs, or against a pinned copy of a venue's self-signed
certificate (``scoring-console --cafile``; see ``client/tls.py``).
"""

from __future__ import annotations

import ssl
from pathlib import Path


class TlsError(ValueError):
    """The certificate or key cannot be loaded."""


def server_ssl_context(certfile: Path, keyfile: Path | None = None) -> ssl.SSLContext:
    """A server-side context (TLS 1.2+) holding the certificate chain and key."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        context.load_cert_chain(str(certfile), str(keyfile) if keyfile else None)
    except FileNotFoundError as exc:
        raise TlsError(f"no such file: {exc.filename}") from None
    except (OSError, ssl.SSLError) as exc:
        raise TlsError(
            f"cannot load certificate {certfile}"
            + (f" with key {keyfile}" if keyfile else "")
            + f": {exc}"
        ) from None
    return context
