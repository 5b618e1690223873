//! Deadlock from a bug report: rustfs/rustfs#4421 ("fix(audit): resolve
//! ABBA lock-order deadlock between registry and stream_cancellers").
//! `AuditSystem` keeps two async locks: `registry`, a
//! `tokio::sync::Mutex<AuditRegistry>` of the audit targets, and
//! `stream_cancellers`, a `tokio::sync::RwLock<ReplayWorkerManager>` of
//! the replay workers' cancel tokens. `runtime_status_snapshot` (the
//! admin console's status poll) reads `stream_cancellers`, then locks
//! `registry`; `clear_runtime_targets` (a config reload) locks
//! `registry`, closes the old targets, then writes `stream_cancellers`
//! to cancel their replay workers. A status poll that lands while a
//! reload is closing its targets takes the read of `stream_cancellers`
//! and waits for `registry`; the reload then waits to write
//! `stream_cancellers` behind that read. Neither path returns, and the
//! audit dispatch behind them hangs.
//!
//! Written as rustfs serves them: each admin request and the reload run
//! in a task of their own, spawned with plain `tokio::spawn`.
//!
//! Expected: one `certain` deadlock of the two plain tasks on mutex
//! `registry` and rwlock `stream_cancellers`: the status poll waits to
//! lock `registry` (held by the reload, as `guard`), the reload waits to
//! write `stream_cancellers` (held by the status poll, as `read_guard`).

use examples::{park, ready_when, waited_on_for};
use peeps::graph::NodeKind;
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
    /// The admin console's status: `stream_cancellers`, then `registry`.
    async fn runtime_status_snapshot(&self) -> RuntimeStatus {
        let cancellers = self.stream_cancellers.read().await;
        let registry = self.registry.lock().await;
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
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("audit_status_vs_clear_targets_tokio_spawn");
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
    ready_when(|g| {
        waited_on_for(g, NodeKind::Mutex, "registry", "lock")
            && waited_on_for(g, NodeKind::Rwlock, "stream_cancellers", "write")
    });
    // A config reload...
    let reload = audit.clone();
    tokio::spawn(async move { reload.clear_runtime_targets().await });
    tokio::time::sleep(Duration::from_millis(10)).await;
    // ...and the admin console polling the status meanwhile.
    let admin = audit.clone();
    tokio::spawn(async move {
        let status = admin.runtime_status_snapshot().await;
        println!(
            "{} targets, {} replay workers",
            status.targets, status.replay_workers
        );
    });
    park().await
}
