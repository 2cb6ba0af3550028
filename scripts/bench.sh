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
#        BENCH_IMPORT_ROWS (rows of the timed resident import, default 100000; 0 skips it).
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

log() { echo "bench: $*" >&2; }
die() { echo "bench: error: $*" >&2; exit 1; }

if ! command -v swift >/dev/null 2>&1 && [[ -x /opt/swift/usr/bin/swift ]]; then
  export PATH="/opt/swift/usr/bin:$PATH"
fi

# --- tools -------------------------------------------------------------------
need_apt=()
command -v wrk >/dev/null 2>&1 || need_apt+=(wrk)
command -v curl >/dev/null 2>&1 || need_apt+=(curl)
if ((${#need_apt[@]})); then
  [[ "$(id -u)" -eq 0 ]] || die "missing ${need_apt[*]}: sudo apt-get install -y ${need_apt[*]}"
  log "installing ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -q -y -o DPkg::Lock::Timeout=600 update >&2
  apt-get -q -y -o DPkg::Lock::Timeout=600 install --no-install-recommends "${need_apt[@]}" >&2
fi

# --- build -------------------------------------------------------------------
if [[ -n "${BENCH_BIN:-}" ]]; then
  BIN="$BENCH_BIN"
else
  if [[ "${BENCH_SKIP_BUILD:-0}" != 1 ]]; then
    log "building release (swift build -c release)"
    swift build -c release >&2
  fi
  BIN="$(swift build -c release --show-bin-path)/zhili"
fi
[[ -x "$BIN" ]] || die "binary $BIN not found"

mkdir -p "$OUT_DIR"
WORK="$(mktemp -d /tmp/zhili-bench.XXXXXX)"
SERVER_PID=""

now_ms() { echo $(($(date +%s%N) / 1000000)); }

free_port() {
  local p
  for ((p = $1; p < $1 + 200; p++)); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return 0; fi
  done
  return 1
}

stop_server() {
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=""
}

# shellcheck disable=SC2317  # called from the EXIT trap
cleanup() {
  stop_server
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PORT="$(free_port "${BENCH_PORT:-18180}")" || die "no free port"
BASE="http://127.0.0.1:$PORT"
DATA="$WORK/data"
SERVER_LOG="$OUT_DIR/server.log"

# Starts the server on $DATA; sets START_MS to the ms from launch to the first
# ready answer (not via $(...): SERVER_PID must stay in this shell).
start_server() {
  local t0 t1
  t0="$(now_ms)"
  "$BIN" serve --demo --scale "${BENCH_SCALE:-1}" --data-dir "$DATA" --port "$PORT" --host 127.0.0.1 >>"$SERVER_LOG" 2>&1 &
  SERVER_PID=$!
  until curl -fsS --max-time 1 -o /dev/null "$BASE/readyz" 2>/dev/null; do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      tail -n 30 "$SERVER_LOG" >&2 || true
      die "server exited before becoming ready"
    fi
    if (($(now_ms) - t0 > READY_TIMEOUT_S * 1000)); then
      tail -n 30 "$SERVER_LOG" >&2 || true
      die "server not ready after ${READY_TIMEOUT_S}s"
    fi
    sleep 0.01
  done
  t1="$(now_ms)"
  START_MS=$((t1 - t0))
}

rss_mb() { awk -v k="$2:" '$1 == k { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }

# "520.00us" / "1.23ms" / "2.00s" / "1.00m" -> milliseconds.
to_ms() {
  awk -v v="$1" 'BEGIN {
    if (match(v, /^[0-9.]+/) == 0) { print "?"; exit }
    n = substr(v, 1, RLENGTH); u = substr(v, RLENGTH + 1)
    f = (u == "us") ? 0.001 : (u == "ms") ? 1 : (u == "s") ? 1000 : (u == "m") ? 60000 : (u == "h") ? 3600000 : -1
    if (f < 0) { print "?"; exit }
    printf "%.2f", n * f
  }'
}

# Runs wrk on a path; sets W_RPS, W_P50, W_P99 (ms) and W_ERRORS; keeps the raw output.
run_wrk() {
  local label=$1 path=$2 raw file
  file="$OUT_DIR/wrk-$(echo "$label" | tr -c 'A-Za-z0-9' '-' | sed 's/-*$//').txt"
  raw="$(wrk "${WRK_ARGS[@]}" -H "Authorization: Bearer $TOKEN" "$BASE$path" 2>&1)" || true
  printf '%s\n' "$raw" >"$file"
  W_RPS="$(awk '/^Requests\/sec:/ { print $2 }' <<<"$raw")"
  W_P50="$(to_ms "$(awk '$1 == "50%" { print $2; exit }' <<<"$raw")")"
  W_P99="$(to_ms "$(awk '$1 == "99%" { print $2; exit }' <<<"$raw")")"
  # Non-2xx answers and socket errors make a throughput figure meaningless: show them.
  W_ERRORS="$(awk '
    /Non-2xx or 3xx responses:/ { e += $NF }
    /Socket errors:/ { gsub(/,/, ""); for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+$/) e += $i }
    END { print e + 0 }' <<<"$raw")"
  [[ -n "$W_RPS" ]] || { W_RPS="?"; log "could not parse wrk output for $label (see $file)"; }
}

: >"$SERVER_LOG"

# --- startup -----------------------------------------------------------------
log "first start: demo generation + cold start on $BASE"
start_server
COLD_GEN_MS="$START_MS"
log "  ready after ${COLD_GEN_MS} ms"
stop_server
log "second start on the existing data"
start_server
COLD_MS="$START_MS"
log "  ready after ${COLD_MS} ms"
PID="$SERVER_PID"

TOKEN="$(curl -sS --max-time 10 -X POST -H 'Content-Type: application/json' \
  -d "{\"username\":\"$BENCH_USER\",\"password\":\"$BENCH_PASSWORD\"}" "$BASE/api/v1/auth/token" |
  python3 -c 'import json, sys; print(json.load(sys.stdin).get("token", ""))' 2>/dev/null)" || TOKEN=""
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
declare -a ROWS=()
log "wrk ${WRK_ARGS[*]} /healthz"
run_wrk healthz /healthz
HEALTH_RPS="$W_RPS"
ROWS+=("| /healthz (ceiling) | \`/healthz\` | 200 | $W_RPS | $W_P50 | $W_P99 | 100% | $W_ERRORS |")
i=0
for entry in "${ENDPOINTS[@]}"; do
  label="${entry%%|*}"
  path="${entry#*|}"
  log "wrk ${WRK_ARGS[*]} $path"
  run_wrk "$label" "$path"
  ratio="$(awk -v a="$W_RPS" -v b="$HEALTH_RPS" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.1f%%", 100 * a / b; else print "?" }')"
  ROWS+=("| $label | \`$path\` | ${STATUS[$i]} | $W_RPS | $W_P50 | $W_P99 | $ratio | $W_ERRORS |")
  i=$((i + 1))
done
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
  DRY="$("$BIN" import residents "$WORK/import.csv" --dry-run --data-dir "$DATA" 2>/dev/null | grep -E '^dry run' || true)"
  REAL="$("$BIN" import residents "$WORK/import.csv" --data-dir "$DATA" 2>/dev/null | grep -E '^import' || true)"
  AGAIN="$("$BIN" import residents "$WORK/import.csv" --data-dir "$DATA" 2>/dev/null | grep -E '^import' || true)"
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
log "zhili demo --scale 1"
SCALE1="$(time_demo 1)"
if [[ "${BENCH_SKIP_SCALE10:-0}" == 1 ]]; then
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
  echo "wrk ${WRK_ARGS[*]}; user \`$BENCH_USER\`; fresh data dir with \`serve --demo\`."
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
