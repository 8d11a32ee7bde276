"""``python -m scoring_console.ui`` and the ``scoring-console`` gui-script."""

from __future__ import annotations

import sys

from .app import main

if __name__ == "__main__":
    sys.exit(main())
