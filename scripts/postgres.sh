#!/usr/bin/env bash
# scripts/postgres.sh - a real, local, throwaway PostgreSQL server for the tests.
#
# Why: the test suite needs a real PostgreSQL, and CI (and a fresh dev machine)
# may only have the `psql` client.  This script installs the server from
# Debian's packages when it is missing, then runs a private cluster that has
# nothing to do with the system's own clusters: trust auth, loopback only,
# fsync off.  Never put data you care about in it.
#
# Usage:
#   URL=$(scripts/postgres.sh start)  # install if needed, init, start, create DB;
#                                     # prints the SQLAlchemy URL (only) on stdout
#   scripts/postgres.sh stop          # fast shutdown; fine if not running
#   scripts/postgres.sh url           # print the URL only
#
# The URL is postgresql+psycopg://postgres@127.0.0.1:<port>/anjian_test
# (for psql, drop the "+psycopg").  `start` is idempotent.  All chatter goes to
# stderr.
#
# Environment:
#   ANJIAN_PG_PORT  TCP port on 127.0.0.1.  Unset: 25432, or the next free port
#                   after it when something else listens there.  The default
#                   lies below Linux's ephemeral range (32768-60999), where a
#                   test server that asked the kernel for any free port, or one
#                   left behind, could already hold it.  Set: exactly that port.
#   ANJIAN_PG_DIR   cluster (data) directory (default /tmp/anjian-pgtest-<uid>)
#                   The default lives in /tmp, not in the repo, because the
#                   server runs as the `postgres` OS user, which cannot reach a
#                   repo under e.g. /root, and so nothing lands in the work tree.
#                   If you set it to a path whose parents postgres cannot
#                   traverse, `start` adds o+x to those parents.  The socket
#                   directory is the cluster directory itself, and the server
#                   log is <dir>/server.log.
#
# Run as root (the normal case here: the server runs as `postgres` through
# runuser) or as an ordinary user (then the cluster is owned by that user and
# the server binaries must already be installed).  Debian 12 / apt assumed.

set -euo pipefail

readonly DB_NAME=anjian_test
readonly DB_USER=postgres
readonly DEFAULT_PORT=25432
PORT=${ANJIAN_PG_PORT:-$DEFAULT_PORT}
PG_DIR=${ANJIAN_PG_DIR:-/tmp/anjian-pgtest-$(id -u)}
BINDIR=
READY_DEADLINE=0 # the $SECONDS by which the server must answer pg_isready

log() { printf 'postgres.sh: %s\n' "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}

is_root() { [[ $(id -u) -eq 0 ]]; }

# Run a command as the OS user that owns the cluster.  fd 9 (our lock) is
# closed so that a server started here does not hold the lock forever.
as_pg() {
  if is_root; then
    (cd / && runuser -u postgres -- "$@" 9>&-)
  else
    (cd / && "$@" 9>&-)
  fi
}

url() { printf 'postgresql+psycopg://%s@127.0.0.1:%s/%s\n' "$DB_USER" "$PORT" "$DB_NAME"; }

check_settings() {
  if ! [[ $PORT =~ ^[1-9][0-9]{0,4}$ ]] || ((PORT > 65535)); then
    die "ANJIAN_PG_PORT must be a port number (1-65535), got '$PORT'"
  fi
  [[ -n $PG_DIR ]] || die "ANJIAN_PG_DIR is empty"
  PG_DIR=$(realpath -m -- "$PG_DIR")
  [[ $PG_DIR != / ]] || die "ANJIAN_PG_DIR must not be /"
  # A Unix socket path must fit in sun_path (107 bytes + NUL).
  local sock="$PG_DIR/.s.PGSQL.$PORT"
  ((${#sock} <= 107)) ||
    die "socket path $sock is too long (${#sock} > 107 bytes); set a shorter ANJIAN_PG_DIR"
}

# Set BINDIR to a /usr/lib/postgresql/<ver>/bin holding initdb and pg_ctl,
# preferring the version of an existing cluster, else the newest.  Returns 1 if
# none is installed.
find_bindir() {
  local d want=
  [[ -f $PG_DIR/PG_VERSION ]] && want=$(<"$PG_DIR/PG_VERSION")
  if [[ -n $want && -x /usr/lib/postgresql/$want/bin/initdb && -x /usr/lib/postgresql/$want/bin/pg_ctl ]]; then
    BINDIR=/usr/lib/postgresql/$want/bin
    return 0
  fi
  BINDIR=
  while IFS= read -r d; do
    [[ -x $d/initdb && -x $d/pg_ctl ]] && BINDIR=$d
  done < <(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V)
  if [[ -n $BINDIR && -n $want ]]; then
    die "$PG_DIR is a PostgreSQL $want cluster but only $BINDIR is installed; remove $PG_DIR to recreate it"
  fi
  [[ -n $BINDIR ]]
}

install_server() {
  is_root || die "PostgreSQL server binaries are missing and we are not root: install the 'postgresql' package"
  command -v apt-get >/dev/null || die "PostgreSQL server binaries are missing and apt-get is not available"
  log "PostgreSQL server not found; installing it with apt-get (this takes a minute)..."
  local out
  out=$(mktemp)
  # A failed update (e.g. one stale mirror) need not be fatal: the install may
  # still work from the lists already there.
  if ! apt-get -o DPkg::Lock::Timeout=300 update -qq >"$out" 2>&1; then
    log "warning: apt-get update failed:"
    cat "$out" >&2
  fi
  if ! DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq \
    --no-install-recommends postgresql >"$out" 2>&1; then
    cat "$out" >&2
    rm -f "$out"
    die "apt-get install postgresql failed (output above)"
  fi
  rm -f "$out"
  find_bindir || die "installed the 'postgresql' package but found no initdb/pg_ctl under /usr/lib/postgresql/*/bin"
  log "installed PostgreSQL from $BINDIR"
}

# Make sure the postgres user can traverse every parent of PG_DIR.
make_parents_reachable() {
  is_root || return 0
  local p=$PG_DIR parents=()
  while [[ $p != / ]]; do
    p=$(dirname -- "$p")
    parents=("$p" "${parents[@]}")
  done
  for p in "${parents[@]}"; do
    if ! runuser -u postgres -- test -x "$p"; then
      log "granting o+x on $p so the postgres user can reach $PG_DIR"
      chmod o+x -- "$p"
    fi
  done
}

# Quote a value for postgresql.conf.
conf_quote() { printf "'%s'" "${1//\'/\'\'}"; }

init_cluster() {
  if [[ -f $PG_DIR/PG_VERSION ]]; then
    return 0
  fi
  if [[ -d $PG_DIR ]] && [[ -n $(ls -A -- "$PG_DIR") ]]; then
    die "$PG_DIR exists, is not empty and is not a PostgreSQL cluster; remove it or set ANJIAN_PG_DIR"
  fi
  log "creating cluster in $PG_DIR"
  if is_root && ! getent passwd postgres >/dev/null; then
    die "there is no 'postgres' OS user (it comes with the postgresql package)"
  fi
  mkdir -p -- "$PG_DIR"
  chmod 700 -- "$PG_DIR"
  if is_root; then
    chown postgres: -- "$PG_DIR"
    make_parents_reachable
  fi
  local out
  if ! out=$(as_pg "$BINDIR/initdb" -D "$PG_DIR" -U "$DB_USER" -E UTF8 \
    --locale=C.UTF-8 --auth=trust --no-sync --no-instructions 2>&1); then
    printf '%s\n' "$out" >&2
    die "initdb failed (output above)"
  fi
  # Trust, loopback only.
  as_pg tee "$PG_DIR/pg_hba.conf" >/dev/null <<'EOF'
# Throwaway test cluster made by scripts/postgres.sh: trust, loopback only.
# TYPE  DATABASE  USER  ADDRESS        METHOD
local   all       all                  trust
host    all       all   127.0.0.1/32   trust
host    all       all   ::1/128        trust
EOF
  # Settings that depend on the environment are rewritten on every start.
  printf "\n# Added by scripts/postgres.sh\ninclude_if_exists = 'anjian.conf'\n" |
    as_pg tee -a "$PG_DIR/postgresql.conf" >/dev/null
}

write_settings() {
  as_pg tee "$PG_DIR/anjian.conf" >/dev/null <<EOF
# Written by scripts/postgres.sh on every start; edits are lost.
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = $(conf_quote "$PG_DIR")
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
}

is_running() { as_pg "$BINDIR/pg_ctl" status -D "$PG_DIR" >/dev/null 2>&1; }

# The port the running server was started on (line 4 of postmaster.pid).
running_port() { sed -n 4p "$PG_DIR/postmaster.pid" 2>/dev/null || true; }

# Whether something answers on 127.0.0.1:$1.
port_taken() { (: <"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# With no ANJIAN_PG_PORT, move PORT past ports another program listens on.
choose_port() {
  [[ -z ${ANJIAN_PG_PORT:-} ]] || return 0
  local tries=0
  while port_taken "$PORT"; do
    log "127.0.0.1:$PORT is taken by another program; trying $((PORT + 1))"
    PORT=$((PORT + 1))
    ((++tries < 100)) || die "no free port in $DEFAULT_PORT-$PORT; set ANJIAN_PG_PORT"
  done
}

show_log_tail() {
  if [[ -f $PG_DIR/server.log ]]; then
    log "last lines of $PG_DIR/server.log:"
    tail -n 20 -- "$PG_DIR/server.log" >&2
  fi
}

wait_ready() {
  local isready=pg_isready
  [[ -x $BINDIR/pg_isready ]] && isready=$BINDIR/pg_isready
  until "$isready" -q -h 127.0.0.1 -p "$PORT" -U "$DB_USER" -d postgres; do
    if ((SECONDS >= READY_DEADLINE)); then
      show_log_tail
      die "PostgreSQL on 127.0.0.1:$PORT not ready after 30 s (cluster $PG_DIR)"
    fi
    sleep 0.5
  done
}

create_db() {
  local psql=psql exists
  [[ -x $BINDIR/psql ]] && psql=$BINDIR/psql
  exists=$("$psql" -X -q -t -A -h 127.0.0.1 -p "$PORT" -U "$DB_USER" -d postgres \
    -c "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'") ||
    die "could not query the server on 127.0.0.1:$PORT"
  if [[ $exists != 1 ]]; then
    log "creating database $DB_NAME"
    "$psql" -X -q -h 127.0.0.1 -p "$PORT" -U "$DB_USER" -d postgres \
      -v ON_ERROR_STOP=1 -c "CREATE DATABASE $DB_NAME OWNER $DB_USER" >&2 ||
      die "could not create database $DB_NAME"
  fi
}

# Serialise concurrent start/stop calls on the same cluster.
take_lock() {
  exec 9>"$PG_DIR.lock"
  flock -w 120 9 || die "timed out waiting for the lock $PG_DIR.lock"
}

cmd_start() {
  mkdir -p -- "$(dirname -- "$PG_DIR")"
  take_lock
  find_bindir || install_server
  init_cluster
  READY_DEADLINE=$((SECONDS + 30))
  if is_running && [[ -z ${ANJIAN_PG_PORT:-} ]]; then
    local ours
    ours=$(running_port) # ours already: keep the port it has
    PORT=${ours:-$PORT}
  fi
  if is_running; then
    local rp
    rp=$(running_port)
    if [[ $rp != "$PORT" ]]; then
      log "cluster is running on port ${rp:-?}, restarting it on port $PORT"
      as_pg "$BINDIR/pg_ctl" stop -D "$PG_DIR" -m fast -w -t 30 -s >&2 ||
        die "could not stop the cluster in $PG_DIR"
    else
      log "already running on 127.0.0.1:$PORT ($PG_DIR)"
    fi
  fi
  if ! is_running; then
    choose_port
    write_settings
    log "starting PostgreSQL ($BINDIR) on 127.0.0.1:$PORT, cluster $PG_DIR"
    if ! as_pg "$BINDIR/pg_ctl" start -D "$PG_DIR" -l "$PG_DIR/server.log" -w -t 30 -s >&2; then
      show_log_tail
      die "could not start PostgreSQL on 127.0.0.1:$PORT (is the port taken?)"
    fi
  fi
  wait_ready
  create_db
  url
}

cmd_stop() {
  if [[ ! -f $PG_DIR/PG_VERSION ]]; then
    log "no cluster in $PG_DIR; nothing to stop"
    return 0
  fi
  take_lock
  if ! find_bindir; then
    log "PostgreSQL server binaries not installed; nothing to stop"
    return 0
  fi
  if is_running; then
    log "stopping PostgreSQL ($PG_DIR)"
    as_pg "$BINDIR/pg_ctl" stop -D "$PG_DIR" -m fast -w -t 30 -s >&2 ||
      die "could not stop the cluster in $PG_DIR"
  else
    log "not running ($PG_DIR)"
  fi
}

usage() {
  cat >&2 <<'EOF'
usage: scripts/postgres.sh start|stop|url
  start  install (if needed), init, start the test cluster; print its URL
  stop   stop the test cluster (fast); fine if it is not running
  url    print the SQLAlchemy URL of the test database
env: ANJIAN_PG_PORT (default 25432 or the next free port), ANJIAN_PG_DIR (default /tmp/anjian-pgtest-<uid>)
EOF
}

main() {
  if [[ $# -ne 1 ]]; then
    usage
    exit 2
  fi
  case $1 in
  start)
    check_settings
    cmd_start
    ;;
  stop)
    check_settings
    cmd_stop
    ;;
  url)
    check_settings
    if [[ -z ${ANJIAN_PG_PORT:-} ]] && find_bindir && is_running; then
      local ours
      ours=$(running_port)
      PORT=${ours:-$PORT}
    fi
    url
    ;;
  -h | --help | help) usage ;;
  *)
    usage
    exit 2
    ;;
  esac
}

main "$@"
