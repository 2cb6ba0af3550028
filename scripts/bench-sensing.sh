#!/usr/bin/env bash
# Benchmark of sensing's ingestion and live push (prints figures, judges nothing but losses).
#
#   scripts/bench-sensing.sh            # SQLite;  BENCH_POSTGRES=1 for PostgreSQL
#
# 1. A fresh demo city (scale 1); BENCH_DEVICES (default 200) SOS buttons registered in the
#    first grid through the API, their keys kept for the run.
# 2. wrk against the release server: /healthz (the ceiling), single-event ingestion
#    (POST /api/v1/ingest/events, one heartbeat each, req/s and the ratio to /healthz), batched
#    ingestion (BENCH_BATCH events per request, default 500: events/s). Every event is stored
#    before its answer; afterwards the events stored are checked against those acknowledged.
# 3. SOS-to-screen latency: BENCH_SCREENS (default 1000) WebSocket screens of the grid's
#    worker hold /api/v1/live open; an SOS is pressed BENCH_PRESSES times (default 30) and
#    each screen's receipt is timed from the request: p50/p90/p99 over every receipt
#    (`zhili bench-live`, WebSocket clients on the binary's own event loops).
# 4. MQTT through a throwaway mosquitto (scripts/mqtt-broker.sh): the devices sign in to the
#    broker as themselves and publish BENCH_MQTT_MESSAGES single-event messages (default
#    20,000) at QoS 1; messages/s from the first publish to the last event stored
#    (`zhili bench-mqtt`). BENCH_SKIP_MQTT=1 leaves it out.
# The report goes to out/bench/sensing.md (and -postgres.md).
#
# Knobs: BENCH_SECONDS (10), BENCH_BIN, BENCH_SKIP_BUILD=1, BENCH_PORT, BENCH_POSTGRES=1.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/bench/common.sh
source "$(dirname "$0")/bench/common.sh"

BENCH_SECONDS="${BENCH_SECONDS:-10}"
DEVICES="${BENCH_DEVICES:-200}"
BATCH="${BENCH_BATCH:-500}"
SCREENS="${BENCH_SCREENS:-1000}"
PRESSES="${BENCH_PRESSES:-30}"
WRK_ARGS=(-t2 -c32 "-d${BENCH_SECONDS}s" --latency --timeout 10s)
READY_TIMEOUT_S=600
OUT_DIR="out/bench"
LUA_DIR="$(pwd)/scripts/bench"

bench_tools
bench_binary
mkdir -p "$OUT_DIR"
WORK="$(mktemp -d /tmp/zhili-bench-s.XXXXXX)"
SERVER_PID=""
PG_STARTED=0
# shellcheck disable=SC2317  # called from the EXIT trap
cleanup() {
  stop_server
  if [[ -n "${ZHILI_MQTT_URL:-}" ]]; then scripts/mqtt-broker.sh stop >/dev/null 2>&1 || true; fi
  if [[ "$PG_STARTED" == 1 ]]; then scripts/pg-cluster.sh stop >/dev/null 2>&1 || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
PORT="$(free_port "${BENCH_PORT:-18380}")" || die "no free port"
BASE="http://127.0.0.1:$PORT"
DATA="$WORK/data"
DB_ARGS=()
SUFFIX=""
if [[ "${BENCH_POSTGRES:-0}" == 1 ]]; then
  URL="$(scripts/pg-cluster.sh start)"
  PG_STARTED=1
  SCHEMA="bench_s_$$"
  psql "$URL" -q -c "CREATE SCHEMA $SCHEMA" >/dev/null
  export DATABASE_URL="$URL" ZHILI_DATABASE_SCHEMA="$SCHEMA"
  SUFFIX="-postgres"
fi
REPORT="$OUT_DIR/sensing$SUFFIX.md"
SERVER_LOG="$OUT_DIR/server-sensing$SUFFIX.log"
: >"$SERVER_LOG"

if [[ "${BENCH_SKIP_MQTT:-0}" != 1 ]]; then
  export ZHILI_MQTT_DIR="$WORK/mqtt" ZHILI_MQTT_PORT="$(free_port 51900)"
  ZHILI_MQTT_URL="$(scripts/mqtt-broker.sh start)"
  export ZHILI_MQTT_URL
fi

log "demo city (scale 1)"
"$BIN" demo --scale 1 --data-dir "$DATA" "${DB_ARGS[@]}" >/dev/null 2>&1 || die "demo generation failed"
start_server "${DB_ARGS[@]}"
log "ready after ${START_MS} ms"

COMMUNITY_TOKEN="$(token_for community)"; GRID_TOKEN="$(token_for grid001)"
GRID="$(curl -sS -H "Authorization: Bearer $GRID_TOKEN" "$BASE/api/v1/me" | python3 -c 'import json,sys; print(json.load(sys.stdin).get("nodeCode") or "")')"
[[ -n "$GRID" ]] || die "grid001 has no grid"
KEYS="$WORK/keys.txt"
log "registering $DEVICES devices in grid $GRID"
python3 - "$BASE" "$COMMUNITY_TOKEN" "$GRID" "$DEVICES" "$KEYS" <<'PY'
import json, sys, urllib.request
base, token, grid, n, out = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
with open(out, "w") as f:
    for i in range(n):
        body = {"code": f"BENCH-{i:05d}", "kind": "sos", "name": f"压测按钮{i}", "nodeCode": grid}
        req = urllib.request.Request(base + "/api/v1/devices", method="POST", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(req) as res:
            f.write(json.load(res)["key"] + "\n")
PY
paste -d' ' <(seq -f 'BENCH-%05g' 0 $((DEVICES - 1))) "$KEYS" >"$WORK/devices.txt"
export BENCH_KEYS="$KEYS"
count_events() {
  curl -sS -H "Authorization: Bearer $(token_for admin)" "$BASE/metrics" >/dev/null 2>&1 || true
  if [[ "${BENCH_POSTGRES:-0}" == 1 ]]; then
    psql "$URL" -tA -c "SELECT COUNT(*) FROM $SCHEMA.device_events"
  else
    python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT COUNT(*) FROM device_events').fetchone()[0])" "$DATA/zhili.sqlite"
  fi
}

declare -a ROWS=()
TOKEN="$GRID_TOKEN"
run_wrk "healthz" /healthz
HEALTH_RPS="$W_RPS"
ROWS+=("| /healthz (ceiling) | $W_RPS req/s | — | $W_P50 | $W_P99 | $W_ERRORS |")

accepted_of() { awk '/^accepted:/ { s += $2 } END { print s + 0 }' "$1"; }
before="$(count_events)"
BENCH_BATCH=1 run_wrk "ingest-single" /api/v1/ingest/events -s "$LUA_DIR/ingest.lua"
single_rps="$W_RPS"
ratio="$(awk -v a="$W_RPS" -v b="$HEALTH_RPS" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.1f%%", 100 * a / b; else print "?" }')"
ROWS+=("| single event (POST /ingest/events) | $W_RPS req/s = events/s | $ratio | $W_P50 | $W_P99 | $W_ERRORS |")
mid="$(count_events)"
BENCH_BATCH="$BATCH" run_wrk "ingest-batch" /api/v1/ingest/batch -s "$LUA_DIR/ingest.lua"
batch_eps="$(awk -v r="$W_RPS" -v b="$BATCH" 'BEGIN { printf "%.0f", r * b }')"
ROWS+=("| batches of $BATCH (POST /ingest/batch) | $W_RPS req/s = $batch_eps events/s | — | $W_P50 | $W_P99 | $W_ERRORS |")
after="$(count_events)"

log "SOS to $SCREENS screens, $PRESSES presses"
SOS_KEY="$(head -1 "$KEYS")"
LAT_JSON="$("$BIN" bench-live --base-url "$BASE" --key "$SOS_KEY" --username grid001 --screens "$SCREENS" --presses "$PRESSES" 2>/dev/null | tail -1)"
log "latency: $LAT_JSON"

MQTT_JSON="(skipped)"
if [[ -n "${ZHILI_MQTT_URL:-}" ]]; then
  log "MQTT: ${BENCH_MQTT_MESSAGES:-20000} messages from $DEVICES devices"
  MQTT_JSON="$("$BIN" bench-mqtt --broker "mqtt://x:x@127.0.0.1:$ZHILI_MQTT_PORT" --devices "$WORK/devices.txt" \
    --messages "${BENCH_MQTT_MESSAGES:-20000}" --data-dir "$DATA" 2>"$OUT_DIR/bench-mqtt$SUFFIX.log" | tail -1)" \
    || MQTT_JSON="(failed: see $OUT_DIR/bench-mqtt$SUFFIX.log)"
  log "mqtt: $MQTT_JSON"
fi

{
  echo "# Sensing benchmark$SUFFIX ($(date -u +%Y-%m-%d), $(nproc) cores, release build)"
  echo
  echo "| what | rate | ratio to /healthz | p50 ms | p99 ms | errors |"
  echo "|---|---|---|---|---|---|"
  printf '%s\n' "${ROWS[@]}"
  echo
  echo "Events stored: $((mid - before)) in the single-event pass, $((after - mid)) in the batch pass."
  echo
  echo "SOS to screens (HTTP request sent → frame received, loopback): \`$LAT_JSON\`"
  echo
  echo "MQTT through mosquitto (QoS 1, single-event messages, first publish → last event stored): \`$MQTT_JSON\`"
} >"$REPORT"
cat "$REPORT"
