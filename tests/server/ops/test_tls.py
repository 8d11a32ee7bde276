"""The server over TLS on loopback: clients verify the certificate, a venue's
self-signed certificate works once pinned (--cafile), and a bad certificate file stops
the server before it touches anything."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from scoring_console.server.app import RunningServer, StartupError, start_server
from scoring_console.server.config import ServerConfig

from .certs import self_signed

BIN = Path(sys.executable).parent


@pytest.fixture
def venue_cert(tmp_path: Path) -> tuple[Path, Path]:
    return self_signed(tmp_path / "tls")


@pytest.fixture
async def tls_server(tmp_path: Path, venue_cert: tuple[Path, Path]) -> AsyncIterator[RunningServer]:
    cert, key = venue_cert
    config = ServerConfig(
        host="127.0.0.1", port=0, data_dir=tmp_path / "srv", demo=True, certfile=cert, keyfile=key
    )
    running = await start_server(config)
    try:
        yield running
    finally:
        await running.stop()


async def run(*argv: str, env: dict[str, str], limit: float = 90) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        *argv, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await asyncio.wait_for(proc.communicate(), limit)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


def client_env(tmp_path: Path) -> dict[str, str]:
    env = dict(
        os.environ,
        SCORING_PASSWORD="demo",
        SCORING_CONSOLE_KEYRING="memory",
        SCORING_CONSOLE_HOME=str(tmp_path / "home"),
        QT_QPA_PLATFORM="offscreen",
    )
    env.pop("SCORING_CONSOLE_CAFILE", None)
    env.pop("SSL_CERT_FILE", None)
    return env


async def test_the_server_says_https(tls_server: RunningServer) -> None:
    assert tls_server.url.startswith("https://127.0.0.1:")


async def test_cli_with_the_pinned_certificate_works_over_tls(
    tls_server: RunningServer, venue_cert: tuple[Path, Path], tmp_path: Path
) -> None:
    cert, _ = venue_cert
    code, out, err = await run(
        str(BIN / "scoring-cli"),
        "--server",
        tls_server.url,
        "--cafile",
        str(cert),
        "--username",
        "judge1",
        "--json",
        "status",
        env=client_env(tmp_path),
    )
    assert code == 0, err
    assert '"judge1"' in out


async def test_an_unpinned_self_signed_certificate_is_refused(
    tls_server: RunningServer, tmp_path: Path
) -> None:
    code, out, err = await run(
        str(BIN / "scoring-cli"),
        "--server",
        tls_server.url,
        "--username",
        "judge1",
        "status",
        env=client_env(tmp_path),
    )
    assert code == 3, err  # server unreachable: the certificate does not verify
    assert "CERTIFICATE_VERIFY_FAILED" in out + err


async def test_a_different_pinned_certificate_is_refused(
    tls_server: RunningServer, tmp_path: Path
) -> None:
    other, _ = self_signed(tmp_path / "other", "impostor")
    code, _, err = await run(
        str(BIN / "scoring-cli"),
        "--server",
        tls_server.url,
        "--cafile",
        str(other),
        "--username",
        "judge1",
        "status",
        env=client_env(tmp_path),
    )
    assert code == 3, err


async def test_console_logs_in_over_tls_and_renders(
    tls_server: RunningServer, venue_cert: tuple[Path, Path], tmp_path: Path
) -> None:
    cert, _ = venue_cert
    png = tmp_path / "tls.png"
    code, _, err = await run(
        str(BIN / "scoring-console"),
        "--server",
        tls_server.url,
        "--cafile",
        str(cert),
        "--username",
        "tally1",
        "--data-dir",
        str(tmp_path / "console"),
        "--screenshot",
        str(png),
        "--screenshot-delay",
        "0.2",
        env=client_env(tmp_path),
        limit=120,
    )
    assert code == 0, err
    assert png.stat().st_size > 10_000


async def test_a_bad_cafile_is_a_usage_error(tmp_path: Path) -> None:
    junk = tmp_path / "junk.pem"
    junk.write_text("not a certificate\n")
    code, _, err = await run(
        str(BIN / "scoring-cli"),
        "--cafile",
        str(junk),
        "--username",
        "judge1",
        "status",
        env=client_env(tmp_path),
    )
    assert code == 2 and "PEM" in err
    code, _, err = await run(
        str(BIN / "scoring-console"), "--cafile", str(junk), env=client_env(tmp_path)
    )
    assert code == 2 and "PEM" in err


async def test_a_bad_certificate_stops_the_server_before_it_starts(tmp_path: Path) -> None:
    junk = tmp_path / "cert.pem"
    junk.write_text("-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----\n")
    config = ServerConfig(port=0, data_dir=tmp_path / "srv", certfile=junk)
    with pytest.raises(StartupError, match="TLS: cannot load certificate"):
        await start_server(config)
    assert not (tmp_path / "srv").exists(), "nothing was created"
