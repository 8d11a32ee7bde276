"""The two-person rule: whoever asked for a change to a result does not also settle it.

One place for the rule, used by the server (which refuses) and the console (which
does not offer the refused decision and says who must take it instead):

- a deduction changes a result: its requester may reject (withdraw) it, but somebody
  else must approve it;
- a paper sheet typed in on a judge's behalf is confirmed or rejected by somebody
  other than the person who typed it in.
"""

from __future__ import annotations

DEDUCTION_APPROVERS = "another tally master, an auditor or an admin"
"""Who may approve a deduction its requester may not (in the users' words)."""

PAPER_CONFIRMERS = "another tally master, an auditor or an admin"
"""Who may confirm a paper sheet its typist may not (in the users' words)."""


def may_decide_deduction(requested_by: int, decider_id: int | None, approve: bool) -> bool:
    """The two-person rule for a deduction: the requester may only reject (withdraw) it."""
    return not approve or requested_by != decider_id


def may_decide_paper(entered_by: int, decider_id: int | None) -> bool:
    """The two-person rule for a paper sheet: never decided by the one who entered it."""
    return entered_by != decider_id
