"""Exact decimal values on the wire: weights, thresholds and computed totals.

A JSON number is read through its shortest decimal text (``0.1`` is exactly
``Decimal("0.1")``, never the binary float ``0.1000000000000000055…``), and a decimal is
written back as a JSON number. Scores travel as JSON numbers too; :func:`exact` turns
any of them into a :class:`~decimal.Decimal` the same way, so two totals that are equal
on paper compare equal.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from fractions import Fraction
from functools import lru_cache
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer


def exact(value: Decimal | float | int | str) -> Decimal:
    """``value`` as an exact, finite :class:`Decimal` (a float through its shortest text).

    Raises ``ValueError`` for text that is not a number, for booleans, NaN and infinity.
    """
    if isinstance(value, bool):
        raise ValueError("a number is required, not a boolean")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, float):
        result = Decimal(repr(value))
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except InvalidOperation:
            raise ValueError(f"not a decimal number: {value!r}") from None
    else:
        raise ValueError(f"a number is required, not {type(value).__name__}")
    if not result.is_finite():
        raise ValueError("the number must be finite")
    return result


@lru_cache(maxsize=8192)
def _fraction_of_float(value: float) -> Fraction:
    return Fraction(exact(value))


def fraction(value: Decimal | float | int | str) -> Fraction:
    """``value`` as an exact :class:`~fractions.Fraction` (see :func:`exact`).

    Floats are cached: scores take few distinct values, and the rules convert every
    score on every recomputation of a live tally.
    """
    if isinstance(value, float):
        return _fraction_of_float(value)
    return Fraction(exact(value))


def _validate(value: Any) -> Decimal:
    return exact(value)


def to_json_number(value: Decimal) -> int | float:
    """A JSON number for ``value``: an int when integral, else the float of its text."""
    if value == value.to_integral_value():
        return int(value)
    return float(value)


DecimalValue = Annotated[
    Decimal,
    BeforeValidator(_validate),
    PlainSerializer(to_json_number, return_type=int | float, when_used="json"),
]
"""A finite decimal read from a JSON number or text and written as a JSON number."""
