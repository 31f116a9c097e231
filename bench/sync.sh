#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Sync throughput: for each database a fresh database seeded with the benchmark dataset, then
# sync_throughput.py sends ITEMS items through `syncTouchpoints` from one client in batches of
# 100 and of 1,000 — as new touchpoints, as changed ones, and as unchanged ones — and prints
# items per second for each. Every batch's answer is checked.
#
#   bash bench/sync.sh                               # sqlite + postgres, release build
#   DBS=postgres ITEMS=20000 bash bench/sync.sh
#
# Env: DBS="sqlite postgres"  TOUCHPOINTS=20000 (dataset before the sync; multiple of 40)
#      ITEMS=10000 (per batch size and mode)  BATCHES="100 1000"  BIN, PG_URL, PG_DB, PORT
#      as in run.sh
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

DBS=${DBS:-"sqlite postgres"}
TP=${TOUCHPOINTS:-20000}
BATCHES=${BATCHES:-"100 1000"}
export ITEMS=${ITEMS:-10000}

need_tools curl jq sqlite3 python3
[[ $DBS == *postgres* ]] && need_tools psql
ensure_bin release /tmp/bench-target

run_dirs sync
log "sync throughput: $BIN, $DBS, $TP touchpoints seeded, $ITEMS items per batch size and mode"

for db in $DBS; do
  log "== $db"
  db_prepare "$db"
  seed_db "$TP" "$OUT/seed-$db.log"
  mint_tokens "$WORK/tokens-$db.txt"
  start_server "$OUT/server-$db.log"
  # shellcheck disable=SC2086  # BATCHES is a list
  python3 "$BENCH_DIR/sync_throughput.py" "$URL" "$WORK/tokens-$db.txt" "$BRAND_ID" \
    "$(uuid 2 1)" $BATCHES | sed "s/^SYNC /SYNC db=$db /" | tee "$OUT/$db.txt"
  stop_server
done
log "raw output: $OUT"
