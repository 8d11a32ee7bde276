"""Competition setup and account administration: small area objects over the service.

:class:`~.accounts.AccountsAdmin` (``account:*``), :class:`~.structure.StructureArea`
(events, contests, categories with criteria, contestants, category membership,
deletions) and :class:`~.competition.CompetitionArea` (the competition file). Each area
is built with the :class:`~scoring_console.server.service.ScoringService` it serves and
is reached through the event catalog's ``route``. Every write goes through one
:class:`~.unit.SetupWrite`: one transaction, one ``seq``, the audit seam, the live
room moves and one ``setup:changed`` broadcast.

Who may do what (the organizer rule): admins may do everything. Organizers set up the
competition (events, contests, categories, contestants, assignments, the competition
file) and manage the accounts of judges and tally masters — create, rename, reset
passwords, deactivate, reactivate and switch between those two roles — but never touch
auditors, board members, organizers or admins. Nobody deactivates, demotes or renames
away their own account through these events.
"""

from .accounts import AccountsAdmin
from .competition import CompetitionArea
from .structure import StructureArea

__all__ = ["AccountsAdmin", "CompetitionArea", "StructureArea"]
