"""``results``: a category's ranking by its scoring rules, from a fresh sync."""

from __future__ import annotations

from typing import Any

from scoring_console.protocol.entities import CertificationStatus
from scoring_console.protocol.roles import Role
from scoring_console.protocol.scoring import MANUAL, CategoryResult, rounded

from ...standings import manual_reason
from ...state import StateStore
from ..errors import EXIT_FAILED, EXIT_INVALID, EXIT_OK, CliError
from ..session import CliSession


def results_json(state: StateStore, category_id: int, result: CategoryResult) -> dict[str, Any]:
    """``{categoryId, status, ranking: [{contestantId, number, name, total, rank}]}``.

    ``status`` is ``final`` once the category is certified, else ``provisional``;
    ``total`` is the displayed value (rounded to the category's precision).
    """
    cert = state.certifications.get(category_id)
    final = cert is not None and cert.status is CertificationStatus.CERTIFIED
    ranking = []
    for row in result.rows:
        contestant = state.contestants.get(row.contestant_id)
        value = rounded(row.total, result.rules.precision)
        ranking.append(
            {
                "contestantId": row.contestant_id,
                "number": contestant.number if contestant else None,
                "name": contestant.name if contestant else f"contestant {row.contestant_id}",
                "total": int(value) if result.rules.precision == 0 else float(value),
                "rank": row.rank,
            }
        )
    return {
        "categoryId": category_id,
        "status": "final" if final else "provisional",
        "ranking": ranking,
    }


def results_lines(state: StateStore, data: dict[str, Any], result: CategoryResult) -> list[str]:
    """The ranking as a table for people, provisional rows marked with "k of n scores"."""
    category = state.categories[data["categoryId"]]
    rules = result.rules
    lines = [
        f"{category.name}: {data['status']} ({rules.method.value}"
        + (", drop high/low" if rules.drop_high_low else "")
        + (f", tie-break {' > '.join(rules.tie_break)}" if rules.tie_break else "")
        + ")",
        f"{'rank':>4}  {'no.':>4}  {'name':<28} {'total':>10}",
    ]
    for item, row in zip(data["ranking"], result.rows, strict=True):
        mark = "" if not row.provisional else f"  provisional, {row.progress}"
        tie = f"  (tie-break: {row.tie_break})" if row.tie_break else ""
        if row.tie_break == MANUAL:
            reason = manual_reason(state, data["categoryId"], row.contestant_id)
            tie = f"  (tie-break: manual — {reason})" if reason else tie
        lines.append(
            f"{row.rank:>4}  {item['number'] or '':>4}  {item['name']:<28} "
            f"{result.display(row.total):>10}{tie}{mark}"
        )
    return lines


async def cmd_results(session: CliSession) -> int:
    """Print the ranking of ``--category`` (``--json``: the documented JSON shape)."""
    await session.require_online()
    state = session.core.state
    category_id: int = session.args.category
    if state.user is not None and state.user.role is Role.JUDGE:
        await session.close()
        raise CliError(EXIT_FAILED, "judges do not see totals: log in as a tally master")
    result = state.category_result(category_id)
    if result is None:
        await session.close()
        known = ", ".join(f"{c.id} ({c.name})" for c in state.categories.values()) or "none"
        raise CliError(EXIT_INVALID, f"category {category_id} is not visible (known: {known})")
    data = results_json(state, category_id, result)
    session.output.result(results_lines(state, data, result), data)
    await session.close()
    return EXIT_OK
