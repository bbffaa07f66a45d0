#!/usr/bin/env bash
# First baseline figures: builds release, starts clinic-cms on a fresh SQLite
# database, and drives it with wrk (Debian package `wrk`). Prints requests/s
# and latency percentiles for each scenario. Usage: scripts/bench.sh [seconds]
# On PostgreSQL: BENCH_DATABASE_URL=postgres://.../an_empty_database scripts/bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${1:-10}"
PORT="${BENCH_PORT:-18090}"
BASE="http://127.0.0.1:$PORT"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }

cargo build --release --quiet
WORK="$(mktemp -d)"
trap 'kill "$PID" 2>/dev/null || true; rm -rf "$WORK"' EXIT
export DATABASE_URL="${BENCH_DATABASE_URL:-sqlite://$WORK/bench.db}" BIND_ADDR="127.0.0.1:$PORT" RUST_LOG=error \
  ADMIN_EMAIL=bench@clinic.test ADMIN_PASSWORD="bench password 123" \
  JWT_SECRET="bench-secret-bench-secret-bench-secret"
START=$(date +%s%N)
./target/release/clinic-cms & PID=$!
until curl -sf "$BASE/readyz" >/dev/null; do sleep 0.005; done
echo "start to ready (fresh database, sample loaded): $(( ($(date +%s%N) - START) / 1000000 )) ms"
echo "binary: $(stat -c %s target/release/clinic-cms) bytes"

TOKEN=$(curl -s -X POST "$BASE/api/v1/auth/login" -H 'content-type: application/json' \
  -d '{"email":"bench@clinic.test","password":"bench password 123"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["access_token"])')
ARTICLE="$BASE/api/v1/articles/massage-benefits-for-back-pain-and-posture"
ETAG=$(curl -sI "$ARTICLE" | awk -F': ' 'tolower($1)=="etag"{print $2}' | tr -d '\r')

cat > "$WORK/header.lua" <<LUA
wrk.headers["If-None-Match"] = '$ETAG'
LUA
cat > "$WORK/login.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"email":"bench@clinic.test","password":"bench password 123"}'
LUA
cat > "$WORK/patch.lua" <<LUA
wrk.method = "PATCH"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $TOKEN"
wrk.headers["If-Match"] = "*"
counter = 0
request = function()
  counter = counter + 1
  return wrk.format(nil, nil, nil, '{"excerpt":"bench ' .. counter .. '"}')
end
LUA

run() { # name, connections, url, [script]
  local name="$1" conns="$2" url="$3" script="${4:-}"
  local out
  out=$(wrk -t"$(( conns < 2 ? 1 : 2 ))" -c"$conns" -d"${DURATION}s" --latency ${script:+-s "$script"} "$url")
  printf '%-28s c=%-3s %10s req/s  p50 %8s  p99 %8s\n' "$name" "$conns" \
    "$(awk '/Requests\/sec/{print $2}' <<<"$out")" \
    "$(awk '$1=="50%"{print $2}' <<<"$out")" "$(awk '$1=="99%"{print $2}' <<<"$out")"
}
run "GET article" 64 "$ARTICLE"
run "GET article list" 64 "$BASE/api/v1/articles"
run "GET search q=posture" 64 "$BASE/api/v1/articles?q=posture"
run "GET article, 304" 64 "$ARTICLE" "$WORK/header.lua"
run "POST login" 1 "$BASE/api/v1/auth/login" "$WORK/login.lua"
run "POST login" 8 "$BASE/api/v1/auth/login" "$WORK/login.lua"
run "PATCH article" 1 "$BASE/api/v1/admin/articles/1" "$WORK/patch.lua"
run "PATCH article" 16 "$BASE/api/v1/admin/articles/1" "$WORK/patch.lua"
echo "peak RSS: $(awk '/VmHWM/{print $2, $3}' /proc/$PID/status)"
