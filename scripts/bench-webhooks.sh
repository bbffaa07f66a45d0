#!/usr/bin/env bash
# Webhook figures: delivery latency from a write to the receiver's 200
# (p50/p99), deliveries per second draining a backlog to one endpoint and
# to ten, and PATCH throughput with none, one and ten endpoints subscribed.
#
# Builds release, starts clinic-cms on a fresh database with the sample
# content (allowed to send to loopback over plain HTTP; retries every
# second, so a backlog's head waits at most ~1 s once the receivers answer).
# First the PATCH rows, with wrk as scripts/bench.sh drives them, to a
# receiver (benches/webhook_bench.rs `receive`: actix-web, one worker)
# through none, one and ten enabled endpoints; then `webhook_bench measure`
# (its own receiver and a driver) for latency and throughput, all endpoints
# of the PATCH rows disabled. Prints Markdown tables.
#
# Usage: scripts/bench-webhooks.sh
# On PostgreSQL: BENCH_DATABASE_URL=postgres://.../an_empty_database scripts/bench-webhooks.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${BENCH_PORT:-18095}"
BASE="http://127.0.0.1:$PORT"

cargo build --release --quiet --bin clinic-cms --example webhook_bench
WORK="$(mktemp -d)"
PID=
trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null; rm -rf "$WORK"' EXIT
export DATABASE_URL="${BENCH_DATABASE_URL:-sqlite://$WORK/bench.db}" RUST_LOG=error \
  ADMIN_EMAIL=bench@clinic.test ADMIN_PASSWORD="bench password 123" \
  JWT_SECRET="bench-secret-bench-secret-bench-secret" \
  WEBHOOK_ALLOW_PRIVATE=true WEBHOOK_ALLOW_HTTP=true \
  WEBHOOK_RETRY_SECS="$(printf '1,%.0s' {1..19})1"
BIND_ADDR="127.0.0.1:$PORT" ./target/release/clinic-cms & PID=$!
until curl -sf "$BASE/readyz" >/dev/null; do
  kill -0 "$PID" 2>/dev/null || { echo "clinic-cms exited before it was ready" >&2; exit 1; }
  sleep 0.01
done
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
TOKEN=$(curl -sf -X POST "$BASE/api/v1/auth/login" -H 'Content-Type: application/json' \
  -d "{\"email\":\"$ADMIN_EMAIL\",\"password\":\"$ADMIN_PASSWORD\"}" \
  | sed -E 's/.*"access_token":"([^"]+)".*/\1/')
./target/release/examples/webhook_bench receive > "$WORK/receiver" & RECEIVER=$!
trap '[ -n "$PID" ] && kill "$PID" "$RECEIVER" 2>/dev/null; rm -rf "$WORK"' EXIT
until [ -s "$WORK/receiver" ]; do sleep 0.01; done
HOOK="http://127.0.0.1:$(cat "$WORK/receiver")/hook"
ENDPOINTS=()
for n in $(seq 0 9); do
  ENDPOINTS+=("$(curl -sf -X POST "$BASE/api/v1/admin/webhooks" -H "Authorization: Bearer $TOKEN" \
    -H 'Content-Type: application/json' \
    -d "{\"url\":\"$HOOK/$n\",\"events\":[\"article.*\"],\"enabled\":false}" \
    | sed -E 's/.*"data":\{[^}]*"id":([0-9]+).*/\1/; s/^\{"data":\{"id":([0-9]+).*/\1/')")
done
[[ "${ENDPOINTS[*]}" =~ ^[0-9\ ]+$ ]] || { echo "could not create the endpoints: ${ENDPOINTS[*]}" >&2; exit 1; }
set_enabled() { # id true|false
  curl -sf -o /dev/null -X PATCH "$BASE/api/v1/admin/webhooks/$1" -H "Authorization: Bearer $TOKEN" \
    -H 'Content-Type: application/json' -H 'If-Match: *' -d "{\"enabled\":$2}"
}
export BENCH_TOKEN="$TOKEN" # read by scripts/wrk/patch-excerpt.lua
echo "| PATCH article, endpoints subscribed | connections | req/s | p50 | p99 |"
echo "| --- | --- | --- | --- | --- |"
enabled=0
for subscribed in 0 1 10; do
  while [ "$enabled" -lt "$subscribed" ]; do set_enabled "${ENDPOINTS[$enabled]}" true; enabled=$((enabled + 1)); done
  for c in 1 16; do
    out=$(wrk -t1 -c"$c" -d5s --latency -s scripts/wrk/patch-excerpt.lua "$BASE/api/v1/admin/articles/1")
    rps=$(awk '/Requests\/sec/{printf "%.0f", $2}' <<<"$out")
    p50=$(awk '$1=="50%"{print $2}' <<<"$out"); p99=$(awk '$1=="99%"{print $2}' <<<"$out")
    grep -q "Non-2xx" <<<"$out" && echo "some PATCHes failed: $out" >&2
    echo "| $subscribed | $c | $rps | $p50 | $p99 |"
  done
done
for id in "${ENDPOINTS[@]}"; do set_enabled "$id" false; done
kill "$RECEIVER"
echo
./target/release/examples/webhook_bench measure "$BASE"
echo
echo "peak RSS of clinic-cms: $(awk '/VmHWM/{print $2, $3}' /proc/$PID/status)"
echo "machine: $(nproc) cores, $(awk '/MemTotal/{print $2, $3}' /proc/meminfo), $(uname -r)"
