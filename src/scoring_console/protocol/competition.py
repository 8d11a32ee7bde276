"""The competition file: one JSON document describing an event for import and export.

Shape (more fields are fine on export; these names are fixed)::

    {"event": {"name": "...", "date": "..."},
     "users": [{"username", "name", "role", "password"?, "active"?}],
     "contests": [{"name", "categories": [{"name",
         "criteria": [{"name", "maxScore", "weight"?}],
         "contestants": [{"number", "name"}],
         "judges": ["username"], "tallyMasters": ["username"]}]}]}

:func:`file_problems` checks a parsed file (the model, then the rules between its parts)
and names each problem by its JSON path, e.g.
``contests[0].categories[1].criteria[2].maxScore: must be > 0``. The server runs the
same check before it touches the database, so the CLI's answer and the server's agree.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import Field, ValidationError

from .base import InboundModel, Name, WireModel
from .roles import Role
from .scoring import DecimalValue, ScoringRules
from .setup import MAX_SCORE_LIMIT, NewPassword, Username


class FileEvent(InboundModel):
    """The event the file describes (matched by name)."""

    name: Name
    date: str | None = Field(default=None, max_length=40)


class FileUser(InboundModel):
    """An account (matched by username). No ``password``: a new user gets a generated
    one-time password; an existing one keeps theirs."""

    username: Username
    name: Name
    role: Role = Field(strict=False)
    password: NewPassword | None = None
    active: bool = True


class FileCriterion(InboundModel):
    """A criterion (matched by name within its category); the list order is sheet order."""

    name: Name
    max_score: float = Field(gt=0, le=MAX_SCORE_LIMIT)
    weight: DecimalValue = Field(default=Decimal(1), gt=0, le=1000)


class FileContestant(InboundModel):
    """A contestant (matched by bib number, unique across the server)."""

    number: int = Field(ge=0, le=1_000_000)
    name: Name


class FileCategory(InboundModel):
    """A category (matched by name within its contest) with its whole lists."""

    name: Name
    criteria: list[FileCriterion] = Field(min_length=1, max_length=50)
    contestants: list[FileContestant] = Field(default_factory=list, max_length=2000)
    judges: list[Username] = Field(default_factory=list, max_length=200)
    tally_masters: list[Username] = Field(default_factory=list, max_length=50)
    scoring: ScoringRules | None = None
    """Scoring rules (method, dropHighLow, tieBreak, precision, outliers); omitted: keep."""


class FileContest(InboundModel):
    """A contest (matched by name within the event)."""

    name: Name
    categories: list[FileCategory] = Field(default_factory=list, max_length=200)


class CompetitionFile(InboundModel):
    """The whole file. Contests and categories absent from it are left as they are; within
    a listed category the criteria, contestants, judges and tally masters are exactly the
    file's lists."""

    event: FileEvent
    users: list[FileUser] = Field(default_factory=list, max_length=2000)
    contests: list[FileContest] = Field(default_factory=list, max_length=100)


class CompetitionImport(InboundModel):
    """``competition:import``: apply a whole file in one transaction (or only plan it)."""

    file: CompetitionFile
    dry_run: bool = False


class CompetitionExportRequest(InboundModel):
    """``competition:export``: the file of one event (may be omitted when there is one)."""

    event_name: Name | None = None


class GeneratedPassword(WireModel):
    """A one-time password the server generated for a new account (shown once)."""

    username: Name
    password: str


class ImportReport(WireModel):
    """Ack of ``competition:import``: what changed (or would change, on a dry run)."""

    dry_run: bool
    changes: list[str]
    passwords: list[GeneratedPassword] = Field(default_factory=list)


class CompetitionExport(WireModel):
    """Ack of ``competition:export``: the file as a JSON object (camelCase)."""

    file: dict[str, Any]


# --- problems named by path ------------------------------------------------------------


def json_path(loc: tuple[int | str, ...] | list[int | str]) -> str:
    """``("contests", 0, "name")`` → ``contests[0].name``."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text or "(file)"


_MESSAGES = {
    "greater_than": "must be > {gt}",
    "greater_than_equal": "must be >= {ge}",
    "less_than_equal": "must be <= {le}",
    "less_than": "must be < {lt}",
    "missing": "is required",
    "extra_forbidden": "is not a known field",
    "string_too_short": "must not be empty",
    "too_short": "must have at least {min_length} entries",
    "string_pattern_mismatch": "may only contain letters, digits and _ . @ -",
}


def _message(error: Any) -> str:
    template = _MESSAGES.get(error["type"])
    ctx = error.get("ctx") or {}
    if template is not None:
        try:
            if error["type"] == "string_too_short" and ctx.get("min_length", 1) > 1:
                return f"must have at least {ctx['min_length']} characters"
            return template.format(
                **{k: f"{v:g}" if isinstance(v, float) else v for k, v in ctx.items()}
            )
        except (KeyError, IndexError):
            pass
    return str(error["msg"])


def validation_problems(exc: ValidationError, prefix: tuple[int | str, ...] = ()) -> list[str]:
    """A pydantic error as ``path: message`` lines."""
    return [
        f"{json_path((*prefix, *e['loc']))}: {_message(e)}"
        for e in exc.errors(include_url=False, include_input=False)
    ]


def parse_file(raw: Any) -> tuple[CompetitionFile | None, list[str]]:
    """Validate a JSON value as a competition file: ``(file, [])`` or ``(None, problems)``."""
    try:
        parsed = CompetitionFile.model_validate(raw)
    except ValidationError as exc:
        return None, validation_problems(exc)
    problems = file_problems(parsed)
    return (None, problems) if problems else (parsed, [])


def file_problems(file: CompetitionFile) -> list[str]:
    """The rules between the parts of a well-typed file, as ``path: message`` lines."""
    problems: list[str] = []
    roles: dict[str, Role] = {}
    for i, user in enumerate(file.users):
        if user.username in roles:
            problems.append(f"users[{i}].username: {user.username!r} is listed twice")
        roles[user.username] = user.role
    numbers: dict[int, tuple[str, str]] = {}
    for c, contest in enumerate(file.contests):
        _unique(problems, [x.name for x in file.contests][: c + 1], f"contests[{c}].name")
        for k, category in enumerate(contest.categories):
            at = f"contests[{c}].categories[{k}]"
            _unique(problems, [x.name for x in contest.categories][: k + 1], f"{at}.name")
            for n in range(len(category.criteria)):
                names = [x.name for x in category.criteria][: n + 1]
                _unique(problems, names, f"{at}.criteria[{n}].name")
            if category.scoring is not None:
                known = {x.name for x in category.criteria}
                for n, name in enumerate(category.scoring.tie_break):
                    wanted_name = name.removeprefix("criterion:")
                    if name != "manual" and wanted_name not in known:
                        problems.append(
                            f"{at}.scoring.tieBreak[{n}]: no criterion {wanted_name!r} here"
                        )
            for n, person in enumerate(category.contestants):
                path = f"{at}.contestants[{n}]"
                seen = numbers.setdefault(person.number, (person.name, path))
                if seen[0] != person.name:
                    problems.append(
                        f"{path}.name: number {person.number} is {seen[0]!r} at {seen[1]}"
                    )
                if [p.number for p in category.contestants].index(person.number) != n:
                    problems.append(f"{path}.number: {person.number} is listed twice here")
            for field, wanted in (("judges", Role.JUDGE), ("tallyMasters", Role.TALLY_MASTER)):
                people = category.judges if wanted is Role.JUDGE else category.tally_masters
                for n, username in enumerate(people):
                    role = roles.get(username)
                    path = f"{at}.{field}[{n}]"
                    if role is not None and role is not wanted:
                        problems.append(f"{path}: {username!r} is a {role.value}, not a {wanted}")
                    if people.index(username) != n:
                        problems.append(f"{path}: {username!r} is listed twice")
    return problems


def _unique(problems: list[str], names: list[str], path: str) -> None:
    if names and names[-1] in names[:-1]:
        problems.append(f"{path}: {names[-1]!r} is listed twice")


__all__ = [
    "CompetitionExport",
    "CompetitionExportRequest",
    "CompetitionFile",
    "CompetitionImport",
    "FileCategory",
    "FileContest",
    "FileContestant",
    "FileCriterion",
    "FileEvent",
    "FileUser",
    "GeneratedPassword",
    "ImportReport",
    "file_problems",
    "json_path",
    "parse_file",
    "validation_problems",
]
