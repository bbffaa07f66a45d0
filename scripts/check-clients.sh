#!/usr/bin/env bash
# Proves the OpenAPI document works for generated clients, against a running
# clinic-cms server:
#
#   ADMIN_EMAIL=... ADMIN_PASSWORD=... scripts/check-clients.sh http://127.0.0.1:18080
#
# Steps (all run; the script exits non-zero if any failed, listing which):
#   drift        GET BASE/openapi.json is byte-identical to openapi/openapi.json
#   python       openapi-python-client generates a client without one warning;
#                it installs, imports, has every operation, and parses live reads
#                (clients/python/smoke.py)
#   typescript   openapi-typescript generates schema.d.ts; clients/typescript/smoke.ts
#                type-checks with tsc --strict against it, then runs against the
#                server with openapi-fetch (create, patch with If-Match, publish,
#                read back, a stale If-Match gets 412 problem+json, delete)
#   redocly      @redocly/cli lint with the recommended rules (clients/redocly.yaml):
#                errors fail, warnings are listed
#   jsonld       every published article's json_ld flattens with PyLD and uses only
#                schema.org types and properties, each on its domain (clients/jsonld/)
#   schemathesis every operation, --checks all, as an admin (clients/schemathesis.toml)
#
# The server must be a throwaway: schemathesis creates, changes and deletes
# users, articles and everything else. The admin must be able to log in, and
# the smoke tests log in a few times (failed logins are rate limited, these are not).
#
# Needs: bash, curl, python3 (3.11, with venv), node >= 20.19 and npm, network
# access to PyPI and the npm registry. Everything is installed into a temporary
# directory that is removed on exit; nothing global, no browser.
#
# Environment:
#   ADMIN_EMAIL, ADMIN_PASSWORD   an admin account on the server (required)
#   CHECK_CLIENTS_STEPS           the steps to run (default: all, in the order above)
#   SCHEMATHESIS_MAX_EXAMPLES     test cases per operation and phase (default 100, ~30 s)
#   SCHEMATHESIS_WORKERS          concurrent workers (default 2)
#   SCHEMATHESIS_SEED             a seed, to reproduce a run (default: random; printed)
#   CHECK_CLIENTS_ARTIFACTS       a directory to keep logs, generated clients and
#                                 schemathesis reports in (default: none kept)
set -euo pipefail

usage() {
  sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

[ $# -eq 1 ] || usage
BASE="${1%/}"
: "${ADMIN_EMAIL:?ADMIN_EMAIL must be set}"
: "${ADMIN_PASSWORD:?ADMIN_PASSWORD must be set}"
export ADMIN_EMAIL ADMIN_PASSWORD

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DOC="$ROOT/openapi/openapi.json"
STEPS="${CHECK_CLIENTS_STEPS:-drift python typescript redocly jsonld schemathesis}"
MAX_EXAMPLES="${SCHEMATHESIS_MAX_EXAMPLES:-100}"
WORKERS="${SCHEMATHESIS_WORKERS:-2}"
ARTIFACTS="${CHECK_CLIENTS_ARTIFACTS:-}"

TMP="$(mktemp -d "${TMPDIR:-/tmp}/check-clients.XXXXXX")"
cleanup() {
  local rc=$?
  if [ -n "$ARTIFACTS" ] && [ -d "$TMP/artifacts" ]; then
    mkdir -p "$ARTIFACTS" && cp -R "$TMP/artifacts/." "$ARTIFACTS/" || true
  fi
  rm -rf "$TMP"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$TMP/artifacts"
# Tools must not phone home or nag.
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true NO_UPDATE_NOTIFIER=1
export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
export PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1

START=$SECONDS
FAILED=()

# Runs one step in a subshell with errexit on (a function called as an `if`
# condition would run with errexit silently off); records it if it fails.
run_step() {
  local name=$1 rc
  shift
  case " $STEPS " in *" $name "*) ;; *) return 0 ;; esac
  echo
  echo "=================== $name"
  set +e
  (set -euo pipefail; "$@")
  rc=$?
  set -e
  if [ "$rc" -ne 0 ]; then
    FAILED+=("$name")
    echo "=================== $name: FAILED"
  else
    echo "=================== $name: ok"
  fi
}

wants() { case " $STEPS " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }

# --------------------------------------------------------------------------
echo "== server $BASE"
for _ in $(seq 1 60); do
  curl -fsS -o /dev/null "$BASE/readyz" 2>/dev/null && break
  sleep 0.5
done
curl -fsS -o /dev/null "$BASE/readyz" || { echo "the server at $BASE is not ready" >&2; exit 1; }

echo "== tools (into $TMP)"
if wants python || wants schemathesis; then
  python3 -m venv "$TMP/venv"
  "$TMP/venv/bin/python" -m pip install --quiet --no-input -r "$ROOT/clients/requirements.txt"
  "$TMP/venv/bin/python" -m pip check
  # openapi-python-client runs ruff on what it generates when ruff is on PATH.
  export PATH="$TMP/venv/bin:$PATH"
  echo "openapi-python-client $("$TMP/venv/bin/python" -c 'import importlib.metadata as m; print(m.version("openapi-python-client"))'), schemathesis $("$TMP/venv/bin/python" -c 'import importlib.metadata as m; print(m.version("schemathesis"))')"
fi
if wants typescript || wants redocly; then
  node -e 'const [a,b]=process.versions.node.split(".").map(Number); if (a<20 || (a===20 && b<19)) { console.error("node >= 20.19 needed (@redocly/cli 2), found " + process.versions.node); process.exit(1) }'
  mkdir -p "$TMP/ts"
  cp "$ROOT/clients/typescript/package.json" "$ROOT/clients/typescript/package-lock.json" "$TMP/ts/"
  npm ci --prefix "$TMP/ts" --no-audit --no-fund --loglevel=error
  echo "node $(node --version), typescript $("$TMP/ts/node_modules/.bin/tsc" --version)"
fi

# --------------------------------------------------------------------------
step_drift() {
  curl -fsS "$BASE/openapi.json" -o "$TMP/served.json"
  if cmp -s "$TMP/served.json" "$DOC"; then
    echo "GET /openapi.json is byte-identical to openapi/openapi.json ($(wc -c <"$DOC") bytes)"
    return 0
  fi
  echo "GET /openapi.json ($(wc -c <"$TMP/served.json") bytes) differs from openapi/openapi.json ($(wc -c <"$DOC") bytes)"
  cp "$TMP/served.json" "$TMP/artifacts/served-openapi.json"
  python3 - "$DOC" "$TMP/served.json" <<'PY'
import json, sys

def walk(a, b, path, out):
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            p = f"{path}/{str(k).replace('~', '~0').replace('/', '~1')}"
            if k not in b:
                out.append(f"only in the committed file: {p}")
            elif k not in a:
                out.append(f"only in the served document: {p}")
            else:
                walk(a[k], b[k], p, out)
    elif a != b:
        out.append(f"differs: {path or '/'}")

try:
    committed = json.load(open(sys.argv[1]))
    served = json.load(open(sys.argv[2]))
except ValueError as e:
    print(f"not JSON: {e}")
    sys.exit(0)
out = []
walk(committed, served, "", out)
if not out:
    print("same JSON, different bytes (key order or whitespace): regenerate with `cargo run -q -- openapi > openapi/openapi.json`")
for line in out[:60]:
    print("  " + line)
if len(out) > 60:
    print(f"  ... {len(out) - 60} more")
PY
  return 1
}

# --------------------------------------------------------------------------
step_python() {
  local gen="$TMP/python" rc=0
  mkdir -p "$gen"
  (
    cd "$gen"
    # COLUMNS: the tool wraps its messages to the terminal width.
    COLUMNS=200 openapi-python-client generate --path "$DOC" --meta poetry \
      --config "$ROOT/clients/openapi-python-client.yaml" \
      --output-path "$gen/clinic-cms-client" --fail-on-warning
  ) >"$gen/generate.log" 2>&1 || rc=$?
  cp "$gen/generate.log" "$TMP/artifacts/openapi-python-client.log"
  cat "$gen/generate.log"
  # Anything besides the "Generating ..." line is a warning or worse (dropped
  # schemas and operations, a post-hook such as ruff skipped or failing).
  if [ "$rc" -ne 0 ] || grep -v '^Generating ' "$gen/generate.log" | grep -q '[^[:space:]]'; then
    echo "openapi-python-client reported problems (exit $rc): see above"
    rc=1
  fi
  if [ ! -d "$gen/clinic-cms-client" ]; then
    echo "no client was generated"
    return 1
  fi
  cp -R "$gen/clinic-cms-client" "$TMP/artifacts/python-client"
  # Install it as a user would, with its own metadata; its dependencies are
  # already pinned in the venv, so nothing new is downloaded.
  python -m pip install --quiet --no-input --no-build-isolation "$gen/clinic-cms-client"
  python -m pip check
  (cd "$TMP" && python -c 'import clinic_cms_client; from clinic_cms_client import Client, AuthenticatedClient; print("import clinic_cms_client: ok")')
  (cd "$TMP" && python "$ROOT/clients/python/smoke.py" "$BASE" "$DOC") || rc=1
  return "$rc"
}

# --------------------------------------------------------------------------
step_typescript() {
  local ts="$TMP/ts" rc=0
  cp "$ROOT/clients/typescript/smoke.ts" "$ROOT/clients/typescript/tsconfig.json" "$ts/"
  echo "-- openapi-typescript"
  (cd "$ts" && node_modules/.bin/openapi-typescript "$DOC" -o "$ts/schema.d.ts") >"$ts/generate.log" 2>&1 || rc=$?
  cat "$ts/generate.log"
  # It prints one line naming the output on success; anything else is a warning.
  if [ "$rc" -ne 0 ] || grep -v -e '^✨ openapi-typescript' -e '^🚀 ' "$ts/generate.log" | grep -q '[^[:space:]]'; then
    echo "openapi-typescript reported problems (exit $rc)"
    rc=1
  fi
  [ -f "$ts/schema.d.ts" ] || return 1
  cp "$ts/schema.d.ts" "$TMP/artifacts/schema.d.ts"

  echo "-- smoke.ts uses the generated types, never any"
  if grep -nE '(:|<|as|\|)[[:space:]]*any\b|\bany\[\]|@ts-(ignore|nocheck|expect-error)' "$ts/smoke.ts"; then
    echo "smoke.ts must not use any or silence the compiler"
    rc=1
  fi

  echo "-- tsc --noEmit --strict"
  (cd "$ts" && node_modules/.bin/tsc -p tsconfig.json --noEmit --strict) || rc=1

  echo "-- run smoke.ts against $BASE"
  # Compiled even when the type check failed, so a run shows what else breaks;
  # the step has failed already in that case.
  (cd "$ts" && node_modules/.bin/tsc -p tsconfig.json --noEmitOnError false >/dev/null) || true
  if [ -f "$ts/dist/smoke.js" ]; then
    node "$ts/dist/smoke.js" "$BASE" || rc=1
  else
    echo "smoke.ts did not compile"
    rc=1
  fi
  return "$rc"
}

# --------------------------------------------------------------------------
step_redocly() {
  local out="$TMP/redocly.json" rc=0
  (cd "$TMP/ts" && node_modules/.bin/redocly lint --config "$ROOT/clients/redocly.yaml" \
    --format json --max-problems 10000 "$DOC") >"$out" 2>"$TMP/redocly.err" || rc=$?
  cp "$out" "$TMP/artifacts/redocly.json"
  # stderr: progress lines and a Node 20 deprecation banner; show real messages only.
  grep -v -e '║' -e '╔' -e '╚' -e '^[[:space:]]*$' -e '^validating ' -e 'validated in' \
    -e 'Validation failed with' -e 'generate-ignore-file' -e '^Woohoo' "$TMP/redocly.err" || true
  python3 - "$out" "$rc" <<'PY'
import json, sys
from collections import defaultdict
path, rc = sys.argv[1], int(sys.argv[2])
try:
    report = json.load(open(path))
except ValueError:
    print(f"redocly lint gave no JSON report (exit {rc})")
    sys.exit(1)
groups = defaultdict(list)
for p in report["problems"]:
    pointer = p["location"][0]["pointer"] if p.get("location") else "?"
    groups[(p["severity"], p["ruleId"], p["message"])].append(pointer)
def where(pointer):
    parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer.lstrip("#").split("/")[1:]]
    if len(parts) >= 3 and parts[0] == "paths":
        rest = "/".join(parts[3:])
        return f"{parts[2].upper()} {parts[1]}" + (f" ({rest})" if rest else "")
    return "#/" + "/".join(parts)
for severity in ("error", "warn"):
    for (sev, rule, message), pointers in sorted(groups.items()):
        if sev != severity:
            continue
        print(f"{sev.upper():5} {rule}: {message} ({len(pointers)})")
        for pointer in pointers:
            print(f"        {where(pointer)}")
t = report["totals"]
print(f"redocly lint: {t['errors']} error(s), {t['warnings']} warning(s), {t['ignored']} ignored")
sys.exit(1 if t["errors"] or rc else 0)
PY
}

# --------------------------------------------------------------------------
# Logs in as the admin with curl; prints the JSON response of /auth/login.
login_json() {
  python3 -c 'import json, os; print(json.dumps({"email": os.environ["ADMIN_EMAIL"], "password": os.environ["ADMIN_PASSWORD"]}))' |
    curl -fsS -X POST "$BASE/api/v1/auth/login" -H 'Content-Type: application/json' --data-binary @-
}

json_get() { python3 -c 'import json, sys; v = json.load(sys.stdin); [v := v[k] for k in sys.argv[1:]]; print(v)' "$@"; }

step_schemathesis() {
  local login token admin_id stand_in rc=0 seed=()
  login="$(login_json)"
  token="$(json_get data access_token <<<"$login")"
  admin_id="$(json_get data user id <<<"$login")"
  # The user that PATCH/DELETE /admin/users/{id} aimed at this admin hit
  # instead (clients/schemathesis_hooks.py explains why).
  stand_in="$(python3 -c 'import json, secrets; print(json.dumps({"email": f"stand-in-{secrets.token_hex(4)}@clinic.example", "name": "schemathesis stand-in", "password": secrets.token_urlsafe(18), "role": "author"}))' |
    curl -fsS -X POST "$BASE/api/v1/admin/users" -H "Authorization: Bearer $token" \
      -H 'Content-Type: application/json' --data-binary @- | json_get data id)"
  echo "logged in as user $admin_id; requests to change or delete it go to stand-in user $stand_in"
  [ -n "${SCHEMATHESIS_SEED:-}" ] && seed=(--seed "$SCHEMATHESIS_SEED")
  mkdir -p "$TMP/schemathesis"
  # Run from the temporary directory: schemathesis keeps state in its
  # working directory (.hypothesis), and must not pick up another config.
  (
    cd "$TMP/schemathesis"
    export SCHEMATHESIS_HOOKS="$ROOT/clients/schemathesis_hooks.py"
    export CHECK_CLIENTS_PROTECTED_USER_ID="$admin_id" CHECK_CLIENTS_STAND_IN_USER_ID="$stand_in"
    # Uploads are judged by their bytes, which no schema can describe (random
    # bytes are rightly 415, and a real image turns a negative case valid):
    # tests/api/media.rs covers that operation, over HTTP, instead.
    schemathesis --config-file "$ROOT/clients/schemathesis.toml" run "$DOC" \
      --url "$BASE" \
      --exclude-name 'POST /api/v1/admin/media' \
      --checks all \
      -H "Authorization: Bearer $token" \
      --max-examples "$MAX_EXAMPLES" \
      --workers "$WORKERS" \
      --request-timeout 10 \
      --generation-database none \
      --report junit,ndjson --report-dir "$TMP/artifacts/schemathesis" \
      "${seed[@]}"
  ) || rc=$?
  # schemathesis shows one example per operation and check; list every
  # distinct reason, each with a request that reproduces it.
  local report
  for report in "$TMP/artifacts/schemathesis"/ndjson-*.ndjson; do
    if [ -f "$report" ]; then
      python3 "$ROOT/clients/schemathesis_summary.py" "$report" || echo "(could not summarize $report)"
    fi
  done
  # A run that lost the admin it runs as would have tested everything after
  # that as 401 and passed: say so instead.
  local me
  me="$(curl -sS -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "$BASE/api/v1/auth/me")"
  if [ "$me" != 200 ]; then
    echo "after the run the admin token gets HTTP $me from /api/v1/auth/me: operations after some point ran unauthorized; the run proves less than it says"
    rc=1
  fi
  return "$rc"
}

step_jsonld() {
  python3 -m venv "$TMP/jsonld-venv"
  "$TMP/jsonld-venv/bin/python" -m pip install --quiet --no-input -r "$ROOT/clients/jsonld/requirements.txt"
  "$TMP/jsonld-venv/bin/python" "$ROOT/clients/jsonld/check.py" "$BASE"
}

run_step drift step_drift
run_step python step_python
run_step typescript step_typescript
run_step redocly step_redocly
run_step jsonld step_jsonld
run_step schemathesis step_schemathesis

echo
echo "== check-clients: $((SECONDS - START)) s"
if [ ${#FAILED[@]} -gt 0 ]; then
  echo "FAILED: ${FAILED[*]}"
  exit 1
fi
echo "all client checks passed"
