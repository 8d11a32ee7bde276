#!/usr/bin/env bash
# Install tests/js dependencies (stock socket.io-client) from package-lock.json when
# node_modules is missing. Called by tests/server/integration/test_js_client.py.
set -euo pipefail
cd "$(dirname "$0")"
command -v node >/dev/null 2>&1 || { echo "node is not installed (needed by tests/js)" >&2; exit 3; }
command -v npm >/dev/null 2>&1 || { echo "npm is not installed (needed by tests/js)" >&2; exit 3; }
if [ ! -d node_modules/socket.io-client ]; then
  npm ci --no-audit --no-fund
fi
