"""Rounding exact values for people (half up, fixed decimals) and for JSON."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction


def rounded(value: Fraction, precision: int) -> Decimal:
    """``value`` rounded half away from zero to ``precision`` decimals, exactly."""
    scale = 10**precision
    magnitude = abs(value) * scale
    whole = int(magnitude + Fraction(1, 2))  # floor(x + 1/2) for x >= 0
    result = Decimal(whole).scaleb(-precision)
    return -result if value < 0 else result


def display(value: Fraction, precision: int) -> str:
    """``value`` as text with exactly ``precision`` decimals (``12.50``)."""
    return f"{rounded(value, precision):.{precision}f}"


def as_float(value: Fraction) -> float:
    """The nearest float, for JSON fields kept for older readers; never compared."""
    return float(value)
