#!/usr/bin/env bash
# Every check and test of the project: what CI runs (.ci/run calls this).
# Needs cargo, and Node.js (>= 20.19) with npm for the UI's checks and
# browser tests (Debian: apt-get install -y nodejs npm); installs Chromium
# for those on a fresh Debian machine. Leaves the work tree as it found it
# (npm ci never rewrites package-lock.json; generated files are only
# compared), and fails if it did not.
set -euo pipefail
cd "$(dirname "$0")/.."
# No incremental caches: every build here runs once, and they would double
# the disk a full run needs.
export CARGO_INCREMENTAL=0

# Each step's heading says how much disk is left: a full run's builds take
# many gigabytes, and a full disk fails builds in ways that read like bugs.
step() { printf '\n==> %s (disk free: %s)\n' "$*" "$(df -h --output=avail . 2>/dev/null | tail -n 1 | tr -d ' ')"; }

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "test-all: Node.js (>= 20.19) and npm are needed (Debian: apt-get install -y nodejs npm)" >&2
  exit 1
fi
before="$(git status --porcelain 2>/dev/null || true)"

step "format"
cargo fmt --all -- --check
step "clippy (all targets, warnings are errors)"
cargo clippy --workspace --all-targets -- -D warnings
step "diagnostics off: everything compiles and the sync types behave the same"
cargo build -p peeps -p peeps-sync -p peeps-runtime --no-default-features
cargo clippy -p peeps -p peeps-sync -p peeps-runtime --no-default-features --all-targets -- -D warnings
cargo test -p peeps-sync --no-default-features
# The runtime's own tests, and tests/hooks.rs: every hook's no-op twin has
# its recording hook's signature.
cargo test -p peeps-runtime --no-default-features
# The facade's doctests and #[peeps::test] as #[tokio::test].
cargo test -p peeps --no-default-features
# peeps-roam built alone: its peeps dependency without diagnostics.
cargo build -p peeps-roam
step "tests"
# tests/test_attr_fixture.rs runs a fixture crate under `cargo nextest run`.
cargo nextest --version >/dev/null 2>&1 || {
  echo "cargo-nextest is needed: cargo install cargo-nextest --locked" >&2
  exit 1
}
cargo test --workspace
step "loom models of the lock-free slots, the waker hand-off and the task memory gate"
scripts/loom.sh
step "tokio's own sync tests on peeps::sync (peeps passes every one tokio passes)"
scripts/tokio-sync-tests.sh
if [ -x frontend/check-bundle.sh ]; then
  step "the committed UI bundle matches its sources"
  frontend/check-bundle.sh
fi
if [ -x frontend/run-browser-tests.sh ]; then
  step "browser tests (headless Chromium)"
  frontend/run-browser-tests.sh
fi
if [ -n "$(git rev-parse --git-dir 2>/dev/null)" ]; then
  step "the work tree is as it was"
  after="$(git status --porcelain)"
  if [ "$after" != "$before" ]; then
    echo "test-all: the checks changed the work tree:" >&2
    diff <(echo "$before") <(echo "$after") >&2 || true
    exit 1
  fi
fi
step "all checks passed"
