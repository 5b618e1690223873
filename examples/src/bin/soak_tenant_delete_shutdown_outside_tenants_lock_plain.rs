//! The fixed twin of `tenant_delete_shutdown_under_tenants_read_plain`
//! (neondatabase/neon#5285): the DELETE handler takes the tenant out of
//! `TENANTS` under a short read, lets the guard go, shuts the tenant down
//! (cancel, then await its tasks' `JoinHandle`s) and only then removes it
//! under a short write.
//!
//! Plain `tokio::spawn` everywhere. Each tenant's size task looks its
//! tenant up every 30 ms; a POST loop creates a tenant every 60 ms; a
//! DELETE loop deletes the oldest tenant every 120 ms.
//!
//! Expected: in every dump, nothing false (no deadlock, nothing stuck
//! forever, no potential deadlock).

use examples::ready;
use peeps::sync::{RwLock, watch};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinHandle;

struct Tenant {
    cancel: watch::Sender<bool>,
    tasks: std::sync::Mutex<Vec<JoinHandle<()>>>,
}

type Tenants = Arc<RwLock<HashMap<u32, Arc<Tenant>>>>;

impl Tenant {
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
        cancel,
        tasks: std::sync::Mutex::new(Vec::new()),
    });
    let map = tenants.clone();
    let size_task = tokio::spawn(async move {
        let mut sizes = 0u64;
        loop {
            tokio::select! {
                _ = async { let _ = cancelled.wait_for(|c| *c).await; } => break,
                _ = tokio::time::sleep(Duration::from_millis(30)) => {
                    if get_tenant(&map, id).await.is_none() {
                        break;
                    }
                    sizes += 1;
                }
            }
        }
        sizes
    });
    tenant
        .tasks
        .lock()
        .expect("tasks")
        .push(tokio::spawn(async move {
            let _ = size_task.await;
        }));
    tenant
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_tenant_delete_shutdown_outside_tenants_lock_plain");
    let tenants: Tenants = Arc::new(RwLock::new(HashMap::new()).named("TENANTS"));
    let map = tenants.clone();
    tokio::spawn(async move {
        for id in 0u32.. {
            let tenant = spawn_tenant(&map, id);
            map.write().await.insert(id, tenant);
            tokio::time::sleep(Duration::from_millis(60)).await;
        }
    });
    for round in 0u32.. {
        tokio::time::sleep(Duration::from_millis(120)).await;
        let oldest = tenants.read().await.keys().min().copied();
        if let Some(id) = oldest {
            // The fix: no `TENANTS` guard across the shutdown.
            if let Some(tenant) = get_tenant(&tenants, id).await {
                tenant.shutdown().await;
            }
            tenants.write().await.remove(&id);
        }
        if round == 6 {
            ready();
        }
    }
}
