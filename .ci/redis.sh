#!/usr/bin/env bash
# A throwaway Redis server for the Redis tests and for development:
#
#   bash .ci/redis.sh start   # installs redis-server with apt if needed, starts it, prints the URL
#   bash .ci/redis.sh url     # prints the URL of the running server
#   bash .ci/redis.sh stop    # stops it and deletes its directory
#
# `bun run redis` is `start`. Then: TEST_REDIS_URL=<url> bun run test:redis, or REDIS_URL=<url>
# for a server to develop against. It listens on 127.0.0.1 only, on the first free port from
# KANBUN_REDIS_PORT (default 6390), keeps nothing on disk and has no password: for tests only.
set -euo pipefail

dir="${KANBUN_REDIS_DIR:-${TMPDIR:-/tmp}/kanbun-redis}"
first_port="${KANBUN_REDIS_PORT:-6390}"

die() {
  printf 'redis.sh: %s\n' "$1" >&2
  exit 1
}

install_redis() {
  command -v apt-get >/dev/null || die "redis-server not found and apt-get is not available: install Redis"
  local sudo=()
  if ((EUID != 0)); then
    command -v sudo >/dev/null || die "installing Redis needs root (or sudo)"
    sudo=(sudo)
  fi
  echo "redis.sh: installing redis-server with apt-get" >&2
  "${sudo[@]}" apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq redis-server >&2
}

port_free() {
  ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

running_url() {
  [[ -f "$dir/port" && -f "$dir/redis.pid" ]] || return 1
  kill -0 "$(cat "$dir/redis.pid")" 2>/dev/null || return 1
  echo "redis://127.0.0.1:$(cat "$dir/port")"
}

start() {
  if running_url; then return; fi
  command -v redis-server >/dev/null || install_redis
  command -v redis-server >/dev/null || die "redis-server is still missing after apt-get install"
  rm -rf "$dir"
  mkdir -p "$dir"
  local port="$first_port"
  while ! port_free "$port"; do
    port=$((port + 1))
    ((port < first_port + 100)) || die "no free port from $first_port to $port"
  done
  redis-server --bind 127.0.0.1 --port "$port" --save '' --appendonly no --daemonize yes \
    --dir "$dir" --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" >&2
  for _ in $(seq 1 100); do
    if [[ -s "$dir/redis.pid" ]] && ! port_free "$port"; then
      echo "$port" >"$dir/port"
      echo "redis://127.0.0.1:$port"
      return
    fi
    sleep 0.05
  done
  cat "$dir/redis.log" >&2 || true
  die "redis-server did not start on port $port"
}

stop() {
  if [[ -f "$dir/redis.pid" ]]; then
    local pid
    pid="$(cat "$dir/redis.pid")"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.05
    done
  fi
  rm -rf "$dir"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  url) running_url || die "no server running (bash .ci/redis.sh start)" ;;
  *) die "usage: bash .ci/redis.sh start|stop|url" ;;
esac
