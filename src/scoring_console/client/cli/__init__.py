"""``scoring-cli``: a command-line client over the same core as the desktop console.

Useful at the venue (rehearsals, troubleshooting, a scripted bot judge) and for
black-box tests. It drives :class:`~scoring_console.client.core.ClientCore` only, with
the same per-user data dir as the desktop app, so entries queued by one are sent by
the other.

The password comes from ``SCORING_PASSWORD`` or a terminal prompt, never from the
command line; a stored refresh token (OS keyring) logs in silently.
``SCORING_CONSOLE_KEYRING=memory`` swaps the keyring for the in-memory backend of
:mod:`..memory_keyring` (tests: nothing persists between runs, so every run needs the
password), ``none`` disables storing the token. Exit codes are listed in ``--help``
(:data:`.args.EPILOG`).

Modules: :mod:`.args` (options and help text), :mod:`.credentials` (password and
keyring choice), :mod:`.session` (the core, login and connection), :mod:`.validation`
(checks against the cached snapshot), :mod:`.commands` (one module per command group),
:mod:`.output` (human and ``--json`` rendering), :mod:`.errors` (exit codes) and
:mod:`.app` (the entry point).
"""

from __future__ import annotations

from .app import main

__all__ = ["main"]
