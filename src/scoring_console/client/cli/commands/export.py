"""``export`` and ``verify-receipt``: printed outputs and receipt checks from the CLI.

Both sync first, so they work on the server's current data as this account sees it.
The PDF/CSV work is the export layer's (:mod:`scoring_console.export`), imported here
lazily: the other commands never load Qt.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from scoring_console.protocol.audit import AuditAction, AuditEntry, AuditQuery
from scoring_console.protocol.errors import AckFailed

from ...receipts import ReceiptStatus, check_receipt
from ..errors import EXIT_FAILED, EXIT_INVALID, EXIT_OK, CliError
from ..session import CliSession

_AUDIT_PAGE = 5000


async def fetch_audit(session: CliSession, query: AuditQuery) -> list[AuditEntry]:
    """Every audit entry matching ``query`` that we may read, oldest first."""
    entries: list[AuditEntry] = []
    before: int | None = None
    while True:
        page = await session.core.audit_history(
            query.model_copy(update={"before_id": before, "limit": _AUDIT_PAGE})
        )
        entries[:0] = page.entries
        if not page.more or not page.entries:
            return entries
        before = page.entries[0].id


async def cmd_export(session: CliSession) -> int:
    """Write one report (results, sheets, blank sheets, audit, certification) to a file."""
    from scoring_console.export import ExportError, ExportSource, ReportKind, build_report
    from scoring_console.export.csv_out import write_csv
    from scoring_console.export.pdf import PageSize, write_pdf

    args = session.args
    await session.require_online()
    kind = ReportKind(args.report)
    audit: list[AuditEntry] = []
    if kind in (ReportKind.AUDIT, ReportKind.CERTIFICATION):
        query = (
            AuditQuery(category_id=args.category)
            if args.category is not None
            else AuditQuery(contest_id=args.contest)
        )
        audit = await fetch_audit(session, query)
    output: Path = args.output
    try:
        source = ExportSource.from_state(session.core.state, datetime.now(UTC), audit)
        report = build_report(kind, source, category_id=args.category, contest_id=args.contest)
        if args.format == "csv":
            write_csv(report, output)
        else:
            write_pdf(report, output, PageSize(args.page_size))
    except ExportError as exc:
        await session.close()
        raise CliError(EXIT_INVALID, str(exc)) from exc
    data = {
        "report": kind.value,
        "title": report.title,
        "format": args.format,
        "output": str(output),
        "rows": len(report.data.rows),
    }
    session.output.result(f"wrote {report.title} ({args.format}) to {output}", data)
    await session.close()
    return EXIT_OK


async def cmd_verify_receipt(session: CliSession) -> int:
    """Recompute a receipt from our copy of the signed scores and compare."""
    await session.require_online()
    receipt = session.args.receipt.strip().lower()
    check = check_receipt(session.core.state, receipt)
    if check is None:
        superseded = await _superseded(session, receipt)
        await session.close()
        if superseded is not None:
            data = {"receipt": receipt, "status": "superseded", "entry": superseded.to_wire()}
            session.output.result(
                f"superseded: {superseded.label} was reopened at "
                f"{superseded.at.isoformat()} ({superseded.reason or 'no reason given'}); "
                "this receipt is no longer current",
                data,
            )
            return EXIT_FAILED
        raise CliError(
            EXIT_INVALID, f"no sign-off visible to this account has the receipt {receipt}"
        )
    await session.close()
    state = session.core.state
    category = state.categories.get(check.category_id)
    data = {
        "receipt": receipt,
        "status": check.status.value,
        "computed": check.computed,
        "categoryId": check.category_id,
        "category": category.name if category else None,
        "role": check.role.value,
        "signer": check.signer_name,
        "scoreCount": check.score_count,
    }
    where = category.name if category else "a category"
    session.output.result(
        f"{check.role.value.replace('_', ' ').lower()} {check.signer_name}, {where}: "
        f"{check.message}",
        data,
    )
    return EXIT_OK if check.status is ReceiptStatus.MATCHES else EXIT_FAILED


async def _superseded(session: CliSession, receipt: str) -> AuditEntry | None:
    try:
        entries = await fetch_audit(session, AuditQuery(action=AuditAction.SIGNOFF_SUPERSEDED))
    except AckFailed:
        return None
    for entry in entries:
        if (entry.old or {}).get("receipt") == receipt:
            return entry
    return None
