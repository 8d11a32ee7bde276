#!/usr/bin/env bash
# Smoke test of a frozen bundle (make bundle) or of the installed .deb (make deb-smoke):
#   packaging/tools/smoke_bundle.sh DIR      (DIR holds scoring-console, -server, -cli)
# 1. each program answers --version; no dev tools in the tree;
# 2. the bundled server starts with --demo --simulate on a free loopback port;
# 3. the bundled console logs in as tally1 under xvfb-run and saves --screenshot: a PNG
#    of the filled window (checked: PNG signature, size, dimensions);
# 4. `scoring-cli export blank-sheets` writes a PDF (the CLI lays it out with Qt);
#    `scoring-cli doctor` names the keyring backend; inside a D-Bus session with an
#    unlocked gnome-keyring (when installed) it must be SecretService, not fail.Keyring;
# 5. the server stops cleanly on SIGTERM;
# 6. (Linux, when PostgreSQL's server programs and redis-server are installed) the
#    bundled server runs as a cluster node: --database-url on a throwaway PostgreSQL
#    (Alembic migrations and the psycopg driver from the bundle), --redis-url on a
#    throwaway Redis, /socket-health naming the node.
set -euo pipefail
DIR=$(cd "${1:?usage: smoke_bundle.sh BUNDLE_DIR}" && pwd)
work=$(mktemp -d)
server_pid=""
pg_ctl="" pg_data="" redis_pid=""
cleanup() {
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then kill "$server_pid"; fi
    if [ -n "$redis_pid" ]; then kill "$redis_pid" 2>/dev/null || true; fi
    if [ -n "$pg_data" ]; then ${as_pg_user[@]+"${as_pg_user[@]}"} "$pg_ctl" -D "$pg_data" -m immediate stop >/dev/null 2>&1 || true; fi
    rm -rf "$work"
}
trap cleanup EXIT
say() { printf 'smoke: %s\n' "$*"; }
PYTHON=${PYTHON:-python3}  # any Python 3, only to check the PNG and parse JSON
now_ms() { "$PYTHON" -c 'import time; print(int(time.time() * 1000))'; }

# Linux: the console runs under xvfb-run (no desktop needed); macOS and Windows CI
# runners have a desktop session, so it runs natively there. A Windows GUI executable
# has no stdout, so its --version is not read there.
case "$(uname -s)" in
    Linux) under_display=(xvfb-run -a -s "-screen 0 1400x900x24"); gui_has_stdout=1 ;;
    MINGW*|MSYS*|CYGWIN*) under_display=(); gui_has_stdout=0 ;;
    *) under_display=(); gui_has_stdout=1 ;;
esac
for program in scoring-console scoring-server scoring-cli; do
    [ "$program" = scoring-console ] && [ "$gui_has_stdout" = 0 ] && continue
    out=$("$DIR/$program" --version)
    [[ "$out" == "$program "* ]] || { say "$program --version said: $out"; exit 1; }
done
say "versions ok ($out)"
if [ -d "$DIR/_internal" ]; then
    dev=$(find "$DIR/_internal" -maxdepth 1 \( -iname 'mypy*' -o -iname 'hypothesis*' \
        -o -iname 'pytest*' -o -iname '_pytest*' -o -iname 'ruff*' \))
    if [ -n "$dev" ]; then
        echo "$dev"
        say "dev tools are bundled"; exit 1
    fi
    sound=no; [ -e "$DIR/_internal/PySide6/QtMultimedia.abi3.so" ] && sound=yes
    say "no dev tools; QtMultimedia bundled: $sound"
fi

"$DIR/scoring-server" --host 127.0.0.1 --port 0 --data-dir "$work/server" --demo --simulate \
    >"$work/server.log" 2>&1 &
server_pid=$!
url=""
for _ in $(seq 1 300); do
    url=$(grep -o 'listening on http[s]*://[0-9.:]*' "$work/server.log" | head -n1 | cut -d' ' -f3 || true)
    [ -n "$url" ] && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log"; say "server died"; exit 1; }
    sleep 0.2
done
[ -n "$url" ] || { cat "$work/server.log"; say "server did not start"; exit 1; }
say "server listening on $url"

start=$(now_ms)
SCORING_PASSWORD=demo SCORING_CONSOLE_HOME="$work/home" SCORING_CONSOLE_KEYRING=memory \
    ${under_display[@]+"${under_display[@]}"} "$DIR/scoring-console" --server "$url" --username tally1 --size 1280x760 \
    --screenshot "$work/shot.png" --screenshot-delay 0.5 2>"$work/console.err" \
    || { cat "$work/console.err"; say "console failed"; exit 1; }
took=$(( $(now_ms) - start ))
"$PYTHON" - "$work/shot.png" <<'PY'
import struct, sys
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
width, height = struct.unpack(">II", data[16:24])
assert len(data) > 20_000 and width >= 800 and height >= 500, (len(data), width, height)
print(f"smoke: screenshot {width}x{height}, {len(data)} bytes")
PY
if grep -E 'Traceback|Fatal Python error|Segmentation' "$work/console.err"; then
    say "console stderr is not clean"; exit 1
fi
say "console rendered the live tally window in ${took} ms"
[ -n "${SMOKE_KEEP_SCREENSHOT:-}" ] && cp "$work/shot.png" "$SMOKE_KEEP_SCREENSHOT"

# the CLI's PDF export lays out pages with Qt: it must work from the bundle too
SCORING_PASSWORD=demo SCORING_CONSOLE_HOME="$work/cli-home" SCORING_CONSOLE_KEYRING=memory \
    "$DIR/scoring-cli" --server "$url" --username tally1 export blank-sheets --category 1 \
    --output "$work/blank.pdf" 2>"$work/cli.err" || { cat "$work/cli.err"; say "cli export failed"; exit 1; }
[ "$(head -c 5 "$work/blank.pdf")" = "%PDF-" ] || { say "cli export wrote no PDF"; exit 1; }
say "cli exported blank score sheets ($(wc -c <"$work/blank.pdf") bytes of PDF)"

"$DIR/scoring-cli" doctor
if [ "$(uname -s)" = Linux ] && command -v gnome-keyring-daemon >/dev/null \
    && command -v dbus-run-session >/dev/null; then
    backend=$(dbus-run-session -- sh -c \
        'printf "" | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1;
         "$0" --json doctor' "$DIR/scoring-cli" 2>/dev/null \
        | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["keyringBackend"])')
    say "keyring backend in a desktop session: $backend"
    case "$backend" in
        *SecretService*) ;;
        *) say "expected the SecretService backend"; exit 1 ;;
    esac
elif [ "$(uname -s)" = Linux ]; then
    say "gnome-keyring not installed: the desktop keyring check was not run"
else
    backend=$("$DIR/scoring-cli" --json doctor | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["keyringBackend"])')
    say "keyring backend: $backend"
    case "$backend" in *fail.Keyring*) say "no keyring backend in the bundle"; exit 1 ;; esac
fi

kill "$server_pid"
wait "$server_pid" || true
server_pid=""
if [ "$gui_has_stdout" = 1 ]; then  # POSIX: SIGTERM is a clean shutdown
    grep -q "Scoring server stopped" "$work/server.log" || { cat "$work/server.log"; exit 1; }
    say "server stopped cleanly"
fi

# 6. a cluster node on PostgreSQL + Redis, from the bundle
start_server() {  # the bundled server in the background; sets server_pid and url
    "$DIR/scoring-server" --host 127.0.0.1 --port 0 "$@" >"$work/server.log" 2>&1 &
    server_pid=$!
    url=""
    for _ in $(seq 1 300); do
        url=$(grep -o 'listening on http[s]*://[0-9.:]*' "$work/server.log" | head -n1 | cut -d' ' -f3 || true)
        [ -n "$url" ] && return 0
        kill -0 "$server_pid" 2>/dev/null || break
        sleep 0.2
    done
    cat "$work/server.log"; say "server did not start ($*)"; exit 1
}
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true)
if [ "$(uname -s)" = Linux ] && [ -n "$pg_bin" ] && [ -x "$pg_bin/initdb" ] \
    && command -v redis-server >/dev/null; then
    pg_ctl="$pg_bin/pg_ctl"
    pg_root="$work/pg"; mkdir -p "$pg_root"; pg_data="$pg_root/data"
    as_pg_user=()
    if [ "$(id -u)" = 0 ]; then as_pg_user=(runuser -u nobody --); chown nobody "$pg_root"; chmod 755 "$work"; fi
    pg_port=$("$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    redis_port=$("$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    ${as_pg_user[@]+"${as_pg_user[@]}"} "$pg_bin/initdb" -D "$pg_data" -U postgres --auth=trust >/dev/null
    ${as_pg_user[@]+"${as_pg_user[@]}"} "$pg_ctl" -D "$pg_data" -l "$pg_root/log" -w \
        -o "-p $pg_port -k $pg_root -c listen_addresses=127.0.0.1" start >/dev/null
    redis-server --bind 127.0.0.1 --port "$redis_port" --save '' --appendonly no >/dev/null 2>&1 &
    redis_pid=$!
    start_server --data-dir "$work/node1" --demo --node-id smoke-node-1 \
        --database-url "postgresql://postgres@127.0.0.1:$pg_port/postgres" \
        --redis-url "redis://127.0.0.1:$redis_port/0"
    health=$("$PYTHON" -c 'import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1] + "/socket-health").read().decode())' "$url")
    case "$health" in
        *smoke-node-1*) say "cluster node on PostgreSQL + Redis: $health" ;;
        *) cat "$work/server.log"; say "socket-health does not name the node: $health"; exit 1 ;;
    esac
    kill "$server_pid"; wait "$server_pid" || true; server_pid=""
elif [ "$(uname -s)" = Linux ]; then
    say "PostgreSQL or redis-server not installed: the cluster node check was not run"
fi
say "all checks passed"
