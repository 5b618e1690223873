//! Healthy: `main` drains a `JoinSet` of 3 workers, (plain tasks), each
//! waiting on the peeps `Notify` "work-ready". A `dispatcher` std::thread
//! drives `Handle::block_on`: it waits 300 ms on a tokio timer, then
//! `notify_one`s "work-ready", forever.
//!
//! Expected: in every dump, no deadlock, nothing stuck forever.

use examples::{ready_when, waited_on};
use peeps::graph::NodeKind;
use peeps::sync::Notify;
use std::sync::Arc;
use std::time::Duration;

#[tokio::main]
async fn main() {
    peeps::install_sigusr1("soak_joinset_workers_notified_by_peeps_dispatcher_thread_block_on");
    let work = Arc::new(Notify::new().named("work-ready"));
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..3 {
        let work = work.clone();
        set.spawn(async move {
            let mut n = 0u64;
            loop {
                work.notified().await;
                n += 1;
                if n == u64::MAX {
                    return n;
                }
            }
        });
    }
    let handle = tokio::runtime::Handle::current();
    let w = work.clone();
    std::thread::Builder::new()
        .name("dispatcher".into())
        .spawn(move || {
            handle.block_on(async move {
                loop {
                    tokio::time::sleep(Duration::from_millis(300)).await;
                    w.notify_one();
                }
            })
        })
        .unwrap();
    ready_when(|g| waited_on(g, NodeKind::Notify, "work-ready"));
    while let Some(r) = set.join_next().await {
        println!("{}", r.unwrap());
    }
}
