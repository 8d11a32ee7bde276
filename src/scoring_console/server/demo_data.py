"""Demo data for ``scoring-server --demo``: one festival, two contests, demo accounts.

:func:`seed_demo` is idempotent: a marker in ``meta`` records that the data is there,
so a second start with the same data dir adds nothing. Every password is ``demo``.

:func:`seed_bots` (run by ``--simulate``) adds the bot judges ``bot-judge1`` …
``bot-judge5``, assigned like the human judges, so the judge accounts the README hands
out (``judge1`` … ``judge5``) stay free for people: their sheets change only when they
type.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Final

from scoring_console.protocol.roles import Role

from .db import Connection, Database, inserted_id
from .db.rows import to_iso
from .passwords import hash_password

DEMO_PASSWORD: Final = "demo"
_MARKER = "demo_seed_version"
_SEED_VERSION = 1

_USERS: Final[tuple[tuple[str, str, Role], ...]] = (
    ("judge1", "Maria Alvarez", Role.JUDGE),
    ("judge2", "Kenji Watanabe", Role.JUDGE),
    ("judge3", "Fatima Okafor", Role.JUDGE),
    ("judge4", "Liam O'Connor", Role.JUDGE),
    ("judge5", "Sofia Rossi", Role.JUDGE),
    ("tally1", "Thomas Becker", Role.TALLY_MASTER),
    ("auditor1", "Aisha Khan", Role.AUDITOR),
    ("board1", "Henrik Larsen", Role.BOARD),
    ("organizer1", "Olivia Chen", Role.ORGANIZER),
    ("admin", "Site Administrator", Role.ADMIN),
)

DEMO_ACCOUNTS: Final[list[tuple[str, Role]]] = [(u, role) for u, _, role in _USERS]
"""``(username, role)`` of every demo account, for the CLI to print."""

BOT_USERS: Final[tuple[tuple[str, str], ...]] = tuple(
    (f"bot-judge{i}", f"Bot Judge {i} (simulated)") for i in range(1, 6)
)
"""``(username, name)`` of the simulator's bot judges (password ``demo``)."""
_BOTS_MARKER = "demo_bots_seed_version"
BOT_CONTEST = "Senior Showcase"
"""The contest whose categories the bots judge (the one with human judges)."""

_EVENT = ("Riverside Performing Arts Festival 2026", "2026-06-13")

# contest name -> categories (name, criteria) and contestants (number, name)
_CONTESTS: Final = (
    (
        "Senior Showcase",
        (
            ("Vocal Performance", ("Technique", "Interpretation", "Stage Presence")),
            ("Contemporary Dance", ("Technique", "Choreography", "Musicality")),
        ),
        (
            (101, "Amelia Hart"),
            (102, "Noah Fischer"),
            (103, "Chloe Dubois"),
            (104, "Mateo García"),
            (105, "Hannah Schultz"),
            (106, "Ravi Patel"),
        ),
    ),
    (
        "Junior Showcase",
        (("Variety Talent", ("Skill", "Originality", "Presentation")),),
        (
            (201, "Emily Novak"),
            (202, "Lucas Moreau"),
            (203, "Zara Ahmed"),
            (204, "Oscar Lindqvist"),
        ),
    ),
)
_MAX_SCORE = 10.0


def seed_demo(db: Database) -> bool:
    """Load the demo data unless it is already there; True if it was loaded now."""
    with db.reading() as conn:
        if conn.execute("SELECT 1 FROM meta WHERE key = ?", (_MARKER,)).fetchone():
            return False
    now = to_iso(datetime.now(UTC))
    hashes = {username: hash_password(DEMO_PASSWORD) for username, _, _ in _USERS}
    with db.transaction() as conn:
        if conn.execute("SELECT 1 FROM meta WHERE key = ?", (_MARKER,)).fetchone():
            return False
        user_ids = {
            username: _insert(
                conn,
                "INSERT INTO users (username, name, role, password_hash, active, created_at) "
                "VALUES (?, ?, ?, ?, 1, ?)",
                (username, name, role.value, hashes[username], now),
            )
            for username, name, role in _USERS
        }
        event_id = _insert(conn, "INSERT INTO events (name, date) VALUES (?, ?)", _EVENT)
        for index, (contest_name, categories, contestants) in enumerate(_CONTESTS):
            contest_id = _insert(
                conn,
                "INSERT INTO contests (event_id, name) VALUES (?, ?)",
                (event_id, contest_name),
            )
            contestant_ids = [
                _insert(
                    conn, "INSERT INTO contestants (number, name) VALUES (?, ?)", (number, name)
                )
                for number, name in contestants
            ]
            for category_name, criteria in categories:
                category_id = _insert(
                    conn,
                    "INSERT INTO categories (contest_id, name) VALUES (?, ?)",
                    (contest_id, category_name),
                )
                for position, criterion in enumerate(criteria):
                    conn.execute(
                        "INSERT INTO criteria (category_id, name, max_score, position) "
                        "VALUES (?, ?, ?, ?)",
                        (category_id, criterion, _MAX_SCORE, position),
                    )
                conn.executemany(
                    "INSERT INTO category_contestants (category_id, contestant_id) VALUES (?, ?)",
                    [(category_id, cid) for cid in contestant_ids],
                )
                if index == 0:  # only the first contest has judges and a tally master
                    for username, _, role in _USERS:
                        if role in (Role.JUDGE, Role.TALLY_MASTER):
                            conn.execute(
                                "INSERT INTO assignments (user_id, category_id, role, "
                                "created_at) VALUES (?, ?, ?, ?)",
                                (user_ids[username], category_id, role.value, now),
                            )
        conn.execute("INSERT INTO meta (key, value) VALUES (?, ?)", (_MARKER, _SEED_VERSION))
    return True


def seed_bots(db: Database) -> bool:
    """Add the bot judges to the demo world unless they are there; True if added now.

    Needs the demo data (:func:`seed_demo`): bots judge every category of
    :data:`BOT_CONTEST`. Without it, nothing is added and False is returned.
    """
    with db.reading() as conn:
        if conn.execute("SELECT 1 FROM meta WHERE key = ?", (_BOTS_MARKER,)).fetchone():
            return False
    now = to_iso(datetime.now(UTC))
    digest = hash_password(DEMO_PASSWORD)
    with db.transaction() as conn:
        if conn.execute("SELECT 1 FROM meta WHERE key = ?", (_BOTS_MARKER,)).fetchone():
            return False
        categories = [
            int(row[0])
            for row in conn.execute(
                "SELECT categories.id FROM categories JOIN contests "
                "ON contests.id = categories.contest_id WHERE contests.name = ? "
                "ORDER BY categories.id",
                (BOT_CONTEST,),
            )
        ]
        if not categories:
            return False
        for username, name in BOT_USERS:
            user_id = _insert(
                conn,
                "INSERT INTO users (username, name, role, password_hash, active, created_at) "
                "VALUES (?, ?, ?, ?, 1, ?)",
                (username, name, Role.JUDGE.value, digest, now),
            )
            conn.executemany(
                "INSERT INTO assignments (user_id, category_id, role, created_at) "
                "VALUES (?, ?, ?, ?)",
                [(user_id, category_id, Role.JUDGE.value, now) for category_id in categories],
            )
        conn.execute("INSERT INTO meta (key, value) VALUES (?, ?)", (_BOTS_MARKER, 1))
    return True


def _insert(conn: Connection, sql: str, params: tuple[object, ...]) -> int:
    cursor = conn.execute(sql + " RETURNING id", params)
    return inserted_id(cursor)
