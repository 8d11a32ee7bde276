"""One entry point for every report: :func:`build_report` (kind + scope → Report)."""

from __future__ import annotations

from scoring_console.protocol.entities import Category

from .audit_report import build_audit
from .certification_report import build_certification
from .errors import ExportError
from .report import Report, ReportKind
from .results import build_results
from .sheets import build_blank_sheets, build_sheets
from .source import ExportSource


def build_report(
    kind: ReportKind,
    source: ExportSource,
    *,
    category_id: int | None = None,
    contest_id: int | None = None,
) -> Report:
    """Build one report for a category, or for a whole contest where that makes sense.

    Results, certification and audit take a contest (all its categories we see) or a
    category; score sheets and blank sheets take a category. ``ExportError`` for a scope
    this account cannot see or a kind that needs a category.
    """
    categories = _scope(source, category_id, contest_id)
    first = categories[0]
    scope_name = first.name if category_id is not None else source.contest_name(first)
    if kind is ReportKind.RESULTS:
        return build_results(source, categories, f"Results — {scope_name}")
    if kind is ReportKind.CERTIFICATION:
        return build_certification(source, categories, f"Certification — {scope_name}")
    if kind is ReportKind.AUDIT:
        ids = {c.id for c in categories}
        entries = [
            e
            for e in source.audit
            if e.category_id in ids or (category_id is None and e.contest_id == first.contest_id)
        ]
        return build_audit(source, entries, f"Audit trail — {scope_name}", scope_name)
    if category_id is None:
        raise ExportError(f"{kind.value} are made per category: give --category")
    if kind is ReportKind.SHEETS:
        return build_sheets(source, first)
    return build_blank_sheets(source, first)


def _scope(source: ExportSource, category_id: int | None, contest_id: int | None) -> list[Category]:
    if category_id is not None:
        category = source.category(category_id)
        if contest_id is not None and category.contest_id != contest_id:
            raise ExportError(f"{category.name} is not part of contest {contest_id}")
        return [category]
    if contest_id is not None:
        return source.categories_of(contest_id)
    raise ExportError("say which category (--category) or contest (--contest) to export")
