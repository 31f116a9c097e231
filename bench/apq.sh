#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# R1 (the portal list) sent three ways to one server, interleaved round by round: the query's
# text by POST, its automatic persisted query hash only by POST, and the hash by GET with the
# variables in the URL. Prints each mode's median req/s and p50/p99, and its ratio to the text.
#
#   bash bench/apq.sh                                # SQLite and PostgreSQL (~4 min)
#   DBS=postgres ROUNDS=3 DUR=5 bash bench/apq.sh
#
# Env: DBS="sqlite postgres"  ROUNDS=5  DUR=8  WARM=2  CONC=32  BIN, PG_URL (as run.sh)
# Exits non-zero when any request failed.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

DBS=${DBS:-sqlite postgres}
ROUNDS=${ROUNDS:-5}
DUR=${DUR:-8}
WARM=${WARM:-2}
CONC=${CONC:-32}
MODES="text apq apq-get"
need_tools wrk jq curl sqlite3 psql
ensure_bin release /tmp/bench-target
run_dirs apq
RES=$OUT/results.tsv
printf 'db\tround\tmode\treq_s\tp50_ms\tp99_ms\terrors\n' > "$RES"
log "R1 by text, by APQ hash (POST) and by APQ hash (GET) -> $OUT"

WRK_HASH=$(sha256sum < "$BENCH_DIR/queries/R1.graphql" | cut -d' ' -f1)
export WRK_HASH
FAILED=0
for db in $DBS; do
  log "== $db"
  serve_seeded "$db" 20000
  # The server learns the hash once, as Apollo's link teaches it (text with the hash).
  register=$(jq -nc --rawfile q "$BENCH_DIR/queries/R1.graphql" --arg h "$WRK_HASH" \
    --arg b "$(uuid 1 0)" --arg p "$(uuid 2 1)" \
    '{query: $q, variables: {brandId: $b, phaseId: $p}, extensions: {persistedQuery: {version: 1, sha256Hash: $h}}}')
  curl -sS -H 'content-type: application/json' -H "authorization: Bearer $P1_TOKEN" \
    --data "$register" "$URL/graphql" | jq -e '.data and (.errors | not)' >/dev/null \
    || die "registering the R1 hash failed"
  for mode in $MODES; do WRK_MODE=$mode run_wrk "$db" 20000 R1 2 "$CONC" "$WARM" "$OUT/warm-$db-$mode"; done
  for ((r = 1; r <= ROUNDS; r++)); do
    # Alternate the order so the machine's drift falls on every mode alike.
    order=$MODES; ((r % 2 == 0)) && order="apq-get apq text"
    for mode in $order; do
      WRK_MODE=$mode run_wrk "$db" 20000 R1 2 "$CONC" "$DUR" "$OUT/$db-$r-$mode"
      FAILED=$((FAILED + RUN_ERRORS))
      IFS=$'\t' read -r rps p50 p99 _ errors _ <<<"$ROW"
      printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$db" "$r" "$mode" "$rps" "$p50" "$p99" "$errors" >> "$RES"
    done
  done
  stop_server
done

log ""
log "R1 c=$CONC, median of $ROUNDS interleaved rounds (ratio: to the text in the same rounds)"
printf '%-9s %-8s %10s %8s %8s %12s\n' db mode "req/s" "p50 ms" "p99 ms" "vs text"
for db in $DBS; do
  text=$(awk -F'\t' -v d="$db" '$1 == d && $3 == "text" {print $4}' "$RES" | median)
  for mode in $MODES; do
    rps=$(awk -F'\t' -v d="$db" -v m="$mode" '$1 == d && $3 == m {print $4}' "$RES" | median)
    p50=$(awk -F'\t' -v d="$db" -v m="$mode" '$1 == d && $3 == m {print $5}' "$RES" | median)
    p99=$(awk -F'\t' -v d="$db" -v m="$mode" '$1 == d && $3 == m {print $6}' "$RES" | median)
    printf '%-9s %-8s %10.0f %8.2f %8.2f %11.2fx\n' "$db" "$mode" "$rps" "$p50" "$p99" \
      "$(awk -v a="$rps" -v b="$text" 'BEGIN {print (b > 0) ? a / b : 0}')"
  done
done
((FAILED == 0)) || die "$FAILED requests failed"
