#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server for the tests and prints the
# TEST_DATABASE_URL to use. Installs PostgreSQL from Debian's packages when
# missing. Usage: eval "$(scripts/start-postgres.sh)"; stop with
# scripts/start-postgres.sh stop (which also removes its data folder)
set -euo pipefail
PORT="${PG_TEST_PORT:-55432}"
DATA="${PG_TEST_DATA:-/tmp/clinic-cms-pg}"

bindir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
if [ -z "$(bindir)" ]; then
  echo "installing postgresql" >&2
  apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
fi
BIN="$(bindir)"
# initdb and the server refuse to run as root.
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

if [ "${1:-}" = stop ]; then
  as_pg "$BIN/pg_ctl" -D "$DATA" -m fast stop >&2 || true
  # The cluster is throwaway: leave nothing behind (it grows past 1 GB).
  rm -rf "$DATA"
  exit 0
fi
if ! as_pg "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
  rm -rf "$DATA"
  mkdir -p "$DATA"
  [ "$(id -u)" = 0 ] && chown postgres: "$DATA"
  as_pg "$BIN/initdb" -D "$DATA" -A trust -U postgres --no-sync >/dev/null
  # Tests create a database each, in parallel: a throwaway server needs no durability.
  as_pg "$BIN/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w \
    -o "-p $PORT -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400" \
    start >&2
fi
echo "export TEST_DATABASE_URL=postgres://postgres@127.0.0.1:$PORT/postgres"
