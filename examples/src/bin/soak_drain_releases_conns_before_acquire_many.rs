//! Healthy twin of `drain_acquire_many_under_conns_lock`: the
//! `shutdown` task marks the server closing under `conns`, drops the
//! guard, then drains with `acquire_many(8)` on `in-flight`; once drained
//! it reopens (the permits go back) and the next generation of three
//! `handler-N` tasks starts. Each handler holds an owned permit across a
//! 300 ms request and takes `conns` to deregister itself. Forever.
//!
//! Expected: in every dump, no deadlock, nothing stuck forever, no
//! potential deadlock.

use examples::{ready_when, waiters};
use peeps::graph::NodeKind;
use peeps::sync::{Mutex, Semaphore};
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

const MAX_IN_FLIGHT: u32 = 8;

struct Conns {
    open: BTreeSet<u64>,
    closing: bool,
}

struct Server {
    in_flight: Arc<Semaphore>,
    conns: Mutex<Conns>,
}

impl Server {
    async fn drain(&self) {
        {
            let mut conns = self.conns.lock().await;
            conns.closing = true;
        }
        let _all = self.in_flight.acquire_many(MAX_IN_FLIGHT).await.unwrap();
        let mut conns = self.conns.lock().await;
        conns.closing = false;
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_drain_releases_conns_before_acquire_many");
    let server = Arc::new(Server {
        in_flight: Arc::new(Semaphore::new(MAX_IN_FLIGHT as usize).named("in-flight")),
        conns: Mutex::new(Conns {
            open: BTreeSet::new(),
            closing: false,
        })
        .named("conns"),
    });
    ready_when(|g| waiters(g, NodeKind::Semaphore, "in-flight") == 1);
    let mut generation = 0u64;
    loop {
        for id in 0..3u64 {
            let permit = server.in_flight.clone().acquire_owned().await.unwrap();
            server.conns.lock().await.open.insert(id);
            let server = server.clone();
            peeps::spawn_named(format!("handler-{id}"), async move {
                tokio::time::sleep(Duration::from_millis(300)).await; // the request
                server.conns.lock().await.open.remove(&id);
                drop(permit);
            });
        }
        let s = server.clone();
        peeps::spawn_named("shutdown", async move { s.drain().await })
            .await
            .unwrap();
        generation += 1;
        if generation == u64::MAX {
            break;
        }
    }
}
