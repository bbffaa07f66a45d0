#!/usr/bin/env bash
# Reads a running clinic-cms's feeds, sitemap and webhooks with the tools
# their consumers use (clients/feeds/check.py): feedparser (Atom, JSON
# Feed), xmlschema against the sitemap protocol's schemas, and the
# `standardwebhooks` library verifying a real delivery.
#
#   ADMIN_EMAIL=... ADMIN_PASSWORD=... scripts/check-feeds.sh http://127.0.0.1:18082
#
# The server must allow webhooks to loopback over plain HTTP
# (WEBHOOK_ALLOW_PRIVATE=true WEBHOOK_ALLOW_HTTP=true); with
# SITEMAP_URLS_PER_FILE=1 its sitemap is an index, and both are checked.
# Needs python3 with venv and PyPI; installs into a temporary directory,
# removed on exit.
set -euo pipefail
[ $# -eq 1 ] || { sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
: "${ADMIN_EMAIL:?ADMIN_EMAIL must be set}" "${ADMIN_PASSWORD:?ADMIN_PASSWORD must be set}"
export ADMIN_EMAIL ADMIN_PASSWORD
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
TMP="$(mktemp -d "${TMPDIR:-/tmp}/check-feeds.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT
python3 -m venv "$TMP/venv"
"$TMP/venv/bin/python" -m pip install --quiet --no-input -r "$ROOT/clients/feeds/requirements.txt"
"$TMP/venv/bin/python" -m pip check
"$TMP/venv/bin/python" "$ROOT/clients/feeds/check.py" "$1"
