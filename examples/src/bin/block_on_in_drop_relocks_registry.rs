//! Deadlock: an async mutex locked from a `Drop` impl through
//! `futures::executor::block_on`, while the code dropping the value holds
//! that mutex's guard (the "async drop" workaround every codebase grows
//! once, and the many "block_on inside Drop hangs" questions). The `block_on` parks the worker thread, so the guard
//! held further up the same task can never be released.
//!
//! A `Session` deregisters itself from the shared `registry` on drop with
//! `block_on(registry.lock())`. The `reaper` task locks `registry`, takes
//! the expired sessions out of it, and drops them while its guard is still
//! alive.
//!
//! Expected: one `certain` deadlock of `reaper` with itself on mutex
//! `registry` (its guard held by `reaper`), and a blocking poll of
//! `reaper`.

use examples::{park, ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::Mutex;
use std::collections::HashMap;
use std::sync::Arc;

#[derive(Default)]
struct Registry {
    live: HashMap<u64, Arc<Session>>,
    closed: u64,
}

struct Session {
    id: u64,
    expired: bool,
    registry: Arc<Mutex<Registry>>,
}

impl Drop for Session {
    fn drop(&mut self) {
        let mut registry = futures::executor::block_on(self.registry.lock());
        registry.closed += 1;
        println!("session {} closed ({} so far)", self.id, registry.closed);
    }
}

#[peeps::instrument]
async fn reap(registry: Arc<Mutex<Registry>>) {
    let mut reg = registry.lock().await;
    let expired: Vec<u64> = reg
        .live
        .values()
        .filter(|s| s.expired)
        .map(|s| s.id)
        .collect();
    for id in expired {
        // The last `Arc` of the session: its `Drop` runs here.
        reg.live.remove(&id);
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("block_on_in_drop_relocks_registry");
    let registry = Arc::new(Mutex::new(Registry::default()).named("registry"));
    {
        let mut reg = registry.lock().await;
        for id in 1..=3 {
            let session = Arc::new(Session {
                id,
                expired: id == 2,
                registry: registry.clone(),
            });
            reg.live.insert(id, session);
        }
    }
    peeps::spawn_named("reaper", reap(registry));
    ready_when(|g| waited_on(g, NodeKind::Mutex, "registry"));
    park().await
}
