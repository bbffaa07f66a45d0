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
  # TCP connections must use TLS (a throwaway self-signed certificate), so
  # the suite proves the bundled libpq and OpenSSL speak it (sslmode=require).
  as_pg openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost \
    -keyout "$DATA/server.key" -out "$DATA/server.crt" 2>/dev/null
  chmod 600 "$DATA/server.key"
  printf 'local all all trust\nhostssl all all 127.0.0.1/32 trust\n' >"$DATA/pg_hba.conf"
  # Tests create a database each, in parallel: a throwaway server needs no durability.
  as_pg "$BIN/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w \
    -o "-p $PORT -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400 -c ssl=on -c ssl_cert_file=server.crt -c ssl_key_file=server.key" \
    start >&2
fi
echo "export TEST_DATABASE_URL=postgres://postgres@127.0.0.1:$PORT/postgres?sslmode=require"
