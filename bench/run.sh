#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Benchmarks the Touchpoint Registry server: for each database a fresh database seeded with
# the peer's dataset (`seed-bench`), start-to-ready time, correctness checks, then the workloads
# R1, R2, W1 with wrk at concurrency 1 and 32. Prints a Markdown table; raw output and
# results.tsv go to /tmp/registry-bench/run-<time>/. See README.md.
#
#   bash bench/run.sh                          # sqlite + postgres, 20,000 touchpoints, 15 s runs
#   DUR=3 WARM=1 bash bench/run.sh             # a short development run
#   TOUCHPOINTS="20000 200000" WL=R1 bash bench/run.sh   # R1 p50 at 200k vs 20k
#
# Env: DBS="sqlite postgres"  TOUCHPOINTS=20000 (space-separated list; multiples of 40)
#      WL="R1 R2 W1" (W1 always runs last)  CONCS="1 32"  DUR=15  WARM=3 (s, per workload)
#      STARTS=3 (start-to-ready measurements; the last server started is the one measured)
#      BIN=path (skip the build)  CARGO_TARGET_DIR=/tmp/bench-target
#      PG_URL=postgres://user:pass@host:port/db (a role that may create databases; default:
#        the peer's cluster on 127.0.0.1:5433 if set up, else 127.0.0.1:5432 as postgres)
#      PG_DB=registry_bench  PORT=28080  PEER_DIR=/work/shared/peers/postgraphile
#      QUIET_MAX=60 QUIET_PCT=10 (wait up to QUIET_MAX s for an idle machine before each run;
#        0 = don't wait)  HTTP_WORKERS, DB_POOL_SIZE (passed to the server as they are)
# Exits non-zero when a correctness check fails or any request failed.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

DBS=${DBS:-"sqlite postgres"}
TOUCHPOINTS=${TOUCHPOINTS:-20000}
WL=${WL:-"R1 R2 W1"}
CONCS=${CONCS:-"1 32"}
DUR=${DUR:-15}
WARM=${WARM:-3}
STARTS=${STARTS:-3}
QUIET_MAX=${QUIET_MAX:-60}

for w in $WL; do [[ $w == R1 || $w == R2 || $w == W1 ]] || die "WL: unknown workload $w"; done
for tp in $TOUCHPOINTS; do ((tp > 0 && tp % 40 == 0)) || die "TOUCHPOINTS: $tp is not a positive multiple of 40"; done
# W1 writes: it runs after the reads
WORKLOADS=()
for w in R1 R2 W1; do [[ " $WL " == *" $w "* ]] && WORKLOADS+=("$w"); done

need_tools wrk jq curl
[[ " $DBS " == *" sqlite "* ]] && need_tools sqlite3
[[ " $DBS " == *" postgres "* ]] && need_tools psql
ensure_bin release /tmp/bench-target

run_dirs run
RES=$OUT/results.tsv
printf 'system\tdb\ttouchpoints\tworkload\tconc\treq_s\tp50_ms\tp99_ms\trequests\terrors\tgql_errors\tnon200\tsocket_errors\tpeak_rss_mb\tcpu_server\tcpu_pg\tcpu_loadgen\tcpu_other\tanon_rss_mb\n' > "$RES"
STARTUP=$OUT/startup.tsv
printf 'system\tdb\ttouchpoints\tstartup_ms\tall_ms\tseed_ms\tready_rss_mb\n' > "$STARTUP"
{
  echo "date: $(date -u +%FT%TZ)"
  echo "binary: $BIN ($("$BIN" --version 2>/dev/null || true))"
  echo "commit: $(git -C "$REPO_DIR" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$REPO_DIR" diff --quiet 2>/dev/null || echo ' (work tree modified)')"
  echo "DBS=$DBS TOUCHPOINTS=$TOUCHPOINTS WL=$WL CONCS=$CONCS DUR=$DUR WARM=$WARM HTTP_WORKERS=${HTTP_WORKERS:-} DB_POOL_SIZE=${DB_POOL_SIZE:-}"
  echo "wrk: $(wrk -v 2>&1 | head -1)"
} > "$OUT/meta.txt"
log "results -> $OUT"

TOTAL_ERRORS=0
for tp in $TOUCHPOINTS; do
  for db in $DBS; do
    log "== $db, $tp touchpoints"
    db_prepare "$db"
    seed_db "$tp" "$OUT/seed-$db-$tp.log"
    TOKENS=$WORK/tokens-$db-$tp.txt
    mint_tokens "$TOKENS"

    # start-to-ready on the migrated, seeded database; the last server started stays up
    SLOG=$OUT/server-$db-$tp.log
    times=()
    for ((i = 1; i <= STARTS; i++)); do
      start_server "$SLOG"
      times+=("$STARTUP_MS")
      ((i < STARTS)) && stop_server
    done
    idle_rss=$(awk '/^VmRSS:/ {printf "%.1f", $2 / 1024}' "/proc/$SERVER_PID/status")
    med=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}')
    log "   ready after ${times[*]} ms (median $med ms; server pid $SERVER_PID, RSS when ready $idle_rss MB)"
    printf 'registry\t%s\t%s\t%s\t%s\t%s\t%s\n' "$db" "$tp" "$med" "${times[*]}" "$SEED_MS" "$idle_rss" >> "$STARTUP"

    check_reads "$tp"
    for wl in "${WORKLOADS[@]}"; do
      if [[ $wl == W1 ]]; then check_w1 real; check_report "checks"; fi
      if ((WARM > 0)); then
        run_wrk "$db" "$tp" "$wl" 2 32 "$WARM" "$OUT/$db-$tp-$wl-warm" > "$OUT/$db-$tp-$wl-warm.log"
        if ((RUN_ERRORS > 0)); then
          log "   WARNING: warm-up $wl had $RUN_ERRORS failed requests (see $OUT/$db-$tp-$wl-warm.txt)"
          TOTAL_ERRORS=$((TOTAL_ERRORS + RUN_ERRORS))
        fi
        [[ -n $SERVER_PID ]] || die "the server died during the $wl warm-up; log: $SLOG"
      fi
      for c in $CONCS; do
        t=1; ((c > 1)) && t=2
        wait_quiet
        run_wrk "$db" "$tp" "$wl" "$t" "$c" "$DUR" "$OUT/$db-$tp-$wl-c$c"
        printf 'registry\t%s\t%s\t%s\t%s\t%s\n' "$db" "$tp" "$wl" "$c" "$ROW" >> "$RES"
        TOTAL_ERRORS=$((TOTAL_ERRORS + RUN_ERRORS))
        [[ -n $SERVER_PID ]] || die "the server died during $wl c=$c; log: $SLOG"
      done
    done
    stop_server
  done
done

# ---------------------------------------------------------------- report
echo
echo "Results (${DUR} s per run after ${WARM} s warm-up per workload; CPU in % of one core, $(nproc) cores; 'other' = everything outside the benchmark)"
echo
awk -F'\t' 'NR == 1 {
    print "| system | db | touchpoints | wl | c | req/s | p50 ms | p99 ms | errors | peak RSS MB | anon RSS MB | CPU server | CPU pg | CPU wrk | CPU other |"
    print "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"; next }
  { printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
      $1, $2, $3, $4, $5, $6, $7, $8, $10, $14, $19, $15, $16, $17, $18 }' "$RES"
echo
echo "W1 req/s are batches of 100 items. Start-to-ready (ms, on the migrated, seeded database; median of $STARTS):"
awk -F'\t' 'NR > 1 { printf "  %s %s touchpoints: %s ms (runs: %s; RSS when ready %s MB; seeding took %s ms)\n", $2, $3, $4, $5, $7, $6 }' "$STARTUP"

echo
echo "Goals this run can judge (the PostGraphile ratios: compare.sh):"
awk -F'\t' '
  FNR == 1 { next }
  FILENAME ~ /startup/ { st[$2 " " $3] = $4; next }
  { k = $2 " " $3 " " $4 " " $5; rps[k] = $6; p50[k] = $7
    if ($4 == "R1") { r = $2 " " $3; if ($14 + 0 > rss[r] + 0) rss[r] = $14; if ($19 + 0 > anon[r] + 0) anon[r] = $19 }
    dbs[$2] = 1; tps[$3] = 1; seen[$4 " " $5] = 1 }
  END {
    for (r in rss) printf "  peak RSS under R1 load <= 64 MB, %s: %s MB (anonymous %s MB) -> %s\n", r, rss[r], anon[r], (rss[r] + 0 <= 64 ? "PASS" : "FAIL")
    for (s in st) printf "  ready within 300 ms of start, %s: %s ms -> %s\n", s, st[s], (st[s] + 0 <= 300 ? "PASS" : "FAIL")
    for (t in tps) for (wc in seen) {
      split(wc, a, " "); if (a[1] == "W1") continue
      ks = "sqlite " t " " wc; kp = "postgres " t " " wc
      if ((ks in rps) && (kp in rps))
        printf "  SQLite %s c=%s at least as fast as PostgreSQL (%s touchpoints; minutes apart, see interleaved.sh): %s vs %s req/s -> %s\n",
          a[1], a[2], t, rps[ks], rps[kp], (rps[ks] + 0 >= rps[kp] + 0 ? "PASS" : "FAIL")
    }
    for (d in dbs) for (wc in seen) {
      split(wc, a, " "); if (a[1] != "R1") continue
      kb = d " 20000 " wc; kl = d " 200000 " wc
      if ((kb in p50) && (kl in p50) && p50[kb] > 0)
        printf "  R1 p50 at 200k within 1.5x of 20k, %s c=%s: %s vs %s ms (%.2fx) -> %s\n",
          d, a[2], p50[kl], p50[kb], p50[kl] / p50[kb], (p50[kl] / p50[kb] <= 1.5 ? "PASS" : "FAIL")
    }
  }' "$STARTUP" "$RES" | sort
echo
echo "raw output: $OUT"
if ((TOTAL_ERRORS > 0)); then
  echo "FAILED: $TOTAL_ERRORS requests failed (see the errors column and FIRST_ERROR lines in $OUT/*.txt)" >&2
  exit 3
fi
