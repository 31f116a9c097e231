#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# One invocation, one machine state: the PostGraphile peer's benchmark (its bench.sh: PostGraphile,
# pgbench-pgl, pgbench-lean) and ours (run.sh) on PostgreSQL in the peer's own cluster
# (127.0.0.1:5433, the same PostgreSQL settings for both), then the ratio table the goals are
# stated in.
#
#   bash bench/compare.sh                  # ~15 min on an idle machine
#   DUR=3 WARM=1 QUIET_MAX=10 RETRIES=0 bash bench/compare.sh   # a quick development run
#
# Env: DUR=15 (<= 20, the peer's limit)  WARM=3  PEER_DIR=/work/shared/peers/postgraphile
#      BIN, CARGO_TARGET_DIR, HTTP_WORKERS, DB_POOL_SIZE (as run.sh)
#      QUIET_MAX, QUIET_PCT (both harnesses), RETRIES, OTHER_MAX (the peer's; see its bench.sh)
# Output: /tmp/registry-bench/compare-<time>/ (logs, ratios.tsv) plus both harnesses' own dirs.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

DUR=${DUR:-15}
WARM=${WARM:-3}
((DUR <= 20)) || die "DUR must be <= 20 (the peer's bench.sh refuses more)"
[[ -f $PEER_DIR/bench.sh && -f $PEER_DIR/setup.sh ]] || die "no peer harness in PEER_DIR=$PEER_DIR"

OUT=/tmp/registry-bench/compare-$(date +%Y%m%d-%H%M%S)
mkdir -p "$OUT"
log "compare -> $OUT"

# ---------------------------------------------------------------- the peer
if [[ ! -f $PEER_PGDATA/PG_VERSION || ! -x /tmp/pgl/node_modules/.bin/postgraphile ]] || ! command -v wrk >/dev/null; then
  log "== peer setup ($PEER_DIR/setup.sh)"
  bash "$PEER_DIR/setup.sh" 2>&1 | tee "$OUT/peer-setup.log"
fi
need_tools wrk jq curl psql
ensure_bin release /tmp/bench-target     # before the peer runs, so no build overlaps a measurement
export BIN

log "== peer: PostGraphile + pgbench (DUR=$DUR WARM=$WARM)"
rc=0
DUR=$DUR WARM=$WARM bash "$PEER_DIR/bench.sh" 2>&1 | tee "$OUT/peer.log" || rc=$?
((rc == 0)) || die "the peer's bench.sh failed (exit $rc); see $OUT/peer.log"
PEER_RES=$(sed -n 's/^raw output: //p' "$OUT/peer.log" | tail -1)/results.tsv
[[ -f $PEER_RES ]] || die "no peer results.tsv found (see $OUT/peer.log)"

# ---------------------------------------------------------------- ours, same cluster
log "== registry: run.sh on PostgreSQL in the peer's cluster (DUR=$DUR WARM=$WARM)"
ours_rc=0
env -u PG_URL DBS=postgres TOUCHPOINTS=20000 WL="R1 R2 W1" CONCS="1 32" DUR="$DUR" WARM="$WARM" \
  bash "$BENCH_DIR/run.sh" 2>&1 | tee "$OUT/registry.log" || ours_rc=$?
OUR_RES=$(sed -n 's/^raw output: //p' "$OUT/registry.log" | tail -1)/results.tsv
[[ -f $OUR_RES ]] || die "no results.tsv from run.sh (exit $ours_rc; see $OUT/registry.log)"

# ---------------------------------------------------------------- ratios
RATIOS=$OUT/ratios.tsv
awk -F'\t' -v OFS='\t' '
  FNR == 1 { next }
  FILENAME == ARGV[1] { k = $1 " " $2 " " $3; rps[k] = $4; p99[k] = $6; next }     # peer
  $2 == "postgres" && $3 == 20000 { k = "registry " $4 " " $5; rps[k] = $6; p99[k] = $8; err[k] = $10 }
  function r(a, b) { return (a == "" || b == "" || b + 0 == 0) ? "-" : sprintf("%.2f", a / b) }
  END {
    print "wl", "c", "registry_rps", "postgraphile_rps", "x_postgraphile", "registry_p99_ms", "postgraphile_p99_ms",
          "p99_ratio", "pgbench_lean_tps", "share_of_lean", "registry_items_s", "postgraphile_items_s", "registry_errors", "goal"
    split("R1 R2 W1", wls, " "); split("32 1", cs, " ")
    for (i = 1; i <= 3; i++) for (j = 1; j <= 2; j++) {
      w = wls[i]; c = cs[j]
      o = rps["registry " w " " c]; g = rps["postgraphile " w " " c]; l = rps["pgbench-lean " w " " c]
      op = p99["registry " w " " c]; gp = p99["postgraphile " w " " c]
      x = r(o, g); pr = r(op, gp); sl = r(o, l)
      goal = "-"
      if (c == 32 && x != "-" && sl != "-" && pr != "-") {
        if (w == "R1") goal = (x >= 3 && pr <= 1/3 && sl >= 0.75) ? "PASS" : "FAIL"
        if (w == "R2") goal = (x >= 3 && sl >= 0.40) ? "PASS" : "FAIL"
        if (w == "W1") goal = (x >= 1.2 && sl >= 0.90) ? "PASS" : "FAIL"
      }
      print w, c, (o == "" ? "-" : o), (g == "" ? "-" : g), x, (op == "" ? "-" : op), (gp == "" ? "-" : gp), pr,
            (l == "" ? "-" : l), sl, (w == "W1" && o != "" ? o * 100 : "-"), (w == "W1" && g != "" ? g * 100 : "-"),
            (err["registry " w " " c] == "" ? "-" : err["registry " w " " c]), goal
    }
  }' "$PEER_RES" "$OUR_RES" > "$RATIOS"

echo
echo "Registry (Rust, PostgreSQL) vs PostGraphile 4 and the pgbench-lean ceiling, same cluster, ${DUR} s runs"
echo
awk -F'\t' 'NR == 1 {
    print "| wl | c | registry req/s | PostGraphile req/s | x PostGraphile | registry p99 ms | PostGraphile p99 ms | p99 ratio | pgbench-lean tps | share of lean | W1 items/s (ours / its) | errors | goal (c=32) |"
    print "|---|---|---|---|---|---|---|---|---|---|---|---|---|"; next }
  { printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7, $8, $9, $10,
      ($1 == "W1" ? $11 " / " $12 : "-"), $13, $14 }' "$RATIOS"
echo
echo "Goals at c=32: R1 >= 3x PostGraphile req/s, p99 <= 1/3 of its p99, >= 75% of pgbench-lean;"
echo "R2 >= 3x PostGraphile, >= 40% of pgbench-lean; W1 >= 1.2x PostGraphile items/s, >= 90% of pgbench-lean."
echo "peer results: $PEER_RES"
echo "our results:  $OUR_RES"
echo "ratios:       $RATIOS"
((ours_rc == 0)) || { echo "run.sh failed (exit $ours_rc): see $OUT/registry.log" >&2; exit "$ours_rc"; }
