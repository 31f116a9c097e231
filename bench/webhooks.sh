#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Webhook deliveries: `serve` (WEBHOOK_ALLOW_PRIVATE) on a seeded database and a Node receiver on
# 127.0.0.1 (webhook_receiver.mjs) that answers at once and times each delivery from its change's
# commit (`createdAt`) to its arrival. ENDPOINTS endpoints of the brand (which sees every change).
#   throughput: BATCHES sync batches of 100 updates written back to back; deliveries/s from the
#               first arrival to the last (every delivery must arrive, each once);
#   latency:    one endpoint, RATE changes/s (batches of 100) for DUR s; p50 and p99 of the delay.
#
#   bash bench/webhooks.sh                                   # PostgreSQL and SQLite (~3 min)
#   DBS=postgres ENDPOINTS=1 BATCHES=10 bash bench/webhooks.sh
#
# Env: DBS="postgres sqlite"  ENDPOINTS=10  BATCHES=20  RATE=200  DUR=10  BIN, PG_URL (as run.sh)
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

DBS=${DBS:-postgres sqlite}
ENDPOINTS=${ENDPOINTS:-10}
BATCHES=${BATCHES:-20}
RATE=${RATE:-200}
DUR=${DUR:-10}
need_tools curl jq node
ensure_bin release /tmp/bench-target
run_dirs webhooks
export WEBHOOK_ALLOW_PRIVATE=true
log "webhooks -> $OUT"

start_receiver "$OUT/receiver.log"
stats() { curl -sS "$RECV/stats"; }

sync_batch() {   # partner round: 100 updates of the partner's touchpoints
  local n=$1 r=$2 token
  token=$(awk -v n="$n" '$1 == n {print $2}' "$TOKENS")
  gql "$token" "$(cat "$BENCH_DIR/queries/W1.graphql")" \
    "$(jq -nc --arg b "$BRAND_ID" --argjson items "$(w1_items 0 "$r")" '{brandId: $b, items: $items}')"
  [[ $GQL_STATUS == 200 ]] && jq -e '.data.syncTouchpoints.updated == 100' >/dev/null <<<"$GQL_BODY" \
    || die "sync batch failed: ${GQL_BODY:0:300}"
}

wait_for() {   # count timeout-s: until the receiver has that many deliveries
  local want=$1 deadline=$((SECONDS + $2)) have
  while :; do
    have=$(stats | jq .count)
    ((have >= want)) && return 0
    ((SECONDS < deadline)) || { log "   only $have of $want deliveries arrived"; return 1; }
    sleep 0.2
  done
}

printf 'db\tendpoints\tdeliveries\tdeliveries/s\tp50 ms\tp99 ms\n' > "$OUT/results.tsv"
for db in $DBS; do
  log "== $db"
  serve_seeded "$db" 20000
  create_endpoints "$ENDPOINTS"
  ids=("${ENDPOINT_IDS[@]}")

  # Throughput: every change to every endpoint.
  curl -sS "$RECV/reset" >/dev/null
  for ((b = 1; b <= BATCHES; b++)); do sync_batch $((1 + b % 40)) "$b"; done
  want=$((BATCHES * 100 * ENDPOINTS))
  wait_for "$want" 300 || die "deliveries missing on $db"
  s=$(stats)
  [[ $(jq .distinct <<<"$s") == "$want" && $(jq .count <<<"$s") == "$want" ]] || die "duplicates on $db: $s"
  rate=$(jq '(.count * 1000 / ((.last - .first) | if . < 1 then 1 else . end)) | floor' <<<"$s")
  log "   throughput: $want deliveries to $ENDPOINTS endpoints, $rate/s"

  # Latency: one endpoint, RATE changes/s.
  for ((e = 1; e < ENDPOINTS; e++)); do
    gql "$ADMIN_TOKEN" 'mutation($id: ID!) { deleteWebhookEndpoint(input: {id: $id}) { deletedId } }' \
      "$(jq -nc --arg id "${ids[e]}" '{id: $id}')"
  done
  curl -sS "$RECV/reset" >/dev/null
  per_batch_ms=$((100 * 1000 / RATE))
  total=$((DUR * RATE / 100))
  for ((b = 1; b <= total; b++)); do
    t0=$EPOCHREALTIME
    sync_batch $((1 + b % 40)) $((1000 + b))
    t1=$EPOCHREALTIME
    spent=$(( (${t1/[.,]/} - ${t0/[.,]/}) / 1000 ))
    ((spent < per_batch_ms)) && sleep "0.$(printf '%03d' $((per_batch_ms - spent)))"
  done
  wait_for $((total * 100)) 120 || die "latency run incomplete on $db"
  s=$(stats)
  log "   latency at $RATE changes/s: p50 $(jq .p50 <<<"$s") ms, p99 $(jq .p99 <<<"$s") ms"
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$db" "$ENDPOINTS" "$want" "$rate" "$(jq .p50 <<<"$s")" "$(jq .p99 <<<"$s")" >> "$OUT/results.tsv"
  stop_server
done
echo
column -t -s $'\t' "$OUT/results.tsv"
echo "raw output: $OUT"
