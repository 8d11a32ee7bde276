"""Room names: the only place the ``kind:{id}`` room strings are spelled out."""

from __future__ import annotations

from typing import Final

from scoring_console.protocol.roles import VENUE_WIDE_ROLES, Role

ALL: Final = "all"
"""Every authenticated socket is in this room (announcements)."""


def user(user_id: int) -> str:
    """``user:{id}``: every socket of one user."""
    return f"user:{user_id}"


def role(name: Role) -> str:
    """``role:{ROLE}``: every socket of users with this role."""
    return f"role:{name.value}"


def event(event_id: int) -> str:
    """``event:{id}``: users who see some category of the event."""
    return f"event:{event_id}"


def contest(contest_id: int) -> str:
    """``contest:{id}``: users who see some category of the contest."""
    return f"contest:{contest_id}"


def category(category_id: int) -> str:
    """``category:{id}``: everyone who sees the category."""
    return f"category:{category_id}"


def category_role(category_id: int, name: Role) -> str:
    """``category:{id}:{ROLE}``: users of one role who see the category."""
    return f"category:{category_id}:{name.value}"


VENUE_ROLE_ROOMS: Final[tuple[str, ...]] = tuple(
    role(r) for r in sorted(VENUE_WIDE_ROLES, key=lambda r: r.value)
)
"""Role rooms of the roles that see every category."""


def category_viewers(category_id: int) -> tuple[str, ...]:
    """Everyone who may see a category: its room plus the venue-wide role rooms."""
    return (category(category_id), *VENUE_ROLE_ROOMS)
