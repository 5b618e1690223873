//! Metrics: the numbers a monitoring system scrapes, per process.
//!
//! Both `/metrics` endpoints — the server's (`peeps serve`, every process
//! it knows) and a program's own (`PEEPS_METRICS`, one process) — serve the
//! same families, made here from the same analysis the report comes from:
//! [`analyze_with_metrics`] runs it once and returns the report and one
//! [`ProcessMetrics`] per process. With feature `prometheus`,
//! [`prometheus::encode`] writes them in the Prometheus (OpenMetrics) text
//! format; the families' names and help live there, once.
//!
//! # Which process a finding counts in
//!
//! A finding counts in the process of each task it names:
//!
//! - a deadlock counts once in every process with at least one task in its
//!   cycle or among its other members (a cross-process deadlock counts in
//!   each of its processes, so summing `peeps_deadlocks` over processes
//!   counts it more than once); its tasks, and the tasks stuck behind it,
//!   count in `peeps_deadlocked_tasks` of their own process;
//! - a long wait, a blocking poll and a task stuck forever count in the
//!   process of the task that waits, polls or is stuck;
//! - a potential deadlock (lock order) counts in the process that learned
//!   the order.
//!
//! A *live task* is a `task` node not done; a *blocked task* is one the
//! analysis calls blocked (DESIGN.md §4: pending and not woken, or parked
//! in an instrumented blocking lock), whatever it waits for — an idle task
//! waiting for I/O or a timer is blocked too. `block_on` threads are not
//! counted as tasks.

#[cfg(feature = "prometheus")]
pub mod prometheus;

use crate::analysis::{Certainty, Options, Report};
use crate::merge::Merged;
use crate::schema::NodeKind;
use std::collections::HashMap;

/// The numbers of one process at one analysis.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProcessMetrics {
    /// The process's name (label `process`).
    pub process: String,
    /// The process's key (label `key`): unique per process lifetime.
    pub key: String,
    /// The machine's host name (label `host`), when the snapshot has one.
    pub host: Option<String>,
    /// When its snapshot was captured, ms since the Unix epoch (the age is
    /// computed when the metrics are encoded).
    pub captured_at_ms: u64,
    /// Task nodes not done.
    pub live_tasks: u64,
    /// Tasks the analysis calls blocked.
    pub blocked_tasks: u64,
    /// Deadlocks with a task in this process, `certain`.
    pub deadlocks_certain: u64,
    /// Deadlocks with a task in this process, `probable`.
    pub deadlocks_probable: u64,
    /// Tasks of this process in a deadlock or stuck behind one.
    pub deadlocked_tasks: u64,
    /// Cycles in the order this process takes its locks.
    pub potential_deadlocks: u64,
    /// Long waits of this process's tasks.
    pub long_waits: u64,
    /// Blocking polls of this process's tasks.
    pub blocking_polls: u64,
    /// Tasks of this process stuck forever.
    pub stuck_forever: u64,
    /// No live source feeds this process: the numbers are from its last
    /// snapshot. The analysis leaves it false; the server sets it.
    pub stale: bool,
}

impl ProcessMetrics {
    /// Deadlocks of this certainty.
    pub fn deadlocks(&self, certainty: Certainty) -> u64 {
        match certainty {
            Certainty::Certain => self.deadlocks_certain,
            Certainty::Probable => self.deadlocks_probable,
        }
    }
}

/// Analyses an already merged graph (as [`crate::analyze_merged`]) and
/// counts, per process in the order of [`Merged::processes`], what the
/// metrics say.
pub fn analyze_with_metrics(
    merged: &Merged<'_>,
    options: &Options,
) -> (Report, Vec<ProcessMetrics>) {
    let (report, roots) = crate::analysis::analyze_counting_roots(merged, options);
    let metrics = per_process(merged, &report, &roots);
    (report, metrics)
}

/// Live and blocked tasks of one process, as the analysis saw them.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct RootCounts {
    /// Task nodes not done.
    pub(crate) live: u64,
    /// Task nodes blocked.
    pub(crate) blocked: u64,
}

impl RootCounts {
    /// Counts a root of `kind`: only tasks count.
    pub(crate) fn add(&mut self, kind: NodeKind, done: bool, blocked: bool) {
        if kind != NodeKind::Task || done {
            return;
        }
        self.live += 1;
        if blocked {
            self.blocked += 1;
        }
    }
}

/// Attributes the report's findings to processes (see the module doc).
fn per_process(merged: &Merged<'_>, report: &Report, roots: &[RootCounts]) -> Vec<ProcessMetrics> {
    let mut out: Vec<ProcessMetrics> = merged
        .processes()
        .iter()
        .enumerate()
        .map(|(p, snap)| {
            let counts = roots.get(p).copied().unwrap_or_default();
            ProcessMetrics {
                process: snap.process.name.clone(),
                key: snap.process.key.clone(),
                host: snap.process.host.clone(),
                captured_at_ms: snap.captured_at_ms,
                live_tasks: counts.live,
                blocked_tasks: counts.blocked,
                ..ProcessMetrics::default()
            }
        })
        .collect();
    let index: HashMap<&str, usize> = merged
        .processes()
        .iter()
        .enumerate()
        .map(|(p, snap)| (snap.process.key.as_str(), p))
        .collect();
    let slot = |key: &str| index.get(key).copied();
    for d in &report.deadlocks {
        let mut processes: Vec<usize> = d.tasks.iter().filter_map(|t| slot(&t.process)).collect();
        processes.sort_unstable();
        processes.dedup();
        for p in processes {
            match d.certainty {
                Certainty::Certain => out[p].deadlocks_certain += 1,
                Certainty::Probable => out[p].deadlocks_probable += 1,
            }
        }
        let stuck = d.tasks.iter().chain(d.behind.iter().map(|s| &s.task));
        for p in stuck.filter_map(|t| slot(&t.process)) {
            out[p].deadlocked_tasks += 1;
        }
    }
    for p in report
        .long_waits
        .iter()
        .filter_map(|w| slot(&w.task.process))
    {
        out[p].long_waits += 1;
    }
    for p in report
        .blocking_polls
        .iter()
        .filter_map(|b| slot(&b.task.process))
    {
        out[p].blocking_polls += 1;
    }
    for p in report
        .stuck_forever
        .iter()
        .filter_map(|s| slot(&s.task.process))
    {
        out[p].stuck_forever += 1;
    }
    for p in report
        .potential_deadlocks
        .iter()
        .filter_map(|d| slot(&d.process))
    {
        out[p].potential_deadlocks += 1;
    }
    out
}
