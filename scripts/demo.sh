#!/usr/bin/env bash
# Quick start: build and run the platform with the demo city on embedded SQLite.
# Installs the one browser library the map needs (Debian's libjs-leaflet) when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ ! -f /usr/share/javascript/leaflet/leaflet.js ]]; then
  if [[ "$(id -u)" -eq 0 ]]; then
    echo "demo: installing libjs-leaflet (map library)" >&2
    DEBIAN_FRONTEND=noninteractive apt-get -q -y update >&2 && DEBIAN_FRONTEND=noninteractive apt-get -q -y install --no-install-recommends libjs-leaflet >&2
  else
    echo "demo: the map needs Leaflet: sudo apt-get install libjs-leaflet (continuing without it)" >&2
  fi
fi
exec swift run zhili serve --demo --data-dir "${ZHILI_DATA_DIR:-./data}" "$@"
