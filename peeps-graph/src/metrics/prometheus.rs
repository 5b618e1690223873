//! The metric families, written with `prometheus-client` in the text format
//! Prometheus scrapes (OpenMetrics 1.0: `# HELP`, `# TYPE`, `# UNIT`, one
//! sample per line, `# EOF`).
//!
//! Every family is a gauge named `peeps_*`, with one sample per process,
//! labelled `process` (its name), `key` (unique per process lifetime) and
//! `host` (empty when the snapshot has none); `peeps_deadlocks` also has
//! `certainty` (`certain` or `probable`, both always present). docs/api.md
//! lists them with an example.

use super::ProcessMetrics;
use crate::analysis::Certainty;
use prometheus_client::encoding::text::encode as encode_text;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::{Registry, Unit};
use std::sync::atomic::AtomicU64;

/// The `Content-Type` of [`encode`]'s text.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// A sample's labels: `process`, `key`, `host`, and for deadlocks
/// `certainty`.
type Labels = Vec<(&'static str, String)>;

/// A gauge family counting something per process.
type Counts = Family<Labels, Gauge>;

/// A gauge family of seconds per process.
type Seconds = Family<Labels, Gauge<f64, AtomicU64>>;

/// The families, each registered once. Help texts end without a period:
/// the encoder adds one.
struct Families {
    live_tasks: Counts,
    blocked_tasks: Counts,
    deadlocks: Counts,
    deadlocked_tasks: Counts,
    potential_deadlocks: Counts,
    long_waits: Counts,
    blocking_polls: Counts,
    stuck_forever: Counts,
    snapshot_age: Seconds,
    stale: Counts,
}

impl Families {
    /// Makes the families and registers them, with their help, in `registry`.
    fn register(registry: &mut Registry) -> Families {
        let f = Families {
            live_tasks: Counts::default(),
            blocked_tasks: Counts::default(),
            deadlocks: Counts::default(),
            deadlocked_tasks: Counts::default(),
            potential_deadlocks: Counts::default(),
            long_waits: Counts::default(),
            blocking_polls: Counts::default(),
            stuck_forever: Counts::default(),
            snapshot_age: Seconds::default(),
            stale: Counts::default(),
        };
        let counts: [(&str, &str, &Counts); 9] = [
            (
                "live_tasks",
                "Tasks alive in the process (task nodes not done)",
                &f.live_tasks,
            ),
            (
                "blocked_tasks",
                "Tasks pending and not woken, or parked in an instrumented blocking lock, \
                 whatever they wait for (idle tasks waiting for I/O count too)",
                &f.blocked_tasks,
            ),
            (
                "deadlocks",
                "Deadlocks with at least one task in the process, by certainty \
                 (a cross-process deadlock counts in each of its processes)",
                &f.deadlocks,
            ),
            (
                "deadlocked_tasks",
                "Tasks of the process in a deadlock or stuck behind one",
                &f.deadlocked_tasks,
            ),
            (
                "potential_deadlocks",
                "Cycles in the order the process takes its locks: not hung, but can",
                &f.potential_deadlocks,
            ),
            (
                "long_waits",
                "Tasks of the process blocked longer than the long-wait threshold, not deadlocked",
                &f.long_waits,
            ),
            (
                "blocking_polls",
                "Polls in the process running longer than the slow-poll threshold \
                 (each blocks a runtime thread)",
                &f.blocking_polls,
            ),
            (
                "stuck_forever_tasks",
                "Tasks of the process stuck forever: pending with no waker left, or waiting \
                 on what only the process could end while nothing in it can run",
                &f.stuck_forever,
            ),
            (
                "stale",
                "1 when no live source feeds the process: its numbers are from its last snapshot",
                &f.stale,
            ),
        ];
        for (name, help, family) in counts {
            registry.register(name, help, family.clone());
        }
        registry.register_with_unit(
            "snapshot_age",
            "Time since the process's latest snapshot was captured",
            Unit::Seconds,
            f.snapshot_age.clone(),
        );
        f
    }

    /// Sets every family's sample for one process.
    fn set(&self, m: &ProcessMetrics, now_ms: u64) {
        let labels: Labels = vec![
            ("process", m.process.clone()),
            ("key", m.key.clone()),
            ("host", m.host.clone().unwrap_or_default()),
        ];
        let count = |family: &Counts, value: u64| {
            family
                .get_or_create(&labels)
                .set(i64::try_from(value).unwrap_or(i64::MAX));
        };
        count(&self.live_tasks, m.live_tasks);
        count(&self.blocked_tasks, m.blocked_tasks);
        count(&self.deadlocked_tasks, m.deadlocked_tasks);
        count(&self.potential_deadlocks, m.potential_deadlocks);
        count(&self.long_waits, m.long_waits);
        count(&self.blocking_polls, m.blocking_polls);
        count(&self.stuck_forever, m.stuck_forever);
        count(&self.stale, u64::from(m.stale));
        for certainty in [Certainty::Certain, Certainty::Probable] {
            let mut with = labels.clone();
            with.push(("certainty", certainty.as_str().to_owned()));
            self.deadlocks
                .get_or_create(&with)
                .set(i64::try_from(m.deadlocks(certainty)).unwrap_or(i64::MAX));
        }
        let age_ms = now_ms.saturating_sub(m.captured_at_ms);
        self.snapshot_age
            .get_or_create(&labels)
            .set(age_ms as f64 / 1000.0);
    }
}

/// The text of a scrape: every family, one sample per process (and per
/// certainty for `peeps_deadlocks`), the snapshot age as of `now_ms` (ms
/// since the Unix epoch).
///
/// # Examples
///
/// ```
/// use peeps_graph::metrics::{ProcessMetrics, prometheus};
///
/// let m = ProcessMetrics { process: "svc".into(), key: "1-0".into(), live_tasks: 3,
///                          captured_at_ms: 1_000, ..Default::default() };
/// let text = prometheus::encode(&[m], 3_500);
/// assert!(text.contains(r#"peeps_live_tasks{process="svc",key="1-0",host=""} 3"#));
/// assert!(text.contains(r#"peeps_snapshot_age_seconds{process="svc",key="1-0",host=""} 2.5"#));
/// assert!(text.ends_with("# EOF\n"));
/// ```
pub fn encode(metrics: &[ProcessMetrics], now_ms: u64) -> String {
    let mut registry = Registry::with_prefix("peeps");
    let families = Families::register(&mut registry);
    for m in metrics {
        families.set(m, now_ms);
    }
    let mut text = String::new();
    // Writing into a String cannot fail; the label values are escaped by
    // the encoder.
    if encode_text(&mut text, &registry).is_err() {
        text.clear();
        text.push_str("# EOF\n");
    }
    text
}
