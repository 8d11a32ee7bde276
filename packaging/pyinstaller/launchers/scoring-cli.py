"""Frozen entry point of ``scoring-cli``."""

import sys

from scoring_console.client.cli import main

if __name__ == "__main__":
    sys.exit(main())
