#!/usr/bin/env bash
# After `apt-get install ./dist/scoring-console_*.deb`: check the installed files.
# Menu entry + icons + metainfo validate; the systemd unit verifies; the service's
# command runs as the user "scoring" on /var/lib/scoring-server; then the bundle smoke
# test (server --demo, console --screenshot under xvfb-run, keyring) through /usr/bin.
set -euo pipefail
ID=io.github.scoring_console.ScoringConsole
say() { printf 'deb-smoke: %s\n' "$*"; }

dpkg -s scoring-console | grep -q '^Status: install ok installed'
desktop-file-validate "/usr/share/applications/$ID.desktop"
appstreamcli validate --no-net "/usr/share/metainfo/$ID.metainfo.xml" >/dev/null
for size in 16 22 24 32 48 64 128 256 512; do
    test -s "/usr/share/icons/hicolor/${size}x${size}/apps/$ID.png"
done
say "menu entry, metainfo and hicolor icons are installed and valid"
if command -v systemd-analyze >/dev/null; then
    systemd-analyze verify /lib/systemd/system/scoring-server.service
    say "systemd unit verifies"
fi
getent passwd scoring >/dev/null
test "$(stat -c %U /var/lib/scoring-server)" = scoring

# the unit's ExecStart, as its user (no systemd as PID 1 in a container)
log=$(mktemp)
runuser -u scoring -- /opt/scoring-console/scoring-server --host 127.0.0.1 --port 0 \
    --data-dir /var/lib/scoring-server >"$log" 2>&1 &
pid=$!
for _ in $(seq 1 150); do grep -q 'listening on' "$log" && break; sleep 0.2; done
grep 'listening on' "$log" || { cat "$log"; exit 1; }
kill "$pid"; wait "$pid" || true
test "$(stat -c %U /var/lib/scoring-server/scoring.db)" = scoring
rm -f "$log"
say "the service command runs as 'scoring' and owns its data"

bash "$(dirname "$0")/../tools/smoke_bundle.sh" /usr/bin
