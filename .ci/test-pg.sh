#!/usr/bin/env bash
# `bun run test:pg`: the PostgreSQL-only tests (test/postgres/*.pg.ts), then the whole plain
# suite with its test contexts on PostgreSQL. Needs TEST_DATABASE_URL (`bun run db:postgres`
# prints one). Both runs always happen; the exit code is non-zero if either failed. Each prints
# its own " N pass" / " N fail" summary (.ci/run adds them up).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [[ -z "${TEST_DATABASE_URL:-}" ]]; then
  echo "TEST_DATABASE_URL is not set: start a server with \`bun run db:postgres\` and export the URL it prints" >&2
  exit 1
fi
status=0
bun --config=test/postgres/bunfig.toml test --timeout 30000 ./test/postgres/*.pg.ts "$@" || status=1
bun --config=test/postgres/suite.bunfig.toml test --timeout 30000 "$@" || status=1
exit "$status"
