#!/usr/bin/env bash
# Every check and test of the project: what CI runs (.ci/run calls this).
# Installs what the browser tests need on a fresh Debian machine.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "format"
cargo fmt --all -- --check
step "clippy (all targets, warnings are errors)"
cargo clippy --workspace --all-targets -- -D warnings
step "diagnostics off: everything compiles and the sync types behave the same"
cargo build -p peeps -p peeps-sync -p peeps-runtime --no-default-features
cargo test -p peeps-sync --no-default-features
cargo test -p peeps --no-default-features --test test_attr_off  # #[peeps::test] is #[tokio::test]
step "tests"
# tests/test_attr_fixture.rs runs a fixture crate under `cargo nextest run`.
cargo nextest --version >/dev/null 2>&1 || {
  echo "cargo-nextest is needed: cargo install cargo-nextest --locked" >&2
  exit 1
}
cargo test --workspace
if [ -x frontend/check-bundle.sh ]; then
  step "the committed UI bundle matches its sources"
  frontend/check-bundle.sh
fi
if [ -x frontend/run-browser-tests.sh ]; then
  step "browser tests (headless Chromium)"
  frontend/run-browser-tests.sh
fi
step "all checks passed"
