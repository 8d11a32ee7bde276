"""Results per category or per contest: places, numbers, names, totals, the rule used,
deductions, and the certification chain with receipts."""

from __future__ import annotations

from scoring_console.protocol.entities import Category, CertificationStatus
from scoring_console.protocol.roles import Role

from . import text
from .errors import ExportError
from .ranking import rank_category
from .report import Report, ReportKind, Section, Table
from .source import ExportSource

CSV_COLUMNS = [
    "category",
    "place",
    "number",
    "contestant",
    "score_sum",
    "deductions",
    "total",
    "status",
    "rule",
]


def build_results(source: ExportSource, categories: list[Category], title: str) -> Report:
    """The results report of ``categories`` (one section each)."""
    if source.viewer_role is Role.JUDGE:
        raise ExportError("judges cannot export results: other judges' scores are hidden")
    sections: list[Section] = []
    rows: list[list[str]] = []
    for index, category in enumerate(categories):
        section, csv_rows = _category_results(source, category, new_page=index > 0)
        sections.append(section)
        rows.extend(csv_rows)
    first = categories[0]
    return Report(
        kind=ReportKind.RESULTS,
        title=title,
        subtitle=" · ".join(x for x in (source.event_name(first), source.contest_name(first)) if x),
        generated_at=source.generated_at,
        generated_by=source.generated_by,
        sections=sections,
        data=Table(CSV_COLUMNS, rows),
    )


def _category_results(
    source: ExportSource, category: Category, *, new_page: bool
) -> tuple[Section, list[list[str]]]:
    ranking = rank_category(source, category)
    cert = source.certifications.get(category.id)
    status = cert.status if cert is not None else CertificationStatus.NOT_STARTED
    certified = status is CertificationStatus.CERTIFIED
    status_text = "CERTIFIED" if certified else f"PROVISIONAL — {text.STATUS_TEXT[status]}"
    if not ranking.complete:
        status_text += " (not every judge has scored every cell)"
    people = {c.id: c for c in source.contestants_in(category)}
    placings: list[list[str]] = []
    csv_rows: list[list[str]] = []
    for total in ranking.totals:
        person = people.get(total.contestant_id)
        number = str(person.number) if person else ""
        name = person.name if person else "(unknown contestant)"
        cells = [
            str(total.rank),
            number,
            name,
            text.number(total.score_sum),
            text.number(total.deductions),
            text.number(total.total),
        ]
        placings.append(cells)
        csv_rows.append(
            [category.name, *cells, "certified" if certified else "provisional", ranking.rule]
        )
    tables = [
        (
            "",
            Table(
                ["Place", "No.", "Contestant", "Scores", "Deductions", "Total"],
                placings,
                numeric=frozenset({0, 1, 3, 4, 5}),
            ),
        )
    ]
    deductions = source.approved_deductions(category.id)
    if deductions:
        tables.append(
            (
                "Deductions (approved)",
                Table(
                    ["No.", "Contestant", "Amount", "Reason", "Approved by", "When"],
                    [
                        [
                            str(people[d.contestant_id].number)
                            if d.contestant_id in people
                            else "",
                            people[d.contestant_id].name if d.contestant_id in people else "",
                            text.number(d.amount),
                            d.reason,
                            source.name(d.decided_by),
                            text.when(d.decided_at),
                        ]
                        for d in deductions
                    ],
                    numeric=frozenset({0, 2}),
                ),
            )
        )
    tables.append(("Certification", chain_table(source, category)))
    section = Section(
        heading=category.name,
        lines=[f"Status: {status_text}", f"Rule: {ranking.rule}"],
        tables=tables,
        new_page=new_page,
    )
    return section, csv_rows


def chain_rows(source: ExportSource, category: Category) -> list[list[str]]:
    """(step, signed by, signed at, receipt, check) of each sign-off, in signing order."""
    checks = {(c.role, c.signer_id): c for c in source.receipt_checks.get(category.id, [])}
    cert = source.certifications.get(category.id)
    rows = []
    for signoff in cert.signoffs if cert is not None else []:
        check = checks.get((signoff.role, signoff.user_id))
        rows.append(
            [
                text.role(signoff.role),
                signoff.user_name,
                text.when(signoff.signed_at),
                signoff.receipt or "(hidden)",
                check.status.value if check is not None else "unknown",
            ]
        )
    return rows


def chain_table(source: ExportSource, category: Category) -> Table:
    """Who signed when and our check of the receipt; the receipt on a row of its own."""
    rows: list[list[str]] = []
    for step, name, at, receipt, check in chain_rows(source, category):
        rows.append([step, name, at, check])
        rows.append([f"Receipt: {receipt}"])
    if not rows:
        rows.append(["—", "nobody has signed yet", "", ""])
    return Table(["Step", "Signed by", "Signed at", "Receipt check"], rows)
