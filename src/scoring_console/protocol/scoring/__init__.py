"""Scoring rules and the one implementation of totals and ranks (server, console, CLI).

Import the rules (:class:`ScoringRules`) and :func:`compute_category` from here; the
submodules are the parts: ``panel`` (judge totals, drop, method), ``order`` (tie-breaks,
shared ranks), ``outliers`` (scores far from the panel), ``display`` (rounding).
"""

from __future__ import annotations

from .decimals import DecimalValue, exact
from .display import display, rounded
from .engine import compute_category, manual_orders
from .outliers import OutlierFlag, find_outliers, open_flags
from .results import CategoryResult, ContestantResult, JudgeTotal
from .rules import (
    DEFAULT_RULES,
    MANUAL,
    MIN_TOTALS_AFTER_DROP,
    OutlierRule,
    ScoringMethod,
    ScoringRules,
)
from .wire import OutlierAction, OutlierReview, RankedTotal, TieDecision
from .words import rules_in_words

__all__ = [
    "DEFAULT_RULES",
    "MANUAL",
    "MIN_TOTALS_AFTER_DROP",
    "CategoryResult",
    "ContestantResult",
    "DecimalValue",
    "JudgeTotal",
    "OutlierAction",
    "OutlierFlag",
    "OutlierReview",
    "OutlierRule",
    "RankedTotal",
    "ScoringMethod",
    "ScoringRules",
    "TieDecision",
    "compute_category",
    "display",
    "exact",
    "find_outliers",
    "manual_orders",
    "open_flags",
    "rounded",
    "rules_in_words",
]
