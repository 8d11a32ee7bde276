"""``python -m scoring_console.ui``: the same as ``scoring-console``.

The installed ``scoring-console`` script starts at :func:`scoring_console.console.main`,
which answers ``--help``/``--version`` without importing Qt; this module (inside the
``ui`` package, whose import loads Qt) is kept for ``python -m``.
"""

from __future__ import annotations

import sys

from scoring_console.console import main

if __name__ == "__main__":
    sys.exit(main())
