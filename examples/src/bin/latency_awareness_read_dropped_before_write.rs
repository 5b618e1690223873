//! The fix of scylladb/scylla-rust-driver#696: `report_query` lets its
//! read of `node_avgs` go before it takes the write to insert a node seen
//! for the first time. The twin of
//! `latency_awareness_read_then_write_blocking`: `main` queries three
//! nodes in turn, round after round, and reports each latency; the plain
//! updater task reads `node_avgs` every 100 ms.
//!
//! Expected: no deadlock, nothing stuck, no potential deadlock.

use examples::ready;
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
        let node_avgs_guard = self.node_avgs.read();
        if let Some(previous_node_avg) = node_avgs_guard.get(&host_id) {
            let mut node_avg = previous_node_avg.write();
            let next = TimestampedAverage::compute_next(Some(*node_avg), latency);
            *node_avg = next;
        } else {
            drop(node_avgs_guard);
            // We need to add the node to the map.
            let mut node_avgs_guard = self.node_avgs.write();
            let previous = node_avgs_guard.get(&host_id).map(|avg| *avg.read());
            node_avgs_guard.insert(
                host_id,
                RwLock::new(TimestampedAverage::compute_next(previous, latency)),
            );
        }
    }
}

struct Session {
    latency_awareness: LatencyAwareness,
    nodes: [HostId; 3],
}

impl Session {
    /// Runs the query on the plan's first node and reports its latency,
    /// as `DefaultPolicy::on_query_success` does.
    async fn query(&self, round: usize, contents: &str) -> Result<usize, String> {
        let node = self.nodes[round % self.nodes.len()];
        let started = Instant::now();
        tokio::time::sleep(Duration::from_millis(5 + (round % 7) as u64)).await;
        self.latency_awareness.report_query(node, started.elapsed());
        Ok(contents.len())
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("latency_awareness_read_dropped_before_write");
    let session = Session {
        latency_awareness: LatencyAwareness::new(Duration::from_millis(100)),
        nodes: [0x5c1_11a, 0x5c1_11b, 0x5c1_11c],
    };
    for round in 0..usize::MAX {
        session
            .query(round, "SELECT * FROM ks.t")
            .await
            .expect("query");
        tokio::time::sleep(Duration::from_millis(20)).await;
        if round == 30 {
            ready();
        }
    }
}
