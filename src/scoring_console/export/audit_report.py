"""The audit report: every recorded change with old → new, who, when, device, reason."""

from __future__ import annotations

import json
from typing import Any

from scoring_console.protocol.audit import AuditEntry

from . import text
from .report import Report, ReportKind, Section, Table
from .source import ExportSource

CSV_COLUMNS = [
    "id",
    "at",
    "actor",
    "role",
    "action",
    "entity",
    "entity_id",
    "what",
    "old",
    "new",
    "reason",
    "client_id",
]


def state_text(state: dict[str, Any] | None) -> str:
    """``score=7.5, comment=late`` for an entry's old or new state."""
    if not state:
        return ""
    parts = []
    for key, value in state.items():
        if value is None:
            continue
        if key == "totals":
            parts.append(f"totals: {len(value)} contestants")
            continue
        shown = json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else value
        parts.append(f"{key}={'' if shown is None else shown}")
    return ", ".join(parts)


def change_text(entry: AuditEntry) -> str:
    """``old → new`` in one cell."""
    old, new = state_text(entry.old), state_text(entry.new)
    if old and new:
        return f"{old} → {new}"
    return new or (f"{old} → (removed)" if old else "")


def build_audit(source: ExportSource, entries: list[AuditEntry], title: str, scope: str) -> Report:
    """The audit report of ``entries`` (already filtered by the caller, oldest first)."""
    rows = [
        [
            text.when(e.at),
            e.actor_username,
            e.action,
            e.label,
            change_text(e),
            e.reason or "",
            (e.client_id or "")[:8],
        ]
        for e in entries
    ]
    data = [
        [
            str(e.id),
            e.at.isoformat(),
            e.actor_username,
            e.actor_role or "",
            e.action,
            e.entity_kind,
            e.entity_id or "",
            e.label,
            json.dumps(e.old, ensure_ascii=False, sort_keys=True) if e.old is not None else "",
            json.dumps(e.new, ensure_ascii=False, sort_keys=True) if e.new is not None else "",
            e.reason or "",
            e.client_id or "",
        ]
        for e in entries
    ]
    section = Section(
        heading=scope,
        lines=[
            f"{len(entries)} recorded changes, oldest first. Device: the first 8 characters "
            "of the write's clientId (the full id is in the CSV export)."
        ],
        tables=[
            (
                "",
                Table(
                    ["When", "Who", "Action", "What", "Old → new", "Reason", "Device"],
                    rows or [["", "", "", "nothing recorded", "", "", ""]],
                ),
            )
        ],
    )
    return Report(
        kind=ReportKind.AUDIT,
        title=title,
        subtitle=scope,
        generated_at=source.generated_at,
        generated_by=source.generated_by,
        sections=[section],
        data=Table(CSV_COLUMNS, data),
        landscape=True,
    )
