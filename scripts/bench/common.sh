# Shared by the benchmark scripts: logging, ports, stopping the server, wrk parsing.
# Expects OUT_DIR and TOKEN (for run_wrk) from the caller; sets W_* after run_wrk.
# shellcheck shell=bash

log() { echo "bench: $*" >&2; }
die() { echo "bench: error: $*" >&2; exit 1; }

# Problems that make a figure untrue (errors under load, rejected rows, lost writes): the
# report is still written, then the run fails listing them (`finish_or_fail`).
FAILURES=()
fail_later() { FAILURES+=("$*"); log "FAILED: $*"; }
finish_or_fail() {
  if ((${#FAILURES[@]} > 0)); then
    printf 'bench: the figures above are not to be trusted:\n' >&2
    printf '  - %s\n' "${FAILURES[@]}" >&2
    exit 1
  fi
}

if ! command -v swift >/dev/null 2>&1 && [[ -x /opt/swift/usr/bin/swift ]]; then
  export PATH="/opt/swift/usr/bin:$PATH"
fi

# Installs wrk and curl from Debian when missing.
bench_tools() {
  local need_apt=()
  command -v wrk >/dev/null 2>&1 || need_apt+=(wrk)
  command -v curl >/dev/null 2>&1 || need_apt+=(curl)
  if ((${#need_apt[@]})); then
    [[ "$(id -u)" -eq 0 ]] || die "missing ${need_apt[*]}: sudo apt-get install -y ${need_apt[*]}"
    log "installing ${need_apt[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get -q -y -o DPkg::Lock::Timeout=600 update >&2
    apt-get -q -y -o DPkg::Lock::Timeout=600 install --no-install-recommends "${need_apt[@]}" >&2
  fi
}

# Sets BIN: BENCH_BIN, or a release build (skipped with BENCH_SKIP_BUILD=1).
bench_binary() {
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
}

# Starts the server on $DATA with the given extra arguments; sets START_MS to the ms from launch to the first
# ready answer (not via $(...): SERVER_PID must stay in this shell).
start_server() {
  local t0 t1
  t0="$(now_ms)"
  "$BIN" serve "$@" --data-dir "$DATA" --port "$PORT" --host 127.0.0.1 >>"$SERVER_LOG" 2>&1 &
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

# Prints a bearer token for a demo account (password Demo@2026).
token_for() {
  curl -sS --max-time 10 -X POST -H 'Content-Type: application/json' \
    -d "{\"username\":\"$1\",\"password\":\"${BENCH_PASSWORD:-Demo@2026}\"}" "$BASE/api/v1/auth/token" |
    python3 -c 'import json, sys; print(json.load(sys.stdin).get("token", ""))' 2>/dev/null || true
}

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
# Extra wrk arguments (a Lua script, say) may follow the path.
run_wrk() {
  local label=$1 path=$2 raw file
  shift 2
  file="$OUT_DIR/wrk-$(echo "$label" | tr -c 'A-Za-z0-9' '-' | sed 's/-*$//').txt"
  raw="$(wrk "${WRK_ARGS[@]}" -H "Authorization: Bearer $TOKEN" "$@" "$BASE$path" 2>&1)" || true
  printf '%s\n' "$raw" >"$file"
  W_RPS="$(awk '/^Requests\/sec:/ { print $2 }' <<<"$raw")"
  W_P50="$(to_ms "$(awk '$1 == "50%" { print $2; exit }' <<<"$raw")")"
  W_P99="$(to_ms "$(awk '$1 == "99%" { print $2; exit }' <<<"$raw")")"
  W_P95="$(to_ms "$(awk '$1 == "p95:" { print $2; exit }' <<<"$raw")")"
  # Non-2xx answers and socket errors make a throughput figure meaningless: show them.
  W_ERRORS="$(awk '
    /Non-2xx or 3xx responses:/ { e += $NF }
    /Socket errors:/ { gsub(/,/, ""); for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+$/) e += $i }
    END { print e + 0 }' <<<"$raw")"
  [[ -n "$W_RPS" ]] || { W_RPS="?"; fail_later "could not parse wrk output for $label (see $file)"; }
  if ((W_ERRORS > 0)); then fail_later "$label: $W_ERRORS errors under load (see $file)"; fi
}

