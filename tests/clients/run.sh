#!/usr/bin/env bash
# Exercises a live server with real third-party GraphQL clients:
#   python-gql/             Python `gql` (aiohttp + websockets transports), pinned in requirements.txt
#   node-graphql-request/   graphql-request and graphql-ws (with `ws`), pinned in package-lock.json
#   apollo-persisted/       Apollo Client's persisted-queries link (APQ by POST and GET), pinned in package-lock.json
#
#   bash tests/clients/run.sh                                   # SQLite in a temporary directory
#   DATABASE_URL=postgres://user:pass@127.0.0.1/db bash tests/clients/run.sh   # PostgreSQL
#   BIN=path/to/touchpoint-registry bash tests/clients/run.sh   # default target/debug/touchpoint-registry
#
# It seeds the demo network, mints tokens with the binary's `token` command, starts `serve`
# on a free loopback port, installs the Python lock into a venv (python-gql/.venv, reused
# while requirements.txt is unchanged) and runs `npm ci` in each Node folder, then runs every
# client script. Each script prints one line per check. Exits non-zero if any script fails;
# the server is stopped on exit.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)

BIN=${BIN:-target/debug/touchpoint-registry}
if [[ $BIN != /* ]]; then
  if [ -e "$PWD/$BIN" ]; then BIN="$PWD/$BIN"; else BIN="$ROOT/$BIN"; fi
fi
[ -x "$BIN" ] || { echo "run.sh: no server binary at $BIN (build it, or set BIN)" >&2; exit 2; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/touchpoint-clients.XXXXXX")
SERVER_PID=
FAILED=0
cleanup() {
  local rc=$?
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  if [ "$rc" -ne 0 ] || [ "$FAILED" -ne 0 ]; then
    if [ -s "$WORK/server.log" ]; then
      echo "-- last server log lines ($WORK/server.log):"
      tail -n 20 "$WORK/server.log"
    fi
  fi
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT

# The server's settings: nothing inherited but the database.
unset LISTEN_ADDR PUBLIC_URL JWT_PRIVATE_KEY JWT_PUBLIC_KEYS JWT_ISSUER JWT_AUDIENCE APP_ENV
export DATA_DIR="$WORK/data"
JWT_SECRET=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
export JWT_SECRET
export SHUTDOWN_TIMEOUT=2s
if [ -n "${DATABASE_URL:-}" ]; then
  export DATABASE_URL
  DB_LABEL="PostgreSQL ($(printf '%s' "$DATABASE_URL" | sed -E 's#//([^:/@]*):[^@]*@#//\1:***@#'))"
else
  unset DATABASE_URL
  DB_LABEL="SQLite ($DATA_DIR)"
fi
echo "== clients: server $BIN on $DB_LABEL"

BRAND_SLUG=northwind
EDITOR_EMAIL=editor@northwind.example
VIEWER_EMAIL=viewer@northwind.example
RUST_LOG=warn "$BIN" seed-demo >"$WORK/seed.out"
EDITOR_TOKEN=$(RUST_LOG=warn "$BIN" token --email "$EDITOR_EMAIL" --org "$BRAND_SLUG" --ttl 1h)
VIEWER_TOKEN=$(RUST_LOG=warn "$BIN" token --email "$VIEWER_EMAIL" --org "$BRAND_SLUG" --ttl 1h)

# Port 0: the server picks a free port and logs it ("port":N in the JSON log line).
LISTEN_ADDR=127.0.0.1:0 LOG_FORMAT=json RUST_LOG=warn,touchpoint_registry::cli=info \
  "$BIN" serve >"$WORK/server.out" 2>"$WORK/server.log" &
SERVER_PID=$!
PORT=
for _ in $(seq 1 150); do
  PORT=$(grep -o '"port":[0-9]*' "$WORK/server.log" 2>/dev/null | head -n 1 | cut -d: -f2 || true)
  [ -n "$PORT" ] && break
  kill -0 "$SERVER_PID" 2>/dev/null || { echo "run.sh: the server exited at start" >&2; exit 1; }
  sleep 0.1
done
[ -n "$PORT" ] || { echo "run.sh: the server logged no port within 15 s" >&2; exit 1; }
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break
  sleep 0.1
done
curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null || { echo "run.sh: /readyz never answered 200" >&2; exit 1; }
echo "== clients: listening on 127.0.0.1:$PORT"

export GRAPHQL_URL="http://127.0.0.1:$PORT/graphql" WS_URL="ws://127.0.0.1:$PORT/graphql/ws"
export BRAND_SLUG EDITOR_EMAIL EDITOR_TOKEN VIEWER_TOKEN

echo "== clients: installing (python-gql venv, npm ci)"
VENV="$HERE/python-gql/.venv"
LOCK_SUM=$(sha256sum "$HERE/python-gql/requirements.txt" | cut -d' ' -f1)
if [ "$(cat "$VENV/.lock-sha256" 2>/dev/null || true)" != "$LOCK_SUM" ]; then
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  # --no-deps: the lock is complete, or `pip check` says what it lacks.
  "$VENV/bin/pip" install -q --disable-pip-version-check --no-deps -r "$HERE/python-gql/requirements.txt"
  "$VENV/bin/pip" check >/dev/null
  echo "$LOCK_SUM" >"$VENV/.lock-sha256"
fi
(cd "$HERE/node-graphql-request" && npm ci --no-audit --no-fund --silent)
(cd "$HERE/apollo-persisted" && npm ci --no-audit --no-fund --silent)

run_client() {
  local name=$1
  shift
  echo "== clients: $name"
  if timeout 60 "$@"; then
    PASSED_SCRIPTS=$((PASSED_SCRIPTS + 1))
  else
    FAILED=$((FAILED + 1))
  fi
}
PASSED_SCRIPTS=0
run_client python-gql "$VENV/bin/python" "$HERE/python-gql/check.py"
run_client node-graphql-request node "$HERE/node-graphql-request/check.mjs"
run_client apollo-persisted node "$HERE/apollo-persisted/check.mjs"

echo "clients: $PASSED_SCRIPTS passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
