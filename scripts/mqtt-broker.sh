#!/usr/bin/env bash
# A throwaway Eclipse mosquitto broker (Debian's package) on 127.0.0.1, with the
# dynamic-security plugin, for the tests, the demo and the benchmarks.
#
#   scripts/mqtt-broker.sh start   # init (first time) + start; prints the platform's URL on stdout
#   scripts/mqtt-broker.sh url     # prints the URL
#   scripts/mqtt-broker.sh stop    # stops it and deletes its directory
#
# The URL (mqtt://zhili-admin:PASSWORD@127.0.0.1:PORT) names the broker's dynamic-security
# administrator: the platform signs in with it, subscribes to the devices' topics and keeps
# the broker's clients and roles in step with its device registry. Devices are refused
# unless the platform created them (allow_anonymous false). Only the URL goes to stdout.
#
# Knobs: ZHILI_MQTT_DIR (default /tmp/zhili-mqtt), ZHILI_MQTT_PORT (default 51883).
set -euo pipefail

BASE="${ZHILI_MQTT_DIR:-/tmp/zhili-mqtt}"
PORT="${ZHILI_MQTT_PORT:-51883}"
MARKER="$BASE/.zhili-mqtt-broker"
CONF="$BASE/mosquitto.conf"
PIDFILE="$BASE/mosquitto.pid"
ADMIN="zhili-admin"

log() { echo "mqtt-broker: $*" >&2; }
die() { log "error: $*"; exit 1; }
usage() { echo "usage: $0 start|stop|url" >&2; exit 2; }

plugin_path() {
  local p
  for p in /usr/lib/*/mosquitto_dynamic_security.so /usr/lib/mosquitto_dynamic_security.so; do
    [[ -f "$p" ]] && { echo "$p"; return; }
  done
  die "mosquitto_dynamic_security.so not found (apt-get install mosquitto)"
}

url() {
  [[ -f "$BASE/admin.password" ]] || die "no broker in $BASE (start it first)"
  echo "mqtt://${ADMIN}:$(cat "$BASE/admin.password")@127.0.0.1:${PORT}"
}

running_pid() {
  local pid state
  [[ -f "$PIDFILE" ]] || return 1
  pid="$(cat "$PIDFILE" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  state="$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null || true)"
  [[ -n "$state" && "$state" != "Z" && "$state" != "X" ]] || return 1
  echo "$pid"
}

cmd_start() {
  command -v mosquitto >/dev/null 2>&1 || [[ -x /usr/sbin/mosquitto ]] || die "mosquitto is not installed (scripts/setup-deps.sh)"
  local bin=/usr/sbin/mosquitto
  command -v mosquitto >/dev/null 2>&1 && bin="$(command -v mosquitto)"
  if running_pid >/dev/null; then
    log "already running on port $PORT, reusing it"
    url
    return
  fi
  if [[ -e "$BASE" ]]; then
    [[ -f "$MARKER" ]] || die "$BASE exists and is not a zhili broker directory; refusing to touch it"
    rm -rf "$BASE"
  fi
  if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
    die "port $PORT is already in use by another process (set ZHILI_MQTT_PORT)"
  fi
  mkdir -p "$BASE"
  touch "$MARKER"
  local password
  password="$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  echo "$password" >"$BASE/admin.password"
  # mosquitto_ctrl writes the plugin's first state: the administrator and its role.
  mosquitto_ctrl dynsec init "$BASE/dynamic-security.json" "$ADMIN" "$password" >"$BASE/init.log" 2>&1 \
    || { cat "$BASE/init.log" >&2; die "dynsec init failed"; }
  cat >"$CONF" <<EOF
# zhili throwaway broker: loopback only, every client known to the dynamic-security plugin.
per_listener_settings false
allow_anonymous false
listener $PORT 127.0.0.1
persistence true
persistence_location $BASE/
autosave_interval 1
pid_file $PIDFILE
log_dest file $BASE/mosquitto.log
log_type error
log_type warning
log_type notice
max_inflight_messages 100
max_queued_messages 100000
plugin $(plugin_path)
plugin_opt_config_file $BASE/dynamic-security.json
EOF
  # As root, mosquitto drops to its own user: let that user keep the plugin's file and the store
  # (or, where that user cannot reach the directory, such as inside a private temporary one,
  # keep running as root: the broker listens on loopback only).
  if [[ "$(id -u)" -eq 0 ]] && id mosquitto >/dev/null 2>&1; then
    chown -R mosquitto "$BASE"
    if ! runuser -u mosquitto -- test -w "$BASE" 2>/dev/null; then
      echo "user root" >>"$CONF"
      log "the mosquitto user cannot reach $BASE; the broker runs as root"
    fi
  fi
  "$bin" -c "$CONF" -d
  local i
  for ((i = 0; i < 100; i++)); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
      grant_platform_role "$password"
      log "ready on 127.0.0.1:$PORT"
      url
      return
    fi
    sleep 0.1
  done
  tail -n 20 "$BASE/mosquitto.log" >&2 || true
  die "broker did not start"
}

# The platform answers refused messages on <root>/devices/<code>/errors: its account gets the
# role that allows it (the platform grants it itself when missing, at the price of its
# connections restarting once; granted here, parallel test runs never see that).
grant_platform_role() {
  local ctl=(mosquitto_ctrl -h 127.0.0.1 -p "$PORT" -u "$ADMIN" -P "$1" dynsec)
  "${ctl[@]}" createRole zhili-platform >>"$BASE/init.log" 2>&1 \
    && "${ctl[@]}" addRoleACL zhili-platform publishClientSend '+/devices/+/errors' allow 5 >>"$BASE/init.log" 2>&1 \
    && "${ctl[@]}" addClientRole "$ADMIN" zhili-platform >>"$BASE/init.log" 2>&1 \
    || { cat "$BASE/init.log" >&2; die "could not grant the platform role"; }
}

cmd_stop() {
  [[ -e "$BASE" ]] || { log "nothing to stop ($BASE does not exist)"; return 0; }
  [[ -f "$MARKER" ]] || die "$BASE is not a zhili broker directory; refusing to delete it"
  local pid
  if pid="$(running_pid)"; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -rf "$BASE"
  log "stopped and removed $BASE"
}

[[ $# -eq 1 ]] || usage
case "$1" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  url) url ;;
  *) usage ;;
esac
