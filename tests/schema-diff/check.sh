#!/usr/bin/env bash
# Breaking-change check of the exported schema: compares schema/schema.graphql in the work tree
# with the one at the base revision using graphql-inspector (pinned in package-lock.json).
#
#   bash tests/schema-diff/check.sh                    # base: HEAD~1, the previous main commit
#   SCHEMA_BASE=<rev> bash tests/schema-diff/check.sh  # any other base
#
# Every change is printed (✖ breaking, ⚠ dangerous, ✔ non-breaking). A breaking change fails
# the check unless a commit message in BASE..HEAD has a line `BREAKING: <reason>`. Exits 0
# without comparing when the base revision, or its schema, does not exist (first commit,
# shallow clone). A tool failure (a schema it cannot load or parse) fails the check too.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
cd "$ROOT"

SCHEMA=schema/schema.graphql
BASE=${SCHEMA_BASE:-HEAD~1}

[ -f "$SCHEMA" ] || { echo "schema-diff: no $SCHEMA in the work tree" >&2; exit 1; }

if [ "$(git rev-parse --is-shallow-repository 2>/dev/null || echo false)" = true ] \
  && ! git rev-parse --verify --quiet "$BASE^{commit}" >/dev/null; then
  git fetch --quiet --deepen=1 >/dev/null 2>&1 || true
fi
if ! BASE_SHA=$(git rev-parse --verify --quiet "$BASE^{commit}"); then
  echo "schema-diff: base revision $BASE does not exist here (first commit or shallow clone); nothing to compare"
  exit 0
fi
BASE_SHORT=$(git rev-parse --short "$BASE_SHA")
if ! git cat-file -e "$BASE_SHA:$SCHEMA" 2>/dev/null; then
  echo "schema-diff: base $BASE ($BASE_SHORT) has no $SCHEMA; nothing to compare"
  exit 0
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/schema-diff.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
OLD="$WORK/base-$BASE_SHORT.graphql"
git show "$BASE_SHA:$SCHEMA" >"$OLD"

# Install the lock only when node_modules is missing or was installed from another lock.
LOCK_SUM=$(sha256sum "$HERE/package-lock.json" | cut -d' ' -f1)
STAMP="$HERE/node_modules/.lock-sha256"
if [ ! -x "$HERE/node_modules/.bin/graphql-inspector" ] \
  || [ "$(cat "$STAMP" 2>/dev/null || true)" != "$LOCK_SUM" ]; then
  (cd "$HERE" && npm ci --silent --no-audit --no-fund)
  echo "$LOCK_SUM" >"$STAMP"
fi

echo "schema-diff: comparing $SCHEMA at $BASE ($BASE_SHORT) with the work tree"
rc=0
(cd "$HERE" && npx --no-install graphql-inspector diff "$OLD" "$ROOT/$SCHEMA" \
  --onComplete "$HERE/on-complete.cjs") || rc=$?

case $rc in
  0)
    echo "schema-diff: no breaking change against $BASE_SHORT"
    ;;
  3)
    # Breaking changes found (on-complete.cjs): accepted only with a reason in a commit message.
    REASONS=$(git log --format=%B "$BASE_SHA..HEAD" \
      | sed -n -E 's/^BREAKING:[[:space:]]*([^[:space:]].*)$/\1/p')
    if [ -n "$REASONS" ]; then
      while IFS= read -r reason; do
        echo "schema-diff: breaking change accepted: $reason"
      done <<<"$REASONS"
    else
      echo "schema-diff: FAILED: breaking change(s) against $BASE_SHORT (listed above with ✖)." >&2
      echo "schema-diff: keep the old fields, arguments and values (deprecate them instead), or, if the" >&2
      echo "schema-diff: break is intended, add a line 'BREAKING: <reason>' to the commit message." >&2
      exit 1
    fi
    ;;
  *)
    echo "schema-diff: FAILED: graphql-inspector failed (exit $rc) before comparing the schemas" >&2
    exit 1
    ;;
esac
