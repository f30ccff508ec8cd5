#!/usr/bin/env bash
# scripts/redis.sh - a private, throwaway Redis server for the scale-out pass (Celery broker).
#
# Installs Debian's redis-server when it is missing (as root, with apt-get), then runs a server
# of its own: loopback only, no persistence, its files in one directory. It has nothing to do
# with a system Redis. Never put data you care about in it.
#
# Usage:
#   URL=$(scripts/redis.sh start)   # install if needed, start; prints the URL (only) on stdout
#   scripts/redis.sh stop           # shut it down; fine if not running
#   scripts/redis.sh url            # print the URL only
#
# Environment:
#   ANJIAN_REDIS_PORT  TCP port on 127.0.0.1.  Unset: 26379, or the next free port after it
#                      when another program listens there (the default lies below Linux's
#                      ephemeral range, 32768-60999, where a test server given any free port
#                      could hold it).  Set: exactly that port.
#   ANJIAN_REDIS_DIR   its directory: pid file, port, log (default /tmp/anjian-redis-<uid>)

set -euo pipefail

readonly DEFAULT_PORT=26379
PORT=${ANJIAN_REDIS_PORT:-$DEFAULT_PORT}
DIR=${ANJIAN_REDIS_DIR:-/tmp/anjian-redis-$(id -u)}

log() { printf 'redis.sh: %s\n' "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}

url() { printf 'redis://127.0.0.1:%s/0\n' "$PORT"; }

install_server() {
  [[ $(id -u) -eq 0 ]] || die "redis-server is missing and we are not root: install the 'redis-server' package"
  command -v apt-get >/dev/null || die "redis-server is missing and apt-get is not available"
  log "redis-server not found; installing it with apt-get..."
  apt-get -o DPkg::Lock::Timeout=300 update -qq >&2 || log "warning: apt-get update failed; trying the install anyway"
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends redis-server >&2 ||
    die "apt-get install redis-server failed"
}

running() { [[ -f $DIR/redis.pid ]] && kill -0 "$(<"$DIR/redis.pid")" 2>/dev/null; }

# The port our running server listens on (written at start), unless ANJIAN_REDIS_PORT says one.
use_running_port() {
  if [[ -z ${ANJIAN_REDIS_PORT:-} ]] && running && [[ -s $DIR/port ]]; then PORT=$(<"$DIR/port"); fi
}

# Whether something answers on 127.0.0.1:$1.
port_taken() { (: <"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# With no ANJIAN_REDIS_PORT, move PORT past ports another program listens on.
choose_port() {
  [[ -z ${ANJIAN_REDIS_PORT:-} ]] || return 0
  local tries=0
  while port_taken "$PORT"; do
    log "127.0.0.1:$PORT is taken by another program; trying $((PORT + 1))"
    PORT=$((PORT + 1))
    ((++tries < 100)) || die "no free port in $DEFAULT_PORT-$PORT; set ANJIAN_REDIS_PORT"
  done
}

start() {
  [[ $PORT =~ ^[1-9][0-9]{0,4}$ ]] && ((PORT <= 65535)) || die "ANJIAN_REDIS_PORT must be a port number, got '$PORT'"
  command -v redis-server >/dev/null || install_server
  mkdir -p "$DIR"
  use_running_port
  if ! running; then
    choose_port
    printf '%s\n' "$PORT" >"$DIR/port"
    log "starting redis-server on 127.0.0.1:$PORT (directory $DIR)"
    redis-server --bind 127.0.0.1 --port "$PORT" --daemonize yes --pidfile "$DIR/redis.pid" \
      --logfile "$DIR/redis.log" --dir "$DIR" --save "" --appendonly no --protected-mode yes >&2
  fi
  local deadline=$((SECONDS + 30))
  until redis-cli -p "$PORT" ping 2>/dev/null | grep -q PONG; do
    ((SECONDS < deadline)) || die "redis-server did not answer on port $PORT within 30 s (see $DIR/redis.log)"
    sleep 0.2
  done
  url
}

stop() {
  use_running_port
  if running; then
    redis-cli -p "$PORT" shutdown nosave >/dev/null 2>&1 || kill "$(<"$DIR/redis.pid")"
    log "stopped redis-server on port $PORT"
  fi
}

case ${1:-} in
start) start ;;
stop) stop ;;
url)
  use_running_port
  url
  ;;
*) die "usage: $0 start|stop|url" ;;
esac
