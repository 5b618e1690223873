//! `GET /metrics`: every process the server knows, in the text format
//! Prometheus scrapes (the families are `peeps_graph::metrics::prometheus`;
//! docs/api.md lists them).
//!
//! The numbers are counted once per change, with the view, from the same
//! analysis `/api/deadlocks` serves (`peeps_graph::metrics` says which
//! process a finding counts in); a scrape only adds the snapshot ages, as
//! of the scrape, and encodes.

use super::store::Contents;
use super::view::View;
use peeps_graph::metrics::{ProcessMetrics, prometheus};
use std::time::{SystemTime, UNIX_EPOCH};
use warp::http::Response;
use warp::reply::Reply;

/// Marks the processes no open connection feeds as stale. `metrics` is in
/// the order of `contents.processes` (the merge keeps it).
pub(crate) fn mark_stale(metrics: &mut [ProcessMetrics], contents: &Contents) {
    for (m, (key, entry)) in metrics.iter_mut().zip(&contents.processes) {
        debug_assert_eq!(&m.key, key, "the merge keeps the store's order");
        m.stale = entry.stale();
    }
}

/// The answer to a scrape of `view`.
pub(crate) fn reply(view: &View) -> warp::reply::Response {
    let now_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64);
    Response::builder()
        .header("content-type", prometheus::CONTENT_TYPE)
        .header("cache-control", "no-store")
        .body(prometheus::encode(view.metrics(), now_ms))
        // Static header names and values: building cannot fail.
        .expect("static response parts are valid")
        .into_response()
}
