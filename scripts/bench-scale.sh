#!/usr/bin/env bash
# Public reads at scale, with the response cache off: every request below
# reaches the database.
#
# Builds release, creates a database with the sample content plus N
# synthetic articles (`clinic-cms seed --synthetic N`; 100,000 take about
# 80 s and 4.6 GB on SQLite), starts clinic-cms with CACHE_MAX_MB=0 and
# drives each URL with wrk at 16 connections. Prints a Markdown table.
#
# Usage: scripts/bench-scale.sh [articles, default 100000] [seconds per row, default 5]
# SCALE_DATABASE_URL names the database to use instead of a fresh SQLite file
# (a SQLite URL or an existing PostgreSQL database, empty or already seeded):
# it is seeded only while it holds fewer than N articles, so reruns reuse it.
set -euo pipefail
cd "$(dirname "$0")/.."
ARTICLES="${1:-100000}"
DURATION="${2:-5}"
PORT="${BENCH_PORT:-18190}"
BASE="http://127.0.0.1:$PORT/api/v1"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
command -v jq >/dev/null || { echo "jq is missing: apt-get install jq" >&2; exit 1; }

cargo build --release --quiet --bin clinic-cms
WORK="$(mktemp -d "${TMPDIR:-/tmp}/clinic-cms-scale.XXXXXX")"
PID=""
trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null; rm -rf "$WORK"' EXIT
export RUST_LOG=error
# Until the server answers; fails (instead of waiting forever) when it exits.
wait_ready() {
  until curl -sf "$BASE/../../readyz" >/dev/null; do
    kill -0 "$PID" 2>/dev/null || { echo "clinic-cms exited before it was ready" >&2; exit 1; }
    sleep 0.01
  done
}
export DATABASE_URL="${SCALE_DATABASE_URL:-sqlite://$WORK/scale.db}"
./target/release/clinic-cms migrate >/dev/null
# Starting once loads the sample content into an empty database.
BIND_ADDR="127.0.0.1:$PORT" ./target/release/clinic-cms & PID=$!
wait_ready
HELD=$(curl -s "$BASE/articles?per_page=1" | jq '.meta.total')
kill "$PID"; wait "$PID" 2>/dev/null || true; PID=""
if [ "$HELD" -lt "$ARTICLES" ]; then
  START=$(date +%s)
  ./target/release/clinic-cms seed --synthetic "$ARTICLES"
  echo "seeded $ARTICLES articles in $(( $(date +%s) - START )) s"
fi

CACHE_MAX_MB=0 BIND_ADDR="127.0.0.1:$PORT" ./target/release/clinic-cms & PID=$!
wait_ready
TOTAL=$(curl -s "$BASE/articles?per_page=1" | jq '.meta.total')
DEEP=$(( TOTAL / 40 ))
CURSOR=$(curl -s "$BASE/articles?page=$DEEP&per_page=20" | jq -r '.meta.next_cursor')
# The synthetic topics tag about 7.5% of the articles each; a sample tag and
# a sample-only word mark one article; every synthetic body says "posture".
ROWS=(
  "list, first page|/articles"
  "list, page $DEEP by offset|/articles?page=$DEEP"
  "list, the page after $DEEP by cursor|/articles?cursor=$CURSOR"
  "tag on 7.5% of articles|/articles?tag=topic-3"
  "tag on one article|/articles?tag=wound-care"
  "search, a word in one article|/articles?q=spravato"
  "search, no match|/articles?q=xylophone"
  "search + tag, dense|/articles?q=posture&tag=topic-3"
  "search, a prefix in every article|/articles?q=posture"
  "search by relevance, one article|/articles?q=spravato&sort=relevance"
  "article (stored document)|/articles/massage-benefits-for-back-pain-and-posture"
)
# Warm the server's threads and the OS page cache before the first row.
wrk -t2 -c16 -d2s "$BASE/articles" >/dev/null
echo
echo "$TOTAL public articles, cache off, wrk -c16, ${DURATION} s a row"
echo
echo "| request (cache off, 16 connections) | req/s | p50 | p99 | first request |"
echo "| --- | --- | --- | --- | --- |"
for row in "${ROWS[@]}"; do
  name="${row%%|*}"; path="${row#*|}"
  first=$(curl -s -o /dev/null -w '%{time_total}' "$BASE$path")
  out=$(wrk -t2 -c16 -d"${DURATION}s" --latency "$BASE$path")
  rps=$(awk '/Requests\/sec/{printf "%d", $2}' <<<"$out")
  p50=$(awk '$1=="50%"{print $2}' <<<"$out")
  p99=$(awk '$1=="99%"{print $2}' <<<"$out")
  bad=$(awk '/Non-2xx/{print " (" $NF " non-2xx)"}' <<<"$out")
  echo "| $name | $rps$bad | $p50 | $p99 | $(python3 -c "print(f'{$first*1000:.1f} ms')") |"
done
echo
echo "peak RSS: $(awk '/VmHWM/{print $2, $3}' /proc/$PID/status); machine: $(nproc) cores, $(uname -r)"
