#!/usr/bin/env bash
# Installs what the test suite, the end-to-end checks and the pages need, and
# only what is missing: a second run installs nothing and touches no network.
#
#   Debian: postgresql (throwaway test cluster), chromium (Playwright drives
#           Debian's build; we never download a browser), fonts-noto-cjk
#           (Chinese glyphs in screenshots), libjs-leaflet (the app serves
#           /usr/share/javascript/leaflet), curl, libjpeg-dev and libpng-dev
#           (the photo thumbnailer links Debian's libjpeg-turbo and libpng),
#           mosquitto, mosquitto-clients and libmosquitto-dev (the MQTT door links
#           libmosquitto; the tests run a throwaway broker, scripts/mqtt-broker.sh).
#   PyPI:   schemathesis, playwright (pinned: e2e.sh speaks their CLI/API).
#
# Knobs: ZHILI_PYTHON (interpreter to install into, default python3).
set -euo pipefail

# Pinned so that e2e.sh's command line keeps matching the installed tools.
SCHEMATHESIS_VERSION="4.32.5"
PLAYWRIGHT_VERSION="1.65.2"

PY="${ZHILI_PYTHON:-python3}"

log() { echo "setup-deps: $*" >&2; }

is_root() { [[ "$(id -u)" -eq 0 ]]; }

deb_installed() {
  [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" == "install ok installed" ]]
}

# --- Debian packages ---------------------------------------------------------
apt_missing=()
for pkg in postgresql chromium fonts-noto-cjk libjs-leaflet curl libjpeg-dev libpng-dev \
  mosquitto mosquitto-clients libmosquitto-dev; do
  deb_installed "$pkg" || apt_missing+=("$pkg")
done
# The metapackage can be present while the server binaries are gone; check them.
if ! compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; then
  [[ " ${apt_missing[*]-} " == *" postgresql "* ]] || apt_missing+=(postgresql)
fi
# Python itself (a fresh machine of this kind has pyenv's; plain Debian may not).
if ! command -v "$PY" >/dev/null 2>&1; then
  apt_missing+=(python3 python3-pip)
  PY=python3
elif ! "$PY" -m pip --version >/dev/null 2>&1; then
  apt_missing+=(python3-pip)
fi

if ((${#apt_missing[@]})); then
  if ! is_root; then
    log "missing Debian packages: ${apt_missing[*]}"
    log "install them with: sudo apt-get install -y ${apt_missing[*]}"
    exit 1
  fi
  log "installing Debian packages: ${apt_missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Wait for a concurrent apt/dpkg instead of failing on its lock.
  apt_opts=(-q -y -o DPkg::Lock::Timeout=600)
  # One update, only now that something must be installed.
  apt-get "${apt_opts[@]}" update >&2
  apt-get "${apt_opts[@]}" install --no-install-recommends "${apt_missing[@]}" >&2
else
  log "Debian packages present"
fi

# --- Python packages ---------------------------------------------------------
py_missing=()
"$PY" -c 'import schemathesis' >/dev/null 2>&1 || py_missing+=("schemathesis==${SCHEMATHESIS_VERSION}")
"$PY" -c 'import playwright.sync_api' >/dev/null 2>&1 || py_missing+=("playwright==${PLAYWRIGHT_VERSION}")

if ((${#py_missing[@]})); then
  # A non-root user can still install into a venv/pyenv it owns; not elsewhere.
  if ! is_root && ! "$PY" -c 'import os, sys, sysconfig; sys.exit(0 if os.access(sysconfig.get_paths()["purelib"], os.W_OK) else 1)'; then
    log "missing Python packages: ${py_missing[*]}"
    log "install them with: $PY -m pip install ${py_missing[*]}"
    exit 1
  fi
  log "installing Python packages into $("$PY" -c 'import sys; print(sys.prefix)'): ${py_missing[*]}"
  pip_opts=(--quiet --disable-pip-version-check --root-user-action=ignore)
  pip_err="$(mktemp)"
  if ! "$PY" -m pip install "${pip_opts[@]}" "${py_missing[@]}" 2>"$pip_err"; then
    # Debian's own python3 refuses (PEP 668); this machine is disposable, so override.
    if grep -q externally-managed "$pip_err"; then
      "$PY" -m pip install "${pip_opts[@]}" --break-system-packages "${py_missing[@]}"
    else
      cat "$pip_err" >&2
      rm -f "$pip_err"
      exit 1
    fi
  fi
  rm -f "$pip_err"
  "$PY" -c 'import schemathesis, playwright.sync_api'
else
  log "Python packages present"
fi

log "ok (schemathesis $("$PY" -c 'import importlib.metadata as m; print(m.version("schemathesis"))'), playwright $("$PY" -c 'import importlib.metadata as m; print(m.version("playwright"))'))"
