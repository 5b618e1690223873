#!/usr/bin/env bash
# Fails when the committed UI bundle (peeps-dump/ui/dist, embedded in the
# `peeps` binary) or the generated API types are stale: rebuilds both from
# the sources into a scratch directory and compares. Run by CI; needs Node
# (>= 20.19) and npm. Touches nothing in the work tree except node_modules.
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v npm >/dev/null; then
  echo "check-bundle: npm is not installed (Debian: apt-get install -y nodejs npm)" >&2
  exit 1
fi
# `npm ci`: the locked versions, and the lock left as it is.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi

# docs/schema.json is generated from the Rust types (peeps-dump's
# src/serve/schema.rs; plain `cargo test` runs it), the TypeScript types from it.
(cd .. && cargo test --quiet -p peeps-dump --bin peeps serve::schema)
node scripts/gen-types.mjs --check

# Names come from untrusted programs: the UI never parses strings as HTML.
if grep -rnE 'innerHTML|outerHTML|insertAdjacentHTML|document\.write|srcdoc' src; then
  echo "check-bundle: src/ must build DOM with dom.ts (text nodes), never from HTML strings" >&2
  exit 1
fi

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
npm run --silent typecheck
npx vite build --logLevel warn --outDir "$scratch/dist" --emptyOutDir

if ! diff -r "$scratch/dist" ../peeps-dump/ui/dist >"$scratch/diff" 2>&1; then
  head -c 4000 "$scratch/diff" | cut -c1-200 >&2
  echo >&2
  echo "check-bundle: peeps-dump/ui/dist is stale: run (cd frontend && npm run build) and commit peeps-dump/ui/dist" >&2
  exit 1
fi
echo "check-bundle: peeps-dump/ui/dist matches the sources"
