//! peeps-sync (diagnostics on) against tokio and parking_lot, in one run.
//!
//! Each group measures one operation as `tokio` (or `parking_lot`) and as
//! `peeps`; the ratio of the two is what docs/PERFORMANCE.md records. The
//! same benchmarks with diagnostics off live in `benches-off/` at the
//! repository root (a crate outside the workspace, so its features are its
//! own). Run: `cargo bench -p peeps-sync --bench sync`.

/// The label of the peeps side of each group.
const PEEPS: &str = "peeps";

include!("shared/body.rs");
