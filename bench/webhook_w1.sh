#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# W1 (sync of 100, c=32) with ENDPOINTS enabled webhook endpoints of the brand (which receives
# every change) against W1 with them disabled, on one server and database, rounds interleaved
# (off, on; on, off; …). With them on the deliverer works during the run, on the same 2 cores;
# the deliveries go to webhook_receiver.mjs on loopback. Prints each side's median items/s and
# p99 and the ratio.
#
#   bash bench/webhook_w1.sh                         # PostgreSQL (~3 min)
#   DBS=sqlite ROUNDS=2 DUR=5 bash bench/webhook_w1.sh
#
# Env: DBS=postgres  ENDPOINTS=10  ROUNDS=3  DUR=8  WARM=2  BIN, PG_URL (as run.sh)
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

DBS=${DBS:-postgres}
ENDPOINTS=${ENDPOINTS:-10}
ROUNDS=${ROUNDS:-3}
DUR=${DUR:-8}
WARM=${WARM:-2}
need_tools wrk jq curl node
ensure_bin release /tmp/bench-target
run_dirs webhook-w1
export WEBHOOK_ALLOW_PRIVATE=true
RES=$OUT/results.tsv
printf 'db\tround\tendpoints\titems_s\tp50_ms\tp99_ms\terrors\n' > "$RES"
log "W1 c=32 with $ENDPOINTS webhook endpoints on vs off -> $OUT"

start_receiver "$OUT/receiver.log"

switch() {   # on|off: every endpoint enabled or not
  local on=false id
  [[ $1 == on ]] && on=true
  for id in "${ids[@]}"; do
    gql "$ADMIN_TOKEN" 'mutation($id: ID!, $on: Boolean!) { updateWebhookEndpoint(input: {id: $id, enabled: $on}) { endpoint { enabled } } }' \
      "$(jq -nc --arg id "$id" --argjson on "$on" '{id: $id, on: $on}')"
    [[ $(jq -r .data.updateWebhookEndpoint.endpoint.enabled <<<"$GQL_BODY") == "$on" ]] || die "switch failed: $GQL_BODY"
  done
}

FAILED=0
for db in $DBS; do
  log "== $db"
  serve_seeded "$db" 20000
  create_endpoints "$ENDPOINTS"
  ids=("${ENDPOINT_IDS[@]}")
  switch off
  run_wrk "$db" 20000 W1 2 32 "$WARM" "$OUT/$db-warm" > /dev/null
  for ((r = 1; r <= ROUNDS; r++)); do
    order="off on"; ((r % 2 == 0)) && order="on off"
    for side in $order; do
      switch "$side"
      run_wrk "$db" 20000 W1 2 32 "$DUR" "$OUT/$db-$r-$side"
      FAILED=$((FAILED + RUN_ERRORS))
      IFS=$'\t' read -r rps p50 p99 _ errors _ <<<"$ROW"
      n=0; [[ $side == on ]] && n=$ENDPOINTS
      printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$db" "$r" "$n" "$(awk -v x="$rps" 'BEGIN {print x * 100}')" "$p50" "$p99" "$errors" >> "$RES"
    done
  done
  log "   the receiver got $(curl -sS "$RECV/stats" | jq .count) deliveries"
  stop_server
done

log ""
log "W1 c=32, median of $ROUNDS interleaved rounds"
printf '%-9s %-10s %10s %8s %8s\n' db endpoints "items/s" "p99 ms" "ratio"
for db in $DBS; do
  off=$(awk -F'\t' -v d="$db" '$1 == d && $3 == 0 {print $4}' "$RES" | median)
  for n in 0 "$ENDPOINTS"; do
    items=$(awk -F'\t' -v d="$db" -v n="$n" '$1 == d && $3 == n {print $4}' "$RES" | median)
    p99=$(awk -F'\t' -v d="$db" -v n="$n" '$1 == d && $3 == n {print $6}' "$RES" | median)
    printf '%-9s %-10s %10.0f %8.2f %7.2fx\n' "$db" "$n" "$items" "$p99" \
      "$(awk -v a="$items" -v b="$off" 'BEGIN {print (b > 0) ? a / b : 0}')"
  done
done
((FAILED == 0)) || die "$FAILED requests failed"
