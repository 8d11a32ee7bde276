"""``python -m scoring_console.server``: the same as ``scoring-server``."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
