//! Empty: this crate only holds the diagnostics-off benchmarks (benches/sync.rs).
