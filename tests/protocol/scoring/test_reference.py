"""Property test: the rule implementation agrees with a plain reference implementation.

The reference is written the obvious way, independently: decimal text for every
value, a loop per judge, sorting for drop high/low, and a rank defined as 1 + the
number of contestants strictly better on (total, tie-break values...).
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from scoring_console.protocol.scoring import compute_category
from tests.protocol.scoring.factory import S, category

WEIGHTS = ["0.1", "0.5", "1", "1.5", "2", "0.3"]
SCORE_TENTHS = st.integers(min_value=0, max_value=100)


def reference(
    weights: list[str],
    panel: list[int],
    contestants: list[int],
    scores: dict[tuple[int, int, int], Decimal],
    deductions: dict[int, Decimal],
    method: str,
    drop: bool,
    tie_criteria: list[int],
) -> dict[int, tuple[Fraction, int]]:
    """Contestant → (total, rank), the plain way."""
    n_crit = len(weights)
    keep_full = len(panel) - 2 if drop and len(panel) - 2 >= 3 else len(panel)

    def panel_value(totals: list[tuple[Fraction, list[Fraction]]], index: int | None) -> Fraction:
        if not totals:
            return Fraction(0)
        values = [t if index is None else per[index] for t, per in totals]
        mean = Fraction(sum(values, Fraction(0)), len(values))
        return mean if method == "average" else mean * keep_full

    keys: dict[int, tuple[Fraction, ...]] = {}
    totals_out: dict[int, Fraction] = {}
    for c in contestants:
        complete: list[tuple[int, Fraction, list[Fraction]]] = []
        for j in panel:
            per = []
            for k in range(n_crit):
                value = scores.get((c, j, k))
                if value is None:
                    break
                per.append(Fraction(Decimal(weights[k]) * value))
            if len(per) == n_crit:
                complete.append((j, sum(per, Fraction(0)), per))
        if drop and len(complete) - 2 >= 3:
            ordered = sorted(complete, key=lambda t: t[1])
            complete = ordered[1:-1]
        kept = [(t, per) for _, t, per in complete]
        total = max(Fraction(0), panel_value(kept, None) - Fraction(deductions.get(c, 0)))
        totals_out[c] = total
        keys[c] = (total, *(panel_value(kept, k) for k in tie_criteria))
    return {
        c: (totals_out[c], 1 + sum(1 for d in contestants if keys[d] > keys[c]))
        for c in contestants
    }


@st.composite
def worlds(draw: st.DrawFn) -> dict[str, object]:
    n_crit = draw(st.integers(1, 3))
    weights = [draw(st.sampled_from(WEIGHTS)) for _ in range(n_crit)]
    panel = list(range(1, draw(st.integers(1, 6)) + 1))
    contestants = list(range(1, draw(st.integers(1, 5)) + 1))
    scores: dict[tuple[int, int, int], Decimal] = {}
    for c in contestants:
        for j in panel:
            for k in range(n_crit):
                if draw(st.integers(0, 9)) > 0:  # about one score in ten missing
                    # few distinct values, so equal totals (ties) are common
                    scores[(c, j, k)] = Decimal(draw(st.sampled_from([0, 5, 10, 15, 75, 100]))) / 10
    deductions = {
        c: Decimal(draw(st.integers(1, 30))) / 10 for c in contestants if draw(st.booleans())
    }
    return {
        "weights": weights,
        "panel": panel,
        "contestants": contestants,
        "scores": scores,
        "deductions": deductions,
        "method": draw(st.sampled_from(["sum", "average"])),
        "drop": draw(st.booleans()),
        "tie_criteria": draw(st.lists(st.integers(0, n_crit - 1), max_size=2, unique=True)),
    }


@settings(max_examples=300, deadline=None)
@given(worlds())
def test_implementation_matches_the_reference(world: dict[str, object]) -> None:
    weights: list[str] = world["weights"]  # type: ignore[assignment]
    names = [f"C{i}" for i in range(len(weights))]
    tie_criteria: list[int] = world["tie_criteria"]  # type: ignore[assignment]
    contestants: list[int] = world["contestants"]  # type: ignore[assignment]
    scores: dict[tuple[int, int, int], Decimal] = world["scores"]  # type: ignore[assignment]
    deductions: dict[int, Decimal] = world["deductions"]  # type: ignore[assignment]
    cat = category(
        dict(zip(names, weights, strict=True)),
        contestants=len(contestants),
        method=world["method"],
        drop_high_low=world["drop"],
        tie_break=[f"criterion:{names[k]}" for k in tie_criteria],
    )
    result = compute_category(
        cat,
        world["panel"],  # type: ignore[arg-type]
        [S(c, k + 1, j, float(v)) for (c, j, k), v in scores.items()],
        [(c, float(a)) for c, a in deductions.items()],
    )
    expected = reference(
        weights,
        world["panel"],  # type: ignore[arg-type]
        contestants,
        scores,
        deductions,
        world["method"],  # type: ignore[arg-type]
        world["drop"],  # type: ignore[arg-type]
        tie_criteria,
    )
    assert {r.contestant_id: (r.total, r.rank) for r in result.rows} == expected
    assert [r.rank for r in result.rows] == sorted(r.rank for r in result.rows)
