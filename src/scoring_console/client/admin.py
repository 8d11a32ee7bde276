"""Set-up and account administration over a connected :class:`~.core.ClientCore`.

Every call is online-only and acknowledged (``NotConnected`` / ``AckFailed`` as in
:mod:`.calls`); after a write the state is resynced at once, so a caller sees the new
structure without waiting for the ``setup:changed`` broadcast.
"""

from __future__ import annotations

from typing import Any

from scoring_console.protocol import ClientEvent, ServerEvent
from scoring_console.protocol.competition import (
    CompetitionExport,
    CompetitionExportRequest,
    CompetitionFile,
    CompetitionImport,
    ImportReport,
)
from scoring_console.protocol.entities import Announcement, Assignment, NotificationType
from scoring_console.protocol.payloads import AnnouncementCreate
from scoring_console.protocol.roles import Role
from scoring_console.protocol.setup import (
    Account,
    AccountActive,
    AccountCreate,
    AccountList,
    AccountListRequest,
    AccountSecret,
    AccountUpdate,
    CategoryContestants,
    CategorySave,
    ContestantSave,
    ContestSave,
    CriterionInput,
    EventSave,
    PasswordReset,
    SetupDelete,
    SetupKind,
    SetupSaved,
)

from .core import ClientCore
from .state import StateStore


def name_clash(
    state: StateStore, kind: SetupKind, name: str, parent_id: int | None, own_id: int | None
) -> str | None:
    """Why ``name`` cannot be used for a new or renamed event / contest / category, or
    ``None``.

    The server matches a save without ``id`` by name (that is how the competition file
    updates in place), so a "new" category named like an existing one would silently
    rewrite that category's criteria. Editors call this before they send.
    """
    key = name.strip().casefold()
    if kind is SetupKind.EVENT:
        taken = [e.name for e in state.events.values() if e.id != own_id]
        owner = "the server has an event"
    elif kind is SetupKind.CONTEST:
        siblings = state.contests.values()
        taken = [c.name for c in siblings if c.id != own_id and c.event_id == parent_id]
        event = state.events.get(parent_id) if parent_id is not None else None
        owner = f"{event.name if event else 'this event'} already has a contest"
    else:
        peers = state.categories.values()
        taken = [c.name for c in peers if c.id != own_id and c.contest_id == parent_id]
        contest = state.contests.get(parent_id) if parent_id is not None else None
        owner = f"{contest.name if contest else 'this contest'} already has a category"
    same = next((n for n in taken if n.casefold() == key), None)
    return None if same is None else f"{owner} {same!r}; select it in the tree to change it"


def number_clash(state: StateStore, number: int, name: str) -> str | None:
    """Why adding contestant ``number`` named ``name`` would change someone else, or ``None``.

    A bib number is one person across the event: adding an existing number with another
    name would rename that person everywhere they compete. Renaming is done on purpose
    (in the contestants table), never as a side effect of adding.
    """
    person = next((p for p in state.contestants.values() if p.number == number), None)
    if person is None or person.name.strip().casefold() == name.strip().casefold():
        return None
    where = sorted(c.name for c in state.categories.values() if person.id in c.contestant_ids)
    in_text = f" (in {', '.join(where)})" if where else ""
    return (
        f"number {number} is already {person.name}{in_text}; use a free number, "
        "or type the name as it is to add them here"
    )


class AdminClient:
    """Typed set-up calls of an organizer or admin session."""

    def __init__(self, core: ClientCore) -> None:
        self.core = core

    async def _write(self, event: ClientEvent, payload: Any) -> SetupSaved:
        result = await self.core.call(event, payload, SetupSaved)
        if result.changes:
            await self.core.sync_now()
        return result

    # --- accounts ------------------------------------------------------------------

    async def accounts(self) -> list[Account]:
        """Every account, inactive ones included."""
        result = await self.core.call(ClientEvent.ACCOUNT_LIST, AccountListRequest(), AccountList)
        return result.accounts

    async def account_by_username(self, username: str) -> Account | None:
        """The account with this username, or ``None``."""
        return next((a for a in await self.accounts() if a.username == username), None)

    async def create_account(
        self, username: str, name: str, role: Role, password: str | None = None
    ) -> AccountSecret:
        """A new account (the ack holds a generated one-time password if none was given)."""
        payload = AccountCreate(username=username, name=name, role=role, password=password)
        return await self.core.call(ClientEvent.ACCOUNT_CREATE, payload, AccountSecret)

    async def update_account(
        self, user_id: int, name: str | None = None, role: Role | None = None
    ) -> AccountSecret:
        """Rename and/or change the role of an account."""
        payload = AccountUpdate(user_id=user_id, name=name, role=role)
        return await self.core.call(ClientEvent.ACCOUNT_UPDATE, payload, AccountSecret)

    async def reset_password(self, user_id: int, password: str | None = None) -> AccountSecret:
        """A new password the user must change at the next login."""
        payload = PasswordReset(user_id=user_id, password=password)
        return await self.core.call(ClientEvent.ACCOUNT_RESET_PASSWORD, payload, AccountSecret)

    async def set_active(self, user_id: int, active: bool) -> AccountSecret:
        """Deactivate or reactivate an account."""
        payload = AccountActive(user_id=user_id, active=active)
        return await self.core.call(ClientEvent.ACCOUNT_SET_ACTIVE, payload, AccountSecret)

    # --- structure -----------------------------------------------------------------

    async def save_event(
        self, name: str, date: str | None = None, id: int | None = None
    ) -> SetupSaved:
        """Create or change an event."""
        return await self._write(ClientEvent.EVENT_SAVE, EventSave(id=id, name=name, date=date))

    async def save_contest(self, event_id: int, name: str, id: int | None = None) -> SetupSaved:
        """Create or rename a contest."""
        payload = ContestSave(id=id, event_id=event_id, name=name)
        return await self._write(ClientEvent.CONTEST_SAVE, payload)

    async def save_category(
        self, contest_id: int, name: str, criteria: list[CriterionInput], id: int | None = None
    ) -> SetupSaved:
        """Create or change a category with its whole ordered criteria list."""
        payload = CategorySave(id=id, contest_id=contest_id, name=name, criteria=criteria)
        return await self._write(ClientEvent.CATEGORY_SAVE, payload)

    async def save_contestant(self, number: int, name: str, id: int | None = None) -> SetupSaved:
        """Create a contestant or change number / name."""
        payload = ContestantSave(id=id, number=number, name=name)
        return await self._write(ClientEvent.CONTESTANT_SAVE, payload)

    async def set_contestants(self, category_id: int, contestant_ids: list[int]) -> SetupSaved:
        """The whole list of contestants of a category."""
        payload = CategoryContestants(category_id=category_id, contestant_ids=contestant_ids)
        return await self._write(ClientEvent.CATEGORY_CONTESTANTS, payload)

    async def delete(self, kind: SetupKind, id: int) -> SetupSaved:
        """Remove an event, contest, category or contestant."""
        return await self._write(ClientEvent.SETUP_DELETE, SetupDelete(kind=kind, id=id))

    async def assign(self, user_id: int, category_id: int) -> Assignment:
        """Assign a judge or tally master (their consoles move at once)."""
        return await self.core.assign(user_id, category_id)

    async def unassign(self, user_id: int, category_id: int) -> Assignment:
        """Remove an assignment."""
        return await self.core.unassign(user_id, category_id)

    async def announce(
        self,
        message: str,
        type: NotificationType = NotificationType.INFO,
        contest_id: int | None = None,
    ) -> Announcement:
        """An announcement to everyone, or to one contest's people (and venue-wide roles)."""
        payload = AnnouncementCreate(message=message, type=type, contest_id=contest_id)
        result = await self.core.call(ClientEvent.SYSTEM_ANNOUNCEMENT, payload, Announcement)
        self.core.state.apply(ServerEvent.SYSTEM_ANNOUNCEMENT, result)
        return result

    # --- the competition file ------------------------------------------------------

    async def import_file(self, file: CompetitionFile, dry_run: bool = False) -> ImportReport:
        """Apply (or plan) a whole competition file in one server transaction."""
        payload = CompetitionImport(file=file, dry_run=dry_run)
        report = await self.core.call(ClientEvent.COMPETITION_IMPORT, payload, ImportReport)
        if report.changes and not dry_run:
            await self.core.sync_now()
        return report

    async def export_file(self, event_name: str | None = None) -> dict[str, Any]:
        """The competition file of an event as a JSON object."""
        payload = CompetitionExportRequest(event_name=event_name)
        result = await self.core.call(ClientEvent.COMPETITION_EXPORT, payload, CompetitionExport)
        return result.file
