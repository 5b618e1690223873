//! Instrumented tokio::sync and parking_lot types (see issue 3): not written yet.
