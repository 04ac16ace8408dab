#!/usr/bin/env bash
# A throwaway PostgreSQL server for the PostgreSQL tests and for development:
#
#   bash .ci/postgres.sh start   # installs PostgreSQL with apt if needed, starts, prints the URL
#   bash .ci/postgres.sh url     # prints the URL of the running server
#   bash .ci/postgres.sh stop    # stops it and deletes its data
#
# `bun run db:postgres` is `start`. Then: TEST_DATABASE_URL=<url> bun run test:pg, or
# DATABASE_URL=<url> for a server to develop against.
#
# The cluster lives in a temporary directory, listens on 127.0.0.1 only, on the first free port
# from KANBUN_PG_PORT (default 54330), and trusts every local connection: for tests, never for
# data anyone needs. As root, it runs as the `postgres` user (PostgreSQL refuses to run as root).
set -euo pipefail

dir="${KANBUN_PG_DIR:-${TMPDIR:-/tmp}/kanbun-postgres}"
first_port="${KANBUN_PG_PORT:-54330}"

die() {
  printf 'postgres.sh: %s\n' "$1" >&2
  exit 1
}

# The directory holding initdb and pg_ctl: on PATH, or Debian's versioned directory.
find_bin() {
  if command -v pg_ctl >/dev/null && command -v initdb >/dev/null; then
    dirname "$(command -v pg_ctl)"
    return
  fi
  local candidate
  candidate="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
  [[ -n "$candidate" && -x "$candidate/pg_ctl" ]] && echo "$candidate"
}

install_postgres() {
  command -v apt-get >/dev/null || die "initdb/pg_ctl not found and apt-get is not available: install PostgreSQL"
  local sudo=()
  if ((EUID != 0)); then
    command -v sudo >/dev/null || die "installing PostgreSQL needs root (or sudo)"
    sudo=(sudo)
  fi
  echo "Installing PostgreSQL with apt" >&2
  "${sudo[@]}" apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq postgresql >&2
}

# Runs a command as the cluster's owner: `postgres` when we are root, else ourselves.
as_owner() {
  if ((EUID == 0)); then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

url() {
  echo "postgres://postgres@127.0.0.1:$(cat "$dir/port")/postgres"
}

running() {
  local bin="$1"
  [[ -f "$dir/port" ]] && as_owner "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1
}

start() {
  local bin
  bin="$(find_bin || true)"
  if [[ -z "$bin" ]]; then
    install_postgres
    bin="$(find_bin || true)"
    [[ -n "$bin" ]] || die "PostgreSQL was installed but initdb/pg_ctl are still not found"
  fi
  if running "$bin"; then
    url
    return
  fi
  if ((EUID == 0)) && ! id postgres >/dev/null 2>&1; then
    useradd --system --home-dir "$dir" --shell /usr/sbin/nologin postgres
  fi

  rm -rf "$dir"
  mkdir -p "$dir"
  ((EUID == 0)) && chown postgres: "$dir"
  local port="$first_port"
  while port_in_use "$port"; do
    port=$((port + 1))
    ((port < first_port + 20)) || die "no free port in $first_port-$((port - 1)); set KANBUN_PG_PORT"
  done
  echo "$port" >"$dir/port"

  # UTF-8 with a Unicode-aware ctype: search folds case and splits words by it. fsync off: the
  # data is thrown away, and tests run faster without waiting for the disk.
  as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 \
    --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
    die "initdb failed: $(tail -n 5 "$dir/initdb.log")"
  as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off" start >/dev/null ||
    die "the server did not start: $(tail -n 5 "$dir/server.log")"
  url
}

stop() {
  local bin
  bin="$(find_bin || true)"
  if [[ -n "$bin" && -d "$dir/data" ]]; then
    as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
}

case "${1:-}" in
start) start ;;
stop) stop ;;
url)
  bin="$(find_bin || true)"
  [[ -n "$bin" ]] && running "$bin" || die "no server running (bash .ci/postgres.sh start)"
  url
  ;;
*) die "usage: bash .ci/postgres.sh start|stop|url" ;;
esac
