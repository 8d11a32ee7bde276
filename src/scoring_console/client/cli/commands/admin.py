"""``scoring-cli admin …``: the competition file, spreadsheet lists and accounts.

``import FILE [--dry-run]`` checks the file locally first (problems named by JSON path,
exit 5, nothing sent), then applies it in one server transaction and prints the changes
and — once — the generated one-time passwords. ``export FILE`` writes the event's file.
``import-csv contestants FILE --category NAME`` / ``import-csv users FILE`` merge a
spreadsheet list into the exported file and import that. ``users``, ``reset-password``,
``deactivate`` and ``reactivate`` manage accounts.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from scoring_console.protocol.competition import ImportReport, parse_file
from scoring_console.protocol.errors import AckFailed

from ...admin import AdminClient
from ...competition_csv import CsvError, merge_contestants, merge_users
from ..errors import EXIT_FAILED, EXIT_INVALID, EXIT_OK, CliError
from ..session import CliSession


async def cmd_admin(session: CliSession) -> int:
    """Run one ``admin`` sub-command."""
    args = session.args
    handler = _ACTIONS[args.admin_command]
    await session.require_online()
    admin = AdminClient(session.core)
    try:
        return await handler(session, admin)
    except AckFailed as exc:
        raise CliError(EXIT_FAILED, f"refused ({exc.code}): {exc.message}") from None
    finally:
        await session.close()


async def _import(session: CliSession, admin: AdminClient) -> int:
    raw = _read_json(session.args.file)
    return await _apply(session, admin, raw)


async def _apply(session: CliSession, admin: AdminClient, raw: Any) -> int:
    file, problems = parse_file(raw)
    if file is None:
        raise CliError(
            EXIT_INVALID, "the file has problems, nothing was sent:\n  " + "\n  ".join(problems)
        )
    report = await admin.import_file(file, dry_run=session.args.dry_run)
    session.output.result(_report_lines(report), report.to_wire())
    return EXIT_OK


def _report_lines(report: ImportReport) -> list[str]:
    verb = "would change" if report.dry_run else "changed"
    if not report.changes:
        return ["nothing to change: the server already matches the file"]
    state = "(dry run, nothing applied)" if report.dry_run else "applied"
    lines = [f"{len(report.changes)} change(s) {state}:"]
    lines += [f"  {verb}: {change}" for change in report.changes]
    if report.passwords:
        lines.append(
            "one-time passwords (shown only now; each must be changed at the first login):"
        )
        lines += [f"  {p.username}: {p.password}" for p in report.passwords]
    return lines


async def _export(session: CliSession, admin: AdminClient) -> int:
    data = await admin.export_file(session.args.event)
    path: Path = session.args.file
    _write_json(path, data)
    contests = data["contests"]
    categories = sum(len(c["categories"]) for c in contests)
    session.output.result(
        f"wrote {path}: {len(contests)} contest(s), {categories} categor(ies), "
        f"{len(data['users'])} account(s)",
        {"file": str(path), "competition": data},
    )
    return EXIT_OK


async def _import_csv(session: CliSession, admin: AdminClient) -> int:
    args = session.args
    current = await admin.export_file(args.event)
    try:
        if args.kind == "contestants":
            if not args.category:
                raise CliError(EXIT_INVALID, "import-csv contestants needs --category NAME")
            merged = merge_contestants(current, args.category, args.file)
        else:
            merged = merge_users(current, args.file)
    except CsvError as exc:
        raise CliError(EXIT_INVALID, f"{args.file}:\n  " + "\n  ".join(exc.problems)) from None
    return await _apply(session, admin, merged)


async def _users(session: CliSession, admin: AdminClient) -> int:
    accounts = await admin.accounts()
    lines = [
        f"  {a.username:<16} {a.role.value:<13} {'active' if a.active else 'INACTIVE':<9}"
        f"{' must change password' if a.must_change_password else ''}  {a.name}"
        for a in accounts
    ]
    session.output.result([f"{len(accounts)} account(s):", *lines], [a.to_wire() for a in accounts])
    return EXIT_OK


async def _account_action(session: CliSession, admin: AdminClient) -> int:
    args = session.args
    account = await admin.account_by_username(args.target)
    if account is None:
        raise CliError(EXIT_INVALID, f"there is no account {args.target!r}")
    if args.admin_command == "reset-password":
        result = await admin.reset_password(account.id)
        line = (
            f"{account.username}: new one-time password {result.password} "
            "(must be changed at the next login)"
        )
    else:
        result = await admin.set_active(account.id, args.admin_command == "reactivate")
        line = f"{account.username}: {'active' if result.account.active else 'deactivated'}"
    session.output.result(line, result.to_wire())
    return EXIT_OK


def _write_json(path: Path, data: Any) -> None:
    try:
        path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    except OSError as exc:
        raise CliError(EXIT_FAILED, f"cannot write {path}: {exc.strerror}") from None


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise CliError(EXIT_INVALID, f"cannot read {path}: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise CliError(
            EXIT_INVALID, f"{path} is not JSON: line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from None


_ACTIONS = {
    "import": _import,
    "export": _export,
    "import-csv": _import_csv,
    "users": _users,
    "reset-password": _account_action,
    "deactivate": _account_action,
    "reactivate": _account_action,
}

__all__ = ["EXIT_FAILED", "cmd_admin"]
