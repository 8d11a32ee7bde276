#!/usr/bin/env bash
# Take the README screenshots from the real app: a demo server with simulated judges,
# then the console as bot-judge1 (a sheet the bots fill) and tally1 — under xvfb-run when present (a real X
# window), else on Qt's offscreen platform. Run via `make screenshots`.
set -euo pipefail
BIN=${BIN:-.venv/bin}
PORT=${SHOT_PORT:-8799}
work=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir -p docs/screenshots
"$BIN/scoring-server" --port "$PORT" --data-dir "$work/server" --demo --simulate \
  --simulate-rate 8 >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 100); do  # wait for our own server, not whatever else holds the port
  grep -q "listening on" "$work/server.log" && break
  kill -0 "$server" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
  sleep 0.1
done
grep -q "listening on" "$work/server.log" || { echo "server did not start" >&2; exit 1; }
sleep 12  # let the simulated judges fill part of the sheets
shoot() {
  local user=$1 name=$2
  local cmd=("$BIN/scoring-console" --server "http://127.0.0.1:$PORT" --username "$user"
             --size 1320x780 --screenshot "docs/screenshots/$name.png" --screenshot-delay 2)
  if command -v xvfb-run >/dev/null; then
    SCORING_PASSWORD=demo SCORING_CONSOLE_HOME="$work/home-$user" \
      xvfb-run -a -s "-screen 0 1400x900x24" "${cmd[@]}"
  else
    SCORING_PASSWORD=demo SCORING_CONSOLE_HOME="$work/home-$user" QT_QPA_PLATFORM=offscreen \
      "${cmd[@]}"
  fi
  echo "wrote docs/screenshots/$name.png"
}
shoot bot-judge1 judge-sheet  # judge1 … judge5 are left to people; the bots fill sheets
shoot tally1 tally-view
