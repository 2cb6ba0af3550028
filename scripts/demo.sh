#!/usr/bin/env bash
# Quick start: build and run the platform with the demo city on embedded SQLite.
# Installs the Debian packages it needs when missing: libjs-leaflet (the map, served
# by the app) and libjpeg-dev + libpng-dev (the photo thumbnailer links them).
set -euo pipefail
cd "$(dirname "$0")/.."
missing=()
[[ -f /usr/share/javascript/leaflet/leaflet.js ]] || missing+=(libjs-leaflet)
[[ -f /usr/include/jpeglib.h ]] || missing+=(libjpeg-dev)
[[ -f /usr/include/png.h ]] || missing+=(libpng-dev)
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
exec swift run zhili serve --demo --data-dir "${ZHILI_DATA_DIR:-./data}" "$@"
