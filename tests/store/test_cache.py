"""The snapshot cache and the remembered user."""

from __future__ import annotations

from pathlib import Path

from scoring_console.store.local import LocalStore
from tests.client.unit.factories import JUDGE, score, snapshot


def test_snapshot_round_trips_across_reopen(tmp_path: Path) -> None:
    path = tmp_path / "client.db"
    first = LocalStore(path)
    assert first.cache.load() is None
    saved = snapshot(seq=42, scores=[score(1, value=8.5)])
    first.cache.save(saved)
    first.cache.save_user(JUDGE)
    first.close()
    again = LocalStore(path)
    loaded = again.cache.load()
    assert loaded == saved
    assert again.cache.load_user() == JUDGE
    assert again.cache.saved_at() is not None
    again.cache.clear()
    assert again.cache.load() is None and again.cache.load_user() is None
    again.close()
