"""User roles and the role groups the rules of the protocol are written in."""

from enum import StrEnum
from typing import Final


class Role(StrEnum):
    """A user's role, as carried in the access token and in ``role:{ROLE}`` rooms."""

    JUDGE = "JUDGE"
    TALLY_MASTER = "TALLY_MASTER"
    AUDITOR = "AUDITOR"
    BOARD = "BOARD"
    ORGANIZER = "ORGANIZER"
    ADMIN = "ADMIN"


ALL_ROLES: Final[frozenset[Role]] = frozenset(Role)

FULL_VIEW_ROLES: Final[frozenset[Role]] = frozenset(
    {Role.TALLY_MASTER, Role.AUDITOR, Role.BOARD, Role.ORGANIZER, Role.ADMIN}
)
"""Roles that see every judge's score values (within the categories they may see)."""

VENUE_WIDE_ROLES: Final[frozenset[Role]] = frozenset(
    {Role.AUDITOR, Role.BOARD, Role.ORGANIZER, Role.ADMIN}
)
"""Roles that see every category without an assignment."""

ASSIGNABLE_ROLES: Final[frozenset[Role]] = frozenset({Role.JUDGE, Role.TALLY_MASTER})
"""Roles whose visibility comes from category assignments."""

CERTIFICATION_CHAIN: Final[tuple[Role, ...]] = (
    Role.JUDGE,
    Role.TALLY_MASTER,
    Role.AUDITOR,
    Role.BOARD,
)
"""Sign-off order for a category: every assigned judge, then tally master, auditor, board."""
