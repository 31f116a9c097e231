#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# What W1's write set costs PostgreSQL with no server in the path: pgbench runs the statements a
# 100-item sync batch needs (pgbench/W1-write-set.sql) against our schema, whole and with one part
# left out at a time, next to the peer's W1-lean.sql (its upsert, the pgbench ceiling W1's goal is
# stated against) and to our server's own W1 (wrk, as run.sh) on the same database. Rounds are
# interleaved, so the machine's drift falls on every variant alike. The "whole" row is the most
# any server could reach on W1 with our write set; the "server" row's ratio to it is the server's
# own share of W1's cost, and "whole" against "peer-lean" the database's.
#
#   bash bench/write_set.sh                  # ~5 min (3 rounds x 9 variants x 8 s)
#   ROUNDS=1 DUR=3 bash bench/write_set.sh   # a quick look
#
# Env: ROUNDS=3  DUR=8  CONC=32  WARM=3 (our server's W1 warm-up, s)  PORT=28080
#      BIN, CARGO_TARGET_DIR, PG_URL (as run.sh; the peer's cluster when its setup.sh has run,
#      so both schemas share one PostgreSQL and its settings)
# Output: a table of median batches/s, WAL per batch and ratios; raw files under
#      /tmp/registry-bench/write-set-<time>/.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

ROUNDS=${ROUNDS:-3}
DUR=${DUR:-8}
CONC=${CONC:-32}
WARM=${WARM:-3}
need_tools psql pgbench wrk
ensure_bin release /tmp/bench-target
run_dirs write-set
log "write set -> $OUT"

db_prepare postgres
seed_db 20000 "$OUT/seed.log"
ACTOR_EMAIL=editor@partner-01.example
ACTOR=$(sql "select id from users where email = '$ACTOR_EMAIL'")
[[ -n $ACTOR ]] || die "the seeded database has no $ACTOR_EMAIL"
TOKENS=$WORK/tokens
mint_tokens "$TOKENS"
start_server "$OUT/server.log"

# variant name -> the parts of the template it leaves out; a "whole-without-<index>" variant runs
# the whole write set with that ledger index dropped (recreated after it), which prices the index
declare -A OMIT=([whole]="" [no-read]="read" [no-ledger]="ledger" [update-only]="read ledger")
# index -> how to drop it and how to make it again (the key: `(entity_id, tx_id, seq)`)
declare -A IX_DROP=([key]="alter table ledger_entries drop constraint ledger_entries_pkey"
  [brand]="drop index ix_ledger_brand" [organization]="drop index ix_ledger_organization")
declare -A IX_MAKE=([key]="alter table ledger_entries add primary key (entity_id, tx_id, seq)"
  [brand]="create index ix_ledger_brand on ledger_entries (brand_id, tx_id, seq)"
  [organization]="create index ix_ledger_organization on ledger_entries (organization_id, tx_id, seq)")
VARIANTS=(server whole no-read no-ledger update-only whole-without-key whole-without-brand
  whole-without-organization)
for v in "${VARIANTS[@]}"; do
  [[ $v == server ]] && continue    # wrk against our server, no SQL of its own
  [[ $v == whole-without-* ]] && { cp "$OUT/whole.sql" "$OUT/$v.sql"; continue; }
  awk -v omit=" ${OMIT[$v]} " '
    /^--@ end/ { part = ""; next }
    /^--@ /    { part = $2; next }
    part == "" || index(omit, " " part " ") == 0' \
    "$BENCH_DIR/pgbench/W1-write-set.sql" > "$OUT/$v.sql"
done

# The peer's lean upsert, when its cluster holds its database.
PEER_LEAN=$PEER_DIR/bench/pgbench/W1-lean.sql
HAVE_PEER=0
if declare -F psql_su >/dev/null && [[ -f $PEER_LEAN ]] \
  && psql_su -d "$DB" -tAc "select 1" 2>/dev/null | grep -q 1; then
  HAVE_PEER=1
  VARIANTS+=(peer-lean)
else
  log "   no peer database (run $PEER_DIR/setup.sh for the peer-lean row)"
fi

on_cluster() {   # variant query: one value from the cluster the variant runs on
  if [[ $1 == peer-lean ]]; then psql_su -d "$DB" -tAc "$2"; else sql "$2"; fi
}
wal_lsn() { on_cluster "$1" "select pg_current_wal_lsn()"; }
wal_bytes() { on_cluster "$1" "select pg_wal_lsn_diff('$3', '$2')::bigint"; }   # variant before after
run_variant() {   # variant round: appends "variant round tps transactions failed wal_bytes"
  local v=$1 f=$OUT/$1-r$2.txt l0 l1 tps n failed=0
  l0=$(wal_lsn "$v")
  case $v in
    server)   # wrk against our server, which prints its own line
      run_wrk postgres 20000 W1 2 "$CONC" "$DUR" "$OUT/server-r$2"
      ((RUN_ERRORS == 0)) || die "our server's W1 had $RUN_ERRORS failed requests; see $OUT/server-r$2.txt" ;;
    peer-lean)
      PGPASSWORD=$AUTH_PASS pgbench -n -M prepared -f "$PEER_LEAN" -D brand="$BRAND_ID" \
        -h 127.0.0.1 -p "$PGPORT_PEER" -U "$AUTH_USER" -c "$CONC" -j 2 -T "$DUR" "$DB" > "$f" 2>&1 || true ;;
    *)
      local ix=${v#whole-without-}
      [[ $v == whole-without-* ]] && sql "${IX_DROP[$ix]}" >/dev/null
      pgbench -n -M prepared -f "$OUT/$v.sql" -D actor="$ACTOR" -D label="$ACTOR_EMAIL" \
        -c "$CONC" -j 2 -T "$DUR" "$PSQL_URL" > "$f" 2>&1 || true
      [[ $v == whole-without-* ]] && sql "${IX_MAKE[$ix]}" >/dev/null ;;
  esac
  l1=$(wal_lsn "$v")
  if [[ $v == server ]]; then
    IFS=$'\t' read -r tps _ _ n _ <<< "$ROW"
  else
    tps=$(grep -oP 'tps = \K[0-9.]+' "$f" | head -1)
    n=$(grep -oP 'number of transactions actually processed: \K[0-9]+' "$f" || echo 0)
    failed=$(grep -oP 'number of failed transactions: \K[0-9]+' "$f" || echo 0)
    [[ -n $tps ]] || die "pgbench $v failed; see $f"
    log "   round $2 $v: $tps tps, $failed failed"
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$v" "$2" "$tps" "$n" "$failed" "$(wal_bytes "$v" "$l0" "$l1")" >> "$OUT/runs.tsv"
}

log "== our server: ${WARM} s of W1 warm-up"
run_wrk postgres 20000 W1 2 "$CONC" "$WARM" "$OUT/server-warm"
log "== $ROUNDS interleaved rounds of ${DUR} s at -c$CONC: ${VARIANTS[*]}"
for ((round = 1; round <= ROUNDS; round++)); do
  order=("${VARIANTS[@]}")
  ((round % 2 == 0)) && mapfile -t order < <(printf '%s\n' "${VARIANTS[@]}" | tac)
  for v in "${order[@]}"; do run_variant "$v" "$round"; done
done

echo
echo "W1's write set in PostgreSQL alone (pgbench -M prepared) beside our server's W1 (wrk), -c$CONC, $ROUNDS rounds of ${DUR} s; medians"
median_of() { awk -F'\t' -v v="$1" '$1 == v {print $3}' "$OUT/runs.tsv" | median; }
WHOLE=$(median_of whole)
PEER=$( ((HAVE_PEER)) && median_of peer-lean || echo 0)
echo "| variant | batches/s | items/s | WAL KB/batch | of whole | of peer-lean | failed |"
echo "|---|---|---|---|---|---|---|"
for v in "${VARIANTS[@]}"; do
  awk -F'\t' -v v="$v" -v m="$(median_of "$v")" -v whole="$WHOLE" -v peer="$PEER" '
    $1 == v { n += $4; failed += $5; wal += $6 }
    END {
      printf "| %s | %.1f | %d | %.1f | %.2f | %s | %d |\n", v, m, m * 100, wal / n / 1024,
        m / whole, (peer > 0 ? sprintf("%.2f", m / peer) : "-"), failed
    }' "$OUT/runs.tsv"
done
echo
echo "raw output: $OUT"
