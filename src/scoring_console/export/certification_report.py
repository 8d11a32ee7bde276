"""The certification report: per category, who had to sign, who signed when, each
receipt and our recomputation of it, and receipts superseded by a reopen."""

from __future__ import annotations

from scoring_console.protocol.audit import AuditAction
from scoring_console.protocol.entities import Category, CertificationStatus

from . import text
from .report import Report, ReportKind, Section, Table
from .results import chain_rows, chain_table
from .source import ExportSource

CSV_COLUMNS = ["category", "status", "step", "signed_by", "signed_at", "receipt", "check"]


def build_certification(source: ExportSource, categories: list[Category], title: str) -> Report:
    """The certification report of ``categories``."""
    sections: list[Section] = []
    rows: list[list[str]] = []
    for index, category in enumerate(categories):
        cert = source.certifications.get(category.id)
        status = cert.status if cert is not None else CertificationStatus.NOT_STARTED
        signed = {s.user_id for s in cert.signoffs} if cert is not None else set()
        required = cert.required_judge_ids if cert is not None else []
        waiting = [source.name(j) for j in required if j not in signed]
        lines = [
            f"Status: {text.STATUS_TEXT[status]}",
            f"Judges required: {', '.join(source.name(j) for j in required) or 'none assigned'}",
        ]
        if waiting:
            lines.append(f"Still to sign: {', '.join(waiting)}")
        chain = chain_table(source, category)
        tables = [("Sign-offs", chain)]
        superseded = [
            e
            for e in source.audit
            if e.action == AuditAction.SIGNOFF_SUPERSEDED and e.category_id == category.id
        ]
        if superseded:
            rows_old: list[list[str]] = []
            for entry in superseded:
                old = entry.old or {}
                rows_old.append(
                    [
                        text.role(str(old.get("role", ""))),
                        entry.label.split(" by ")[-1],
                        text.when(entry.at),
                        entry.reason or "",
                    ]
                )
                rows_old.append([f"Receipt: {old.get('receipt', '')}"])
            tables.append(
                (
                    "Superseded receipts (sheet reopened)",
                    Table(["Step", "Signer", "Superseded at", "Reason"], rows_old),
                )
            )
        sections.append(
            Section(heading=category.name, lines=lines, tables=tables, new_page=index > 0)
        )
        rows.extend([category.name, status.value, *row] for row in chain_rows(source, category))
    first = categories[0]
    return Report(
        kind=ReportKind.CERTIFICATION,
        title=title,
        subtitle=" · ".join(x for x in (source.event_name(first), source.contest_name(first)) if x),
        generated_at=source.generated_at,
        generated_by=source.generated_by,
        sections=sections,
        data=Table(CSV_COLUMNS, rows),
    )
