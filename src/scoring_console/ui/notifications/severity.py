"""Severity colours and icons for notifications, toasts and the announcement banner.

Colours are derived from the application palette: a severity accent blended into the
window background, text in the palette's own text colour, so light and dark themes
both stay readable without a second set of constants. The application's palette, not a
widget's: a widget styled with these colours reports them as its own palette, and
blending again from there would drift a little further with every update.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QColor, QGuiApplication, QPalette

from scoring_console.protocol.entities import NotificationType

ACCENTS: dict[NotificationType, str] = {
    NotificationType.INFO: "#2f6fb3",
    NotificationType.SUCCESS: "#2e8b57",
    NotificationType.WARNING: "#c98a00",
    NotificationType.ERROR: "#c0392b",
}

ICON_NAMES: dict[NotificationType, str] = {
    NotificationType.INFO: "info",
    NotificationType.SUCCESS: "success",
    NotificationType.WARNING: "warning",
    NotificationType.ERROR: "error",
}

LABELS: dict[NotificationType, str] = {
    NotificationType.INFO: "Information",
    NotificationType.SUCCESS: "Success",
    NotificationType.WARNING: "Warning",
    NotificationType.ERROR: "Error",
}


@dataclass(frozen=True)
class SeverityColors:
    """Background, text and accent (border) colours for one severity."""

    background: QColor
    foreground: QColor
    accent: QColor


def _blend(base: QColor, accent: QColor, amount: float) -> QColor:
    return QColor(
        round(base.red() + (accent.red() - base.red()) * amount),
        round(base.green() + (accent.green() - base.green()) * amount),
        round(base.blue() + (accent.blue() - base.blue()) * amount),
    )


def severity_colors(severity: NotificationType, palette: QPalette | None = None) -> SeverityColors:
    """Colours for ``severity`` on ``palette`` (default: the application's; light or dark)."""
    palette = palette if palette is not None else QGuiApplication.palette()
    accent = QColor(ACCENTS[severity])
    base = palette.color(QPalette.ColorRole.Window)
    return SeverityColors(
        background=_blend(base, accent, 0.22),
        foreground=palette.color(QPalette.ColorRole.WindowText),
        accent=accent,
    )


def severity_stylesheet(
    severity: NotificationType, selector: str, palette: QPalette | None = None
) -> str:
    """A style sheet giving ``selector`` the severity's colours and a left accent bar."""
    colors = severity_colors(severity, palette)
    return (
        f"{selector} {{ background: {colors.background.name()}; "
        f"color: {colors.foreground.name()}; "
        f"border: 1px solid {colors.accent.name()}; "
        f"border-left: 4px solid {colors.accent.name()}; border-radius: 4px; }}"
    )
