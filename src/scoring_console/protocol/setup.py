"""Payloads of the competition-setup and account-administration events.

Accounts (``account:*``), the structure of a competition (``event:save``,
``contest:save``, ``category:save`` with its ordered criteria, ``contestant:save``,
``category:contestants``, ``setup:delete``) and the ``setup:changed`` server event that
tells every console to resync. The competition file and its import / export live in
:mod:`.competition`.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import Field

from .base import Id, InboundModel, Name, ServerMessage, WireModel
from .roles import Role
from .scoring import DecimalValue, ScoringRules

MAX_SCORE_LIMIT = 10_000.0
"""The highest ``maxScore`` a criterion may have (as high as a score may be)."""

MIN_PASSWORD_LENGTH = 8

Username = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.@-]+$")]
"""A login name: letters, digits and ``_ . @ -``."""

NewPassword = Annotated[str, Field(min_length=MIN_PASSWORD_LENGTH, max_length=200)]
"""A plain password in transit (over the venue LAN); the server stores only a hash."""


# --- accounts --------------------------------------------------------------------------


class AccountCreate(InboundModel):
    """``account:create``: a new active account; no ``password`` → a generated one-time one."""

    username: Username
    name: Name
    role: Role = Field(strict=False)
    password: NewPassword | None = None


class AccountRef(InboundModel):
    """An account by id."""

    user_id: Id


class AccountUpdate(AccountRef):
    """``account:update``: rename and/or change the role of an account."""

    name: Name | None = None
    role: Role | None = Field(default=None, strict=False)


class PasswordReset(AccountRef):
    """``account:reset-password``: set a new password (generated when omitted); the user
    must change it at the next login."""

    password: NewPassword | None = None


class AccountActive(AccountRef):
    """``account:set-active``: deactivate (``false``) or reactivate (``true``) an account."""

    active: bool


class AccountListRequest(InboundModel):
    """``account:list`` takes no fields."""


class Account(WireModel):
    """An account as administrators see it (never with a password or its hash)."""

    id: Id
    username: Name
    name: Name
    role: Role
    active: bool
    must_change_password: bool = False


class AccountSecret(WireModel):
    """Ack of ``account:create`` / ``account:reset-password``.

    ``password`` is set only when the server generated it: shown once, never stored in
    clear.
    """

    account: Account
    password: str | None = None


class AccountList(WireModel):
    """Ack of ``account:list``: every account, inactive ones included."""

    accounts: list[Account]


# --- structure -------------------------------------------------------------------------


class EventSave(InboundModel):
    """``event:save``: create an event (no ``id``) or rename / re-date one."""

    id: Id | None = None
    name: Name
    date: str | None = Field(default=None, max_length=40)


class ContestSave(InboundModel):
    """``contest:save``: create a contest in an event (no ``id``) or rename one."""

    id: Id | None = None
    event_id: Id
    name: Name


class CriterionInput(InboundModel):
    """One criterion of a category in ``category:save``; ``id`` keeps an existing one."""

    id: Id | None = None
    name: Name
    max_score: float = Field(gt=0, le=MAX_SCORE_LIMIT)
    weight: DecimalValue = Field(default=Decimal(1), gt=0, le=1000)
    """How much the criterion counts in a judge's total (see the scoring rules)."""


class CategorySave(InboundModel):
    """``category:save``: create or change a category with its ordered criteria.

    ``criteria`` is the whole list, in sheet order: an existing criterion left out is
    removed (refused while it has scores).
    """

    id: Id | None = None
    contest_id: Id
    name: Name
    criteria: list[CriterionInput] = Field(min_length=1, max_length=50)
    scoring: ScoringRules | None = None
    """The category's scoring rules; ``None`` keeps the current ones."""


class ContestantSave(InboundModel):
    """``contestant:save``: create a contestant (no ``id``) or change number / name."""

    id: Id | None = None
    number: int = Field(ge=0, le=1_000_000)
    name: Name


class CategoryContestants(InboundModel):
    """``category:contestants``: the whole list of contestants competing in a category."""

    category_id: Id
    contestant_ids: list[Id] = Field(max_length=2000)


class SetupKind(StrEnum):
    """What ``setup:delete`` removes."""

    EVENT = "event"
    CONTEST = "contest"
    CATEGORY = "category"
    CONTESTANT = "contestant"


class SetupDelete(InboundModel):
    """``setup:delete``: remove an event, contest, category or contestant that holds no
    scores (and, for an event or contest, no contests or categories)."""

    kind: SetupKind = Field(strict=False)
    id: Id


class SetupSaved(WireModel):
    """Ack of the structure events: the id written (or removed) and what changed."""

    id: Id
    changes: list[str]


# --- server → client --------------------------------------------------------------------


class SetupChanged(ServerMessage):
    """``setup:changed``: the competition's structure, accounts or assignments changed.

    Clients call ``sync`` on it (the snapshot carries the new state); ``changes`` says in
    words what changed, for logs and for the admin workspace.
    """

    changes: list[str] = Field(default_factory=list)
    by_user_id: Id | None = None


__all__ = [
    "MAX_SCORE_LIMIT",
    "MIN_PASSWORD_LENGTH",
    "Account",
    "AccountActive",
    "AccountCreate",
    "AccountList",
    "AccountListRequest",
    "AccountRef",
    "AccountSecret",
    "AccountUpdate",
    "CategoryContestants",
    "CategorySave",
    "ContestSave",
    "ContestantSave",
    "CriterionInput",
    "EventSave",
    "NewPassword",
    "PasswordReset",
    "SetupChanged",
    "SetupDelete",
    "SetupKind",
    "SetupSaved",
    "Username",
]
