"""Start-up time of the frozen console vs the virtualenv console, side by side.

    .venv/bin/python packaging/tools/bench_startup.py [--runs 5] [--bundle dist/scoring-console]

Starts one demo server (the venv's), then alternately launches each console with
``--screenshot`` (offscreen Qt, password from the environment, in-memory keyring) and
measures spawn → process exit with the PNG of the filled window written. Interleaving
the two spreads the machine's load over both; the load average is printed with the
result because figures on a shared machine are only comparable side by side.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from tests.helpers.server_process import ServerProcess  # noqa: E402


def one_run(command: list[str], url: str, work: Path, index: int) -> float:
    png = work / f"shot-{index}.png"
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        SCORING_PASSWORD="demo",
        SCORING_CONSOLE_KEYRING="memory",
        SCORING_CONSOLE_HOME=str(work / f"home-{index}"),
    )
    args = [*command, "--server", url, "--username", "tally1", "--screenshot", str(png),
            "--screenshot-delay", "0"]
    start = time.perf_counter()
    subprocess.run(args, env=env, check=True, capture_output=True, timeout=180)
    elapsed = time.perf_counter() - start
    if not png.is_file() or png.stat().st_size < 10_000:
        raise SystemExit(f"{command[0]}: no screenshot")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--bundle", type=Path, default=REPO / "dist" / "scoring-console")
    args = parser.parse_args()
    candidates = {
        "venv": [str(Path(sys.executable).with_name("scoring-console"))],
        "frozen": [str(args.bundle / "scoring-console")],
    }
    times: dict[str, list[float]] = {name: [] for name in candidates}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        server = ServerProcess(work / "server")
        server.start()
        try:
            for name, command in candidates.items():  # one untimed run each: page cache
                one_run(command, server.url, work, -1 if name == "venv" else -2)
            for index in range(args.runs):
                for name, command in candidates.items():
                    times[name].append(one_run(command, server.url, work, index))
        finally:
            server.stop()
    load = os.getloadavg()
    print(f"console start to PNG of the filled window, median of {args.runs} (seconds)")
    for name, values in times.items():
        print(f"  {name:<7} median {statistics.median(values):.2f}  "
              f"runs {', '.join(f'{v:.2f}' for v in values)}")
    ratio = statistics.median(times["frozen"]) / statistics.median(times["venv"])
    print(f"  frozen / venv = {ratio:.2f}; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} "
          f"on {os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    sys.exit(main())
