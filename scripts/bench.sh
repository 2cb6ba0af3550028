#!/usr/bin/env bash
# Benchmark harness (not a test: it prints figures, it does not judge them).
#
#   scripts/bench.sh            # release build, then all measurements
#
# Measures, on a release build and a fresh data directory:
#   - demo generation + cold start (launch -> first 200 from /readyz), then a
#     second cold start on the existing data (no generation);
#   - resident memory after warm-up and peak after load (/proc/PID/status);
#   - wrk throughput and latency: /healthz first (the ceiling of the stack),
#     then each entry of ENDPOINTS below, with a ratio to /healthz;
#   - `zhili demo --scale 1` and `--scale 10` generation times.
# Prints a Markdown report at the end and writes it to out/bench/latest.md.
# wrk and the server share this machine's cores: compare runs with each other,
# not with figures from bigger machines.
#
# Knobs: BENCH_SECONDS (wrk duration per endpoint, default 10),
#        BENCH_SKIP_SCALE10=1, BENCH_SKIP_BUILD=1, BENCH_BIN (binary to use),
#        BENCH_PORT (first port tried, default 18180), BENCH_SCALE (demo city scale, default 1),
#        BENCH_IMPORT_ROWS (rows of the timed resident import, default 100000; 0 skips it),
#        BENCH_POSTGRES=1 (the same on a throwaway PostgreSQL cluster on 127.0.0.1:55432).
set -euo pipefail
cd "$(dirname "$0")/.."

# Endpoints to load, one "label|path" per line; add lines to measure more.
ENDPOINTS=(
  "hierarchy listing|/api/v1/nodes/620982/children"
  "node detail|/api/v1/nodes/620982001001001"
  "point to grid|/api/v1/grids/locate?lat=40.1420&lon=94.6620"
  "grid geojson|/api/v1/grids.geojson"
  "search by name|/api/v1/residents/search?q=%E7%8E%8B%E4%BC%9F"
  "search by initials|/api/v1/residents/search?q=wj"
  "search by ID number|/api/v1/residents/search?q=@ID@"
  "grid profile|/api/v1/nodes/620982001001001/profile"
  "person profile|/api/v1/residents/@RID@/profile"
)
# @ID@ and @RID@ are replaced by a real resident's ID number and id from the demo city.

BENCH_SECONDS="${BENCH_SECONDS:-10}"
WRK_ARGS=(-t2 -c32 "-d${BENCH_SECONDS}s" --latency --timeout 10s)
BENCH_USER="city"
BENCH_PASSWORD="Demo@2026"
READY_TIMEOUT_S=600   # first start generates the demo data set
OUT_DIR="out/bench"
REPORT="$OUT_DIR/latest.md"

# shellcheck source=scripts/bench/common.sh
source "$(dirname "$0")/bench/common.sh"

# --- tools -------------------------------------------------------------------
bench_tools

# --- build -------------------------------------------------------------------
bench_binary

PG_STARTED=0
if [[ "${BENCH_POSTGRES:-0}" == 1 ]]; then
  DATABASE_URL="$(scripts/pg-cluster.sh start)" || die "could not start PostgreSQL"
  export DATABASE_URL
  PG_STARTED=1
  log "database: $DATABASE_URL"
fi

mkdir -p "$OUT_DIR"
WORK="$(mktemp -d /tmp/zhili-bench.XXXXXX)"
SERVER_PID=""

# shellcheck disable=SC2317  # called from the EXIT trap
cleanup() {
  stop_server
  rm -rf "$WORK"
  if ((PG_STARTED)); then scripts/pg-cluster.sh stop || true; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PORT="$(free_port "${BENCH_PORT:-18180}")" || die "no free port"
BASE="http://127.0.0.1:$PORT"
DATA="$WORK/data"
SERVER_LOG="$OUT_DIR/server.log"

: >"$SERVER_LOG"

# --- startup -----------------------------------------------------------------
log "first start: demo generation + cold start on $BASE"
start_server --demo --scale "${BENCH_SCALE:-1}"
COLD_GEN_MS="$START_MS"
log "  ready after ${COLD_GEN_MS} ms"
stop_server
log "second start on the existing data"
start_server --demo --scale "${BENCH_SCALE:-1}"
COLD_MS="$START_MS"
log "  ready after ${COLD_MS} ms"
PID="$SERVER_PID"

TOKEN="$(token_for "$BENCH_USER")"
[[ -n "$TOKEN" ]] || die "could not get a token for $BENCH_USER from /api/v1/auth/token"

# A real person to look up: the operator's unmasked export of the first grid (audited).
"$BIN" export residents --under 620982001001001 --unmasked --reason "benchmark sample" --out "$WORK/sample.csv" --data-dir "$DATA" >/dev/null 2>&1 \
  || die "could not export a sample resident"
SAMPLE_ID="$(python3 -c 'import csv,sys; r=next(csv.DictReader(open(sys.argv[1], encoding="utf-8-sig"))); print(r["证件号码"])' "$WORK/sample.csv")"
SAMPLE_RID="$(curl -sS --max-time 10 -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/residents/search?q=$SAMPLE_ID" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')"
for k in "${!ENDPOINTS[@]}"; do ENDPOINTS[$k]="${ENDPOINTS[$k]//@ID@/$SAMPLE_ID}"; ENDPOINTS[$k]="${ENDPOINTS[$k]//@RID@/$SAMPLE_RID}"; done

# --- warm-up + memory ---------------------------------------------------------
declare -a STATUS=()
for entry in "${ENDPOINTS[@]}"; do
  path="${entry#*|}"
  STATUS+=("$(curl -s -o /dev/null -w '%{http_code}' --max-time 30 -H "Authorization: Bearer $TOKEN" "$BASE$path" || echo 000)")
done
log "warm-up (1 s of light load per endpoint)"
for path in /healthz "${ENDPOINTS[@]#*|}"; do
  wrk -t1 -c4 -d1s -H "Authorization: Bearer $TOKEN" "$BASE$path" >/dev/null 2>&1 || true
done
RSS_WARM="$(rss_mb "$PID" VmRSS)"
log "RSS after warm-up: ${RSS_WARM} MB"

# --- throughput --------------------------------------------------------------
# /healthz swings by a third from one run to the next on this VM, so each endpoint is
# measured right after a /healthz run of its own and compared with that one.
declare -a ROWS=()
declare -a HEALTH_RUNS=()
i=0
for entry in "${ENDPOINTS[@]}"; do
  label="${entry%%|*}"
  path="${entry#*|}"
  log "wrk ${WRK_ARGS[*]} /healthz, then $path"
  run_wrk healthz /healthz
  HEALTH_RPS="$W_RPS"
  HEALTH_RUNS+=("$W_RPS")
  run_wrk "$label" "$path"
  ratio="$(awk -v a="$W_RPS" -v b="$HEALTH_RPS" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.1f%% (of %.0f)", 100 * a / b, b; else print "?" }')"
  ROWS+=("| $label | \`$path\` | ${STATUS[$i]} | $W_RPS | $W_P50 | $W_P99 | $ratio | $W_ERRORS |")
  i=$((i + 1))
  [[ "${STATUS[$((i - 1))]}" == 200 ]] || fail_later "$label answered ${STATUS[$((i - 1))]}, not 200, before the load"
done
ROWS=("| /healthz (ceiling, each run before an endpoint) | \`/healthz\` | 200 | $(IFS=/; echo "${HEALTH_RUNS[*]}") | | | 100% | |" "${ROWS[@]}")
RSS_LOAD="$(rss_mb "$PID" VmRSS)"
RSS_PEAK="$(rss_mb "$PID" VmHWM)"
stop_server

# --- resident import ----------------------------------------------------------
IMPORT_ROWS="${BENCH_IMPORT_ROWS:-100000}"
IMPORT="skipped"
if [[ "$IMPORT_ROWS" != 0 ]]; then
  log "import of $IMPORT_ROWS residents (dry run, then for real)"
  "$BIN" export households --under 620982 --out "$WORK/households.csv" --data-dir "$DATA" >/dev/null 2>&1
  python3 scripts/make-import-file.py "$WORK/households.csv" "$IMPORT_ROWS" "$WORK/import.csv"
  # Each run must take every row: a rate over rejected rows measures nothing.
  import_run() { # label, extra args…; sets IMPORT_LINE (no subshell, so failures are kept)
    local label=$1 out rc=0
    shift
    out="$("$BIN" import residents "$WORK/import.csv" "$@" --data-dir "$DATA" 2>&1)" || rc=$?
    local line
    line="$(grep -E '^(dry run|import) of' <<<"$out" | head -n 1)"
    if ((rc != 0)) || [[ -z "$line" ]]; then
      fail_later "resident import ($label) failed (exit $rc): $(head -n 3 <<<"$out" | tr '\n' ' ')"
    elif ! grep -q 'rejected rows 0' <<<"$line"; then
      fail_later "resident import ($label) rejected rows: $line"
    fi
    IMPORT_LINE="$line"
  }
  import_run "dry run" --dry-run
  DRY="$IMPORT_LINE"
  import_run import
  REAL="$IMPORT_LINE"
  import_run re-import
  AGAIN="$IMPORT_LINE"
  rate() { awk -v n="$IMPORT_ROWS" '{ for (i = 1; i <= NF; i++) if ($i == "s" && $(i-1) + 0 > 0) printf "%.0f rows/s (%s s)", n / $(i-1), $(i-1) }' <<<"$1"; }
  IMPORT="dry run $(rate "$DRY"); import $(rate "$REAL"); re-import (all unchanged) $(rate "$AGAIN")"
fi

# --- demo generation at scale ------------------------------------------------
time_demo() {
  local dir="$WORK/scale-$1" t0 rc=0
  rm -rf "$dir"
  t0="$(now_ms)"
  "$BIN" demo --scale "$1" --data-dir "$dir" >>"$OUT_DIR/demo.log" 2>&1 || rc=$?
  if ((rc != 0)); then echo "failed (exit $rc, see $OUT_DIR/demo.log)"; else echo "$(($(now_ms) - t0)) ms"; fi
  rm -rf "$dir"
}
: >"$OUT_DIR/demo.log"
if ((PG_STARTED)); then
  SCALE1="skipped (PostgreSQL: one database)"
  SCALE10="$SCALE1"
else
  log "zhili demo --scale 1"
  SCALE1="$(time_demo 1)"
fi
if ((PG_STARTED)); then
  :
elif [[ "${BENCH_SKIP_SCALE10:-0}" == 1 ]]; then
  SCALE10="skipped (BENCH_SKIP_SCALE10=1)"
else
  log "zhili demo --scale 10"
  SCALE10="$(time_demo 10)"
fi

# --- report ------------------------------------------------------------------
commit="$(git rev-parse --short HEAD 2>/dev/null || echo none)"
if [[ -n "$(git status --porcelain 2>/dev/null)" ]]; then commit="$commit (+ uncommitted changes)"; fi
cpu="$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
swift_ver="$(swift --version 2>/dev/null | head -n 1 | sed 's/^.*Swift version \([^ ]*\).*$/\1/' || echo '?')"
{
  echo "## Zhili benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "Commit $commit; binary \`${BIN#"$PWD"/}\`; Swift ${swift_ver}; $(nproc) cores (${cpu:-?}), wrk and server on the same machine;"
  echo "wrk ${WRK_ARGS[*]}; user \`$BENCH_USER\`; fresh data dir with \`serve --demo\`; database $( ((PG_STARTED)) && echo PostgreSQL || echo SQLite)."
  echo
  echo "| measure | value |"
  echo "| --- | --- |"
  echo "| demo generation + cold start (launch → /readyz) | ${COLD_GEN_MS} ms |"
  echo "| cold start on existing data | ${COLD_MS} ms |"
  echo "| RSS after warm-up | ${RSS_WARM} MB |"
  echo "| RSS after load / peak (VmHWM) | ${RSS_LOAD} MB / ${RSS_PEAK} MB |"
  echo "| \`zhili demo --scale 1\` | ${SCALE1} |"
  echo "| \`zhili demo --scale 10\` | ${SCALE10} |"
  echo "| resident import, ${IMPORT_ROWS} rows (scale ${BENCH_SCALE:-1}) | ${IMPORT} |"
  echo
  echo "| endpoint | path | status | req/s | p50 ms | p99 ms | vs /healthz | errors |"
  echo "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |"
  printf '%s\n' "${ROWS[@]}"
  echo
  echo "errors = non-2xx/3xx answers + socket errors during the wrk run; status = one GET before the load."
} >"$REPORT"

echo
cat "$REPORT"
log "written to $REPORT (raw wrk output in $OUT_DIR/wrk-*.txt)"
finish_or_fail
