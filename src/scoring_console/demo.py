"""``make demo``: the bundled server with simulated judges, and a console as ``tally1``.

Starts ``python -m scoring_console.server --demo --simulate`` as a child process, waits
for its ``listening on`` line, then runs the desktop console in this process, logged
in as ``tally1`` so live traffic shows at once. The server stops when the console
exits — also when the console dies without cleaning up (on Linux the server gets
SIGTERM when its parent ends). Without a display (no ``DISPLAY``/``WAYLAND_DISPLAY`` on
Linux) it starts nothing and says how to run it instead. Prints how to open more
consoles as ``judge1`` … ``judge5``.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from scoring_console import __version__

NO_DISPLAY_HELP = """\
No display: the console is a desktop window and this session has none
(neither DISPLAY nor WAYLAND_DISPLAY is set). Nothing was started. Instead:
  - in a virtual display:   xvfb-run -a make demo          (sudo apt-get install xvfb)
  - the server only:        make server     (then connect consoles from other computers)
  - a headless screenshot:  QT_QPA_PLATFORM=offscreen {python} -m scoring_console.demo \\
                                --screenshot demo.png
"""
_PR_SET_PDEATHSIG = 1

LISTEN_RE = re.compile(r"listening on (https?://[\w.\-]+:\d+)")
DEMO_PASSWORD = "demo"


def port_free(host: str, port: int) -> bool:
    """True when nothing listens on ``host:port``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def display_missing(environ: dict[str, str] | None = None) -> bool:
    """True on Linux when no window can open (no display, no headless Qt platform)."""
    env = os.environ if environ is None else environ
    if not sys.platform.startswith("linux"):
        return False
    platform = env.get("QT_QPA_PLATFORM", "")
    if platform and not platform.startswith(("xcb", "wayland")):
        return False  # offscreen, vnc, eglfs …: Qt needs no desktop session
    return not (env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))


def _die_with_parent() -> None:
    """In the server child: get SIGTERM when the demo process ends, however it ends."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass


def start_server(
    host: str, port: int, data_dir: Path, timeout: float = 30.0
) -> tuple[subprocess.Popen[str], str]:
    """Start the demo server; return the process and its URL once it listens."""
    command = [
        sys.executable,
        "-m",
        "scoring_console.server",
        "--host",
        host,
        "--port",
        str(port),
        "--data-dir",
        str(data_dir),
        "--demo",
        "--simulate",
    ]
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    linux = sys.platform.startswith("linux")
    proc = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        preexec_fn=_die_with_parent if linux else None,
    )
    found: list[str] = []
    ready = threading.Event()

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            if not ready.is_set():
                match = LISTEN_RE.search(line)
                if match:
                    found.append(match.group(1))
                    ready.set()
                elif "error" in line.lower():
                    print(f"server: {line.rstrip()}", flush=True)

    threading.Thread(target=pump, daemon=True).start()
    deadline = time.monotonic() + timeout
    while not ready.wait(0.05):
        if proc.poll() is not None or time.monotonic() > deadline:
            stop_server(proc)
            raise RuntimeError("the demo server did not start")
    return proc, found[0]


def stop_server(proc: subprocess.Popen[str]) -> None:
    """SIGTERM, then SIGKILL after 10 s."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def main(argv: list[str] | None = None) -> int:
    """Run the demo."""
    parser = argparse.ArgumentParser(prog="scoring-console-demo", description=__doc__)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--data-dir", type=Path, default=Path(".demo-data"))
    parser.add_argument("--username", default="tally1")
    parser.add_argument("--screenshot", type=Path, help="pass --screenshot FILE to the console")
    args = parser.parse_args(argv)

    if display_missing():
        print(NO_DISPLAY_HELP.format(python=sys.executable), file=sys.stderr, end="")
        return 2
    if not port_free(args.host, args.port):
        print(
            f"Port {args.port} on {args.host} is busy: another demo or program uses it.\n"
            f"Stop it, or run: make demo DEMO_PORT=8766",
            file=sys.stderr,
        )
        return 2
    data_dir: Path = args.data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    try:
        proc, url = start_server(args.host, args.port, data_dir / "server")
    except RuntimeError as exc:
        print(exc, file=sys.stderr)
        return 1
    console = Path(sys.executable).with_name("scoring-console")
    print(
        f"Demo server listening on {url} (simulated judges are scoring).\n"
        f"Opening the console as {args.username} (password {DEMO_PASSWORD}).\n\n"
        "Open more consoles in other terminals, e.g. as a judge:\n"
        f"  {console} --server {url} --username judge1\n"
        f"  (judge1 … judge5, password {DEMO_PASSWORD}, are free: bot-judge1 … 5 score;\n"
        "   also auditor1, board1, organizer1)\n",
        flush=True,
    )
    os.environ.setdefault("SCORING_PASSWORD", DEMO_PASSWORD)
    console_args = [
        "--server",
        url,
        "--username",
        args.username,
        "--data-dir",
        str(data_dir / "console"),
    ]
    if args.screenshot:
        console_args += ["--screenshot", str(args.screenshot)]
    try:
        from scoring_console.ui.app import main as console_main

        return console_main(console_args)
    finally:
        stop_server(proc)
        print("Demo server stopped.", flush=True)


if __name__ == "__main__":
    sys.exit(main())
