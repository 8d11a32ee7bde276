"""Setup writes inside one :class:`~.unit.SetupWrite`, shared by the single events and the
competition-file import: each changes only what differs (a repeated import records
nothing) and refuses, in names, any change that would lose or rewrite scores or
signatures. The functions live in :mod:`.structure_ops`, :mod:`.criteria_ops` and
:mod:`.people_ops`.
"""

from __future__ import annotations

from .criteria_ops import CriterionSpec, set_criteria, set_scoring
from .people_ops import save_contestant, set_contestants, set_staff
from .structure_ops import contest_of, save_category, save_contest, save_event

__all__ = [
    "CriterionSpec",
    "contest_of",
    "save_category",
    "save_contest",
    "save_contestant",
    "save_event",
    "set_contestants",
    "set_criteria",
    "set_scoring",
    "set_staff",
]
