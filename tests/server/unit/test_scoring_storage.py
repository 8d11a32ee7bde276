"""Criterion weights and category scoring rules: stored by the migration, sent in ``sync``."""

from __future__ import annotations

import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest

from scoring_console.protocol.scoring import ScoringMethod, ScoringRules
from scoring_console.server.db import MIGRATIONS, open_database
from tests.server.unit.conftest import Demo


def test_demo_categories_use_the_default_rules(demo: Demo) -> None:
    snap = demo.service.views.snapshot(demo.actor("admin"))
    for category in snap.categories:
        assert category.scoring == ScoringRules()
        assert all(c.weight == Decimal(1) for c in category.criteria)


def test_stored_weight_and_rules_reach_every_role_in_sync(demo: Demo) -> None:
    rules = ScoringRules(
        method=ScoringMethod.AVERAGE, drop_high_low=True, tie_break=["manual"], precision=3
    )
    weighted = demo.cat1.criteria[0]
    with demo.service.db.transaction() as conn:
        conn.execute("UPDATE criteria SET weight = '2.25' WHERE id = ?", (weighted.id,))
        conn.execute(
            "UPDATE categories SET scoring = ? WHERE id = ?", (rules.to_json_text(), demo.cat1.id)
        )
    for username in ("admin", "tally1", "judge1"):
        snap = demo.service.views.snapshot(demo.actor(username))
        (category,) = [c for c in snap.categories if c.id == demo.cat1.id]
        assert category.scoring == rules, username
        assert category.criteria[0].weight == Decimal("2.25")
        assert category.to_wire()["criteria"][0]["weight"] == 2.25


@pytest.mark.sqlite_only  # the legacy migration chain
def test_migration_adds_columns_with_defaults_to_an_existing_database(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    for version, step in enumerate(MIGRATIONS[:2]):
        conn.executescript(f"BEGIN;\n{step}\nPRAGMA user_version = {version + 1};\nCOMMIT;")
    conn.execute("INSERT INTO events (name) VALUES ('E')")
    conn.execute("INSERT INTO contests (event_id, name) VALUES (1, 'C')")
    conn.execute("INSERT INTO categories (contest_id, name) VALUES (1, 'Talent')")
    conn.execute("INSERT INTO criteria (category_id, name, max_score) VALUES (1, 'Skill', 10)")
    conn.commit()
    conn.close()
    db = open_database(path)
    with db.reading() as read:
        assert read.execute("SELECT weight FROM criteria").fetchone()[0] == "1"
        assert read.execute("SELECT scoring FROM categories").fetchone()[0] is None
    db.close()
