"""The ``scoring-console`` command: options parsed before Qt is imported.

``--help`` and ``--version`` (and a bad option) are answered here without loading
PySide6, so they work on a machine that lacks Qt's system libraries; only then does
:func:`main` import :mod:`scoring_console.ui.app` and open the window. The
:class:`Options` are shared with the UI (``ui/options.py`` re-exports them).
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass
from pathlib import Path

from . import __version__
from .client.keyring_choice import KeyringChoiceError, keyring_choice
from .client.servers import ServerListError, parse_servers
from .client.tls import CAFILE_ENV

PASSWORD_ENV = "SCORING_PASSWORD"


@dataclass
class Options:
    """Command-line options (``server``: one address, or several as ``a, b``)."""

    server: str | None = None
    username: str | None = None
    data_dir: Path | None = None
    screenshot: Path | None = None
    screenshot_delay: float = 1.0
    size: tuple[int, int] | None = None
    cafile: Path | None = None


def _size(text: str) -> tuple[int, int]:
    width, sep, height = text.lower().partition("x")
    try:
        if not sep:
            raise ValueError(text)
        size = (int(width), int(height))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not WIDTHxHEIGHT, e.g. 1280x760") from None
    if min(size) < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: width and height must be positive")
    return size


def build_parser() -> argparse.ArgumentParser:
    """The ``scoring-console`` command line."""
    parser = argparse.ArgumentParser(
        prog="scoring-console",
        description="Judge scoring and live tallies. The password is read from "
        f"{PASSWORD_ENV} or asked for in the login dialog.",
        epilog="environment: SCORING_CONSOLE_HOME (profile folder), SCORING_CONSOLE_KEYRING "
        "(system | memory | none: where a remembered login is kept), SCORING_LOG (log level)",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--server",
        action="append",
        metavar="URL[,URL…]",
        help="server URL, e.g. http://127.0.0.1:8765 or https://…; several nodes of one "
        "cluster (comma separated, or the option repeated) are tried in turn",
    )
    parser.add_argument("--username", help="user name to log in as")
    parser.add_argument("--data-dir", type=Path, help="folder for the local cache and outbox")
    parser.add_argument(
        "--cafile",
        type=Path,
        metavar="PEM",
        help="trust only this certificate (or CA bundle) for https:// servers: pins a "
        "venue's self-signed certificate",
    )
    parser.add_argument(
        "--screenshot",
        type=Path,
        metavar="FILE",
        help="save a PNG of the main window once it shows its data, then quit",
    )
    parser.add_argument(
        "--screenshot-delay",
        type=float,
        default=1.0,
        metavar="SECONDS",
        help="wait this long after the window is filled before the screenshot (default 1)",
    )
    parser.add_argument("--size", type=_size, help="window size for the screenshot, e.g. 1280x760")
    return parser


def check_cafile(parser: argparse.ArgumentParser, cafile: Path) -> None:
    """Refuse a ``--cafile`` that is not a readable PEM certificate (exit 2)."""
    import ssl

    try:
        ssl.create_default_context(cafile=str(cafile))
    except (OSError, ssl.SSLError) as exc:
        parser.error(f"--cafile {cafile}: not a readable PEM certificate ({exc})")


def parse_args(argv: list[str] | None = None) -> Options:
    """Parse the command line (exits on ``--help``, ``--version`` or a bad option)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.cafile is not None:
        check_cafile(parser, args.cafile)
    try:
        keyring_choice()
    except KeyringChoiceError as exc:
        parser.error(str(exc))
    server: str | None = None
    if args.server is not None:
        try:
            server = parse_servers(args.server).text()
        except ServerListError as exc:
            parser.error(f"--server: {exc}")
    return Options(
        server=server,
        username=args.username,
        data_dir=args.data_dir,
        screenshot=args.screenshot,
        screenshot_delay=args.screenshot_delay,
        size=args.size,
        cafile=args.cafile,
    )


def apply_cafile(cafile: Path | None) -> None:
    """Pin ``cafile`` for every https:// connection of this process (see client/tls.py)."""
    if cafile is not None:
        os.environ[CAFILE_ENV] = str(cafile.resolve())


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``scoring-console``: parse, then import Qt and run the app."""
    options = parse_args(argv)
    apply_cafile(options.cafile)
    from scoring_console.ui.app import main as run_app

    return run_app(argv)
