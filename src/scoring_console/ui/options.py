"""The ``scoring-console`` command line (defined Qt-free in :mod:`scoring_console.console`)."""

from __future__ import annotations

from scoring_console.console import PASSWORD_ENV, Options, parse_args

__all__ = ["PASSWORD_ENV", "Options", "parse_args"]
