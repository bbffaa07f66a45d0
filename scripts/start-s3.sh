#!/usr/bin/env bash
# Starts a throwaway S3-compatible server (moto's, from PyPI, in its own
# virtualenv) on loopback with one bucket, and prints the variables the
# media tests use against it. Usage: eval "$(scripts/start-s3.sh)"; stop with
# scripts/start-s3.sh stop (which also removes its folder).
set -euo pipefail
PORT="${S3_TEST_PORT:-55600}"
DIR="${S3_TEST_DIR:-/tmp/clinic-cms-s3}"
BUCKET=clinic-media

if [ "${1:-}" = stop ]; then
  if [ -f "$DIR/pid" ]; then kill "$(cat "$DIR/pid")" 2>/dev/null || true; fi
  rm -rf "$DIR"
  exit 0
fi
mkdir -p "$DIR"
if [ ! -x "$DIR/venv/bin/moto_server" ]; then
  python3 -m venv "$DIR/venv" >&2
  "$DIR/venv/bin/pip" install -q "moto[server]>=5,<6" >&2
fi
"$DIR/venv/bin/moto_server" -H 127.0.0.1 -p "$PORT" >"$DIR/server.log" 2>&1 &
echo $! >"$DIR/pid"
for _ in $(seq 1 100); do
  curl -fsS -o /dev/null "http://127.0.0.1:$PORT/moto-api/" 2>/dev/null && break
  sleep 0.1
done
# A bucket is made with a plain PUT of its name.
curl -fsS -X PUT -o /dev/null "http://127.0.0.1:$PORT/$BUCKET"
cat <<VARS
export TEST_MEDIA_STORE=s3://$BUCKET
export AWS_ENDPOINT=http://127.0.0.1:$PORT AWS_ALLOW_HTTP=true AWS_REGION=us-east-1
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test
VARS
