"""The ``scoring-console`` command line."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

PASSWORD_ENV = "SCORING_PASSWORD"


@dataclass
class Options:
    """Command-line options."""

    server: str | None = None
    username: str | None = None
    data_dir: Path | None = None
    screenshot: Path | None = None
    screenshot_delay: float = 1.0
    size: tuple[int, int] | None = None


def parse_args(argv: list[str] | None = None) -> Options:
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        prog="scoring-console",
        description="Judge scoring and live tallies. The password is read from "
        f"{PASSWORD_ENV} or asked for in the login dialog.",
    )
    parser.add_argument("--server", help="server URL, e.g. http://127.0.0.1:8765")
    parser.add_argument("--username", help="user name to log in as")
    parser.add_argument("--data-dir", type=Path, help="folder for the local cache and outbox")
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
    parser.add_argument("--size", help="window size for the screenshot, e.g. 1280x760")
    args = parser.parse_args(argv)
    size = None
    if args.size:
        width, _, height = args.size.lower().partition("x")
        size = (int(width), int(height))
    return Options(
        server=args.server,
        username=args.username,
        data_dir=args.data_dir,
        screenshot=args.screenshot,
        screenshot_delay=args.screenshot_delay,
        size=size,
    )
