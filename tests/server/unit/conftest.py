"""Fixtures for the service unit tests: a real SQLite file per test, demo data loaded."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from scoring_console.protocol.entities import Category
from scoring_console.protocol.payloads import ScoreSubmit
from scoring_console.protocol.roles import Role
from scoring_console.server.db import Database, open_database
from scoring_console.server.demo_data import seed_demo
from scoring_console.server.service import Actor, ScoringService
from tests.helpers import postgres


class FakeClock:
    """A controllable clock: starts at a fixed moment, moves only when told."""

    def __init__(self) -> None:
        self.now = datetime(2026, 6, 13, 18, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def new_client_id() -> str:
    return str(uuid.uuid4())


@dataclass
class Demo:
    """The seeded demo world as the tests use it."""

    service: ScoringService
    clock: FakeClock
    actors: dict[str, Actor]
    cat1: Category
    cat2: Category
    cat3: Category

    def actor(self, username: str) -> Actor:
        return self.actors[username]

    @property
    def judges(self) -> list[Actor]:
        return [self.actors[f"judge{i}"] for i in range(1, 6)]

    def submit(
        self,
        judge: Actor,
        category: Category,
        contestant_index: int = 0,
        criterion_index: int = 0,
        value: float = 5.0,
        client_id: str | None = None,
        comment: str | None = None,
    ) -> ScoreSubmit:
        """A submit payload for one cell (not yet sent)."""
        return ScoreSubmit(
            client_id=client_id or new_client_id(),
            category_id=category.id,
            contestant_id=category.contestant_ids[contestant_index],
            criterion_id=category.criteria[criterion_index].id,
            score=value,
            comment=comment,
        )

    def fill_sheet(self, judge: Actor, category: Category, base: float = 5.0) -> None:
        """Score every cell of ``category`` as ``judge``."""
        for ci in range(len(category.contestant_ids)):
            for ki in range(len(category.criteria)):
                value = min(10.0, base + ci * 0.5 + ki * 0.25)
                self.service.scores.submit_score(judge, self.submit(judge, category, ci, ki, value))


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "server" / "scoring.db"


@pytest.fixture
def db(db_path: Path) -> Iterator[Database]:
    database = open_database(postgres.database_target(db_path.parent))
    yield database
    database.close()


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo-seeded database file, made once (password hashing is slow on purpose)."""
    path = tmp_path_factory.mktemp("template") / "scoring.db"
    database = open_database(postgres.database_target(path.parent))
    postgres.keep(path.parent)
    assert seed_demo(database)
    database.close()  # checkpoints the WAL into the main file
    return path


@pytest.fixture
def demo(seeded_template: Path, db_path: Path) -> Iterator[Demo]:
    db_path.parent.mkdir(parents=True, exist_ok=True)
    if postgres.postgres_mode():
        db = open_database(postgres.server_database(db_path.parent, like=seeded_template.parent))
    else:
        shutil.copyfile(seeded_template, db_path)
        db = open_database(db_path)
    clock = FakeClock()
    service = ScoringService(db, clock=clock)
    actors = {u.username: Actor(u.id, u.role, u.username) for u in service.accounts.list_users()}
    snap = service.views.snapshot(actors["admin"])
    by_name = {c.name: c for c in snap.categories}
    cat1, cat2 = sorted(
        (c for c in snap.categories if c.contest_id == snap.contests[0].id), key=lambda c: c.id
    )
    (cat3,) = [c for c in by_name.values() if c.contest_id == snap.contests[1].id]
    assert actors["tally1"].role is Role.TALLY_MASTER
    yield Demo(service, clock, actors, cat1, cat2, cat3)
    db.close()
