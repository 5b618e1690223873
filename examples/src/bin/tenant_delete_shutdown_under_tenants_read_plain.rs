//! Deadlock from neondatabase/neon#5285 ("fix deadlock around TENANTS",
//! fixes #5284): a tenant DELETE holds `TENANTS.read()` all the way into
//! `tenant.shutdown().await`; a tenant-creation POST queues for
//! `TENANTS.write()`; and a task that the shutdown waits for (the
//! imitate-size calculation) needs `TENANTS.read()` through `get_tenant()`,
//! queued behind that writer. "(1) waits for (3), (3)'s read-lock request is
//! queued behind (2)'s write-lock, and (2) waits for (1). Deadlock."
//!
//! `#[tokio::main]`, every task a plain `tokio::spawn`; the DELETE and the
//! POST are served by handler tasks that receive them on `mgmt-requests`
//! (neon's `task_mgr`
//! keeps the `JoinHandle`s of a tenant's tasks, and `shutdown` cancels them
//! and awaits the handles). `TENANTS` is a `peeps::sync::RwLock<HashMap>`.
//! The size task ticks every 200 ms and looks its tenant up; the DELETE
//! handler read-locks `TENANTS` at once, spends 300 ms on its deletion
//! marker, then shuts the tenant down; the POST arrives at 100 ms.
//!
//! Expected: one certain deadlock of the three plain tasks on rwlock
//! `TENANTS`: the DELETE handler joining the size task, the size task
//! reading `TENANTS` behind the queued writer, the POST handler writing
//! (waiting on the DELETE's read guard); `peeps analyze` exits 1.

use examples::{park, ready_when, waiters};
use peeps::graph::NodeKind;
use peeps::sync::{RwLock, mpsc, watch};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::task::JoinHandle;

/// Set just before the DELETE handler joins the tenant's tasks (for READY only).
static JOINING: AtomicBool = AtomicBool::new(false);

struct Tenant {
    id: u32,
    cancel: watch::Sender<bool>,
    tasks: std::sync::Mutex<Vec<JoinHandle<()>>>,
}

type Tenants = Arc<RwLock<HashMap<u32, Arc<Tenant>>>>;

impl Tenant {
    /// Cancels the tenant's tasks and waits for each to end.
    async fn shutdown(&self) {
        let _ = self.cancel.send(true);
        let tasks: Vec<_> = std::mem::take(&mut *self.tasks.lock().expect("tasks"));
        for task in tasks {
            let _ = task.await;
        }
    }
}

async fn get_tenant(tenants: &Tenants, id: u32) -> Option<Arc<Tenant>> {
    tenants.read().await.get(&id).cloned()
}

fn spawn_tenant(tenants: &Tenants, id: u32) -> Arc<Tenant> {
    let (cancel, mut cancelled) = watch::channel_named("tenant-cancel", false);
    let tenant = Arc::new(Tenant {
        id,
        cancel,
        tasks: std::sync::Mutex::new(Vec::new()),
    });
    let map = tenants.clone();
    // The imitate-size calculation, one of the tenant's background tasks.
    let size_task = tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = async { let _ = cancelled.wait_for(|c| *c).await; } => break,
                _ = tokio::time::sleep(Duration::from_millis(200)) => {
                    let Some(t) = get_tenant(&map, id).await else { break };
                    println!("tenant {}: size imitated", t.id);
                }
            }
        }
    });
    tenant.tasks.lock().expect("tasks").push(size_task);
    tenant
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("tenant_delete_shutdown_under_tenants_read_plain");
    let tenants: Tenants = Arc::new(RwLock::new(HashMap::new()).named("TENANTS"));
    let first = spawn_tenant(&tenants, 1);
    tenants.write().await.insert(1, first);

    // The management API: each request is handed to its own plain handler
    // task, which waits on `mgmt-requests` for it.
    let (delete_tx, mut delete_rx) = mpsc::channel_named::<u32>("mgmt-requests", 4);
    let (create_tx, mut create_rx) = mpsc::channel_named::<u32>("mgmt-requests", 4);

    // DELETE /v1/tenant/{id}
    let map = tenants.clone();
    tokio::spawn(async move {
        while let Some(id) = delete_rx.recv().await {
            let guard = map.read().await;
            if let Some(tenant) = guard.get(&id) {
                // Upload the deletion marker.
                tokio::time::sleep(Duration::from_millis(300)).await;
                JOINING.store(true, Ordering::SeqCst);
                tenant.shutdown().await;
            }
            drop(guard);
            map.write().await.remove(&id);
        }
    });

    // POST /v1/tenant
    let map = tenants.clone();
    tokio::spawn(async move {
        while let Some(id) = create_rx.recv().await {
            let tenant = spawn_tenant(&map, id);
            map.write().await.insert(id, tenant);
            println!("tenant {id} created");
        }
    });

    tokio::time::sleep(Duration::from_millis(50)).await;
    delete_tx.send(1).await.expect("handler alive");
    tokio::time::sleep(Duration::from_millis(100)).await;
    create_tx.send(2).await.expect("handler alive");

    ready_when(|g| JOINING.load(Ordering::SeqCst) && waiters(g, NodeKind::Rwlock, "TENANTS") >= 2);
    park().await
}
