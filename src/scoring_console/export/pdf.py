"""PDF and print rendering with Qt: a :class:`Report` as HTML in a ``QTextDocument``.

Why Qt: PySide6 is already a dependency, ``QPdfWriter`` embeds (subsets of) the fonts it
uses and writes real text (extractable, searchable), and the very same document drives
the console's ``QPrintPreviewDialog`` and the system print dialog, so what is previewed
is what is exported. It needs a ``QGuiApplication``; :func:`ensure_gui` makes an
offscreen one for the CLI.
"""

from __future__ import annotations

import html
import os
from enum import StrEnum
from pathlib import Path

from PySide6.QtCore import QByteArray, QMarginsF, QUrl
from PySide6.QtGui import (
    QFont,
    QGuiApplication,
    QImage,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPdfWriter,
    QTextDocument,
)

from . import text
from .errors import ExportError
from .qr import qr_png
from .report import Report, Section, Table

_app: QGuiApplication | None = None
"""The application :func:`ensure_gui` made, kept alive for the process."""


class PageSize(StrEnum):
    """Paper sizes offered."""

    A4 = "A4"
    LETTER = "Letter"

    @property
    def qt(self) -> QPageSize:
        ident = QPageSize.PageSizeId.A4 if self is PageSize.A4 else QPageSize.PageSizeId.Letter
        return QPageSize(ident)


def ensure_gui() -> None:
    """Make sure a Qt application exists (offscreen when none is running).

    A ``QApplication``, not a bare ``QGuiApplication``: the process may show widgets
    later (the console, a test), and Qt allows one application object per process.
    """
    global _app
    if QGuiApplication.instance() is None:
        from PySide6.QtWidgets import QApplication

        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        _app = QApplication(["scoring-console-export"])


_STYLE = """
body { font-size: 9pt; }
h1 { font-size: 15pt; margin-bottom: 2px; }
h2 { font-size: 12pt; margin-top: 10px; margin-bottom: 4px; }
p.sub { color: #444444; margin-top: 0px; }
p.meta { color: #555555; font-size: 7.5pt; }
p.cap { font-weight: bold; margin-top: 8px; margin-bottom: 2px; }
th { background-color: #e8e8e8; text-align: left; }
td.num, th.num { text-align: right; }
span.mono { font-family: 'DejaVu Sans Mono', 'Courier New', monospace; font-size: 7.5pt; }
"""


def _cell(value: str) -> str:
    escaped = html.escape(value)
    if len(value) == 64 and all(ch in "0123456789abcdef" for ch in value):
        return f"<span class='mono'>{escaped}</span>"
    return escaped


def _table(table: Table) -> str:
    widths = list(table.widths) + [0] * len(table.columns)
    head = "".join(
        f"<th class='{'num' if i in table.numeric else ''}'"
        + (f" width='{widths[i]}%'" if widths[i] else "")
        + f">{html.escape(c)}</th>"
        for i, c in enumerate(table.columns)
    )
    body = []
    for row in table.rows:
        if len(row) == 1 and len(table.columns) > 1:
            body.append(f"<tr><td colspan='{len(table.columns)}'>{_cell_line(row[0])}</td></tr>")
            continue
        cells = []
        for i, value in enumerate(row):
            classes = ["num"] if i in table.numeric else []
            blank = "&nbsp;<br>&nbsp;<br>&nbsp;" if table.tall_blank_rows else "&nbsp;"
            content = _cell(value) if value else blank
            cells.append(f"<td class='{' '.join(classes)}'>{content}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        "<table border='1' cellspacing='0' cellpadding='3' width='100%' "
        "style='border-collapse: collapse; border-color: #888888;'>"
        f"<thead><tr>{head}</tr></thead>{''.join(body)}</table>"
    )


def _section(section: Section, index: int) -> str:
    style = " style='page-break-before: always;'" if section.new_page else ""
    lines = "".join(f"<p>{_cell_line(line)}</p>" for line in section.lines)
    parts = [f"<h2{style}>{html.escape(section.heading)}</h2>"]
    if section.qr:
        parts.append(
            "<table width='100%' cellspacing='0' cellpadding='0'><tr>"
            f"<td valign='top'>{lines}</td>"
            f"<td width='120' align='right'><img src='qr://{index}' width='110' height='110'>"
            "</td></tr></table>"
        )
    else:
        parts.append(lines)
    for caption, table in section.tables:
        if caption:
            parts.append(f"<p class='cap'>{html.escape(caption)}</p>")
        parts.append(_table(table))
    parts.extend(f"<p><br>{html.escape(line)}</p>" for line in section.footer)
    return "".join(parts)


def _cell_line(line: str) -> str:
    label, sep, value = line.partition(": ")
    if sep and len(value) == 64:
        return f"<b>{html.escape(label)}:</b> <span class='mono'>{html.escape(value)}</span>"
    if sep and len(label) < 20:
        return f"<b>{html.escape(label)}:</b> {html.escape(value)}"
    return html.escape(line)


def report_html(report: Report) -> str:
    """The whole report as the HTML subset ``QTextDocument`` understands."""
    sections = "".join(_section(s, i) for i, s in enumerate(report.sections))
    return (
        f"<html><head><style>{_STYLE}</style></head><body>"
        f"<h1>{html.escape(report.title)}</h1>"
        f"<p class='sub'>{html.escape(report.subtitle)}</p>"
        f"<p class='meta'>Printed {html.escape(text.when(report.generated_at))} by "
        f"{html.escape(report.generated_by)}</p>"
        f"{sections}</body></html>"
    )


def document_for(report: Report) -> QTextDocument:
    """A ``QTextDocument`` of the report, QR images attached (for printing or PDF)."""
    ensure_gui()
    document = QTextDocument()
    document.setMetaInformation(QTextDocument.MetaInformation.DocumentTitle, report.title)
    font = QFont(document.defaultFont())
    font.setPointSizeF(9)
    # no "fi"/"fl" ligatures: names must come out of the PDF as they were typed
    for tag in ("liga", "clig", "dlig"):
        font.setFeature(QFont.Tag(tag), 0)
    document.setDefaultFont(font)
    for index, section in enumerate(report.sections):
        if section.qr:
            image = QImage.fromData(QByteArray(qr_png(section.qr)))
            document.addResource(
                QTextDocument.ResourceType.ImageResource, QUrl(f"qr://{index}"), image
            )
    document.setHtml(report_html(report))
    return document


def write_pdf(report: Report, path: Path, page: PageSize = PageSize.A4) -> None:
    """Write the report as a PDF on A4 or Letter paper; ``ExportError`` on failure."""
    document = document_for(report)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("ab"):
            pass  # fail early, with the OS's reason, on a path we cannot write
    except OSError as exc:
        raise ExportError(f"cannot write {path}: {exc.strerror or exc}") from exc
    writer = QPdfWriter(str(path))
    writer.setTitle(report.title)
    writer.setCreator("Scoring Console")
    writer.setResolution(300)
    writer.setPageSize(page.qt)
    if report.landscape:
        writer.setPageOrientation(QPageLayout.Orientation.Landscape)
    writer.setPageMargins(QMarginsF(0, 0, 0, 0), QPageLayout.Unit.Millimeter)
    _print(document, writer)


def _print(document: QTextDocument, device: QPagedPaintDevice) -> None:
    # No page size on the document: QTextDocument.print_ then lays it out on the
    # device's page with 2 cm margins and numbers the pages.
    document.print_(device)
