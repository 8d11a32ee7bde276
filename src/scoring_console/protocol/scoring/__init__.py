"""Scoring rules and the one implementation of totals and ranks (server, console, CLI)."""

from __future__ import annotations

from .decimals import DecimalValue, exact
from .rules import (
    DEFAULT_RULES,
    MANUAL,
    MIN_TOTALS_AFTER_DROP,
    OutlierRule,
    ScoringMethod,
    ScoringRules,
)

__all__ = [
    "DEFAULT_RULES",
    "MANUAL",
    "MIN_TOTALS_AFTER_DROP",
    "DecimalValue",
    "OutlierRule",
    "ScoringMethod",
    "ScoringRules",
    "exact",
]
