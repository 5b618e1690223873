#!/usr/bin/env bash
# Loom models of peeps-runtime's lock-free pieces: the holder slots
# (hold.rs), the wait slots (wait.rs), the waker reference hand-off and the
# task memory gate (task.rs), the flight recorder's ring (history/ring.rs).
# Every test named `loom_tests::...` runs under loom, which tries every
# interleaving of the threads in it (and every value the memory model lets
# each load see), up to LOOM_MAX_PREEMPTIONS
# preemptions per run (2 unless set).
#
# Built with `--cfg loom` in its own target dir (target/loom), so it does
# not invalidate the normal build. Extra arguments go to the test binary
# instead of the filter `loom_tests` (e.g. `loom_tests::a_snapshot` to run
# some models, `--nocapture`): a filter that also picks the crate's other
# tests runs them under loom, where they fail (they use loom's atomics
# outside a model). LOOM_MAX_PREEMPTIONS=3 passes too, in about a minute.
set -euo pipefail
cd "$(dirname "$0")/.."
export LOOM_MAX_PREEMPTIONS="${LOOM_MAX_PREEMPTIONS:-2}"
[ $# -gt 0 ] || set -- loom_tests
RUSTFLAGS="--cfg loom ${RUSTFLAGS:-}" \
  cargo test -p peeps-runtime --lib --release --target-dir target/loom -- "$@"
