"""``paper-submit``, ``paper-list``, ``paper-decide``: paper sheets typed in afterwards.

``paper-submit`` reads a filled copy of ``export blank-sheets --format csv`` (the
``number``, ``criterion`` and ``score`` columns; rows without a score are skipped) and
enters it for one judge; a second person confirms it with ``paper-decide ID``.
"""

from __future__ import annotations

import csv
from pathlib import Path

from scoring_console.protocol.paper import PaperScore, PaperSheet

from ..errors import EXIT_INVALID, EXIT_OK, CliError
from ..session import CliSession


def read_paper_csv(
    path: Path, numbers: dict[int, int], criteria: dict[str, int]
) -> list[PaperScore]:
    """The filled boxes of a paper sheet CSV; ``CliError`` naming the first bad line."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except OSError as exc:
        raise CliError(EXIT_INVALID, f"cannot read {path}: {exc.strerror or exc}") from exc
    entries: list[PaperScore] = []
    for line, row in enumerate(rows, start=2):
        text = (row.get("score") or "").strip().replace(",", ".")
        if not text:
            continue
        try:
            number, value = int(row["number"]), float(text)
            contestant, criterion = numbers[number], criteria[row["criterion"]]
        except (KeyError, TypeError, ValueError):
            raise CliError(
                EXIT_INVALID,
                f"{path}, line {line}: expected a contestant number, a criterion of the "
                "category and a number as score",
            ) from None
        comment = (row.get("comment") or "").strip() or None
        entries.append(
            PaperScore(
                contestant_id=contestant, criterion_id=criterion, score=value, comment=comment
            )
        )
    if not entries:
        raise CliError(EXIT_INVALID, f"{path} has no filled score")
    return entries


def _judge_id(session: CliSession, judge: str) -> int:
    """A judge's user id from their username (as the presence list shows it) or an id."""
    if judge.isdigit():
        return int(judge)
    for presence in session.core.state.presence.values():
        if presence.username == judge:
            return presence.user_id
    raise CliError(EXIT_INVALID, f"no judge {judge!r} among the judges this account sees")


def _line(sheet: PaperSheet) -> str:
    return (
        f"paper sheet {sheet.id}: {sheet.judge_name}, {len(sheet.entries)} scores, entered by "
        f"{sheet.entered_by_name}: {sheet.status.value.lower()}"
    )


async def cmd_paper_submit(session: CliSession) -> int:
    """Enter a judge's filled paper sheet from CSV; pending until someone confirms it."""
    args = session.args
    await session.require_online()
    state = session.core.state
    category = state.categories.get(args.category)
    if category is None:
        await session.close()
        raise CliError(EXIT_INVALID, f"category {args.category} is not one this account sees")
    numbers = {
        c.number: c.id for c in state.contestants.values() if c.id in category.contestant_ids
    }
    criteria = {c.name: c.id for c in category.criteria}
    try:
        judge_id = _judge_id(session, args.judge)
        entries = read_paper_csv(args.file, numbers, criteria)
    except CliError:
        await session.close()
        raise
    sheet = await session.core.submit_paper(category.id, judge_id, entries, args.note)
    session.output.result(_line(sheet) + " — a second person must confirm it", sheet.to_wire())
    await session.close()
    return EXIT_OK


async def cmd_paper_list(session: CliSession) -> int:
    """Paper sheets this account may see."""
    await session.require_online()
    sheets = await session.core.list_paper(session.args.category)
    session.output.result(
        [_line(s) for s in sheets] or ["no paper sheets"], [s.to_wire() for s in sheets]
    )
    await session.close()
    return EXIT_OK


async def cmd_paper_decide(session: CliSession) -> int:
    """Confirm (or ``--reject``) a paper sheet someone else entered."""
    args = session.args
    await session.require_online()
    sheet = await session.core.decide_paper(args.sheet, not args.reject, args.note)
    session.output.result(_line(sheet), sheet.to_wire())
    await session.close()
    return EXIT_OK
