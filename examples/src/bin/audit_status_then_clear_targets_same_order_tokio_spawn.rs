//! The fix of rustfs/rustfs#4421: `runtime_status_snapshot` locks
//! `registry` first, then reads `stream_cancellers`, the one order every
//! path that holds both now follows (`registry -> stream_cancellers`).
//! The twin of `audit_status_vs_clear_targets_tokio_spawn`: the admin
//! console polls the status every 10 ms while config reloads clear and
//! re-register the targets every 300 ms, each in a plain `tokio::spawn`
//! task; polls wait behind reloads and reloads behind polls, briefly.
//!
//! Expected: no deadlock, nothing stuck, no potential deadlock.

use examples::ready;
use peeps::sync::{Mutex, RwLock};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

struct AuditTarget {
    endpoint: String,
}

impl AuditTarget {
    /// Flushes the target's queue and closes its connection.
    async fn close(&self) {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[derive(Default)]
struct AuditRegistry {
    targets: HashMap<String, AuditTarget>,
}

#[derive(Default)]
struct ReplayWorkerManager {
    cancellers: HashMap<String, u64>,
}

struct AuditSystem {
    registry: Arc<Mutex<AuditRegistry>>,
    stream_cancellers: Arc<RwLock<ReplayWorkerManager>>,
}

struct RuntimeStatus {
    targets: usize,
    replay_workers: usize,
}

impl AuditSystem {
    /// The admin console's status: `registry`, then `stream_cancellers`.
    async fn runtime_status_snapshot(&self) -> RuntimeStatus {
        let registry = self.registry.lock().await;
        let cancellers = self.stream_cancellers.read().await;
        RuntimeStatus {
            targets: registry.targets.len(),
            replay_workers: cancellers.cancellers.len(),
        }
    }

    /// A config reload: `registry`, then `stream_cancellers`.
    async fn clear_runtime_targets(&self) {
        let mut registry = self.registry.lock().await;
        for target in registry.targets.values() {
            target.close().await;
        }
        let ids: Vec<String> = registry.targets.drain().map(|(id, _)| id).collect();
        let mut cancellers = self.stream_cancellers.write().await;
        for id in ids {
            cancellers.cancellers.remove(&id);
        }
    }

    /// Registers the reloaded config's targets and their replay workers.
    async fn register_targets(&self, ids: &[&str], generation: u64) {
        let mut registry = self.registry.lock().await;
        let mut cancellers = self.stream_cancellers.write().await;
        for id in ids {
            registry.targets.insert(
                (*id).into(),
                AuditTarget {
                    endpoint: format!("http://audit-{id}:9000"),
                },
            );
            cancellers.cancellers.insert((*id).into(), generation);
        }
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("audit_status_then_clear_targets_same_order_tokio_spawn");
    let mut registry = AuditRegistry::default();
    let mut workers = ReplayWorkerManager::default();
    for (n, id) in ["webhook", "kafka"].into_iter().enumerate() {
        registry.targets.insert(
            id.into(),
            AuditTarget {
                endpoint: format!("http://audit-{id}:9000"),
            },
        );
        workers.cancellers.insert(id.into(), n as u64);
    }
    println!(
        "audit targets: {:?}",
        registry
            .targets
            .values()
            .map(|t| t.endpoint.as_str())
            .collect::<Vec<_>>()
    );
    let audit = Arc::new(AuditSystem {
        registry: Arc::new(Mutex::new(registry).named("registry")),
        stream_cancellers: Arc::new(RwLock::new(workers).named("stream_cancellers")),
    });
    for n in 0u64.. {
        if n % 30 == 0 {
            // A config reload.
            let reload = audit.clone();
            tokio::spawn(async move {
                reload.clear_runtime_targets().await;
                reload.register_targets(&["webhook", "kafka"], n).await;
            });
        }
        // The admin console polling the status.
        let admin = audit.clone();
        tokio::spawn(async move {
            let status = admin.runtime_status_snapshot().await;
            if n % 100 == 0 {
                println!(
                    "{} targets, {} replay workers",
                    status.targets, status.replay_workers
                );
            }
        });
        tokio::time::sleep(Duration::from_millis(10)).await;
        if n == 40 {
            ready();
        }
    }
}
