//! peeps-sync with diagnostics OFF against tokio and parking_lot: the same
//! benchmark bodies as peeps-sync/benches/sync.rs, so a ratio here is the
//! cost of the no-op twins (expected 1.00 within noise).

/// The label of the peeps side of each group.
const PEEPS: &str = "peeps_off";

include!("../../peeps-sync/benches/shared/body.rs");
