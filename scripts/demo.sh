#!/usr/bin/env bash
# Quick start: build and run the platform with the demo city on embedded SQLite.
# Installs the Debian packages it needs when missing: libjs-leaflet (the map, served
# by the app), libjpeg-dev + libpng-dev (the photo thumbnailer links them), and
# mosquitto + mosquitto-clients + libmosquitto-dev (the MQTT door: a throwaway broker on
# loopback that part of the demo's devices publish to; set ZHILI_MQTT_URL to use your own).
set -euo pipefail
cd "$(dirname "$0")/.."
missing=()
[[ -f /usr/share/javascript/leaflet/leaflet.js ]] || missing+=(libjs-leaflet)
[[ -f /usr/include/jpeglib.h ]] || missing+=(libjpeg-dev)
[[ -f /usr/include/png.h ]] || missing+=(libpng-dev)
[[ -f /usr/include/mosquitto.h ]] || missing+=(libmosquitto-dev)
[[ -x /usr/sbin/mosquitto ]] || command -v mosquitto >/dev/null 2>&1 || missing+=(mosquitto)
command -v mosquitto_ctrl >/dev/null 2>&1 || missing+=(mosquitto-clients)
if ((${#missing[@]})); then
  if [[ "$(id -u)" -eq 0 ]]; then
    echo "demo: installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get -q -y update >&2 && apt-get -q -y install --no-install-recommends "${missing[@]}" >&2
  else
    echo "demo: please install first: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi
# The demo has no SMS gateway: texts go to the console with the number masked, so the
# whole path (outbox, retries, settings) can be tried. Set ZHILI_SMS_URL to a gateway instead.
export ZHILI_SMS_URL="${ZHILI_SMS_URL:-log}"
DATA_DIR="${ZHILI_DATA_DIR:-./data}"
mkdir -p "$DATA_DIR"
if [[ -z "${ZHILI_MQTT_URL:-}" ]]; then
  export ZHILI_MQTT_DIR="${ZHILI_MQTT_DIR:-$(cd "$DATA_DIR" && pwd)/mqtt}"
  export ZHILI_MQTT_PORT="${ZHILI_MQTT_PORT:-51884}"
  ZHILI_MQTT_URL="$(scripts/mqtt-broker.sh start)"
  export ZHILI_MQTT_URL
  trap 'scripts/mqtt-broker.sh stop >/dev/null 2>&1 || true' EXIT
  echo "demo: MQTT broker on 127.0.0.1:${ZHILI_MQTT_PORT} (devices publish to zhili/devices/<code>/events)" >&2
fi
# The wristband protocol's port (watches are pointed at it; part of the demo's wristbands use it).
export ZHILI_WRISTBAND_PORT="${ZHILI_WRISTBAND_PORT:-18001}"
swift run zhili serve --demo --data-dir "$DATA_DIR" "$@"
