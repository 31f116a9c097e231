#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# CI smoke mode of the benchmark: SQLite (and PostgreSQL too when PG_URL is set), the 20,000
# touchpoint dataset, the correctness checks of run.sh, then R1, R2 and W1 for 2 s each with
# wrk -t2 -c4. Fails (non-zero exit) on any failed check or request. Measures nothing that
# is asserted: it proves the harness and the server's answers, in well under 2 minutes.
#
#   bash bench/smoke.sh                                  # builds a debug binary first
#   BIN=target/debug/touchpoint-registry bash bench/smoke.sh
#   PG_URL=postgres://postgres:postgres@127.0.0.1:5432/postgres bash bench/smoke.sh
#
# Env: BIN (skip the build; debug or release)  CARGO_TARGET_DIR (default: cargo's, ./target)
#      PG_URL (adds PostgreSQL; database $PG_DB=registry_bench is dropped and created)
#      TOUCHPOINTS=20000  SMOKE_DUR=2  SMOKE_CONNS=4  PORT=28090
PORT=${PORT:-28090}
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

TP=${TOUCHPOINTS:-20000}
SMOKE_DUR=${SMOKE_DUR:-2}
SMOKE_CONNS=${SMOKE_CONNS:-4}
DBS=sqlite
[[ -n ${PG_URL:-} ]] && DBS="sqlite postgres"
((TP > 0 && TP % 40 == 0)) || die "TOUCHPOINTS must be a positive multiple of 40"

T_START=$EPOCHREALTIME
need_tools wrk jq curl sqlite3
[[ -n ${PG_URL:-} ]] && need_tools psql
ensure_bin debug "$REPO_DIR/target"

run_dirs smoke
log "smoke: $BIN, $DBS, $TP touchpoints; raw output -> $OUT"

FAILED=()
SUMMARY=()
for db in $DBS; do
  log "== $db"
  db_prepare "$db"
  seed_db "$TP" "$OUT/seed-$db.log"
  TOKENS=$WORK/tokens-$db.txt
  mint_tokens "$TOKENS"
  start_server "$OUT/server-$db.log"
  log "   ready after $STARTUP_MS ms"
  check_reads "$TP"
  for wl in R1 R2 W1; do
    if [[ $wl == W1 ]]; then check_w1 real; check_report "checks"; fi
    run_wrk "$db" "$TP" "$wl" 2 "$SMOKE_CONNS" "$SMOKE_DUR" "$OUT/$db-$wl"
    SUMMARY+=("$db $wl: $(cut -f1,4,5 <<<"$ROW" | awk -F'\t' '{printf "%s req/s, %s requests, %s errors", $1, $2, $3}')")
    ((RUN_ERRORS == 0)) || FAILED+=("$db $wl: $RUN_ERRORS failed requests ($(grep -h '^FIRST_ERROR' "$OUT/$db-$wl.txt" | cut -c1-300))")
    [[ -n $SERVER_PID ]] || die "the server died during $db $wl; log: $OUT/server-$db.log"
  done
  stop_server
done

T_END=$EPOCHREALTIME
echo
printf '  %s\n' "${SUMMARY[@]}"
echo "smoke took $(( (${T_END/[.,]/} - ${T_START/[.,]/}) / 1000000 )) s"
if ((${#FAILED[@]})); then
  printf 'SMOKE FAILED: %s\n' "${FAILED[@]}" >&2
  exit 1
fi
echo "SMOKE OK"
