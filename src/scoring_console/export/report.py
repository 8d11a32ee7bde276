"""A report as pure data: what the PDF shows (sections) and what the CSV holds (one table).

Builders fill a :class:`Report`; renderers (:mod:`.csv_out`, :mod:`.pdf`) turn it into
bytes. Nothing here knows about Qt or files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class ReportKind(StrEnum):
    """The outputs ``scoring-cli export`` and the console offer."""

    RESULTS = "results"
    SHEETS = "sheets"
    BLANK_SHEETS = "blank-sheets"
    AUDIT = "audit"
    CERTIFICATION = "certification"


@dataclass(frozen=True)
class Table:
    """A table: header cells and rows of text cells (numbers already formatted)."""

    columns: list[str]
    rows: list[list[str]]
    numeric: frozenset[int] = frozenset()
    """Column indexes aligned right."""
    tall_blank_rows: bool = False
    """Leave room to write by hand in empty cells (blank sheets)."""
    widths: tuple[int, ...] = ()
    """Column widths in percent of the page width (empty: let the layout decide)."""


@dataclass(frozen=True)
class Section:
    """One block of the printed report; ``new_page`` starts it on a fresh page."""

    heading: str
    lines: list[str] = field(default_factory=list)
    """Short lines shown under the heading (``Label: value``)."""
    tables: list[tuple[str, Table]] = field(default_factory=list)
    """(caption, table) pairs; an empty caption shows no caption."""
    qr: str | None = None
    """Text encoded as a QR code next to the lines (a receipt)."""
    footer: list[str] = field(default_factory=list)
    new_page: bool = False


@dataclass(frozen=True)
class Report:
    """A whole report: title, meta lines, sections, and the flat table its CSV holds."""

    kind: ReportKind
    title: str
    subtitle: str
    generated_at: datetime
    generated_by: str
    sections: list[Section]
    data: Table
    """The CSV: one header row, one row per record."""
    landscape: bool = False
    """Print across the page (wide tables such as the audit trail)."""

    @property
    def file_stem(self) -> str:
        """A file name stem from the title (letters, digits, dashes)."""
        text = "".join(ch if ch.isalnum() else "-" for ch in self.title.lower())
        return "-".join(part for part in text.split("-") if part) or self.kind.value
