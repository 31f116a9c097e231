# Shared by run.sh, smoke.sh and compare.sh. Sourced, not run.
# Everything it creates lives under /tmp; every process it starts is stopped by PID on exit.
# shellcheck shell=bash
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(dirname "$BENCH_DIR")"
PEER_DIR=${PEER_DIR:-/work/shared/peers/postgraphile}
PEER_PGDATA=/tmp/pgl/pgdata                  # where the peer's setup.sh puts its cluster
SECRET=${BENCH_JWT_SECRET:-registry-bench-secret-not-for-production-0123456789}
LISTEN_HOST=127.0.0.1
LISTEN_PORT=${PORT:-28080}
URL="http://$LISTEN_HOST:$LISTEN_PORT"
BRAND_ID=00000001-0000-4000-8000-000000000000
PG_DB=${PG_DB:-registry_bench}
CLK=$(getconf CLK_TCK)
PHASES=(Awareness Consideration Purchase Delivery Use Loyalty)   # seed-bench's phases 1..6

log() { printf '%s\n' "$*"; }
die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

uuid() { printf '%08x-0000-4000-8000-%012x' "$1" "$2"; }   # kind n -> the dataset's ids
# the median of the numbers on stdin, one per line (0 for none)
median() { sort -g | awk '{a[NR] = $1} END {if (NR == 0) print 0; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

# ---------------------------------------------------------------- cleanup (by PID only)
SERVER_PID=""
RECV_PID=""
TMP_DIRS=()
PG_STARTED_HERE=0
cleanup() {
  local rc=$?
  set +e
  stop_server
  if [[ -n $RECV_PID ]]; then kill "$RECV_PID" 2>/dev/null; RECV_PID=""; fi
  if [[ $PG_STARTED_HERE == 1 ]]; then pg_stop; PG_STARTED_HERE=0; fi
  local d
  for d in "${TMP_DIRS[@]}"; do rm -rf -- "$d"; done
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# run_dirs name: a fresh output directory, /tmp/registry-bench/<name>-<time> (kept), as OUT,
# and a scratch directory (tokens; deleted on exit) as WORK.
run_dirs() {
  OUT=/tmp/registry-bench/$1-$(date +%Y%m%d-%H%M%S)
  mkdir -p "$OUT"
  WORK=$(mktemp -d /tmp/registry-bench-work.XXXXXX); TMP_DIRS+=("$WORK")
}

# ---------------------------------------------------------------- tools and binary
need_tools() {   # installs the Debian packages of missing tools when running as root
  local missing=() t pkg
  for t in "$@"; do command -v "$t" >/dev/null || missing+=("$t"); done
  ((${#missing[@]} == 0)) && return 0
  if [[ $EUID == 0 ]] && command -v apt-get >/dev/null; then
    local pkgs=()
    for t in "${missing[@]}"; do
      case $t in psql) pkg=postgresql-client ;; sqlite3) pkg=sqlite3 ;; *) pkg=$t ;; esac
      pkgs+=("$pkg")
    done
    log "installing ${pkgs[*]} (apt-get)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${pkgs[@]}" >/dev/null 2>&1 \
      || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${pkgs[@]}" >/dev/null; }
  fi
  for t in "${missing[@]}"; do command -v "$t" >/dev/null || die "missing tool: $t"; done
}

ensure_bin() {   # profile default-target-dir: sets BIN, building it unless BIN is given
  if [[ -n ${BIN:-} ]]; then
    [[ -x $BIN ]] || die "BIN=$BIN is not an executable"
    return 0
  fi
  local profile=$1 target=${CARGO_TARGET_DIR:-$2} flags=(--features bench)
  [[ $profile == release ]] && flags+=(--release)
  log "building the server ($profile, CARGO_TARGET_DIR=$target)"
  (cd "$REPO_DIR" && CARGO_TARGET_DIR=$target cargo build -q "${flags[@]}")
  BIN=$target/$profile/touchpoint-registry
  [[ -x $BIN ]] || die "build produced no $BIN"
}

# ---------------------------------------------------------------- databases
# PG_URL: a database on the PostgreSQL server to use, as a role that may create databases.
# The benchmark database $PG_DB is dropped and created on that server.
pg_resolve() {
  [[ -n ${PG_URL:-} ]] && return 0
  if [[ -f $PEER_PGDATA/PG_VERSION && -f $PEER_DIR/lib.sh ]]; then
    # the peer's private cluster (same settings the peer is measured with)
    local keep_dir=$BENCH_DIR
    # shellcheck source=/dev/null
    source "$PEER_DIR/lib.sh"      # pg_start, pg_stop, pg_pid, psql_su, PGPORT_PEER
    BENCH_DIR=$keep_dir
    pg_start
    psql_su -d postgres -tAc "select 1 from pg_roles where rolname = 'registry'" | grep -q 1 \
      || psql_su -d postgres -c "create role registry login password 'registry' createdb"
    PG_URL="postgres://registry:registry@127.0.0.1:$PGPORT_PEER/postgres"
    log "PostgreSQL: the peer's cluster on 127.0.0.1:$PGPORT_PEER (role registry)"
  else
    PG_URL="postgres://postgres:postgres@127.0.0.1:5432/postgres"
    log "PostgreSQL: Debian's cluster on 127.0.0.1:5432 (no peer cluster: $PEER_PGDATA, $PEER_DIR/lib.sh)"
  fi
}

pg_url_with_db() {   # url db -> the url with its database replaced
  printf '%s' "$1" | sed -E 's#^(postgres(ql)?://[^/?]+)(/[^?]*)?#\1/'"$2"'#'
}

postmaster_pid() {   # of the server behind PG_URL when it runs on this machine, else nothing
  local hostport port pid
  hostport=$(printf '%s' "$PG_URL" | sed -E 's#^postgres(ql)?://([^@/]*@)?([^/?]+).*#\3#')
  port=${hostport##*:}; [[ $port == "$hostport" ]] && port=5432
  case ${hostport%:*} in 127.0.0.1|localhost|::1|\[::1\]) ;; *) return 0 ;; esac
  command -v ss >/dev/null || return 0
  pid=$(ss -Hltnp "sport = :$port" 2>/dev/null | grep -oP 'pid=\K[0-9]+' | head -1 || true)
  [[ -n $pid && $(cat "/proc/$pid/comm" 2>/dev/null) == postgres ]] && echo "$pid"
  return 0
}

# db_prepare sqlite|postgres: a fresh, empty database. Sets DBKIND, APP_DB_URL, APP_DATA_DIR,
# SQLITE_FILE (sqlite), PSQL_URL (postgres) and PM_PID (postmaster, for CPU accounting).
db_prepare() {
  DBKIND=$1
  APP_DATA_DIR=$(mktemp -d /tmp/registry-bench-data.XXXXXX); TMP_DIRS+=("$APP_DATA_DIR")
  PM_PID=""
  case $DBKIND in
    sqlite)
      SQLITE_FILE=$APP_DATA_DIR/registry.db
      APP_DB_URL="sqlite://$SQLITE_FILE?mode=rwc" ;;
    postgres)
      pg_resolve
      PGOPTIONS="-c client_min_messages=warning" psql "$PG_URL" -X -q -v ON_ERROR_STOP=1 -c "drop database if exists $PG_DB with (force)" \
        -c "create database $PG_DB" >/dev/null
      APP_DB_URL=$(pg_url_with_db "$PG_URL" "$PG_DB")
      PSQL_URL=$APP_DB_URL
      PM_PID=$(postmaster_pid) ;;
    *) die "unknown database '$DBKIND' (sqlite or postgres)" ;;
  esac
}

sql() {   # one query against the benchmark database, unaligned output without headers
  case $DBKIND in
    sqlite) sqlite3 -batch -noheader -separator ' ' "$SQLITE_FILE" "$1" ;;
    postgres) psql "$PSQL_URL" -X -A -t -q -F ' ' -v ON_ERROR_STOP=1 -c "$1" ;;
  esac
}

sql_uuid() {   # a uuid as a literal for the database's column type
  case $DBKIND in
    sqlite) printf "X'%s'" "${1//-/}" ;;      # stored as 16-byte blobs
    postgres) printf "'%s'::uuid" "$1" ;;
  esac
}

sql_id_expr() {   # column -> an expression giving the uuid text
  case $DBKIND in
    sqlite) printf "lower(substr(hex(%s),1,8)||'-'||substr(hex(%s),9,4)||'-'||substr(hex(%s),13,4)||'-'||substr(hex(%s),17,4)||'-'||substr(hex(%s),21))" "$1" "$1" "$1" "$1" "$1" ;;
    postgres) printf '%s::text' "$1" ;;
  esac
}

app_env() {   # the environment the binary runs with (sets APP_ENV)
  APP_ENV=(DATABASE_URL="$APP_DB_URL" DATA_DIR="$APP_DATA_DIR" JWT_SECRET="$SECRET"
    RUST_LOG="${RUST_LOG:-warn}" LOG_FORMAT="${LOG_FORMAT:-text}"
    RATE_LIMIT_PER_SECOND="${RATE_LIMIT_PER_SECOND:-100000}"
    LISTEN_ADDR="$LISTEN_HOST:$LISTEN_PORT" SHUTDOWN_TIMEOUT=5s)
}
app() { app_env; env "${APP_ENV[@]}" "$BIN" "$@"; }   # runs the binary against the benchmark database

seed_db() {   # touchpoints log-file
  local t0 t1
  t0=$EPOCHREALTIME
  app seed-bench --touchpoints "$1" > "$2" 2>&1 || { tail -20 "$2" >&2; die "seed-bench failed; log: $2"; }
  t1=$EPOCHREALTIME
  SEED_MS=$(( (${t1/[.,]/} - ${t0/[.,]/}) / 1000 ))
  log "   seeded $1 touchpoints in $SEED_MS ms"
}

mint_tokens() {   # file: "<n> <token>" for partners 1..40; sets ADMIN_TOKEN and P1_TOKEN
  local f=$1 n
  : > "$f"
  for n in $(seq 1 40); do
    printf '%d %s\n' "$n" "$(app token --email "$(printf 'editor@partner-%02d.example' "$n")" --ttl 1d)" >> "$f"
  done
  ADMIN_TOKEN=$(app token --email admin@acme.example --ttl 1d)
  P1_TOKEN=$(awk '$1 == 1 {print $2}' "$f")
  [[ $(wc -l < "$f") == 40 && -n $P1_TOKEN && -n $ADMIN_TOKEN ]] || die "token minting failed"
}

# ---------------------------------------------------------------- the server
NAP_FD=""
nap() {   # sleeps 5 ms without forking (read with a timeout on a FIFO nobody writes)
  if [[ -z $NAP_FD ]]; then
    local d; d=$(mktemp -d /tmp/registry-bench-nap.XXXXXX); TMP_DIRS+=("$d")
    mkfifo "$d/fifo"; exec {NAP_FD}<>"$d/fifo"
  fi
  read -r -t 0.005 -u "$NAP_FD" _ || true
}

ready_once() {   # GET /readyz over bash's /dev/tcp (no fork): 0 when it answers 200
  local fd line=""
  { exec {fd}<>"/dev/tcp/$LISTEN_HOST/$LISTEN_PORT"; } 2>/dev/null || return 1
  { printf 'GET /readyz HTTP/1.1\r\nHost: %s:%s\r\nConnection: close\r\n\r\n' "$LISTEN_HOST" "$LISTEN_PORT" >&"$fd"; } 2>/dev/null || true
  IFS= read -r -t 2 line <&"$fd" || true
  exec {fd}>&-
  [[ $line == "HTTP/1.1 200"* ]]
}

port_in_use() { local fd; { exec {fd}<>"/dev/tcp/$LISTEN_HOST/$LISTEN_PORT"; } 2>/dev/null || return 1; exec {fd}>&-; return 0; }

start_server() {   # log file: starts `serve`, polls /readyz every 5 ms; sets SERVER_PID, STARTUP_MS
  local logf=$1 t0 now
  port_in_use && die "something already listens on $LISTEN_HOST:$LISTEN_PORT (set PORT=…)"
  nap   # opens the FIFO before the clock starts
  app_env
  t0=$EPOCHREALTIME
  env "${APP_ENV[@]}" "$BIN" serve >> "$logf" 2>&1 &   # $! is the server itself (env execs it)
  SERVER_PID=$!
  while ! ready_once; do
    kill -0 "$SERVER_PID" 2>/dev/null || { SERVER_PID=""; tail -20 "$logf" >&2; die "server exited while starting; log: $logf"; }
    now=$EPOCHREALTIME
    (( (${now/[.,]/} - ${t0/[.,]/}) < 60000000 )) || die "server not ready after 60 s; log: $logf"
    nap
  done
  now=$EPOCHREALTIME
  # shellcheck disable=SC2034  # read by the caller
  STARTUP_MS=$(( (${now/[.,]/} - ${t0/[.,]/}) / 1000 ))
}

stop_server() {
  [[ -n $SERVER_PID ]] || return 0
  local pid=$SERVER_PID i
  SERVER_PID=""
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then
    log "   server pid $pid did not stop in 10 s: SIGKILL"; kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}

peak_rss_mb() { awk '/^VmHWM:/ {printf "%.1f", $2 / 1024}' "/proc/$SERVER_PID/status" 2>/dev/null || echo "-"; }
# The server's own memory now (heap, stacks): RSS without the mapped files (the binary, and on
# SQLite the database pages read through its memory map, which are the OS page cache).
anon_rss_mb() { awk '/^RssAnon:/ {printf "%.1f", $2 / 1024}' "/proc/$SERVER_PID/status" 2>/dev/null || echo "-"; }

# ---------------------------------------------------------------- GraphQL over curl
GQL_STATUS=""; GQL_BODY=""
gql() {   # token query-text variables-json: sets GQL_STATUS and GQL_BODY
  local out
  out=$(jq -nc --arg q "$2" --argjson v "$3" '{query: $q, variables: $v}' \
    | curl -sS -m 60 -w '\n%{http_code}' -H 'Content-Type: application/json' \
        -H "Authorization: Bearer $1" --data-binary @- "$URL/graphql") || out=$'\n000'
  GQL_STATUS=${out##*$'\n'}
  GQL_BODY=${out%$'\n'*}
}

gql_ok() {   # what: fails unless HTTP 200 and no top-level error
  [[ $GQL_STATUS == 200 ]] || { CHECK_FAILS+=("$1: HTTP $GQL_STATUS: ${GQL_BODY:0:300}"); return 1; }
  if ! jq -e '(.errors // []) | length == 0' >/dev/null <<<"$GQL_BODY"; then
    CHECK_FAILS+=("$1: GraphQL error: ${GQL_BODY:0:300}"); return 1
  fi
}

w1_items() {   # window round: 100 sync items like wrk/registry.lua builds (random scores)
  local w=$1 r=$2 k parts=()
  local -a EXPR=(PERSONAL PHYSICAL DIGITAL) OWN=(OWN PARTNER THIRD_PARTY)
  local -a CHAN=(WEBSITE APP STORE PHONE EMAIL EVENT PRINT SOCIAL)
  for ((k = w; k < w + 100; k++)); do
    parts+=("$(printf '{"externalId":"tp-%04d","name":"Touchpoint %d synced r%d","description":"Synced by partner job round %d","expressions":["%s"],"channel":"%s","phaseId":"%s","ownership":"%s","visibility":"%s","importance":%d,"urgency":%d,"maturity":%d,"effort":%d,"benefit":%d,"status":"ACTIVE"}' \
      "$k" "$k" "$r" "$r" "${EXPR[k % 3]}" "${CHAN[k % 8]}" "$(uuid 2 $((1 + k % 6)))" "${OWN[k % 3]}" \
      "$([[ $((k % 2)) == 0 ]] && echo NETWORK || echo PRIVATE)" \
      $((1 + RANDOM % 5)) $((1 + RANDOM % 5)) $((1 + RANDOM % 5)) $((1 + RANDOM % 5)) $((1 + RANDOM % 5)))")
  done
  local IFS=,
  printf '[%s]' "${parts[*]}"
}

# ---------------------------------------------------------------- correctness checks
# Each check appends to CHECK_FAILS; check_report fails the run when any failed.
CHECK_FAILS=()
check_report() {   # label
  if ((${#CHECK_FAILS[@]})); then
    printf '   CHECK FAILED: %s\n' "${CHECK_FAILS[@]}" >&2
    die "$1: ${#CHECK_FAILS[@]} correctness check(s) failed"
  fi
}

# Partner 1's visible set: own touchpoints + every other partner's NETWORK ones (not archived).
visible_p1_sql() {   # extra condition -> SQL condition
  printf "archived_at is null and brand_id = %s and (owner_id = %s or visibility = 'NETWORK')%s" \
    "$(sql_uuid "$BRAND_ID")" "$(sql_uuid "$(uuid 1 1)")" "${1:+ and $1}"
}

dataset_rule_count() {   # touchpoints -> partner 1's visible count from the seed rule (md5), or nothing
  command -v python3 >/dev/null || return 0
  python3 - "$1" <<'EOF' 2>/dev/null || true
import hashlib, sys
n = int(sys.argv[1])
print(sum(1 for i in range(1, n + 1)
          if (i - 1) % 40 == 0 or hashlib.md5(f"{i}:vis".encode()).digest()[0] < 128))
EOF
}

check_reads() {   # touchpoints: count, R1, R2, W1 (dry run); read-only
  local tp=$1 expected rule got ph name body
  CHECK_FAILS=()
  # 1. totalCount for partner 1 == an independent count
  expected=$(sql "select count(*) from touchpoints where $(visible_p1_sql)")
  rule=$(dataset_rule_count "$tp")
  if [[ -n $rule && $rule != "$expected" ]]; then
    CHECK_FAILS+=("dataset: partner 1 may see $expected touchpoints in the database, the seed rule says $rule")
  fi
  gql "$P1_TOKEN" '{ touchpoints { totalCount } }' '{}'
  if gql_ok "count"; then
    got=$(jq -r '.data.touchpoints.totalCount' <<<"$GQL_BODY")
    [[ $got == "$expected" ]] || CHECK_FAILS+=("count: partner 1 totalCount $got, expected $expected (SQL)")
  fi
  log "   check count: partner 1 totalCount ${got:-?} (SQL ${expected}${rule:+, seed rule $rule})"

  # 2. R1 for every phase: 50 nodes, all visible to partner 1, of that phase, by priority,
  #    and no visible touchpoint of the phase with a higher priority left off the page.
  local r1; r1=$(cat "$BENCH_DIR/queries/R1.graphql")
  for ph in 1 2 3 4 5 6; do
    name=${PHASES[ph - 1]}
    gql "$P1_TOKEN" "$r1" "{\"brandId\":\"$BRAND_ID\",\"phaseId\":\"$(uuid 2 "$ph")\"}"
    gql_ok "R1 phase $ph" || continue
    body=$GQL_BODY
    local bad
    bad=$(jq -r --arg ph "$name" '.data.touchpoints as $c | [
        (if ($c.nodes | length) != 50 then "\($c.nodes | length) nodes, expected 50" else empty end),
        (if $c.pageInfo.hasNextPage != true then "hasNextPage is not true" else empty end),
        ($c.nodes[] | select(.visibility != "NETWORK" and (.owner.name | startswith("Partner 01 ") | not))
          | "node \(.id) (\(.owner.name), \(.visibility)) is not visible to partner 1"),
        ($c.nodes[] | select(.phase.name != $ph) | "node \(.id) is in phase \(.phase.name)"),
        ($c.nodes[] | select((.alignment.ratings | length) != 3) | "node \(.id) has \(.alignment.ratings | length) ratings"),
        (if [$c.nodes[].priorityScore] != ([$c.nodes[].priorityScore] | sort | reverse) then "not ordered by priority" else empty end)
      ] | .[]' <<<"$body")
    [[ -z $bad ]] || { while IFS= read -r line; do CHECK_FAILS+=("R1 phase $ph: $line"); done <<<"$bad"; continue; }
    # completeness: every visible touchpoint of the phase scoring above the page's lowest is on it
    local min above_page above_db
    min=$(jq -r '[.data.touchpoints.nodes[].priorityScore] | min * 100 | round' <<<"$body")
    above_page=$(jq -r --argjson m "$min" '[.data.touchpoints.nodes[] | select((.priorityScore * 100 | round) > $m)] | length' <<<"$body")
    above_db=$(sql "select count(*) from touchpoints where $(visible_p1_sql "phase_id = $(sql_uuid "$(uuid 2 "$ph")") and priority_score > $min")")
    [[ $above_page == "$above_db" ]] \
      || CHECK_FAILS+=("R1 phase $ph: $above_db visible touchpoints score above $min, the page has $above_page")
  done
  log "   check R1: 6 phases x 50 nodes, visible to partner 1, ordered, complete"

  # 3. R2: partner 1's own touchpoints by id; another partner's PRIVATE one is null
  local r2 k id priv
  r2=$(cat "$BENCH_DIR/queries/R2.graphql")
  for k in 0 $((123 % (tp / 40))) $((tp / 40 - 1)); do   # first, one inside, last of its own
    id=$(uuid 4 $((40 * k + 1)))
    gql "$P1_TOKEN" "$r2" "{\"id\":\"$id\"}"
    gql_ok "R2 $id" || continue
    got=$(jq -r '.data.touchpoint | "\(.id) \(.externalId) \(.owner.name // "" | startswith("Partner 01 "))"' <<<"$GQL_BODY")
    [[ $got == "$id $(printf 'tp-%04d' "$k") true" ]] || CHECK_FAILS+=("R2 $id: got '$got'")
  done
  priv=$(sql "select $(sql_id_expr id) from touchpoints where owner_id = $(sql_uuid "$(uuid 1 2)") and visibility = 'PRIVATE' limit 1")
  gql "$P1_TOKEN" "$r2" "{\"id\":\"$priv\"}"
  if gql_ok "R2 private $priv"; then
    jq -e '.data.touchpoint == null' >/dev/null <<<"$GQL_BODY" \
      || CHECK_FAILS+=("R2: partner 1 can read partner 2's PRIVATE touchpoint $priv")
  fi
  log "   check R2: own touchpoints found, partner 2's PRIVATE $priv hidden"

  # 4. W1 as a dry run (writes nothing, so the reads are measured on the seeded rows)
  check_w1 dry
  check_report "checks"
}

W1_CHECK_ROUND=1
check_w1() {   # dry|real: partner 1 syncs its first 100 externalIds; updated=100, no errors
  local mode=$1 w1 vars n
  w1=$(cat "$BENCH_DIR/queries/W1.graphql")
  # shellcheck disable=SC2016  # GraphQL variables, not shell ones
  local plain='items: $items}' dry='items: $items, dryRun: true}'
  [[ $mode == dry ]] && w1=${w1/"$plain"/"$dry"}
  vars="{\"brandId\":\"$BRAND_ID\",\"items\":$(w1_items 0 "$W1_CHECK_ROUND")}"
  gql "$P1_TOKEN" "$w1" "$vars"
  if gql_ok "W1 ($mode)"; then
    jq -e '.data.syncTouchpoints | .updated == 100 and .created == 0 and .errors == []' >/dev/null <<<"$GQL_BODY" \
      || CHECK_FAILS+=("W1 ($mode): ${GQL_BODY:0:300}")
  fi
  if [[ $mode == real ]]; then
    n=$(sql "select count(*) from touchpoints where owner_id = $(sql_uuid "$(uuid 1 1)") and name like '% synced r$W1_CHECK_ROUND'")
    [[ $n == 100 ]] || CHECK_FAILS+=("W1 (real): $n rows of partner 1 carry the new names, expected 100")
  fi
  W1_CHECK_ROUND=$((W1_CHECK_ROUND + 1))
  log "   check W1 ($mode): updated=100, no errors"
}

# ---------------------------------------------------------------- CPU accounting (/proc)
ticks_pid() { awk '{print $14+$15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
ticks_tree() {   # a process + its reaped children + its live children
  local t c; t=$(awk '{print $14+$15+$16+$17}' "/proc/$1/stat" 2>/dev/null || echo 0)
  for c in $(ps -o pid= --ppid "$1" 2>/dev/null); do t=$((t + $(ticks_pid "$c"))); done
  echo "$t"
}
sys_ticks() { awk '/^cpu /{print $2+$3+$4+$7+$8+$9, $2+$3+$4+$5+$6+$7+$8+$9}' /proc/stat; }
snap() {
  read -r S_BUSY _ < <(sys_ticks)
  S_PG=0; [[ -n $PM_PID ]] && S_PG=$(ticks_tree "$PM_PID")
  S_SRV=$(ticks_pid "$SERVER_PID"); S_T0=$EPOCHREALTIME
}
cpu_after() {   # loadgen-cpu-seconds -> "server pg loadgen other" in % of one core
  local busy pg=0 srv now
  read -r busy _ < <(sys_ticks); [[ -n $PM_PID ]] && pg=$(ticks_tree "$PM_PID"); srv=$(ticks_pid "$SERVER_PID")
  now=$EPOCHREALTIME
  awk -v b=$((busy - S_BUSY)) -v pg=$((pg - S_PG)) -v srv=$((srv - S_SRV)) -v tool="$1" -v havepg="$PM_PID" \
      -v clk="$CLK" -v w="$(( ${now/[.,]/} - ${S_T0/[.,]/} ))" 'BEGIN {
        w = w / 1e6; s = srv / clk / w * 100; p = pg / clk / w * 100; t = tool / w * 100
        o = b / clk / w * 100 - s - p - t; if (o < 0) o = 0
        printf "%.0f\t%s\t%.0f\t%.0f", s, (havepg == "" ? "-" : sprintf("%.0f", p)), t, o }'
}

wait_quiet() {   # waits (up to QUIET_MAX s) until the machine is at most QUIET_PCT% busy
  local max=${QUIET_MAX:-0} pct=0 b0 a0 b1 a1 i
  ((max > 0)) || return 0
  for ((i = 0; i < max / 2; i++)); do
    read -r b0 a0 < <(sys_ticks); sleep 2; read -r b1 a1 < <(sys_ticks)
    pct=$((100 * (b1 - b0) / (a1 - a0 + 1)))
    ((pct <= ${QUIET_PCT:-10})) && return 0
    ((i == 0)) && log "   waiting for an idle machine (busy ${pct}% of all cores)"
  done
  log "   WARNING: machine still ${pct}% busy after ${max}s; measuring anyway (see cpu_other)"
}

# ---------------------------------------------------------------- wrk
RUNSEQ=0
ROW=""
# run_wrk db touchpoints workload threads conns duration file: one wrk run; sets ROW (the
# results.tsv fields from req_s on) and RUN_ERRORS.
run_wrk() {
  local db=$1 tp=$2 wl=$3 t=$4 c=$5 d=$6 f=$7 line tool cpu
  local rps=0 p50_ms=0 p99_ms=0 requests=0 gql_errors=0 non200=0 socket_errors=0 kv
  RUNSEQ=$((RUNSEQ + 1))
  snap
  TIMEFORMAT='%U %S'
  { time wrk -t"$t" -c"$c" -d"${d}s" --timeout 10s -s "$BENCH_DIR/wrk/registry.lua" "$URL" \
      -- "$wl" "$BENCH_DIR/queries" "$TOKENS" "$t" "$((RUNSEQ * 1000000))" "$((tp / 40))" \
      "${WRK_MODE:-text}" "${WRK_HASH:-}" \
      > "$f.txt" 2>&1 || true; } 2> "$f.time"
  tool=$(awk '{print $1 + $2}' "$f.time"); cpu=$(cpu_after "$tool")
  line=$(grep '^RESULT' "$f.txt") || { cat "$f.txt" >&2; die "wrk failed, see $f.txt"; }
  for kv in ${line#RESULT }; do
    case ${kv%%=*} in
      rps) rps=${kv#*=} ;; p50_ms) p50_ms=${kv#*=} ;; p99_ms) p99_ms=${kv#*=} ;;
      requests) requests=${kv#*=} ;; gql_errors) gql_errors=${kv#*=} ;;
      non200) non200=${kv#*=} ;; socket_errors) socket_errors=${kv#*=} ;;
    esac
  done
  RUN_ERRORS=$((gql_errors + non200 + socket_errors))
  ((requests > 0)) || RUN_ERRORS=$((RUN_ERRORS + 1))    # no answer at all is a failure too
  kill -0 "$SERVER_PID" 2>/dev/null || { RUN_ERRORS=$((RUN_ERRORS + 1)); log "   the server died during $wl c=$c"; SERVER_PID=""; }
  # shellcheck disable=SC2034  # read by the caller
  ROW=$(printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s' "$rps" "$p50_ms" "$p99_ms" "$requests" "$RUN_ERRORS" \
    "$gql_errors" "$non200" "$socket_errors" "$(peak_rss_mb)" "$cpu" "$(anon_rss_mb)")
  printf '   %s %s c=%s: %s req/s, p50 %s ms, p99 %s ms, %s requests, errors %s (gql %s, non-200 %s, socket %s), CPU srv/pg/wrk/other %s%%\n' \
    "$db" "$wl" "$c" "$rps" "$p50_ms" "$p99_ms" "$requests" "$RUN_ERRORS" "$gql_errors" "$non200" "$socket_errors" "${cpu//$'\t'//}"
  if grep -q '^FIRST_ERROR' "$f.txt"; then log "      $(grep '^FIRST_ERROR' "$f.txt" | cut -c1-400)"; fi
}

serve_seeded() {   # db touchpoints: a fresh database seeded, partner tokens in $TOKENS, `serve` on it
  db_prepare "$1"
  seed_db "$2" "$OUT/$1-seed.log"
  TOKENS=$WORK/tokens-$1
  mint_tokens "$TOKENS"
  start_server "$OUT/$1-server.log"
}

# ---------------------------------------------------------------- webhooks
start_receiver() {   # log file: webhook_receiver.mjs on loopback; sets RECV_PID and RECV (its URL)
  node "$BENCH_DIR/webhook_receiver.mjs" > "$1" 2>&1 &
  RECV_PID=$!
  for _ in $(seq 1 50); do grep -q '^PORT ' "$1" && break; sleep 0.1; done
  RECV="http://127.0.0.1:$(awk '/^PORT / {print $2}' "$1")"
}

create_endpoints() {   # n: n endpoints of the brand receiving UPDATED at $RECV/hooks/<i>; sets ENDPOINT_IDS
  local e
  ENDPOINT_IDS=()
  for ((e = 0; e < $1; e++)); do
    gql "$ADMIN_TOKEN" 'mutation($i: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $i) { endpoint { id } } }' \
      "$(jq -nc --arg b "$BRAND_ID" --arg u "$RECV/hooks/$e" '{i: {brandId: $b, url: $u, events: ["UPDATED"]}}')"
    ENDPOINT_IDS+=("$(jq -r .data.createWebhookEndpoint.endpoint.id <<<"$GQL_BODY")")
    [[ ${ENDPOINT_IDS[-1]} != null ]] || die "endpoint not created: $GQL_BODY"
  done
}
