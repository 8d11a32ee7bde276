"""Frozen entry point of ``scoring-console`` (absolute import: no package context here)."""

import sys

from scoring_console.console import main

if __name__ == "__main__":
    sys.exit(main())
