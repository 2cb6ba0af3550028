#!/usr/bin/env bash
# Benchmark of 接诉即办 at a million complaints (prints figures, judges nothing).
#
#   scripts/bench-complaints.sh
#
# 1. A fresh demo city (scale 1), then `zhili demo-complaints --count N` adds N complaints
#    of history (default 1,000,000; BENCH_COMPLAINTS) and the time it took is reported.
# 2. wrk against the release server on SQLite: /healthz (the ceiling), then submitting
#    complaints (POST with its own Idempotency-Key each; SQLite synchronous=FULL, so every
#    acknowledged complaint is on disk), then the staff inbox and the three-rates report as
#    a city official, a community worker and a grid worker, with p50/p95/p99.
# 3. After the submissions, the number of complaints stored is checked against the
#    number of 201 answers wrk counted (scripts/bench/submit.lua counts them); the report is
#    written to out/bench/complaints.md, and the run fails if fewer are stored than were
#    acknowledged, more than one per connection beyond them (those in flight when wrk
#    stops), or any request under load got an error.
#
# Knobs: BENCH_COMPLAINTS, BENCH_SECONDS (default 10), BENCH_BIN, BENCH_SKIP_BUILD=1, BENCH_PORT,
#        BENCH_DATA (a data folder made earlier with demo + demo-complaints: copied, not regenerated),
#        BENCH_LOW_CONCURRENCY (connections of the second, low-load pass over the reads; default 4).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/bench/common.sh
source "$(dirname "$0")/bench/common.sh"

BENCH_SECONDS="${BENCH_SECONDS:-10}"
COMPLAINTS="${BENCH_COMPLAINTS:-1000000}"
SUBMIT_CONNECTIONS=32
WRK_ARGS=(-t2 "-c$SUBMIT_CONNECTIONS" "-d${BENCH_SECONDS}s" --latency --timeout 10s)
READY_TIMEOUT_S=600
OUT_DIR="out/bench"
REPORT="$OUT_DIR/complaints.md"
LUA_DIR="$(pwd)/scripts/bench"

bench_tools
bench_binary
mkdir -p "$OUT_DIR"
WORK="$(mktemp -d /tmp/zhili-bench-c.XXXXXX)"
SERVER_PID=""
# shellcheck disable=SC2317  # called from the EXIT trap
cleanup() { stop_server; rm -rf "$WORK"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
PORT="$(free_port "${BENCH_PORT:-18280}")" || die "no free port"
BASE="http://127.0.0.1:$PORT"
DATA="$WORK/data"
SERVER_LOG="$OUT_DIR/server-complaints.log"
: >"$SERVER_LOG"

if [[ -n "${BENCH_DATA:-}" ]]; then
  log "copying the prepared data folder $BENCH_DATA"
  cp -r "$BENCH_DATA" "$DATA"
  HISTORY_MS="(prepared beforehand, copied)"
else
  log "demo city (scale 1)"
  "$BIN" demo --scale 1 --data-dir "$DATA" >/dev/null 2>&1 || die "demo generation failed"
  log "adding $COMPLAINTS complaints of history"
  t0="$(now_ms)"
  "$BIN" demo-complaints --count "$COMPLAINTS" --data-dir "$DATA" >&2 || die "demo-complaints failed"
  HISTORY_MS="$(($(now_ms) - t0)) ms"
fi
DB_MB="$(du -m "$DATA/zhili.sqlite" | cut -f1)"

start_server
log "ready after ${START_MS} ms"

CITY_TOKEN="$(token_for city)"; COMMUNITY_TOKEN="$(token_for community)"; GRID_TOKEN="$(token_for grid001)"; RESIDENT_TOKEN="$(token_for resident)"
[[ -n "$CITY_TOKEN" && -n "$RESIDENT_TOKEN" && -n "$GRID_TOKEN" ]] || die "could not sign in the demo accounts"
COMMUNITY="$(curl -sS -H "Authorization: Bearer $COMMUNITY_TOKEN" "$BASE/api/v1/me" | python3 -c 'import json,sys; print(json.load(sys.stdin).get("nodeCode") or "")')"
# A point inside the first grid, for submissions.
read -r BENCH_LAT BENCH_LON < <(curl -sS -H "Authorization: Bearer $CITY_TOKEN" "$BASE/api/v1/grids.geojson" | python3 -c '
import json, sys
fc = json.load(sys.stdin)
ring = fc["features"][0]["geometry"]["coordinates"][0]
print(sum(p[1] for p in ring[:-1]) / (len(ring) - 1), sum(p[0] for p in ring[:-1]) / (len(ring) - 1))')
export BENCH_LAT BENCH_LON

declare -a ROWS=()
row() { ROWS+=("| $1 | $2 | $W_RPS | $W_P50 | ${W_P95:-?} | $W_P99 | $3 | $W_ERRORS |"); }
ratio() { awk -v a="$W_RPS" -v b="$HEALTH_RPS" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.1f%%", 100 * a / b; else print "?" }'; }

TOKEN="$CITY_TOKEN"
for path in /healthz /api/v1/complaints /api/v1/complaints/rates; do wrk -t1 -c4 -d1s -H "Authorization: Bearer $TOKEN" "$BASE$path" >/dev/null 2>&1 || true; done
log "wrk /healthz"
run_wrk healthz /healthz -s "$LUA_DIR/p95.lua"
HEALTH_RPS="$W_RPS"
row "/healthz (ceiling)" "city" "100%"

BEFORE="$(curl -sS -H "Authorization: Bearer $CITY_TOKEN" "$BASE/api/v1/complaints/rates" | python3 -c 'import json,sys; print(json.load(sys.stdin)["complaints"])')"
log "wrk POST /api/v1/complaints"
TOKEN="$RESIDENT_TOKEN"
export BENCH_TOKEN="$RESIDENT_TOKEN"
run_wrk "submit complaint" /api/v1/complaints -s "$LUA_DIR/submit.lua"
SUBMIT_RAW="$OUT_DIR/wrk-submit-complaint.txt"
SENT="$(awk '/requests in/ { print $1; exit }' "$SUBMIT_RAW")"
row "submit a complaint (POST, durable)" "resident" "$(ratio)"
AFTER="$(curl -sS -H "Authorization: Bearer $CITY_TOKEN" "$BASE/api/v1/complaints/rates" | python3 -c 'import json,sys; print(json.load(sys.stdin)["complaints"])')"
STORED=$((AFTER - BEFORE))
CREATED="$(awk '$1 == "created:" { print $2; exit }' "$SUBMIT_RAW")"
if [[ -z "$CREATED" ]]; then
  fail_later "the submit script did not report its 201 answers (see $SUBMIT_RAW)"
elif ((STORED < CREATED)); then
  # An acknowledged complaint that is not in the database was lost.
  fail_later "wrk counted $CREATED answers 201 Created, but only $STORED complaints were stored"
elif ((STORED > CREATED + SUBMIT_CONNECTIONS)); then
  # At wrk's deadline up to one request per connection is in flight: stored, its answer
  # never counted. More than that is complaints stored that nobody sent.
  fail_later "wrk counted $CREATED answers 201 Created, but $STORED complaints were stored (more than $SUBMIT_CONNECTIONS in flight)"
fi
IN_FLIGHT=$((STORED - CREATED))

measure() { # label user token path
  TOKEN="$3"
  log "wrk $4 as $2"
  run_wrk "$1" "$4" -s "$LUA_DIR/p95.lua"
  row "$1 \`$4\`" "$2" "$(ratio)"
}
measure "inbox, newest 50" city "$CITY_TOKEN" "/api/v1/complaints?limit=50"
measure "inbox, to review" community "$COMMUNITY_TOKEN" "/api/v1/complaints?status=submitted&limit=50"
measure "inbox, overdue" community "$COMMUNITY_TOKEN" "/api/v1/complaints?overdue=true&limit=50"
measure "inbox, grid worker" grid001 "$GRID_TOKEN" "/api/v1/complaints?limit=50"
measure "three rates, city by street" city "$CITY_TOKEN" "/api/v1/complaints/rates"
measure "three rates, one community" community "$COMMUNITY_TOKEN" "/api/v1/complaints/rates?under=$COMMUNITY"
measure "three rates, one quarter" city "$CITY_TOKEN" "/api/v1/complaints/rates?fromMonth=$(date -u +%Y)-01&toMonth=$(date -u +%Y)-03"
# The same reads with a few connections: the latency one official sees, not a queue of 32.
LOW="${BENCH_LOW_CONCURRENCY:-4}"
WRK_ARGS=(-t2 "-c$LOW" "-d${BENCH_SECONDS}s" --latency --timeout 10s)
measure "inbox, newest 50 (c=$LOW)" city "$CITY_TOKEN" "/api/v1/complaints?limit=50"
measure "inbox, overdue (c=$LOW)" community "$COMMUNITY_TOKEN" "/api/v1/complaints?overdue=true&limit=50"
measure "three rates, city by street (c=$LOW)" city "$CITY_TOKEN" "/api/v1/complaints/rates"
measure "three rates, one community (c=$LOW)" community "$COMMUNITY_TOKEN" "/api/v1/complaints/rates?under=$COMMUNITY"
RSS="$(rss_mb "$SERVER_PID" VmHWM)"
stop_server

commit="$(git rev-parse --short HEAD 2>/dev/null || echo none)"
if [[ -n "$(git status --porcelain 2>/dev/null)" ]]; then commit="$commit (+ uncommitted changes)"; fi
{
  echo "## 接诉即办 benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "Commit $commit; $(nproc) cores, wrk and server on the same machine; wrk -t2 -c32 (then -c$LOW) -d${BENCH_SECONDS}s; SQLite (WAL, synchronous=FULL)."
  echo
  echo "| measure | value |"
  echo "| --- | --- |"
  echo "| complaints in the database | $((AFTER)) (demo year + $COMPLAINTS added) |"
  echo "| \`zhili demo-complaints --count $COMPLAINTS\` (with events and rate cells) | $HISTORY_MS |"
  echo "| database file before the run | $DB_MB MB |"
  echo "| POST requests wrk sent / answered 201 / complaints stored | ${SENT:-?} / ${CREATED:-?} / $STORED (${IN_FLIGHT:-?} in flight at wrk's deadline) |"
  echo "| server peak RSS | $RSS MB |"
  echo
  echo "| endpoint | as | req/s | p50 ms | p95 ms | p99 ms | vs /healthz | errors |"
  echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"
  printf '%s\n' "${ROWS[@]}"
  echo
  echo "errors = non-2xx/3xx answers + socket errors; requests cut off by wrk's deadline may be counted as sent and not stored."
} >"$REPORT"
echo
cat "$REPORT"
finish_or_fail
