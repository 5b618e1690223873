//! Deadlock from a bug report: scylladb/scylla-rust-driver#696 ("Deadlock
//! if LatencyAwareness is used"). After each query the default load
//! balancing policy reports its latency: `report_query` looks the node up
//! under a read of `node_avgs` (a blocking `RwLock`) and, for a node not
//! seen yet, inserts its first average under a write of the same lock.
//! The read guard is a temporary of the `if let` scrutinee, which (edition
//! 2021) lives through the `else` branch: the first query to a node parks
//! its thread in `write()` behind its own read. The driver's latency
//! updater, a plain `tokio::spawn` task that reads `node_avgs` every
//! 100 ms, then parks behind the queued writer.
//!
//! Written as the driver runs it: the query and its report on the caller's
//! task (`main`'s `#[tokio::main]` body, as the report's `#[tokio::test]`),
//! `node_avgs` a `peeps::sync::blocking::RwLock` (parking_lot's, fair to a
//! queued writer), the lookup written as a `match`, whose scrutinee's
//! guard lives through every arm in any edition.
//!
//! Expected: one `certain` deadlock of `thread main` with itself on
//! `node-avgs` (waiting to write, the read guard its own), a blocking
//! poll; the plain updater task behind it, parked reading `node-avgs`.

use examples::{ready_when, waited_on_for};
use peeps::graph::NodeKind;
use peeps::sync::blocking::RwLock;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

type HostId = u128;

#[derive(Clone, Copy, Debug)]
struct TimestampedAverage {
    average: Duration,
    num_measures: usize,
}

impl TimestampedAverage {
    fn compute_next(previous: Option<Self>, last_latency: Duration) -> Self {
        match previous {
            None => Self {
                average: last_latency,
                num_measures: 1,
            },
            Some(prev) => Self {
                average: (prev.average * 3 + last_latency) / 4,
                num_measures: prev.num_measures + 1,
            },
        }
    }
}

struct LatencyAwareness {
    node_avgs: Arc<RwLock<HashMap<HostId, RwLock<TimestampedAverage>>>>,
}

impl LatencyAwareness {
    fn new(update_rate: Duration) -> Self {
        let node_avgs: Arc<RwLock<HashMap<HostId, RwLock<TimestampedAverage>>>> =
            Arc::new(RwLock::new(HashMap::new()).named("node-avgs"));
        let avgs = node_avgs.clone();
        // The updater: recomputes the minimum average every `update_rate`.
        tokio::spawn(async move {
            let mut interval = tokio::time::interval(update_rate);
            loop {
                interval.tick().await;
                let min_avg = avgs.read().values().map(|avg| avg.read().average).min();
                if let Some(min_avg) = min_avg {
                    let _ = min_avg.as_micros();
                }
            }
        });
        Self { node_avgs }
    }

    fn report_query(&self, host_id: HostId, latency: Duration) {
        match self.node_avgs.read().get(&host_id) {
            Some(node_avg) => {
                let mut node_avg = node_avg.write();
                let next = TimestampedAverage::compute_next(Some(*node_avg), latency);
                *node_avg = next;
            }
            None => {
                // We need to add the node to the map.
                self.node_avgs.write().insert(
                    host_id,
                    RwLock::new(TimestampedAverage::compute_next(None, latency)),
                );
            }
        }
    }
}

struct Session {
    latency_awareness: LatencyAwareness,
    node: HostId,
}

impl Session {
    /// Runs the query on the plan's first node and reports its latency,
    /// as `DefaultPolicy::on_query_failure` does for a failed query.
    async fn query(&self, contents: &str) -> Result<(), String> {
        let started = Instant::now();
        tokio::time::sleep(Duration::from_millis(5)).await;
        let result = Err(format!("unconfigured table in {contents:?}"));
        self.latency_awareness
            .report_query(self.node, started.elapsed());
        result
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("latency_awareness_read_then_write_blocking");
    ready_when(|g| {
        waited_on_for(g, NodeKind::Rwlock, "node-avgs", "write")
            && waited_on_for(g, NodeKind::Rwlock, "node-avgs", "read")
    });
    let session = Session {
        latency_awareness: LatencyAwareness::new(Duration::from_millis(100)),
        node: 0x5c1_11a,
    };
    let err = session.query("whatever").await.unwrap_err();
    println!("query failed: {err}");
}
