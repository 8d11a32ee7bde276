"""Frozen entry point of ``scoring-server``."""

import sys

from scoring_console.server.cli import main

if __name__ == "__main__":
    sys.exit(main())
