"""``python -m scoring_console.client.cli``: the same as the ``scoring-cli`` script."""

from __future__ import annotations

from . import main

if __name__ == "__main__":
    raise SystemExit(main())
