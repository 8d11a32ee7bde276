"""The issue-12 abuse measurements against a ``scoring-server --demo`` subprocess.

Run ``python tests/benchmarks/bench_abuse.py`` (this branch) and, for the figures
before the fix, ``python tests/benchmarks/bench_abuse.py --src /path/to/old/src``
(the server subprocess then imports that tree). Prints one line per measurement and
the load average: figures on a shared 2-core machine are indicative only.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.helpers.raw_eio import RawSocket, StalledSocket
from tests.helpers.server_process import ServerProcess
from tests.helpers.sio_client import SioClient, login


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def sync_flood(proc: ServerProcess, pid: int) -> str:
    tokens = await login(proc.url, "judge1")
    raw = await StalledSocket.open(proc.url)
    await raw.handshake(tokens.access)
    before = rss_mb(pid)
    peak = before
    closed_after = None
    for ack_id in range(10_000):
        try:
            await raw.send(f'42{ack_id}["sync",{{}}]')
        except (ConnectionError, OSError):
            closed_after = ack_id
            break
        if ack_id % 500 == 0:
            peak = max(peak, rss_mb(pid))
    idle_since, cpu = time.monotonic(), cpu_seconds(pid)
    for _ in range(600):  # let the server work through what it got (until idle, ≤ 60 s)
        await asyncio.sleep(0.1)
        peak = max(peak, rss_mb(pid))
        now_cpu = cpu_seconds(pid)
        if now_cpu - cpu > 0.02:
            idle_since, cpu = time.monotonic(), now_cpu
        elif time.monotonic() - idle_since > 1.5:
            break
        if closed_after is None:
            try:
                await raw.send("6")
            except (ConnectionError, OSError):
                closed_after = 10_000
    raw.close()
    await asyncio.sleep(1)
    after = rss_mb(pid)
    closed = f"connection closed after {closed_after} calls" if closed_after else "never closed"
    return (
        f"10,000 sync calls, one judge socket that never reads: RSS +{peak - before:.0f} MB "
        f"at peak, +{after - before:.0f} MB after; {closed}"
    )


async def bad_frames(proc: ServerProcess, pid: int) -> str:
    log_before = sum(len(line) for line in proc.output)
    cpu_before = cpu_seconds(pid)
    sent = connections = 0
    started = time.monotonic()
    async with aiohttp.ClientSession() as session:
        while sent < 2000:
            raw = await RawSocket.open(session, proc.url)
            connections += 1
            try:
                while sent < 2000:
                    await raw.ws.send_str("4x]")
                    sent += 1
                    if sent % 50 == 0:
                        await asyncio.sleep(0.01)
                        if raw.ws.closed:
                            break
            except (aiohttp.ClientError, ConnectionError):
                pass
            await raw.close()
    await asyncio.sleep(1)
    took = time.monotonic() - started
    log_bytes = sum(len(line) for line in proc.output) - log_before
    return (
        f"2,000 malformed frames ({connections} connections, {took:.1f}s): {log_bytes:,} bytes "
        f"of log, {cpu_seconds(pid) - cpu_before:.2f}s server CPU"
    )


async def login_burst(proc: ServerProcess) -> str:
    async with aiohttp.ClientSession() as session:

        async def guess(i: int) -> int:
            body = {"username": "judge4", "password": f"guess{i}"}
            async with session.post(proc.url + "/api/auth/login", json=body) as resp:
                return resp.status

        statuses = await asyncio.gather(*(guess(i) for i in range(40)))
    checked, refused = statuses.count(401), statuses.count(429)
    return f"40 concurrent password guesses: {checked} checked, {refused} refused"


async def heartbeats(proc: ServerProcess) -> str:
    clients = []
    for name in ("tally1", "judge2"):
        tokens = await login(proc.url, name)
        client = SioClient(tokens=tokens)
        await client.connect(proc.url, {"token": tokens.access, "protocol": 1})
        clients.append(client)
    tally, judge = clients
    await asyncio.sleep(0.5)
    mark = len(tally.events.get("presence:updated"))
    started = time.monotonic()
    refused = 0
    for i in range(2000):
        ack = await judge.call("user:active", {"pendingCount": i % 2})
        refused += not ack["ok"]
    took = time.monotonic() - started
    await asyncio.sleep(3)
    updates = len(tally.events.get("presence:updated")) - mark
    for client in clients:
        await client.close()
    return (
        f"2,000 alternating heartbeats in {took:.1f}s ({refused} rate limited): "
        f"{updates} presence:updated at the tally master"
    )


async def half_sent(proc: ServerProcess) -> str:
    host, port = proc.url.removeprefix("http://").rsplit(":", 1)
    writers = []
    for _ in range(200):
        reader, writer = await asyncio.open_connection(host, int(port))
        writer.write(f"POST /api/auth/login HTTP/1.1\r\nHost: {host}\r\nX-Slow: ".encode())
        writers.append((reader, writer))
    await asyncio.sleep(15)
    held = 0
    for reader, writer in writers:
        try:
            data = await asyncio.wait_for(reader.read(1), 0.01)
            held += bool(data)
        except TimeoutError:
            held += 1
        except ConnectionError:
            pass
        writer.close()
    return f"200 half-sent requests: {held} still held after 15 s"


async def run(src: str | None, only_sync: bool = False) -> None:
    if src:
        os.environ["PYTHONPATH"] = src
    await measure_all(src, only_sync=only_sync)
    if not src:
        print("-- with the read limit lifted (--read-rate 1000000): the send-queue bound alone")
        await measure_all(src, ["--read-rate", "1000000"], only_sync=True)
    print(f"load average: {os.getloadavg()}")


async def measure_all(
    src: str | None, args: list[str] | None = None, only_sync: bool = False
) -> None:
    proc = ServerProcess(data_dir=Path(tempfile.mkdtemp()) / "server", extra_args=args)
    proc.start()
    assert proc.proc is not None
    pid = proc.proc.pid
    try:
        print(f"server RSS at start: {rss_mb(pid):.0f} MB", flush=True)
        measures = [sync_flood(proc, pid)]
        if not only_sync:
            measures += [
                bad_frames(proc, pid),
                login_burst(proc),
                heartbeats(proc),
                half_sent(proc),
            ]
        for measure in measures:
            try:
                print(await measure, flush=True)
            except Exception as exc:  # one failed measurement must not hide the others
                print(f"measurement failed: {exc!r}", flush=True)
    finally:
        proc.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--src", help="PYTHONPATH for the server (an older tree)")
    parser.add_argument("--only-sync", action="store_true", help="the sync flood only")
    args = parser.parse_args()
    asyncio.run(run(args.src, args.only_sync))


if __name__ == "__main__":
    main()
