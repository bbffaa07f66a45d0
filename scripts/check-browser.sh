#!/usr/bin/env bash
# Browser checks against a running clinic-cms, in Debian's Chromium
# (clients/browser/check.mjs): JSON-LD embedded the README's ways runs no
# script, and the docs render under their Content-Security-Policy; then the
# studio end to end (clients/browser/studio.mjs, with axe-core). Screenshots
# of the studio's screens go to STUDIO_SCREENSHOTS when it is set.
#
#   ADMIN_EMAIL=... ADMIN_PASSWORD=... scripts/check-browser.sh http://127.0.0.1:18080
#
# Installs Chromium from Debian's packages when /usr/bin/chromium is missing
# (never a downloaded browser build) and playwright-core, pinned, into a
# temporary directory it removes on exit. The server's content is changed:
# use a throwaway one.
set -euo pipefail
[ $# -eq 1 ] || { sed -n '2,6p' "$0" >&2; exit 2; }
: "${ADMIN_EMAIL:?}" "${ADMIN_PASSWORD:?}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
if [ ! -x /usr/bin/chromium ]; then
  echo "installing Debian's chromium" >&2
  apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >&2
fi
TMP="$(mktemp -d "${TMPDIR:-/tmp}/check-browser.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT
cp "$ROOT/clients/browser/package.json" "$ROOT/clients/browser/package-lock.json" \
  "$ROOT/clients/browser/check.mjs" "$ROOT/clients/browser/studio.mjs" "$TMP/"
# playwright-core never downloads a browser; it drives the one given.
PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --prefix "$TMP" --no-audit --no-fund --loglevel=error
status=0
node "$TMP/check.mjs" "$1" || status=1
node "$TMP/studio.mjs" "$1" || status=1
exit "$status"
