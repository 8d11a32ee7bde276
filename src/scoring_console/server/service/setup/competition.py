"""The competition file through the protocol: ``competition:import`` and ``competition:export``.

An import is one :class:`~.unit.SetupWrite`: everything in the file is applied in one
transaction or nothing is (a refusal anywhere rolls the whole file back, and a dry run
always does). It matches by names — event, contest within event, category within
contest, criterion within category — by bib number for contestants and by username for
accounts, changes only what differs (a second import of the same file changes nothing
and broadcasts nothing), and names the file position of any refusal
(``contests[0].categories[1].criteria[2]: …``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from scoring_console.protocol.competition import (
    CompetitionExport,
    CompetitionExportRequest,
    CompetitionFile,
    CompetitionImport,
    GeneratedPassword,
    ImportReport,
    file_problems,
)
from scoring_console.protocol.roles import Role
from scoring_console.protocol.scoring import ScoringRules, exact
from scoring_console.protocol.scoring.decimals import to_json_number

from ...db import Connection, Row
from ...passwords import hash_password, verify_password
from ..types import Actor, Invalid, NotFound, Outcome, ServiceError
from . import ops
from .accounts import change_role, create_account, require_may_manage, set_active
from .unit import SetupWrite, require_manager, setup_write

if TYPE_CHECKING:
    from ..service import ScoringService


class _DryRunDone(Exception):
    """Raised at the end of a dry run so the transaction rolls back."""

    def __init__(self, report: ImportReport) -> None:
        super().__init__("dry run")
        self.report = report


@contextmanager
def at(path: str) -> Iterator[None]:
    """Prefix a refusal raised inside with the file position it concerns."""
    try:
        yield
    except ServiceError as exc:
        exc.message = f"{path}: {exc.message}"
        exc.args = (exc.message,)
        exc.details = {**exc.details, "path": path}
        raise


class CompetitionArea:
    """Import and export of the competition file (organizers and admins)."""

    def __init__(self, service: ScoringService) -> None:
        self.service = service

    def import_file(self, actor: Actor, payload: CompetitionImport) -> Outcome[ImportReport]:
        """Apply (or, with ``dryRun``, only plan) a whole competition file."""
        problems = file_problems(payload.file)
        if problems:
            raise Invalid(
                f"{problems[0]}"
                + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""),
                {"problems": problems},
            )
        try:
            with setup_write(self.service, actor) as w:
                passwords = _apply(w, payload.file)
                report = ImportReport(
                    dry_run=payload.dry_run, changes=list(w.changes), passwords=passwords
                )
                if payload.dry_run:
                    raise _DryRunDone(report.model_copy(update={"passwords": []}))
                return Outcome(report, w.effects())
        except _DryRunDone as done:
            return Outcome(done.report, [])

    def export_file(
        self, actor: Actor, payload: CompetitionExportRequest
    ) -> Outcome[CompetitionExport]:
        """The competition file of one event (accounts without passwords)."""
        require_manager(actor)
        with self.service.db.reading() as conn:
            data = export_event(conn, payload.event_name)
        return Outcome(CompetitionExport(file=data), [])


def _apply(w: SetupWrite, file: CompetitionFile) -> list[GeneratedPassword]:
    passwords = _apply_users(w, file)
    with at("event"):
        event_id = ops.save_event(w, None, file.event.name, file.event.date)
    for c, contest in enumerate(file.contests):
        with at(f"contests[{c}]"):
            contest_id = ops.save_contest(w, None, event_id, contest.name)
        for k, category in enumerate(contest.categories):
            path = f"contests[{c}].categories[{k}]"
            with at(path):
                category_id = ops.save_category(w, None, contest_id, category.name)
            with at(f"{path}.criteria"):
                specs = [
                    ops.CriterionSpec(x.name, x.max_score, weight=x.weight)
                    for x in category.criteria
                ]
                ops.set_criteria(w, category_id, specs)
            if category.scoring is not None:
                with at(f"{path}.scoring"):
                    ops.set_scoring(w, category_id, category.scoring)
            ids = []
            for n, person in enumerate(category.contestants):
                with at(f"{path}.contestants[{n}]"):
                    ids.append(ops.save_contestant(w, None, person.number, person.name))
            with at(f"{path}.contestants"):
                ops.set_contestants(w, category_id, ids)
            for field, role, names in (
                ("judges", Role.JUDGE, category.judges),
                ("tallyMasters", Role.TALLY_MASTER, category.tally_masters),
            ):
                user_ids = [
                    _user_id(w.conn, name, f"{path}.{field}[{i}]") for i, name in enumerate(names)
                ]
                with at(f"{path}.{field}"):
                    ops.set_staff(w, category_id, role, user_ids)
    return passwords


def _apply_users(w: SetupWrite, file: CompetitionFile) -> list[GeneratedPassword]:
    passwords: list[GeneratedPassword] = []
    for i, user in enumerate(file.users):
        with at(f"users[{i}]"):
            row = w.conn.execute(
                "SELECT * FROM users WHERE username = ?", (user.username,)
            ).fetchone()
            if row is None:
                row, generated = create_account(
                    w, user.username, user.name, user.role, user.password
                )
                if generated:
                    passwords.append(GeneratedPassword(username=user.username, password=generated))
                if not user.active:
                    set_active(w, row, False)
                continue
            require_may_manage(w.actor, Role(row["role"]), "change")
            if row["name"] != user.name:
                w.conn.execute("UPDATE users SET name = ? WHERE id = ?", (user.name, row["id"]))
                w.changed(
                    f"account {user.username}: name {row['name']!r} → {user.name!r}",
                    action="account.rename",
                    subject=user.username,
                )
            if row["role"] != user.role.value:
                change_role(w, row, user.role)
            if bool(row["active"]) != user.active:
                set_active(w, row, user.active)
            if user.password and not verify_password(user.password, row["password_hash"]):
                w.conn.execute(
                    "UPDATE users SET password_hash = ?, must_change_password = 0 WHERE id = ?",
                    (hash_password(user.password), row["id"]),
                )
                w.changed(
                    f"account {user.username}: password set from the file",
                    action="account.password",
                    subject=user.username,
                )
    return passwords


def _user_id(conn: Connection, username: str, path: str) -> int:
    row = conn.execute(
        "SELECT id FROM users WHERE username = ? AND active = 1", (username,)
    ).fetchone()
    if row is None:
        raise NotFound(
            f"{path}: no active account {username!r} (add it to users)",
            {"path": path, "username": username},
        )
    return int(row["id"])


def export_event(conn: Connection, event_name: str | None) -> dict[str, Any]:
    """The competition file (as a camelCase JSON object) of one event."""
    events = conn.execute("SELECT * FROM events ORDER BY id").fetchall()
    if event_name is not None:
        events = [e for e in events if e["name"] == event_name]
    if not events:
        raise NotFound(f"no event named {event_name!r}" if event_name else "there is no event yet")
    if len(events) > 1:
        names = ", ".join(repr(e["name"]) for e in events)
        raise Invalid(f"there are several events ({names}); name the one to export")
    event = events[0]
    users = [
        {"username": u["username"], "name": u["name"], "role": u["role"]}
        | ({} if u["active"] else {"active": False})
        for u in conn.execute("SELECT * FROM users ORDER BY role, username")
    ]
    contests = []
    for contest in conn.execute(
        "SELECT * FROM contests WHERE event_id = ? ORDER BY id", (event["id"],)
    ).fetchall():
        categories = []
        for cat in conn.execute(
            "SELECT * FROM categories WHERE contest_id = ? ORDER BY id", (contest["id"],)
        ).fetchall():
            categories.append(_export_category(conn, cat))
        contests.append({"name": contest["name"], "categories": categories})
    head: dict[str, Any] = {"name": event["name"]}
    if event["date"]:
        head["date"] = event["date"]
    return {"event": head, "users": users, "contests": contests}


def _export_category(conn: Connection, cat: Row) -> dict[str, Any]:
    criteria = [
        {
            "name": c["name"],
            "maxScore": c["max_score"],
            "weight": to_json_number(exact(c["weight"])),
        }
        for c in conn.execute(
            "SELECT * FROM criteria WHERE category_id = ? ORDER BY position, id", (cat["id"],)
        )
    ]
    contestants = [
        {"number": p["number"], "name": p["name"]}
        for p in conn.execute(
            "SELECT t.* FROM category_contestants cc JOIN contestants t ON t.id = cc.contestant_id "
            "WHERE cc.category_id = ? ORDER BY t.number",
            (cat["id"],),
        )
    ]

    def staff(role: Role) -> list[str]:
        return [
            row[0]
            for row in conn.execute(
                "SELECT u.username FROM assignments a JOIN users u ON u.id = a.user_id "
                "WHERE a.category_id = ? AND a.role = ? ORDER BY u.username",
                (cat["id"], role.value),
            )
        ]

    exported: dict[str, Any] = {
        "name": cat["name"],
        "criteria": criteria,
        "contestants": contestants,
        "judges": staff(Role.JUDGE),
        "tallyMasters": staff(Role.TALLY_MASTER),
    }
    if cat["scoring"]:
        exported["scoring"] = ScoringRules.from_json_text(cat["scoring"]).to_wire()
    return exported
