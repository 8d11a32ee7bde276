"""Spreadsheet lists for the competition file: contestants and accounts from CSV.

The file has a header row, is UTF-8 with or without a byte-order mark, and uses commas
or semicolons (what spreadsheet programs write in locales with a decimal comma). Header
names are matched without regard to case or spaces: contestants need ``number`` (or
``bib``) and ``name``; accounts need ``username``, ``name`` and ``role`` and may have
``password``. Problems name the file row (``row 4: number: not a whole number``).

The rows are merged into an exported competition file (new entries added, existing ones
updated by number / username, nothing removed), which is then imported as usual.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from scoring_console.protocol.roles import Role

_ROLES = tuple(role.value for role in Role)


class CsvError(ValueError):
    """The CSV file cannot be used; ``problems`` lists every reason with its row."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems[:5]))
        self.problems = problems


_ALIASES = {
    "bib": "number",
    "no": "number",
    "nr": "number",
    "user": "username",
    "login": "username",
}


def read_rows(
    path: Path, required: tuple[str, ...], optional: tuple[str, ...] = ()
) -> list[dict[str, str]]:
    """The data rows of a CSV file as ``{column: value}`` with normalized column names."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CsvError(
            [f"{path.name} is not UTF-8 text ({exc.reason} at byte {exc.start})"]
        ) from None
    if not text.strip():
        raise CsvError([f"{path.name} is empty"])
    first = text.splitlines()[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [_column(name) for name in next(reader)]
    missing = [name for name in required if name not in header]
    if missing:
        raise CsvError(
            [f"header row: missing column(s) {', '.join(missing)} (found: {', '.join(header)})"]
        )
    wanted = set(required) | set(optional)
    rows = []
    for values in reader:
        if not any(v.strip() for v in values):
            continue
        row = {
            name: value.strip()
            for name, value in zip(header, values, strict=False)
            if name in wanted
        }
        row["_row"] = str(reader.line_num)
        rows.append(row)
    return rows


def _column(name: str) -> str:
    key = name.strip().lower().replace(" ", "").replace("_", "")
    return _ALIASES.get(key, key)


def merge_contestants(file: dict[str, Any], category: str, path: Path) -> dict[str, Any]:
    """Add / update the CSV's contestants in one category of an exported file.

    ``category`` is a category name, or ``Contest/Category`` when names repeat.
    """
    target = _category(file, category)
    rows = read_rows(path, ("number", "name"))
    problems: list[str] = []
    people = {p["number"]: p for p in target["contestants"]}
    elsewhere = _numbers_elsewhere(file, target)
    seen: dict[int, str] = {}
    for row in rows:
        at = f"row {row['_row']}"
        try:
            number = int(row["number"])
        except ValueError:
            problems.append(f"{at}: number: {row['number']!r} is not a whole number")
            continue
        if not row.get("name"):
            problems.append(f"{at}: name: must not be empty")
            continue
        if number in seen:
            problems.append(f"{at}: number {number} is also on {seen[number]}")
            continue
        seen[number] = at
        other = elsewhere.get(number)
        if other is not None and other[0] != row["name"]:
            # a bib number is one person across the event: say who, in the office's words
            problems.append(
                f"{at}: number {number} is already {other[0]} (in {other[1]}); "
                "use a free number, or that name to add them to this category too"
            )
            continue
        people[number] = {"number": number, "name": row["name"]}
    if problems:
        raise CsvError(problems)
    target["contestants"] = sorted(people.values(), key=lambda p: p["number"])
    return file


def _numbers_elsewhere(file: dict[str, Any], target: dict[str, Any]) -> dict[int, tuple[str, str]]:
    """``number → (name, category)`` of the contestants of the event's other categories."""
    found: dict[int, tuple[str, str]] = {}
    for contest in file.get("contests", []):
        for category in contest["categories"]:
            if category is target:
                continue
            for person in category.get("contestants", []):
                found.setdefault(person["number"], (person["name"], category["name"]))
    return found


def merge_users(file: dict[str, Any], path: Path) -> dict[str, Any]:
    """Add / update the CSV's accounts in an exported file."""
    rows = read_rows(path, ("username", "name", "role"), ("password",))
    users = {u["username"]: u for u in file.get("users", [])}
    problems: list[str] = []
    for row in rows:
        if not row.get("username") or not row.get("name"):
            problems.append(f"row {row['_row']}: username and name must not be empty")
            continue
        role = row["role"].strip().upper().replace(" ", "_")
        if role not in _ROLES:
            problems.append(
                f"row {row['_row']}: role: {row['role']!r} is not one of {', '.join(_ROLES)}"
            )
            continue
        user: dict[str, Any] = {"username": row["username"], "name": row["name"], "role": role}
        if row.get("password"):
            user["password"] = row["password"]
        previous = users.get(row["username"], {})
        users[row["username"]] = {**previous, **user}
    if problems:
        raise CsvError(problems)
    file["users"] = list(users.values())
    return file


def _category(file: dict[str, Any], wanted: str) -> dict[str, Any]:
    contest_name, _, category_name = wanted.rpartition("/")
    matches = [
        category
        for contest in file.get("contests", [])
        if not contest_name or contest["name"] == contest_name
        for category in contest["categories"]
        if category["name"] == category_name
    ]
    if not matches:
        raise CsvError([f"there is no category {wanted!r}"])
    if len(matches) > 1:
        raise CsvError(
            [f"several contests have a category {category_name!r}: write Contest/Category"]
        )
    category: dict[str, Any] = matches[0]
    return category
