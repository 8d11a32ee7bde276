"""``--database-url``: the server on PostgreSQL as one node of a cluster — config, the
command line, the JWT secret shared through the database, backups refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from scoring_console.server.app import start_server
from scoring_console.server.cli import build_parser, config_from_args, maintenance
from scoring_console.server.config import DATABASE_URL_ENV, ConfigError, ServerConfig
from tests.helpers import postgres
from tests.helpers.sio_client import login, try_connect


def test_only_postgresql_urls_are_accepted() -> None:
    with pytest.raises(ConfigError, match="postgresql://"):
        ServerConfig(database_url="mysql://db.example/scores")
    config = ServerConfig(database_url="postgresql://scoring@db.example/scores")
    assert config.database == "postgresql://scoring@db.example/scores"
    assert ServerConfig(data_dir=Path("d")).database == Path("d") / "scoring.db"


def test_the_flag_and_the_environment_variable_set_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    args = ["--data-dir", str(tmp_path), "--database-url", "postgresql://a@h/db"]
    assert config_from_args(build_parser().parse_args(args)).database_url == "postgresql://a@h/db"
    monkeypatch.delenv(DATABASE_URL_ENV, raising=False)
    plain = config_from_args(build_parser().parse_args(["--data-dir", str(tmp_path)]))
    assert plain.database_url is None
    monkeypatch.setenv(DATABASE_URL_ENV, "postgresql://b@h/db")
    from_env = config_from_args(build_parser().parse_args(["--data-dir", str(tmp_path)]))
    assert from_env.database_url == "postgresql://b@h/db"


def test_backup_is_refused_with_a_pointer_to_pg_dump(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(DATABASE_URL_ENV, "postgresql://a@h/db")
    code = maintenance(["backup", "--data-dir", str(tmp_path), "--output", str(tmp_path / "b")])
    assert code == 1
    assert "pg_dump" in capsys.readouterr().err
    assert not (tmp_path / "b").exists()


async def test_two_nodes_share_one_signing_secret_through_the_database(tmp_path: Path) -> None:
    url = postgres.fresh_url()
    nodes = [
        await start_server(
            ServerConfig(port=0, data_dir=tmp_path / f"node{i}", demo=True, database_url=url)
        )
        for i in range(2)
    ]
    try:
        tokens = await login(nodes[0].url, "judge1")
        assert await try_connect(nodes[1].url, {"token": tokens.access}) is None, (
            "a token issued by one node is good on the other"
        )
        for i in range(2):
            assert not (tmp_path / f"node{i}" / "jwt-secret").exists()
            assert not (tmp_path / f"node{i}" / "scoring.db").exists()
    finally:
        for node in nodes:
            await node.stop()
