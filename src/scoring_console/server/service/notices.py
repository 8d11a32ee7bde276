"""The texts of persisted notifications, in the users' words.

Every text names the category and contest (``"Vocal Performance (Senior Showcase)"``),
the contestant by sheet number and name, and people by name: never a database id. The
mixins decide who is told; this module only says what they read.
"""

from __future__ import annotations

from dataclasses import dataclass

from scoring_console.protocol.entities import NotificationType
from scoring_console.protocol.roles import Role


@dataclass(frozen=True)
class Notice:
    """A notification's type, title and message."""

    type: NotificationType
    title: str
    message: str


_AFTER: dict[Role, str] = {
    Role.TALLY_MASTER: "All judges have signed",
    Role.AUDITOR: "The tally master has signed",
    Role.BOARD: "The auditor has signed",
}


def your_turn_to_sign(role: Role, label: str) -> Notice:
    """For everyone whose step of the certification chain is next."""
    before = _AFTER.get(role, "The previous step is signed")
    step = role.value.lower().replace("_", " ")
    return Notice(
        NotificationType.INFO,
        "Your signature is needed",
        f"{before} {label}: it is your turn to sign as {step}.",
    )


def certified(label: str) -> Notice:
    """For the board when the chain is complete."""
    return Notice(
        NotificationType.SUCCESS,
        "Certification completed",
        f"{label} is certified; its results can be published.",
    )


def contest_locked(categories: list[str], contest: str, locked: bool) -> Notice:
    """For the judges of a contest that was locked or unlocked."""
    names = ", ".join(categories)
    verb = "is" if len(categories) == 1 else "are"
    if locked:
        return Notice(
            NotificationType.WARNING,
            "Contest locked",
            f"{names} ({contest}) {verb} locked: scores can no longer be changed.",
        )
    return Notice(
        NotificationType.INFO,
        "Contest unlocked",
        f"{names} ({contest}) {verb} unlocked: scores can be changed again.",
    )


def results_published(label: str) -> Notice:
    """For the judges of a category whose results were published."""
    return Notice(NotificationType.SUCCESS, "Results published", f"Results of {label} are public.")


def deduction_decided(
    approved: bool, amount: float, contestant: str, label: str, note: str | None
) -> Notice:
    """For the person who requested a deduction."""
    decision = "approved" if approved else "rejected"
    message = f"Your deduction of {amount:g} for {contestant} in {label} was {decision}."
    if note:
        message += f" Note: {note}"
    kind = NotificationType.SUCCESS if approved else NotificationType.WARNING
    return Notice(kind, f"Deduction {decision}", message)


def removal_decided(
    approved: bool, criterion: str, contestant: str, label: str, note: str | None
) -> Notice:
    """For the person who asked for a score to be removed."""
    decision = "approved" if approved else "rejected"
    outcome = " The score was removed." if approved else ""
    message = (
        f"Your request to remove the {criterion} score of {contestant} in {label} "
        f"was {decision}.{outcome}"
    )
    if note:
        message += f" Note: {note}"
    kind = NotificationType.SUCCESS if approved else NotificationType.WARNING
    return Notice(kind, f"Removal {decision}", message)
