"""CSV rendering: UTF-8 (with a byte-order mark, so spreadsheet programs read names with
accents correctly), one header row, one row per record."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from .errors import ExportError
from .report import Report

ENCODING = "utf-8-sig"


def csv_text(report: Report) -> str:
    """The report's data table as CSV text."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(report.data.columns)
    writer.writerows(report.data.rows)
    return buffer.getvalue()


def write_csv(report: Report, path: Path) -> None:
    """Write the CSV file; ``ExportError`` if it cannot be written."""
    try:
        path.write_text(csv_text(report), encoding=ENCODING, newline="")
    except OSError as exc:
        raise ExportError(f"cannot write {path}: {exc.strerror or exc}") from exc
