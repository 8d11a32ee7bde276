"""How values are written in reports: numbers, times, roles, statuses."""

from __future__ import annotations

from datetime import UTC, datetime

from scoring_console.protocol.entities import CertificationStatus
from scoring_console.protocol.roles import Role


def number(value: float | None) -> str:
    """A score or total with two decimals; empty for a missing value."""
    return "" if value is None else f"{value:.2f}"


def when(moment: datetime | None) -> str:
    """A timestamp in UTC, minutes precision, marked as UTC."""
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def role(value: Role | str) -> str:
    """``tally master`` for ``TALLY_MASTER``."""
    text = value.value if isinstance(value, Role) else str(value)
    return text.replace("_", " ").lower()


STATUS_TEXT: dict[CertificationStatus, str] = {
    CertificationStatus.NOT_STARTED: "not signed yet",
    CertificationStatus.JUDGES_SIGNING: "judges signing",
    CertificationStatus.JUDGES_SIGNED: "all judges signed",
    CertificationStatus.TALLY_SIGNED: "tally master signed",
    CertificationStatus.AUDITOR_SIGNED: "auditor signed",
    CertificationStatus.CERTIFIED: "certified",
}
