"""A category's standings on the server: its model, panel, decisions and the rule result.

Everything here reads; the rules themselves are :mod:`scoring_console.protocol.scoring`,
the same code the console and the CLI run.
"""

from __future__ import annotations

from scoring_console.protocol.entities import (
    Category,
    Criterion,
    OutlierReview,
    Score,
    TieDecision,
)
from scoring_console.protocol.scoring import (
    CategoryResult,
    OutlierFlag,
    ScoringRules,
    compute_category,
    exact,
    find_outliers,
    manual_orders,
    open_flags,
)

from ..db import Connection
from ..db import rows as r
from . import certstate


def category_model(conn: Connection, category_id: int) -> Category:
    """The category as ``sync`` sends it: criteria with weights, contestants, rules."""
    row = conn.execute("SELECT * FROM categories WHERE id = ?", (category_id,)).fetchone()
    criteria = [
        Criterion(id=c["id"], name=c["name"], max_score=c["max_score"], weight=exact(c["weight"]))
        for c in conn.execute(
            "SELECT * FROM criteria WHERE category_id = ? ORDER BY position, id", (category_id,)
        )
    ]
    contestant_ids = [
        c[0]
        for c in conn.execute(
            "SELECT cc.contestant_id FROM category_contestants cc "
            "JOIN contestants t ON t.id = cc.contestant_id "
            "WHERE cc.category_id = ? ORDER BY t.number, t.id",
            (category_id,),
        )
    ]
    return Category(
        id=row["id"],
        contest_id=row["contest_id"],
        name=row["name"],
        criteria=criteria,
        contestant_ids=contestant_ids,
        published=bool(row["published"]),
        scoring=ScoringRules.from_json_text(row["scoring"]),
    )


def _marks(count: int) -> str:
    return ", ".join("?" * count) or "NULL"  # PostgreSQL refuses an empty IN ()


def tie_decisions(conn: Connection, category_ids: list[int]) -> list[TieDecision]:
    """Manual tie decisions of these categories, oldest first."""
    if not category_ids:
        return []
    rows = conn.execute(
        f"SELECT * FROM tie_decisions WHERE category_id IN ({_marks(len(category_ids))}) "
        "ORDER BY id",
        category_ids,
    )
    return [r.tie_decision(row) for row in rows]


def outlier_reviews(conn: Connection, category_ids: list[int]) -> list[OutlierReview]:
    """Outlier reviews of these categories, oldest first."""
    if not category_ids:
        return []
    rows = conn.execute(
        f"SELECT * FROM outlier_reviews WHERE category_id IN ({_marks(len(category_ids))}) "
        "ORDER BY id",
        category_ids,
    )
    return [r.outlier_review(row) for row in rows]


def panel_scores(conn: Connection, category_id: int) -> list[Score]:
    """The scores that count: those of the category's panel judges."""
    return [r.score(row) for row in conn.execute(certstate.PANEL_SCORES_SQL, (category_id,))]


def category_result(conn: Connection, category_id: int) -> CategoryResult:
    """The category's ranking by its rules, from the database as it is now."""
    deductions = [
        (row[0], exact(row[1]))
        for row in conn.execute(
            "SELECT contestant_id, amount FROM deductions "
            "WHERE category_id = ? AND status = 'APPROVED'",
            (category_id,),
        )
    ]
    return compute_category(
        category_model(conn, category_id),
        certstate.required_judge_ids(conn, category_id),
        panel_scores(conn, category_id),
        deductions,
        manual_orders(tie_decisions(conn, [category_id]), category_id),
    )


def open_outlier_flags(conn: Connection, category_id: int) -> list[OutlierFlag]:
    """Flagged panel scores no tally master cleared for their current version."""
    category = category_model(conn, category_id)
    flags = find_outliers(
        category,
        {c.id: c.max_score for c in category.criteria},
        certstate.required_judge_ids(conn, category_id),
        panel_scores(conn, category_id),
    )
    return open_flags(flags, outlier_reviews(conn, [category_id]))
