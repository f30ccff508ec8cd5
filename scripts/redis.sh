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
#   ANJIAN_REDIS_PORT  TCP port on 127.0.0.1 (default 56379)
#   ANJIAN_REDIS_DIR   its directory: pid file, log (default /tmp/anjian-redis-<uid>-<port>)

set -euo pipefail

PORT=${ANJIAN_REDIS_PORT:-56379}
DIR=${ANJIAN_REDIS_DIR:-/tmp/anjian-redis-$(id -u)-${PORT}}

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

start() {
  [[ $PORT =~ ^[1-9][0-9]{0,4}$ ]] && ((PORT <= 65535)) || die "ANJIAN_REDIS_PORT must be a port number, got '$PORT'"
  command -v redis-server >/dev/null || install_server
  mkdir -p "$DIR"
  if ! running; then
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
  if running; then
    redis-cli -p "$PORT" shutdown nosave >/dev/null 2>&1 || kill "$(<"$DIR/redis.pid")"
    log "stopped redis-server on port $PORT"
  fi
}

case ${1:-} in
start) start ;;
stop) stop ;;
url) url ;;
*) die "usage: $0 start|stop|url" ;;
esac
