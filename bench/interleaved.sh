#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Two configurations of our server measured interleaved: A and B run at once, on their own
# ports, each on its own freshly seeded database; each round runs every workload on one and then
# on the other, the order alternating between rounds. This machine's speed drifts by up to 2x
# within minutes, so configurations measured one after the other (run.sh) compare machine states
# as much as configurations; here the drift falls on both alike. Prints each side's median req/s
# and p50 and the median (and range) of the per-round ratios, and judges the goals the pair
# decides: SQLite at least as fast as PostgreSQL, R1's p50 at 200,000 within 1.5x of 20,000.
#
#   bash bench/interleaved.sh                                # SQLite vs PostgreSQL, 20,000 (~6 min)
#   A=sqlite:20000 B=sqlite:200000 WL=R1 bash bench/interleaved.sh   # R1 at 200k vs 20k
#
# Env: A=sqlite:20000  B=postgres:20000 (database:touchpoints)  ROUNDS=5  DUR=5  WARM=3
#      WL="R1 R2" (W1 too)  CONCS="1 32"  BIN, CARGO_TARGET_DIR, PG_URL (as run.sh)
#      PORT=28080 (A's; B's is PORT+1)  PG_DB=registry_bench (A's; B's gets the suffix _b)
#      A_ENV, B_ENV: settings for one server only, e.g. A_ENV="MAX_IN_FLIGHT=8"
#      A_BIN, B_BIN: another server binary for one side (a build flag's A/B); default BIN
# Exits non-zero when a correctness check fails or any request failed.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

A=${A:-sqlite:20000}
B=${B:-postgres:20000}
ROUNDS=${ROUNDS:-5}
DUR=${DUR:-5}
WARM=${WARM:-3}
WL=${WL:-"R1 R2"}
CONCS=${CONCS:-"1 32"}
# W1 rewrites rows the reads after it see; both sides run the same batches, so they stay alike.
for w in $WL; do [[ $w == R1 || $w == R2 || $w == W1 ]] || die "WL: R1, R2 or W1"; done
declare -A SIDE_DB SIDE_TP
for side in A B; do
  spec=${!side}
  SIDE_DB[$side]=${spec%%:*}; SIDE_TP[$side]=${spec#*:}
  [[ ${SIDE_DB[$side]} == sqlite || ${SIDE_DB[$side]} == postgres ]] || die "$side=$spec: the database is sqlite or postgres"
  tp=${SIDE_TP[$side]}
  [[ $tp =~ ^[0-9]+$ ]] && ((tp > 0 && tp % 40 == 0)) || die "$side=$spec: touchpoints must be a positive multiple of 40"
done
need_tools wrk jq curl sqlite3 psql
ensure_bin release /tmp/bench-target
declare -A SIDE_BIN
for side in A B; do
  bin=${side}_BIN; SIDE_BIN[$side]=${!bin:-$BIN}
  [[ -x ${SIDE_BIN[$side]} ]] || die "$bin=${SIDE_BIN[$side]} is not an executable"
done
[[ "$A ${A_ENV:-} ${SIDE_BIN[A]}" != "$B ${B_ENV:-} ${SIDE_BIN[B]}" ]] ||
  die "A and B are the same configuration ($A${A_ENV:+ $A_ENV})"

run_dirs interleaved
RES=$OUT/results.tsv
printf 'round\tworkload\tconc\tside\treq_s\tp50_ms\tp99_ms\terrors\tpeak_rss_mb\n' > "$RES"
log "A=$A vs B=$B, interleaved -> $OUT"

# What lib.sh keeps for one server, per side; `use` makes one of them current.
declare -A SRV_PID SRV_PORT SRV_PM SRV_TOKENS
use() {
  SERVER_PID=${SRV_PID[$1]}; LISTEN_PORT=${SRV_PORT[$1]}; URL="http://$LISTEN_HOST:$LISTEN_PORT"
  PM_PID=${SRV_PM[$1]}; TOKENS=${SRV_TOKENS[$1]}
}
stop_both() {
  local side
  for side in "${!SRV_PID[@]}"; do use "$side"; stop_server; SRV_PID[$side]=""; done
}
# errexit off first: `(exit $rc)` hands the status to cleanup, and must not end the trap.
trap 'rc=$?; set +e; stop_both; (exit $rc); cleanup' EXIT

BASE_PORT=$LISTEN_PORT
BASE_PG_DB=$PG_DB
for side in A B; do
  db=${SIDE_DB[$side]}; tp=${SIDE_TP[$side]}
  LISTEN_PORT=$BASE_PORT; PG_DB=$BASE_PG_DB
  [[ $side == B ]] && { LISTEN_PORT=$((BASE_PORT + 1)); PG_DB=${BASE_PG_DB}_b; }
  URL="http://$LISTEN_HOST:$LISTEN_PORT"
  BIN=${SIDE_BIN[$side]}   # seeds, mints tokens for and serves this side
  log "== $side: $db, $tp touchpoints, port $LISTEN_PORT, $BIN"
  db_prepare "$db"
  seed_db "$tp" "$OUT/seed-$side.log"
  TOKENS=$WORK/tokens-$side.txt
  mint_tokens "$TOKENS"
  extra=${side}_ENV
  for kv in ${!extra:-}; do export "${kv?}"; done
  start_server "$OUT/server-$side.log"
  for kv in ${!extra:-}; do unset "${kv%%=*}"; done
  check_reads "$tp"
  SRV_PID[$side]=$SERVER_PID; SRV_PORT[$side]=$LISTEN_PORT; SRV_PM[$side]=$PM_PID; SRV_TOKENS[$side]=$TOKENS
  SERVER_PID=""
done

TOTAL_ERRORS=0
measure() {   # side workload conc duration file
  local t=1
  (($3 > 1)) && t=2
  use "$1"
  run_wrk "${SIDE_DB[$1]}" "${SIDE_TP[$1]}" "$2" "$t" "$3" "$4" "$5" > "$5.log"
  sed "s/^   /   $1 /" "$5.log"
  TOTAL_ERRORS=$((TOTAL_ERRORS + RUN_ERRORS))
  [[ -n $SERVER_PID ]] || die "server $1 died during $2 c=$3; log: $OUT/server-$1.log"
}
for wl in $WL; do
  for side in A B; do ((WARM > 0)) && measure "$side" "$wl" 32 "$WARM" "$OUT/warm-$side-$wl"; done
done
for ((r = 1; r <= ROUNDS; r++)); do
  order="A B"; ((r % 2 == 0)) && order="B A"
  log "== round $r of $ROUNDS ($order)"
  for wl in $WL; do
    for c in $CONCS; do
      for side in $order; do
        measure "$side" "$wl" "$c" "$DUR" "$OUT/$side-$wl-c$c-r$r"
        printf '%s\t%s\t%s\t%s\t%s\n' "$r" "$wl" "$c" "$side" "$(cut -f1-3,5,9 <<< "$ROW")" >> "$RES"
      done
    done
  done
done

# ---------------------------------------------------------------- report
# The goal this pair decides, if any: SQLite vs PostgreSQL on the same data (req/s A/B), or
# the same database at two sizes (R1 p50 of the larger over the smaller).
GOAL=""
if [[ ${SIDE_TP[A]} == "${SIDE_TP[B]}" && ${SIDE_DB[A]} == sqlite && ${SIDE_DB[B]} == postgres ]]; then
  GOAL=sqlite
elif [[ ${SIDE_DB[A]} == "${SIDE_DB[B]}" ]] && ((SIDE_TP[B] > SIDE_TP[A])); then
  GOAL=size
fi
ratios() {   # workload conc column(5 = req/s, 6 = p50) numerator-side -> the per-round ratios, sorted
  local den=B; [[ $4 == B ]] && den=A
  awk -F'\t' -v w="$1" -v c="$2" -v col="$3" -v num="$4" -v den="$den" '$2 == w && $3 == c { v[$1 " " $4] = $col; rs[$1] = 1 }
    END { for (r in rs) if (v[r " " den] > 0) printf "%.3f\n", v[r " " num] / v[r " " den] }' "$RES" | sort -g
}
col_median() { awk -F'\t' -v w="$1" -v c="$2" -v col="$3" -v s="$4" '$2 == w && $3 == c && $4 == s {print $col}' "$RES" | median; }
echo
bin_note() { [[ ${SIDE_BIN[A]} == "${SIDE_BIN[B]}" ]] || echo " [${SIDE_BIN[$1]}]"; }
echo "A = $A${A_ENV:+ ($A_ENV)}$(bin_note A), B = $B${B_ENV:+ ($B_ENV)}$(bin_note B): $ROUNDS interleaved rounds of ${DUR} s runs."
echo "Medians of the rounds; a ratio is the median (and range) of the per-round ratios."
echo
echo "| wl | c | A req/s | B req/s | A/B req/s | range | A p50 ms | B p50 ms | B/A p50 | range | goal |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
for wl in $WL; do
  for c in $CONCS; do
    rq=$(ratios "$wl" "$c" 5 A); pq=$(ratios "$wl" "$c" 6 B)
    rm=$(median <<< "$rq"); pm=$(median <<< "$pq")
    verdict=-
    [[ $GOAL == sqlite ]] && verdict=$(awk -v m="$rm" 'BEGIN {print (m >= 1 ? "PASS" : "FAIL")}')
    [[ $GOAL == size && $wl == R1 ]] && verdict=$(awk -v m="$pm" 'BEGIN {print (m <= 1.5 ? "PASS" : "FAIL")}')
    printf '| %s | %s | %s | %s | %.2f | %.2f-%.2f | %s | %s | %.2f | %.2f-%.2f | %s |\n' "$wl" "$c" \
      "$(col_median "$wl" "$c" 5 A)" "$(col_median "$wl" "$c" 5 B)" "$rm" "$(head -1 <<< "$rq")" "$(tail -1 <<< "$rq")" \
      "$(col_median "$wl" "$c" 6 A)" "$(col_median "$wl" "$c" 6 B)" "$pm" "$(head -1 <<< "$pq")" "$(tail -1 <<< "$pq")" "$verdict"
  done
done
echo
case $GOAL in
  sqlite) echo "goal: on SQLite, R1 and R2 at least as fast as our PostgreSQL (A/B req/s >= 1)" ;;
  size) echo "goal: R1's p50 at ${SIDE_TP[B]} touchpoints within 1.5x of its p50 at ${SIDE_TP[A]} (B/A p50 <= 1.5)" ;;
esac
for side in A B; do
  printf 'peak RSS of server %s (%s) over the whole run (%s): %s MB\n' "$side" "${!side}" "$WL" \
    "$(awk '/^VmHWM:/ {printf "%.1f", $2 / 1024}' "/proc/${SRV_PID[$side]}/status" 2>/dev/null || echo -)"
done
echo "raw output: $OUT"
if ((TOTAL_ERRORS > 0)); then
  echo "FAILED: $TOTAL_ERRORS requests failed (see $OUT/*.txt)" >&2
  exit 3
fi
