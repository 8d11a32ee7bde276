"""A category's criteria (name, maxScore, weight, order) and its scoring rules.

Refused, naming what blocks it: removing a criterion that has scores, a ``maxScore``
below an entered score, adding or removing criteria once the tally master signed,
anything in a locked contest. Unchanged lists record nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from scoring_console.protocol.scoring import ScoringRules, exact

from ...db import Connection, Row
from ..types import Conflict, Invalid, NotFound
from .structure_ops import contest_of, one_row
from .unit import SetupWrite, category_label


@dataclass(frozen=True)
class CriterionSpec:
    """A criterion as a setup call wants it (``id`` matches an existing one, else the name)."""

    name: str
    max_score: float
    id: int | None = None
    weight: Decimal = Decimal(1)


def _fmt(value: float) -> str:
    return f"{value:g}"


def set_criteria(w: SetupWrite, category_id: int, wanted: list[CriterionSpec]) -> None:
    """Make the category's criteria exactly ``wanted``, in that order."""
    conn = w.conn
    label = category_label(conn, category_id)
    names = [spec.name for spec in wanted]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise Invalid(
            f"{label} would have two criteria named {twice[0]!r}; criterion names must differ",
            {"names": twice},
        )
    current = {
        row["id"]: row
        for row in conn.execute("SELECT * FROM criteria WHERE category_id = ?", (category_id,))
    }
    by_name = {row["name"]: row for row in current.values()}
    kept: dict[int, CriterionSpec] = {}
    for spec in wanted:
        row = current.get(spec.id) if spec.id is not None else by_name.get(spec.name)
        if spec.id is not None and row is None:
            raise NotFound(f"criterion {spec.id} is not in {label}", {"criterionId": spec.id})
        if row is not None:
            kept[row["id"]] = spec
    removed = [row for cid, row in current.items() if cid not in kept]
    kept_specs = {id(spec) for spec in kept.values()}
    added = [spec for spec in wanted if id(spec) not in kept_specs]
    plan: list[tuple[str, str, str]] = []
    for row in removed:
        count = score_count(conn, "criterion_id = ?", row["id"])
        if count:
            raise Conflict(
                f"criterion {row['name']!r} in {label} has {count} score(s); it cannot be "
                "removed (ask for the scores' removal first)",
                {"criterion": row["name"], "scores": count},
            )
        text = f"criterion {row['name']!r} removed from {label}"
        plan.append(("criterion.remove", row["name"], text))
    for cid, spec in kept.items():
        row = current[cid]
        if spec.max_score != row["max_score"]:
            _require_max_above_scores(conn, row, spec.max_score, label)
            text = (
                f"criterion {row['name']!r} in {label}: maxScore "
                f"{_fmt(row['max_score'])} → {_fmt(spec.max_score)}"
            )
            plan.append(("criterion.update", spec.name, text))
        if spec.name != row["name"]:
            text = f"criterion {row['name']!r} in {label} renamed {spec.name!r}"
            plan.append(("criterion.rename", spec.name, text))
        if exact(row["weight"]) != spec.weight:
            text = (
                f"criterion {spec.name!r} in {label}: weight {exact(row['weight'])} → {spec.weight}"
            )
            plan.append(("criterion.weight", spec.name, text))
    for spec in added:
        plan.append(("criterion.create", spec.name, f"criterion {spec.name!r} added to {label}"))
    positions = {spec_id: index for index, spec_id in enumerate(id(s) for s in wanted)}
    reordered = any(current[cid]["position"] != positions[id(spec)] for cid, spec in kept.items())
    if not plan and not reordered:
        return
    w.require_unlocked_contest(contest_of(conn, category_id))
    if removed or added:
        w.service.shared._require_judges_step_open(conn, category_id)
    for row in removed:
        conn.execute("DELETE FROM criteria WHERE id = ?", (row["id"],))
    # names may swap: park kept rows on temporary names first (UNIQUE(category_id, name));
    # a control character no typed name has (not NUL: PostgreSQL text cannot hold it)
    for cid in kept:
        conn.execute("UPDATE criteria SET name = ? WHERE id = ?", (f"\x01parked-{cid}", cid))
    for position, spec in enumerate(wanted):
        match = next((cid for cid, s in kept.items() if s is spec), None)
        if match is None:
            conn.execute(
                "INSERT INTO criteria (category_id, name, max_score, position, weight) "
                "VALUES (?, ?, ?, ?, ?)",
                (category_id, spec.name, spec.max_score, position, str(spec.weight)),
            )
        else:
            conn.execute(
                "UPDATE criteria SET name = ?, max_score = ?, position = ?, weight = ? "
                "WHERE id = ?",
                (spec.name, spec.max_score, position, str(spec.weight), match),
            )
    for action, subject, text in plan:
        w.changed(text, action=action, subject=subject)
    if not plan:
        w.changed(f"criteria of {label} reordered", action="criteria.reorder", subject=label)


def set_scoring(w: SetupWrite, category_id: int, rules: ScoringRules) -> None:
    """Store the category's scoring rules (their tie-break criteria must exist)."""
    conn = w.conn
    label = category_label(conn, category_id)
    names = {
        row[0]
        for row in conn.execute("SELECT name FROM criteria WHERE category_id = ?", (category_id,))
    }
    for name in rules.tie_break_criteria():
        if name not in names:
            raise Invalid(f"the tie-break names criterion {name!r}, which {label} does not have")
    row = one_row(conn, "SELECT scoring FROM categories WHERE id = ?", category_id)
    current = ScoringRules.from_json_text(row["scoring"] if row is not None else None)
    if current == rules:
        return
    w.require_unlocked_contest(contest_of(conn, category_id))
    conn.execute(
        "UPDATE categories SET scoring = ?, seq = ? WHERE id = ?",
        (rules.to_json_text(), w.seq, category_id),
    )
    w.changed(f"scoring rules of {label} changed", action="category.scoring", subject=label)


def _require_max_above_scores(conn: Connection, row: Row, max_score: float, label: str) -> None:
    top = one_row(conn, "SELECT MAX(score) AS top FROM scores WHERE criterion_id = ?", row["id"])
    if top is not None and top["top"] is not None and top["top"] > max_score:
        raise Conflict(
            f"criterion {row['name']!r} in {label} already has a score of {_fmt(top['top'])}; "
            f"maxScore cannot go below it (asked {_fmt(max_score)})",
            {"criterion": row["name"], "highestScore": top["top"]},
        )


def score_count(conn: Connection, where: str, *args: object) -> int:
    """How many scores match ``where`` (a fixed SQL condition with ``?`` parameters)."""
    row = one_row(conn, f"SELECT COUNT(*) AS n FROM scores WHERE {where}", *args)
    return int(row["n"]) if row is not None else 0
