#!/usr/bin/env bash
# Benchmarks clinic-cms against a floor, side by side, in one run.
#
# Builds release, starts clinic-cms on a fresh database with the sample
# content, captures the exact bytes of each measured response, starts the
# floor (benches/floor.rs: a minimal actix-web program serving those bytes
# from memory), and drives both with wrk (Debian package `wrk`) at 64
# connections, alternately, BENCH_REPEAT times (3) per read row, reporting
# the median run of each. Prints a Markdown table: requests/s, p50, p99 of
# clinic-cms, the floor's requests/s and p99, and the ratio; then cold reads
# (cache off), writes, logins and peak RSS.
#
# Usage: scripts/bench.sh [seconds per run, default 5]
# On PostgreSQL: BENCH_DATABASE_URL=postgres://.../an_empty_database scripts/bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${1:-5}"
# Each read row runs the floor and clinic-cms alternately this many times and
# reports the median run of each: one run on two shared cores is noisy.
REPEAT="${BENCH_REPEAT:-3}"
PORT="${BENCH_PORT:-18090}"
COLD_PORT=$((PORT + 1))
FLOOR_PORT=$((PORT + 2))
BASE="http://127.0.0.1:$PORT"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }

cargo build --release --quiet --bin clinic-cms --example floor
WORK="$(mktemp -d)"
PIDS=()
trap 'kill "${PIDS[@]}" 2>/dev/null || true; rm -rf "$WORK"' EXIT
export DATABASE_URL="${BENCH_DATABASE_URL:-sqlite://$WORK/bench.db}" RUST_LOG=error \
  ADMIN_EMAIL=bench@clinic.test ADMIN_PASSWORD="bench password 123" \
  JWT_SECRET="bench-secret-bench-secret-bench-secret"

# wait_ready URL PID: until the server answers; fails when it exits instead.
wait_ready() {
  until curl -sf "$1/readyz" >/dev/null; do
    kill -0 "$2" 2>/dev/null || { echo "clinic-cms exited before it was ready" >&2; exit 1; }
    sleep 0.005
  done
}
START=$(date +%s%N)
BIND_ADDR="127.0.0.1:$PORT" ./target/release/clinic-cms & PID=$!; PIDS+=("$PID")
wait_ready "$BASE" "$PID"
FRESH_MS=$(( ($(date +%s%N) - START) / 1000000 ))
START=$(date +%s%N)
BIND_ADDR="127.0.0.1:$COLD_PORT" CACHE_MAX_MB=0 ./target/release/clinic-cms & PIDS+=("$!")
wait_ready "http://127.0.0.1:$COLD_PORT" "$!"
EXISTING_MS=$(( ($(date +%s%N) - START) / 1000000 ))

ARTICLE="/api/v1/articles/massage-benefits-for-back-pain-and-posture"
LIST="/api/v1/articles"
SEARCH="/api/v1/articles?q=posture"
mkdir -p "$WORK/canned"
capture() { # name path
  curl -s -D "$WORK/h" -o "$WORK/canned/$1.json" "$BASE$2"
  awk -F': ' 'tolower($1)=="etag"{print $2}' "$WORK/h" | tr -d '\r' > "$WORK/canned/$1.etag"
  echo "$2" > "$WORK/canned/$1.path"
}
FEED="/api/v1/feed.json"
ATOM="/api/v1/feed.atom"
SITEMAP="/api/v1/sitemap.xml"
capture article "$ARTICLE"; capture list "$LIST"; capture search "$SEARCH"
capture feed "$FEED"; capture atom "$ATOM"; capture sitemap "$SITEMAP"
./target/release/examples/floor "127.0.0.1:$FLOOR_PORT" "$WORK/canned" & PIDS+=("$!")
until curl -sf "http://127.0.0.1:$FLOOR_PORT$LIST" >/dev/null; do sleep 0.005; done

ETAG=$(cat "$WORK/canned/article.etag")
printf 'wrk.headers["If-None-Match"] = %s\n' "'$ETAG'" > "$WORK/304.lua"
TOKEN=$(curl -s -X POST "$BASE/api/v1/auth/login" -H 'content-type: application/json' \
  -d '{"email":"bench@clinic.test","password":"bench password 123"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["access_token"])')
cat > "$WORK/login.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"email":"bench@clinic.test","password":"bench password 123"}'
LUA
export BENCH_TOKEN="$TOKEN" # read by scripts/wrk/patch-excerpt.lua

# measure URL CONNECTIONS [SCRIPT] -> "req/s p50 p99"
measure() {
  local out
  out=$(wrk -t"$(( $2 < 2 ? 1 : 2 ))" -c"$2" -d"${DURATION}s" --latency ${3:+-s "$3"} "$1")
  echo "$(awk '/Requests\/sec/{printf "%d", $2}' <<<"$out") $(awk '$1=="50%"{print $2}' <<<"$out") $(awk '$1=="99%"{print $2}' <<<"$out")"
}
FLOOR="http://127.0.0.1:$FLOOR_PORT"
# median_of "rps p50 p99" lines -> the line of the median req/s (its own p50
# and p99: one real run, not a mix).
median_of() { sort -n | awk '{line[NR]=$0} END {print line[int((NR+1)/2)]}'; }
# side_by_side URL_A URL_B [script]: the floor and clinic-cms measured
# alternately REPEAT times; prints the median run of each, "floor | ours".
side_by_side() {
  local a=() b=() i
  for ((i = 0; i < REPEAT; i++)); do
    a+=("$(measure "$1" 64 "${3:-}")")
    b+=("$(measure "$2" 64 "${3:-}")")
  done
  echo "$(printf '%s\n' "${a[@]}" | median_of)|$(printf '%s\n' "${b[@]}" | median_of)"
}
echo
echo "| scenario (64 connections) | clinic-cms req/s | p50 | p99 | floor req/s | floor p99 | ratio |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
row() { # name floor-url our-url [script]
  local both
  both=$(side_by_side "$2" "$3" "${4:-}")
  read -r f_rps _ f_p99 <<<"${both%%|*}"
  read -r rps p50 p99 <<<"${both#*|}"
  echo "| $1 | $rps | $p50 | $p99 | $f_rps | $f_p99 | $(python3 -c "print(f'{$rps/$f_rps:.2f}')") |"
}
row "warm GET article" "$FLOOR$ARTICLE" "$BASE$ARTICLE"
row "warm GET list" "$FLOOR$LIST" "$BASE$LIST"
row "warm GET search" "$FLOOR$SEARCH" "$BASE$SEARCH"
row "GET article, If-None-Match (304)" "$FLOOR$ARTICLE" "$BASE$ARTICLE" "$WORK/304.lua"
row "warm GET feed.json" "$FLOOR$FEED" "$BASE$FEED"
row "warm GET feed.atom" "$FLOOR$ATOM" "$BASE$ATOM"
row "warm GET sitemap.xml" "$FLOOR$SITEMAP" "$BASE$SITEMAP"
READ_RSS=$(awk '/VmHWM/{print $2, $3}' /proc/$PID/status)
COLD="http://127.0.0.1:$COLD_PORT"
row "cold GET article (cache off)" "$FLOOR$ARTICLE" "$COLD$ARTICLE"
row "cold GET list (cache off)" "$FLOOR$LIST" "$COLD$LIST"
row "cold GET feed.json (cache off)" "$FLOOR$FEED" "$COLD$FEED"
row "cold GET feed.atom (cache off)" "$FLOOR$ATOM" "$COLD$ATOM"
row "cold GET sitemap.xml (cache off)" "$FLOOR$SITEMAP" "$COLD$SITEMAP"
echo
echo "| writes and logins | connections | req/s | p50 | p99 |"
echo "| --- | --- | --- | --- | --- |"
for c in 1 16; do
  read -r rps p50 p99 <<<"$(measure "$BASE/api/v1/admin/articles/1" "$c" scripts/wrk/patch-excerpt.lua)"
  echo "| PATCH article | $c | $rps | $p50 | $p99 |"
done
for c in 1 8; do
  read -r rps p50 p99 <<<"$(measure "$BASE/api/v1/auth/login" "$c" "$WORK/login.lua")"
  echo "| POST login | $c | $rps | $p50 | $p99 |"
done
echo
echo "start to ready: ${FRESH_MS} ms on a fresh database (migrations, sample, first admin), ${EXISTING_MS} ms on an existing one"
echo "binary: $(stat -c %s target/release/clinic-cms) bytes"
echo "peak RSS of the cached server: $READ_RSS after the reads, $(awk '/VmHWM/{print $2, $3}' /proc/$PID/status) after writes and logins (two Argon2 workers hold 19 MiB each)"
echo "machine: $(nproc) cores, $(awk '/MemTotal/{print $2, $3}' /proc/meminfo), $(uname -r)"
