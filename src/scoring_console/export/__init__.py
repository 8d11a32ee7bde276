"""Printed and exported outputs: results, score sheets, blank sheets, audit, certification.

An export layer above :mod:`scoring_console.client`: both the console and
``scoring-cli export`` call it, and nothing below it knows about PDF. Each report is
built once as a :class:`~.report.Report` (pure data, no Qt) from an
:class:`~.source.ExportSource` (what the client's state holds, plus the audit entries
the server let us read), then rendered by :mod:`.csv_out` (UTF-8, a header row) or
:mod:`.pdf` (Qt's ``QTextDocument`` on ``QPdfWriter``: text extractable, fonts
embedded, A4 or Letter; the same document feeds the console's print preview).
"""

from .builders import build_report
from .errors import ExportError
from .report import Report, ReportKind
from .source import ExportSource

__all__ = ["ExportError", "ExportSource", "Report", "ReportKind", "build_report"]
