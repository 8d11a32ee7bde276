"""The seed's own client, stock ``socket.io-client`` v4 under node, against the server.

It sends only ``auth: {token}`` (no protocol field) and must work over websocket and
over long-polling. ``tests/js/ensure_deps.sh`` installs the locked npm dependencies
when ``node_modules`` is missing; the test fails (not skips) without node or npm.
"""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path
from typing import Any

from scoring_console.protocol.errors import AUTH_INVALID_MESSAGE, AUTH_MISSING_MESSAGE
from tests.server.integration.conftest import Live

JS_DIR = Path(__file__).resolve().parents[2] / "js"


async def _run(*args: str, limit: float) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        *args,
        cwd=JS_DIR,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, err = await asyncio.wait_for(proc.communicate(), limit)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        raise AssertionError(f"{args} did not finish in {limit}s") from None
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


async def test_stock_socket_io_client_over_websocket_and_polling(live: Live) -> None:
    assert shutil.which("node") and shutil.which("npm"), (
        "node and npm are required for tests/js (stock socket.io-client compatibility)"
    )
    code, out, err = await _run("bash", str(JS_DIR / "ensure_deps.sh"), limit=300)
    assert code == 0, f"tests/js/ensure_deps.sh failed ({code}):\n{out}\n{err}"
    tokens = await live.login("judge1")
    code, out, err = await _run(
        "node", str(JS_DIR / "seed_client.js"), live.url, tokens.access, limit=60
    )
    assert code == 0, f"node failed ({code}):\n{out}\n{err}"
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    layout = await live.layout()
    for name, transport in (
        ("websocket", "websocket"),
        ("polling", "polling"),
        ("upgrade", None),
    ):
        run = result[name]
        assert run["connected"] is True and "error" not in run, run
        assert run["sync"]["ok"] is True, run
        assert run["sync"]["user"]["username"] == "judge1", run
        assert isinstance(run["sync"]["seq"], int)
        assert layout.cat1.id in run["sync"]["categoryIds"], run
        assert run["scoresRequest"] == {"ok": True, "categoryId": run["sync"]["categoryIds"][0]}
        if transport is not None:
            assert run["transport"] == transport, run
    assert result["missingToken"]["connected"] is False
    assert result["missingToken"]["error"] == AUTH_MISSING_MESSAGE, result["missingToken"]
    assert result["badToken"]["connected"] is False
    assert result["badToken"]["error"] == AUTH_INVALID_MESSAGE, result["badToken"]
