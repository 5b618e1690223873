#!/usr/bin/env bash
# One command for the UI's browser tests on a fresh Debian machine: installs
# Debian's Chromium if it is missing, the npm packages (package-lock.json), builds the
# `peeps` binary and the scenario programs (cargo, default target dir unless
# CARGO_TARGET_DIR says otherwise), then runs frontend/tests in headless
# Chromium against a real `peeps serve`. Prints `N passed, M failed` and
# exits non-zero on any failure. Called by scripts/test-all.sh (CI).
set -euo pipefail
cd "$(dirname "$0")"
say() { echo "run-browser-tests: $*"; }

if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi
if [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
  say "installing Debian's chromium"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
fi
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  say "Node.js >= 20.19 and npm are needed (they are not installed)" >&2
  exit 1
fi
# `npm ci`: installs exactly package-lock.json and never rewrites it, so a
# run leaves the work tree as it found it.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "npm ci (from package-lock.json)"
  npm ci --no-audit --no-fund --loglevel=error
fi

# The build `cargo test --workspace` makes (its features include the
# workspace's dev-dependencies'): after the test suite it is already there,
# where a plain `cargo build` would compile and link every scenario program
# a second time (about 6 GB more disk in CI).
say "cargo test --workspace --no-run (the peeps binary and the scenario programs)"
(cd .. && cargo test --quiet --workspace --no-run)

tap="$(mktemp)"
trap 'rm -f "$tap"' EXIT
status=0
node --test --test-concurrency=1 \
  --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=tap --test-reporter-destination="$tap" \
  tests/ui.test.mjs tests/auth.test.mjs || status=$?

passed=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$tap" | tail -1)
failed=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$tap" | tail -1)
cancelled=$(sed -n 's/^# cancelled \([0-9]*\)$/\1/p' "$tap" | tail -1)
failed=$(( ${failed:-0} + ${cancelled:-0} ))
if [ -z "$passed" ]; then passed=0; [ "$status" = 0 ] && status=1; fi
echo "browser: ${passed} passed, ${failed} failed"
if [ "$failed" != 0 ] && [ "$status" = 0 ]; then status=1; fi
exit "$status"
