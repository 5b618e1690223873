//! The fixed twin of `service_stop_joins_under_write_guard_joinset_main`
//! (rustdesk#622): the stop routine clears `active` under a write guard
//! it drops at once, then joins the `JoinSet` of workers, and writes the
//! request count under a second, short write guard. `main` starts and
//! stops the service in generations of 300 ms.
//!
//! Expected: in every dump, nothing false (no deadlock, nothing stuck
//! forever, no potential deadlock).

use examples::ready;
use peeps::sync::{RwLock, mpsc};
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinSet;

struct Service {
    active: bool,
    requests: u64,
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_service_stop_drops_write_guard_before_join");
    for generation in 0u64.. {
        let service = Arc::new(
            RwLock::new(Service {
                active: true,
                requests: 0,
            })
            .named("service"),
        );
        let (started_tx, mut started) = mpsc::channel_named::<usize>("started", 4);
        let mut workers = JoinSet::new();
        for id in 0..2 {
            let service = service.clone();
            let started_tx = started_tx.clone();
            workers.spawn(async move {
                tokio::time::sleep(Duration::from_millis(30)).await;
                let _ = started_tx.send(id).await;
                let mut served = 0u64;
                loop {
                    if !service.read().await.active {
                        return served;
                    }
                    served += 1;
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            });
        }
        for _ in 0..2 {
            started.recv().await.expect("the workers are alive");
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
        service.write().await.active = false;
        let mut total = 0;
        while let Some(served) = workers.join_next().await {
            total += served.expect("the worker does not panic");
        }
        service.write().await.requests = total;
        println!("generation {generation}: stopped after {total} requests");
        if generation == 1 {
            ready();
        }
    }
}
