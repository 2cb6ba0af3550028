#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the test suite, on 127.0.0.1 only.
#
#   scripts/pg-cluster.sh start   # init (first time) + start; prints the URL on stdout
#   scripts/pg-cluster.sh url     # prints the URL
#   scripts/pg-cluster.sh stop    # stops it and deletes its directory
#
# Only the URL goes to stdout, so `url=$(scripts/pg-cluster.sh start)` works;
# progress goes to stderr. Starting an already running cluster reuses it.
# Tuned for speed, not durability (fsync off...): never put real data here.
#
# Knobs: ZHILI_PG_DIR (default /tmp/zhili-pg), ZHILI_PG_PORT (default 55432),
#        ZHILI_PG_BIN (server bin dir; default: newest /usr/lib/postgresql/*/bin).
set -euo pipefail

BASE="${ZHILI_PG_DIR:-/tmp/zhili-pg}"
PORT="${ZHILI_PG_PORT:-55432}"
PGDATA="$BASE/data"
SOCKDIR="$BASE/sock"
LOGFILE="$BASE/server.log"
MARKER="$BASE/.zhili-pg-cluster"   # proves the directory is ours before rm -rf
DB_USER="zhili"
DB_NAME="zhili_test"
URL="postgres://${DB_USER}@127.0.0.1:${PORT}/${DB_NAME}"

log() { echo "pg-cluster: $*" >&2; }
die() { log "error: $*"; exit 1; }

usage() { echo "usage: $0 start|stop|url" >&2; exit 2; }

pg_bin_dir() {
  if [[ -n "${ZHILI_PG_BIN:-}" ]]; then echo "$ZHILI_PG_BIN"; return; fi
  # Newest installed major version (Debian keeps each under its own dir).
  local d
  d="$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -type d -name bin 2>/dev/null | sort -V | tail -n 1)"
  [[ -n "$d" && -x "$d/initdb" ]] || die "no PostgreSQL server binaries under /usr/lib/postgresql (run scripts/setup-deps.sh)"
  echo "$d"
}

# PostgreSQL refuses to run as root: as root, run server tools as 'postgres'.
as_pg() {
  if [[ "$(id -u)" -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# The postmaster's PID from its lock file, if that process is alive. A zombie
# counts as dead: containers often have no init reaping orphans, and pg_ctl
# (kill -0) would otherwise take a crashed server for a running one.
live_postmaster_pid() {
  local pid state
  [[ -f "$PGDATA/postmaster.pid" ]] || return 1
  pid="$(head -n 1 "$PGDATA/postmaster.pid" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  state="$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null || true)"
  [[ -n "$state" && "$state" != "Z" && "$state" != "X" ]] || return 1
  echo "$pid"
}

is_running() {
  [[ -f "$PGDATA/PG_VERSION" ]] && live_postmaster_pid >/dev/null
}

cmd_start() {
  BIN="$(pg_bin_dir)"
  if [[ "$(id -u)" -eq 0 ]] && ! id postgres >/dev/null 2>&1; then
    die "no 'postgres' OS user (install the postgresql package)"
  fi

  if [[ ! -f "$PGDATA/PG_VERSION" ]]; then
    # A half-made directory from an interrupted run is useless: start clean.
    if [[ -e "$BASE" ]]; then
      [[ -f "$MARKER" || -z "$(ls -A "$BASE" 2>/dev/null)" ]] \
        || die "$BASE exists and is not a zhili cluster directory; refusing to touch it"
      rm -rf "$BASE"
    fi
    log "initialising cluster in $PGDATA ($("$BIN/postgres" --version))"
    mkdir -p "$BASE" "$SOCKDIR"
    touch "$MARKER"
    if [[ "$(id -u)" -eq 0 ]]; then chown -R postgres:postgres "$BASE"; fi
    chmod 700 "$BASE"
    as_pg test -w "$BASE" || die "$BASE is not reachable by the postgres user (pick ZHILI_PG_DIR under /tmp)"
    as_pg "$BIN/initdb" -D "$PGDATA" -A trust -U "$DB_USER" -E UTF8 --no-locale >"$BASE/initdb.log" 2>&1 \
      || { cat "$BASE/initdb.log" >&2; die "initdb failed"; }
    # Appended once, at init: later starts reuse the same configuration.
    as_pg tee -a "$PGDATA/postgresql.conf" >/dev/null <<EOF

# --- zhili throwaway test cluster ---
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$SOCKDIR'
# Speed over durability: the data is thrown away after the run.
fsync = off
synchronous_commit = off
full_page_writes = off
# Tests run in parallel, each with its own connection pool (and the sensing doors with theirs).
max_connections = 600
# Small test queries gain nothing from parallel workers; avoids /dev/shm trouble in containers.
max_parallel_workers_per_gather = 0
EOF
  fi

  if is_running; then
    log "already running on port $PORT, reusing it"
  else
    # Fail clearly if someone else owns the port, rather than with a log riddle.
    if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
      die "port $PORT is already in use by another process (set ZHILI_PG_PORT)"
    fi
    # Lock files left by a crashed server would block the start.
    rm -f "$PGDATA/postmaster.pid" "$SOCKDIR"/.s.PGSQL.*
    log "starting on 127.0.0.1:$PORT"
    as_pg "$BIN/pg_ctl" -D "$PGDATA" -l "$LOGFILE" -w -t 60 start >/dev/null \
      || { tail -n 30 "$LOGFILE" >&2 || true; die "pg_ctl start failed"; }
  fi

  local i
  for ((i = 0; i < 120; i++)); do
    if "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT" -U "$DB_USER" -d postgres; then break; fi
    sleep 0.5
  done
  "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT" -U "$DB_USER" -d postgres \
    || { tail -n 30 "$LOGFILE" >&2 || true; die "server did not become ready"; }

  local psql=("$BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U "$DB_USER")
  if [[ "$("${psql[@]}" -d postgres -tAc "select 1 from pg_database where datname = '$DB_NAME'")" != "1" ]]; then
    log "creating database $DB_NAME"
    "${psql[@]}" -d postgres -c "create database $DB_NAME" >/dev/null
  fi
  log "ready"
  echo "$URL"
}

cmd_stop() {
  if [[ ! -e "$BASE" ]]; then
    log "nothing to stop ($BASE does not exist)"
    return 0
  fi
  [[ -f "$MARKER" ]] || die "$BASE is not a zhili cluster directory; refusing to delete it"
  BIN="$(pg_bin_dir)"
  if is_running; then
    log "stopping"
    as_pg "$BIN/pg_ctl" -D "$PGDATA" -m fast -w -t 60 stop >/dev/null \
      || as_pg "$BIN/pg_ctl" -D "$PGDATA" -m immediate -w -t 30 stop >/dev/null \
      || log "warning: pg_ctl stop failed"
  fi
  rm -rf "$BASE"
  log "stopped and removed $BASE"
}

[[ $# -eq 1 ]] || usage
case "$1" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  url) echo "$URL" ;;
  *) usage ;;
esac
