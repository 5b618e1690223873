//! Healthy, under steady load: three frontends
//! (`peeps::spawn_named("frontend-N")`, loops `#[peeps::instrument]`ed)
//! each fan every request out to three backend fetches in a tokio
//! `JoinSet` (plain tasks), and collect them with `join_next`. Each fetch
//! takes an owned permit of `backend-conns` (a `Semaphore` of 4) and keeps
//! it across its call (a 40 ms–1.4 s timer); nine fetches want four
//! connections, so fetches queue on `backend-conns` all the time. Each
//! frontend counts into `stats` (a `peeps::sync::Mutex`) after every
//! request. Multi-thread runtime.
//!
//! Expected, in every dump: no deadlock, nothing stuck forever, no
//! potential deadlock; fetches waiting on `backend-conns` are honest long
//! waits.

use examples::ready_when;
use peeps::sync::{Mutex, Semaphore};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::task::JoinSet;

#[peeps::instrument]
async fn frontend(id: u64, conns: Arc<Semaphore>, stats: Arc<Mutex<u64>>, served: Arc<AtomicU64>) {
    for request in 0u64.. {
        let mut fetches = JoinSet::new();
        for shard in 0..3u64 {
            let conns = conns.clone();
            fetches.spawn(async move {
                let conn = conns.acquire_owned().await.expect("never closed");
                let ms = 40 + ((id * 7 + request * 3 + shard * 5) % 10) * 150;
                tokio::time::sleep(Duration::from_millis(ms)).await;
                drop(conn);
                shard
            });
        }
        let mut got = 0;
        while let Some(done) = fetches.join_next().await {
            got += done.expect("a fetch does not panic");
        }
        *stats.lock().await += got;
        served.fetch_add(1, Ordering::Relaxed);
    }
}

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_joinset_fanout_permits");
    let conns = Arc::new(Semaphore::new(4).named("backend-conns"));
    let stats = Arc::new(Mutex::new(0).named("stats"));
    let served = Arc::new(AtomicU64::new(0));
    for id in 1..=3 {
        peeps::spawn_named(
            format!("frontend-{id}"),
            frontend(id, conns.clone(), stats.clone(), served.clone()),
        );
    }
    let seen = served.clone();
    ready_when(move |_| seen.load(Ordering::Relaxed) >= 3);
    examples::park().await
}
