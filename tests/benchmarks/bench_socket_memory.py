"""Server memory per connected, synced socket (for the node estimate in docs/deployment.md).

Starts the bundled server (``python -m scoring_console.server --demo``, one process on
SQLite) in a child process, reads its resident set size, connects ``--sockets`` raw
Engine.IO websockets (viewer accounts, each authenticated and answered one ``sync``),
waits, and reads it again. Prints the growth per socket and replaces the
``bench:socket-memory`` section of ``docs/benchmarks.md``.

usage: python tests/benchmarks/bench_socket_memory.py [--sockets 1000] [--no-doc]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.benchmarks.report import write_section  # noqa: E402
from tests.helpers.sio_client import login  # noqa: E402

VIEWERS = ("tally1", "auditor1", "board1", "organizer1", "admin")
LISTEN = re.compile(r"listening on (http://[\d.]+:\d+)")


def rss_kib(pid: int) -> int:
    """Resident set size of ``pid`` in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


async def connect(
    session: aiohttp.ClientSession, url: str, token: str
) -> aiohttp.ClientWebSocketResponse:
    """One authenticated socket that answered a ``sync``."""
    ws = await session.ws_connect(
        url.replace("http", "ws", 1) + "/socket.io/?EIO=4&transport=websocket"
    )
    await ws.receive()  # Engine.IO open
    await ws.send_str("40" + json.dumps({"token": token, "protocol": 1}))
    while not str((await ws.receive()).data).startswith("40"):
        pass
    await ws.send_str('421["sync",{}]')
    while not str((await ws.receive()).data).startswith("431"):
        pass
    return ws


def start_server(count: int, data_dir: Path) -> tuple[subprocess.Popen[str], str]:
    """The server in a child process and its URL."""
    proc = subprocess.Popen(
        [
            sys.executable, "-m", "scoring_console.server", "--port", "0",
            "--data-dir", str(data_dir), "--demo", "--log-level", "warning",
            "--max-sockets-per-user", str(count + 10), "--max-http-connections", str(count + 50),
            "--rate-limit", "1000000", "--read-rate", "1000000",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )  # fmt: skip
    assert proc.stdout is not None
    for line in proc.stdout:
        match = LISTEN.search(line)
        if match:
            return proc, match.group(1)
    raise RuntimeError("the server did not start")


async def measure(count: int, pid: int, url: str) -> tuple[int, int]:
    """RSS (KiB) of ``pid`` before and after ``count`` synced sockets."""
    tokens = [(await login(url, name)).access for name in VIEWERS]
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
        await asyncio.sleep(1.0)
        before = rss_kib(pid)
        sockets = [await connect(session, url, tokens[i % len(tokens)]) for i in range(count)]
        await asyncio.sleep(2.0)
        after = rss_kib(pid)
        for ws in sockets:
            await ws.close()
    return before, after


def main() -> int:
    """Measure, print and record."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sockets", type=int, default=1000)
    parser.add_argument("--no-doc", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-mem-") as tmp:
        proc, url = start_server(args.sockets, Path(tmp) / "server")
        try:
            before, after = asyncio.run(measure(args.sockets, proc.pid, url))
        finally:
            proc.terminate()
            proc.wait(10)
    per = (after - before) / args.sockets
    body = (
        f"Load average {os.getloadavg()[0]:.2f}.\n\n"
        "| sockets (authenticated, one `sync` each) | RSS before | RSS after | per socket |\n"
        "|---|---|---|---|\n"
        f"| {args.sockets:,} | {before / 1024:.1f} MiB | {after / 1024:.1f} MiB | "
        f"{per:.1f} KiB |\n\n"
        "One server process on SQLite with the demo data; raw Engine.IO websockets from one "
        "client process. A cluster node keeps the same per-socket state."
    )
    print(body)
    if not args.no_doc:
        write_section(
            "socket-memory",
            "Server memory per connected socket",
            "python tests/benchmarks/bench_socket_memory.py",
            body,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
