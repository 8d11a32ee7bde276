"""Score sheets per judge per category: filled (values, totals, sign-off, receipt, QR)
and blank paper-backup sheets (the grid with criteria, maxima and contestants)."""

from __future__ import annotations

from scoring_console.client.receipts import ReceiptCheck
from scoring_console.protocol.entities import Category, CertificationSignoff
from scoring_console.protocol.roles import Role

from . import text
from .errors import ExportError
from .report import Report, ReportKind, Section, Table
from .source import ExportSource

FILLED_COLUMNS = [
    "category",
    "judge",
    "number",
    "contestant",
    "criterion",
    "max_score",
    "score",
    "comment",
    "signed_at",
    "receipt",
]
BLANK_COLUMNS = ["category", "judge", "number", "contestant", "criterion", "max_score", "score"]


def build_sheets(source: ExportSource, category: Category) -> Report:
    """Filled sheets of every judge of ``category`` this account may see, one page each."""
    judges = source.judges_for_sheets(category.id)
    if not judges:
        raise ExportError(f"{category.name} has no judges yet")
    sections: list[Section] = []
    rows: list[list[str]] = []
    for index, judge_id in enumerate(judges):
        section, csv_rows = _filled(source, category, judge_id, new_page=index > 0)
        sections.append(section)
        rows.extend(csv_rows)
    return _report(
        source, category, ReportKind.SHEETS, "Score sheets", sections, FILLED_COLUMNS, rows
    )


def build_blank_sheets(source: ExportSource, category: Category) -> Report:
    """Blank paper-backup sheets: one per panel judge (or one unnamed if there is none)."""
    judges: list[int | None] = list(source.judges_for_sheets(category.id)) or [None]
    sections: list[Section] = []
    rows: list[list[str]] = []
    people = source.contestants_in(category)
    for index, judge_id in enumerate(judges):
        judge = source.name(judge_id) if judge_id is not None else ""
        columns = (
            ["No.", "Contestant"]
            + [f"{c.name} (max {text.number(c.max_score)})" for c in category.criteria]
            + ["Total"]
        )
        grid = [[str(p.number), p.name] + [""] * (len(category.criteria) + 1) for p in people]
        sections.append(
            Section(
                heading=f"Paper score sheet — {judge or 'judge: ____________________'}",
                lines=[
                    f"Category: {category.name}",
                    f"Contest: {source.contest_name(category)}",
                    "Write one score per box, at most the maximum shown.",
                ],
                tables=[("", Table(columns, grid, numeric=frozenset({0}), tall_blank_rows=True))],
                footer=[
                    "Judge's signature: ______________________   Time: __________",
                    "Entered from paper by: ______________________   "
                    "Confirmed by: ______________________",
                ],
                new_page=index > 0,
            )
        )
        rows.extend(
            [category.name, judge, str(p.number), p.name, c.name, text.number(c.max_score), ""]
            for p in people
            for c in category.criteria
        )
    return _report(
        source,
        category,
        ReportKind.BLANK_SHEETS,
        "Paper score sheets",
        sections,
        BLANK_COLUMNS,
        rows,
    )


def _filled(
    source: ExportSource, category: Category, judge_id: int, *, new_page: bool
) -> tuple[Section, list[list[str]]]:
    judge = source.name(judge_id)
    scores = {(s.contestant_id, s.criterion_id): s for s in source.scores_in(category.id, judge_id)}
    if any(s.score is None for s in scores.values()):
        raise ExportError(f"{judge}'s scores in {category.name} are hidden from this account")
    signoff = _signoff(source, category.id, judge_id)
    check = _check(source, category.id, judge_id)
    signed_at = text.when(signoff.signed_at) if signoff else ""
    receipt = signoff.receipt if signoff and signoff.receipt else ""
    grid: list[list[str]] = []
    csv_rows: list[list[str]] = []
    comments: list[list[str]] = []
    for person in source.contestants_in(category):
        values = [scores.get((person.id, c.id)) for c in category.criteria]
        known = [v.score for v in values if v is not None and v.score is not None]
        total = sum(known) if known else None
        grid.append(
            [str(person.number), person.name]
            + [text.number(v.score) if v is not None else "" for v in values]
            + [text.number(total)]
        )
        for criterion, value in zip(category.criteria, values, strict=True):
            comment = value.comment if value is not None and value.comment else ""
            csv_rows.append(
                [
                    category.name,
                    judge,
                    str(person.number),
                    person.name,
                    criterion.name,
                    text.number(criterion.max_score),
                    text.number(value.score) if value is not None else "",
                    comment,
                    signed_at,
                    receipt,
                ]
            )
            if comment:
                comments.append([str(person.number), person.name, criterion.name, comment])
    columns = (
        ["No.", "Contestant"]
        + [f"{c.name} (max {text.number(c.max_score)})" for c in category.criteria]
        + ["Total"]
    )
    numeric = frozenset({0, *range(2, len(columns))})
    tables = [("", Table(columns, grid, numeric=numeric))]
    if comments:
        tables.append(("Comments", Table(["No.", "Contestant", "Criterion", "Comment"], comments)))
    lines = [f"Category: {category.name}", f"Contest: {source.contest_name(category)}"]
    if signoff is None:
        lines.append("Signed: not yet — this sheet may still change")
    else:
        lines += [f"Signed: {signed_at}", f"Receipt: {receipt or '(hidden)'}"]
        if check is not None:
            lines.append(f"Receipt check: {check.message}")
    section = Section(
        heading=f"Score sheet — {judge}",
        lines=lines,
        tables=tables,
        qr=receipt or None,
        footer=["Judge's signature: ______________________"],
        new_page=new_page,
    )
    return section, csv_rows


def _signoff(source: ExportSource, category_id: int, judge_id: int) -> CertificationSignoff | None:
    cert = source.certifications.get(category_id)
    for signoff in cert.signoffs if cert is not None else []:
        if signoff.role is Role.JUDGE and signoff.user_id == judge_id:
            return signoff
    return None


def _check(source: ExportSource, category_id: int, judge_id: int) -> ReceiptCheck | None:
    for check in source.receipt_checks.get(category_id, []):
        if check.role is Role.JUDGE and check.signer_id == judge_id:
            return check
    return None


def _report(
    source: ExportSource,
    category: Category,
    kind: ReportKind,
    title: str,
    sections: list[Section],
    columns: list[str],
    rows: list[list[str]],
) -> Report:
    return Report(
        kind=kind,
        title=f"{title} — {category.name}",
        subtitle=" · ".join(
            x for x in (source.event_name(category), source.contest_name(category)) if x
        ),
        generated_at=source.generated_at,
        generated_by=source.generated_by,
        sections=sections,
        data=Table(columns, rows),
    )
